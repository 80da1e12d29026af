//! Portable randomness helpers: hashes, an approximately normal draw and `e^x` computed the
//! same way on every platform, so the demo data does not change between machines.

use rand::RngCore;

/// An approximately standard normal number (Irwin-Hall of four uniforms, one draw).
pub(crate) fn normal<R: RngCore>(rng: &mut R) -> f32 {
    let x = rng.next_u64();
    let sum = (x & 0xffff) + ((x >> 16) & 0xffff) + ((x >> 32) & 0xffff) + (x >> 48);
    (sum as f32 / 65536.0 - 2.0) * 1.732_050_8
}

/// `e^x` for `|x| < 3` by its series: only additions and multiplications, so the result is
/// the same on every platform (library `exp` may differ in the last bit, and then so would
/// the data).
pub(crate) fn exp(x: f64) -> f64 {
    let (mut term, mut sum) = (1.0, 1.0);
    for k in 1..24 {
        term *= x / f64::from(k);
        sum += term;
    }
    sum
}

/// A 64-bit mix (SplitMix64), for hashes that must not depend on the order of generation.
pub(crate) fn splitmix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A hash as a number in `[0, 1)`.
pub(crate) fn unit(h: u64) -> f64 {
    (h >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn portable_exp_is_exp() {
        for x in [-2.6, -1.0, -0.1, 0.0, 0.3, 1.0, 2.6] {
            assert!((exp(x) / x.exp() - 1.0).abs() < 1e-12, "{x}");
        }
    }
}
