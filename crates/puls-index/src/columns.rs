//! Storage primitives: string dictionaries, code columns that widen from `u8` to `u32` as a
//! dictionary grows, and the response-id map.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};

/// Strings ↔ dense codes `0..len`, in first-seen order. Codes are never reused or removed,
/// so a code stays valid for the life of the index.
#[derive(Debug, Clone, Default)]
pub(crate) struct Dict {
    codes: HashMap<Box<str>, u32>,
    names: Vec<Box<str>>,
}

impl Dict {
    pub(crate) fn intern(&mut self, s: &str) -> u32 {
        if let Some(&c) = self.codes.get(s) {
            return c;
        }
        // A dictionary never holds 2^32 strings: the index has at most u32::MAX rows and
        // every code comes from a row.
        let c = self.names.len() as u32;
        self.names.push(s.into());
        self.codes.insert(s.into(), c);
        c
    }

    pub(crate) fn get(&self, s: &str) -> Option<u32> {
        self.codes.get(s).copied()
    }

    pub(crate) fn name(&self, code: u32) -> &str {
        &self.names[code as usize]
    }

    pub(crate) fn len(&self) -> usize {
        self.names.len()
    }

    /// An estimate: each string is kept twice (map key and name list) plus map overhead.
    pub(crate) fn memory_bytes(&self) -> usize {
        self.names.iter().map(|n| 2 * n.len() + 48).sum()
    }
}

/// A column of dictionary codes, one byte wide until a code needs more.
#[derive(Debug, Clone)]
pub(crate) enum Codes {
    U8(Vec<u8>),
    U16(Vec<u16>),
    U32(Vec<u32>),
}

impl Default for Codes {
    fn default() -> Self {
        Codes::U8(Vec::new())
    }
}

impl Codes {
    pub(crate) fn push(&mut self, code: u32) {
        match self {
            Codes::U8(v) if code <= u32::from(u8::MAX) => v.push(code as u8),
            Codes::U16(v) if code <= u32::from(u16::MAX) => v.push(code as u16),
            Codes::U32(v) => v.push(code),
            _ => {
                self.widen(code);
                self.push(code);
            }
        }
    }

    fn widen(&mut self, code: u32) {
        *self = match std::mem::take(self) {
            Codes::U8(v) if code <= u32::from(u16::MAX) => {
                Codes::U16(v.into_iter().map(u16::from).collect())
            }
            Codes::U8(v) => Codes::U32(v.into_iter().map(u32::from).collect()),
            Codes::U16(v) => Codes::U32(v.into_iter().map(u32::from).collect()),
            wide @ Codes::U32(_) => wide,
        }
    }

    pub(crate) fn get(&self, i: usize) -> u32 {
        match self {
            Codes::U8(v) => u32::from(v[i]),
            Codes::U16(v) => u32::from(v[i]),
            Codes::U32(v) => v[i],
        }
    }

    /// `out[k] = self[idx[k]]`: one tight loop per width.
    pub(crate) fn gather(&self, idx: &[u32], out: &mut Vec<u32>) {
        out.clear();
        match self {
            Codes::U8(v) => out.extend(idx.iter().map(|&i| u32::from(v[i as usize]))),
            Codes::U16(v) => out.extend(idx.iter().map(|&i| u32::from(v[i as usize]))),
            Codes::U32(v) => out.extend(idx.iter().map(|&i| v[i as usize])),
        }
    }

    /// Keeps the positions for which `keep` is true, in order.
    pub(crate) fn retain_positions(&mut self, keep: &[bool]) {
        fn go<T>(v: &mut Vec<T>, keep: &[bool]) {
            let mut i = 0;
            v.retain(|_| {
                i += 1;
                keep[i - 1]
            });
        }
        match self {
            Codes::U8(v) => go(v, keep),
            Codes::U16(v) => go(v, keep),
            Codes::U32(v) => go(v, keep),
        }
    }

    pub(crate) fn memory_bytes(&self) -> usize {
        match self {
            Codes::U8(v) => v.len(),
            Codes::U16(v) => v.len() * 2,
            Codes::U32(v) => v.len() * 4,
        }
    }
}

/// The 128-bit key of a response id: a canonical ULID (26 upper-case Crockford base32
/// characters, what Puls assigns) is decoded exactly; any other string is hashed to 128 bits.
/// Two different hashed ids collide with probability about n²/2¹²⁹ (≈ 10⁻²⁵ at 10⁷ ids).
pub(crate) fn id_key(id: &str) -> u128 {
    decode_ulid(id).unwrap_or_else(|| {
        let half = |salt: u8| {
            let mut h = DefaultHasher::new();
            salt.hash(&mut h);
            id.hash(&mut h);
            h.finish()
        };
        (u128::from(half(1)) << 64) | u128::from(half(2))
    })
}

fn decode_ulid(s: &str) -> Option<u128> {
    const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let b = s.as_bytes();
    if b.len() != 26 || b[0] > b'7' {
        return None;
    }
    b.iter().try_fold(0u128, |acc, &c| {
        let d = ALPHABET.iter().position(|&a| a == c)?;
        Some((acc << 5) | d as u128)
    })
}

const EMPTY: u32 = u32::MAX;

/// Response id → row: the key of every row in a column, and an open-addressing table of row
/// numbers (4 bytes a slot, at most three quarters full) that hashes the key stored at the row it points
/// to. A slot keeps pointing at the newest row of its id; a removed id's slot points at a
/// dead row until the next compaction rebuilds the table from live rows.
#[derive(Debug, Clone, Default)]
pub(crate) struct IdMap {
    pub(crate) keys: Vec<u128>,
    table: Vec<u32>,
    used: usize,
}

fn mix(k: u128) -> u64 {
    // splitmix64's finaliser over both halves.
    let mut x = (k as u64) ^ ((k >> 64) as u64).rotate_left(32);
    x ^= x >> 30;
    x = x.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x ^= x >> 27;
    x = x.wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

impl IdMap {
    /// The newest row recorded for `key` (possibly dead).
    pub(crate) fn find(&self, key: u128) -> Option<u32> {
        if self.table.is_empty() {
            return None;
        }
        let mask = self.table.len() - 1;
        let mut i = mix(key) as usize & mask;
        loop {
            let row = self.table[i];
            if row == EMPTY {
                return None;
            }
            if self.keys[row as usize] == key {
                return Some(row);
            }
            i = (i + 1) & mask;
        }
    }

    /// Appends a row with `key` and points the key's slot at it.
    pub(crate) fn push(&mut self, key: u128) {
        let row = self.keys.len() as u32;
        self.keys.push(key);
        if (self.used + 1) * 4 > self.table.len() * 3 {
            self.grow();
        }
        self.place(row);
    }

    fn place(&mut self, row: u32) {
        let key = self.keys[row as usize];
        let mask = self.table.len() - 1;
        let mut i = mix(key) as usize & mask;
        loop {
            let at = self.table[i];
            if at == EMPTY {
                self.table[i] = row;
                self.used += 1;
                return;
            }
            if self.keys[at as usize] == key {
                self.table[i] = row;
                return;
            }
            i = (i + 1) & mask;
        }
    }

    fn grow(&mut self) {
        let cap = (self.table.len() * 2).max(1024);
        let old = std::mem::replace(&mut self.table, vec![EMPTY; cap]);
        self.used = 0;
        for row in old.into_iter().filter(|&r| r != EMPTY) {
            self.place(row);
        }
    }

    /// Keeps the rows for which `keep` is true and rebuilds the table over them.
    pub(crate) fn retain_rows(&mut self, keep: &[bool]) {
        let mut i = 0;
        self.keys.retain(|_| {
            i += 1;
            keep[i - 1]
        });
        let cap = (self.keys.len() * 4 / 3 + 1).next_power_of_two().max(1024);
        self.table = vec![EMPTY; cap];
        self.used = 0;
        for row in 0..self.keys.len() as u32 {
            self.place(row);
        }
    }

    pub(crate) fn memory_bytes(&self) -> usize {
        self.keys.len() * 16 + self.table.len() * 4
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ulids_decode_exactly_and_other_ids_hash() {
        assert_eq!(decode_ulid("00000000000000000000000001"), Some(1));
        assert_eq!(decode_ulid("7ZZZZZZZZZZZZZZZZZZZZZZZZZ"), Some(u128::MAX));
        assert_eq!(decode_ulid("8ZZZZZZZZZZZZZZZZZZZZZZZZZ"), None);
        assert_eq!(decode_ulid("01arz3ndektsv4rrffq69g5fav"), None);
        assert_ne!(id_key("a"), id_key("b"));
        assert_eq!(id_key("a"), id_key("a"));
    }

    #[test]
    fn codes_widen_and_keep_values() {
        let mut c = Codes::default();
        for i in [1, 300, 70_000, 2] {
            c.push(i);
        }
        assert_eq!(
            (0..4).map(|i| c.get(i)).collect::<Vec<_>>(),
            [1, 300, 70_000, 2]
        );
    }

    #[test]
    fn id_map_points_at_the_newest_row() {
        let mut m = IdMap::default();
        for k in 0..5000u128 {
            m.push(k * 7919);
        }
        m.push(7919);
        assert_eq!(m.find(7919), Some(5000));
        assert_eq!(m.find(14), None);
        let keep: Vec<bool> = (0..5001).map(|r| r != 1).collect();
        m.retain_rows(&keep);
        assert_eq!(m.find(7919), Some(4999));
        assert_eq!(m.find(0), Some(0));
    }
}
