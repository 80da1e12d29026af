//! Dictionaries (string ↔ dense code) and bitsets: the small building blocks of the index.

/// A hash map with a fast hasher: keys here are ids and names sent by the workspace's own
/// systems, and the maps are rebuilt from the database, so flooding them gains nothing.
pub(crate) type FastMap<K, V> = foldhash::HashMap<K, V>;

/// Strings to dense `u32` codes, in first-seen order.
#[derive(Debug, Clone, Default)]
pub(crate) struct Dict {
    codes: FastMap<Box<str>, u32>,
    values: Vec<Box<str>>,
}

impl Dict {
    pub(crate) fn get(&self, s: &str) -> Option<u32> {
        self.codes.get(s).copied()
    }

    pub(crate) fn code(&mut self, s: &str) -> u32 {
        if let Some(c) = self.codes.get(s) {
            return *c;
        }
        self.insert(s)
    }

    /// Adds a string not in the dictionary yet.
    fn insert(&mut self, s: &str) -> u32 {
        let c = self.values.len() as u32;
        let boxed: Box<str> = s.into();
        self.values.push(boxed.clone());
        self.codes.insert(boxed, c);
        c
    }

    pub(crate) fn value(&self, code: u32) -> &str {
        &self.values[code as usize]
    }

    pub(crate) fn len(&self) -> usize {
        self.values.len()
    }
}

/// Typed values to dense `u32` codes, looked up without allocating (text by `&str`, the
/// other types by their bits).
#[derive(Debug, Clone, Default)]
pub(crate) struct ValueDict {
    pub(crate) values: Vec<puls_core::attribute::AttributeValue>,
    text: FastMap<Box<str>, u32>,
    other: FastMap<(u8, u64), u32>,
}

impl ValueDict {
    pub(crate) fn len(&self) -> usize {
        self.values.len()
    }

    fn key(v: &puls_core::attribute::AttributeValue) -> Option<(u8, u64)> {
        use puls_core::attribute::AttributeValue as V;
        match v {
            V::Text(_) => None,
            // -0.0 and 0.0 are one value.
            V::Number(n) => Some((1, (n + 0.0).to_bits())),
            V::Bool(b) => Some((2, u64::from(*b))),
            V::Date(ms) => Some((3, *ms as u64)),
        }
    }

    /// The code of `v`, if it is in the dictionary.
    pub(crate) fn get(&self, v: &puls_core::attribute::AttributeValue) -> Option<u32> {
        match (Self::key(v), v) {
            (Some(k), _) => self.other.get(&k).copied(),
            (None, puls_core::attribute::AttributeValue::Text(t)) => {
                self.text.get(t.as_str()).copied()
            }
            _ => None,
        }
    }

    /// The code of `v`, adding it when new.
    pub(crate) fn code(&mut self, v: &puls_core::attribute::AttributeValue) -> u32 {
        if let Some(c) = self.get(v) {
            return c;
        }
        let c = self.values.len() as u32;
        self.values.push(v.clone());
        match (Self::key(v), v) {
            (Some(k), _) => {
                self.other.insert(k, c);
            }
            (None, puls_core::attribute::AttributeValue::Text(t)) => {
                self.text.insert(t.as_str().into(), c);
            }
            _ => {}
        }
        c
    }
}

/// A fixed-size set of small integers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bitset {
    words: Vec<u64>,
    len: usize,
}

impl Bitset {
    pub fn new(len: usize) -> Self {
        Bitset {
            words: vec![0; len.div_ceil(64)],
            len,
        }
    }

    /// Every member of `0..len`.
    pub fn full(len: usize) -> Self {
        let mut b = Bitset {
            words: vec![u64::MAX; len.div_ceil(64)],
            len,
        };
        b.trim();
        b
    }

    fn trim(&mut self) {
        let extra = self.words.len() * 64 - self.len;
        if extra > 0
            && let Some(last) = self.words.last_mut()
        {
            *last &= u64::MAX >> extra;
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    #[inline]
    pub fn insert(&mut self, i: usize) {
        self.words[i / 64] |= 1 << (i % 64);
    }

    #[inline]
    pub fn contains(&self, i: usize) -> bool {
        i < self.len && self.words[i / 64] & (1 << (i % 64)) != 0
    }

    pub fn count(&self) -> usize {
        self.words.iter().map(|w| w.count_ones() as usize).sum()
    }

    pub fn and(&mut self, other: &Bitset) {
        for (a, b) in self.words.iter_mut().zip(&other.words) {
            *a &= b;
        }
    }

    pub fn or(&mut self, other: &Bitset) {
        for (a, b) in self.words.iter_mut().zip(&other.words) {
            *a |= b;
        }
    }

    pub fn not(&mut self) {
        for w in &mut self.words {
            *w = !*w;
        }
        self.trim();
    }

    pub fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        self.words.iter().enumerate().flat_map(|(i, &w)| {
            let mut w = w;
            std::iter::from_fn(move || {
                if w == 0 {
                    return None;
                }
                let bit = w.trailing_zeros() as usize;
                w &= w - 1;
                Some(i * 64 + bit)
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bitset_algebra() {
        let mut a = Bitset::new(130);
        for i in [0, 63, 64, 129] {
            a.insert(i);
        }
        assert_eq!(a.count(), 4);
        assert_eq!(a.iter().collect::<Vec<_>>(), [0, 63, 64, 129]);
        let mut b = a.clone();
        b.not();
        assert_eq!(b.count(), 126);
        assert!(!b.contains(129) && b.contains(128));
        b.and(&a);
        assert_eq!(b.count(), 0);
        b.or(&a);
        assert_eq!(b, a);
        assert_eq!(Bitset::full(70).count(), 70);
    }

    #[test]
    fn dict_codes_are_dense_and_stable() {
        let mut d = Dict::default();
        assert_eq!((d.code("a"), d.code("b"), d.code("a")), (0, 1, 0));
        assert_eq!(
            (d.get("b"), d.get("c"), d.value(1), d.len()),
            (Some(1), None, "b", 2)
        );
    }
}
