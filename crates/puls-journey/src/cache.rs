//! Derived data kept between queries, so a query pays only for what changed.
//!
//! Queries take `&self` and may run at once, so the caches lock inside; the writer (`&mut
//! self`) drops a cache whenever what it was derived from changes. A cache is not part of an
//! index's value: cloning an index gives empty caches.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use crate::dict::Bitset;

/// One derived value, computed on first use.
pub(crate) struct Memo<T>(Mutex<Option<Arc<T>>>);

impl<T> Default for Memo<T> {
    fn default() -> Self {
        Memo(Mutex::new(None))
    }
}

impl<T> Memo<T> {
    /// The value, computed by `make` unless already there.
    pub(crate) fn get_or(&self, make: impl FnOnce() -> T) -> Arc<T> {
        let mut slot = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        slot.get_or_insert_with(|| Arc::new(make())).clone()
    }

    /// Forgets the value (the writer holds `&mut`, so no lock is taken).
    pub(crate) fn clear(&mut self) {
        *self.0.get_mut().unwrap_or_else(PoisonError::into_inner) = None;
    }
}

impl<T> Clone for Memo<T> {
    fn clone(&self) -> Self {
        Memo::default()
    }
}

impl<T> std::fmt::Debug for Memo<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Memo")
    }
}

/// At most this many bytes of bit sets are kept; past it the cache starts over.
const MAX_BITS_BYTES: usize = 256 << 20;

/// Bit sets by a text key (the events a matcher's property conditions pass, for example).
#[derive(Default)]
pub(crate) struct BitsCache(Mutex<(HashMap<String, Arc<Bitset>>, usize)>);

impl BitsCache {
    pub(crate) fn get(&self, key: &str) -> Option<Arc<Bitset>> {
        let guard = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        guard.0.get(key).cloned()
    }

    pub(crate) fn put(&self, key: String, bits: Arc<Bitset>) {
        let mut guard = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let (map, bytes) = &mut *guard;
        let size = bits.len() / 8 + 64;
        if *bytes + size > MAX_BITS_BYTES {
            map.clear();
            *bytes = 0;
        }
        if map.insert(key, bits).is_none() {
            *bytes += size;
        }
    }

    pub(crate) fn clear(&mut self) {
        let inner = self.0.get_mut().unwrap_or_else(PoisonError::into_inner);
        inner.0.clear();
        inner.1 = 0;
    }
}

impl Clone for BitsCache {
    fn clone(&self) -> Self {
        BitsCache::default()
    }
}

impl std::fmt::Debug for BitsCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BitsCache")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memo_computes_once_until_cleared() {
        let mut m: Memo<u32> = Memo::default();
        let mut calls = 0;
        assert_eq!(
            *m.get_or(|| {
                calls += 1;
                7
            }),
            7
        );
        assert_eq!(*m.get_or(|| 8), 7);
        assert_eq!(calls, 1);
        assert!(
            m.clone().0.lock().unwrap().is_none(),
            "a clone starts empty"
        );
        m.clear();
        assert_eq!(*m.get_or(|| 9), 9);
    }

    #[test]
    fn bits_cache_keeps_and_forgets() {
        let mut c = BitsCache::default();
        assert!(c.get("a").is_none());
        c.put("a".into(), Arc::new(Bitset::full(10)));
        assert_eq!(c.get("a").map(|b| b.count()), Some(10));
        c.clear();
        assert!(c.get("a").is_none());
    }
}
