//! A read-only open-addressing hash table over string keys.
//!
//! Hand-written rather than taken from a hash-map crate because the `#[cors]` macro lays the table
//! out at compile time and emits it as plain `static` arrays: the layout must be computed by the
//! very same function in the proc-macro process and in the running server, and be
//! const-constructible. No hash-map crate promises a stable, const-emittable layout.
//!
//! Layout: `slots` has a power-of-two length of at least twice the number of keys; each slot
//! holds `0` (empty) or `index + 1` of a key. Lookups use linear probing. Several keys may be
//! equal (the subdomain table keys rules by host suffix), so a lookup yields every matching index.

use std::borrow::Cow;

/// Version of the table layout and hash function. Code emitted by the macro asserts that it was
/// laid out for the same version as the `cors-core` it runs against.
pub const TABLE_FORMAT: u32 = 2;

/// Hashes a key. Word-at-a-time multiply/xor-shift: fast for the short keys of CORS (origins,
/// host suffixes), identical on every platform (explicit little-endian loads, 64-bit arithmetic).
///
/// ```
/// assert_eq!(cors_core::__private::table::hash(b"https://a.example"), cors_core::__private::table::hash(b"https://a.example"));
/// assert_ne!(cors_core::__private::table::hash(b"https://a.example"), cors_core::__private::table::hash(b"https://b.example"));
/// ```
pub fn hash(bytes: &[u8]) -> u64 {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let mix = |h: u64, word: u64| {
        let h = (h ^ word).wrapping_mul(K);
        h ^ (h >> 29)
    };
    let mut h = (bytes.len() as u64).wrapping_mul(K) ^ 0x2545_F491_4F6C_DD1D;
    let mut rest = bytes;
    while let Some((word, tail)) = rest.split_first_chunk::<8>() {
        h = mix(h, u64::from_le_bytes(*word));
        rest = tail;
    }
    if !rest.is_empty() {
        // The last eight bytes, overlapping the previous word, or the few bytes of a short key.
        h = match bytes.last_chunk::<8>() {
            Some(last) => mix(h, u64::from_le_bytes(*last)),
            None => mix(h, rest.iter().fold(0, |w, &b| (w << 8) | u64::from(b))),
        };
    }
    h.wrapping_mul(K) ^ (h >> 32)
}

/// Computes the slot array for `keys`, in the order given. Used by [`Table::new`] at run time and
/// by the `#[cors]` macro at compile time.
///
/// ```
/// let slots = cors_core::__private::table::layout(&["a", "b", "c"]);
/// assert!(slots.len().is_power_of_two() && slots.len() >= 6);
/// assert_eq!(slots.iter().filter(|&&s| s != 0).count(), 3);
/// ```
pub fn layout<S: AsRef<str>>(keys: &[S]) -> Vec<u32> {
    if keys.is_empty() {
        return Vec::new();
    }
    let size = (keys.len() * 2).next_power_of_two();
    let mask = size - 1;
    let mut slots = vec![0u32; size];
    for (index, key) in keys.iter().enumerate() {
        let mut slot = (hash(key.as_ref().as_bytes()) as usize) & mask;
        while slots[slot] != 0 {
            slot = (slot + 1) & mask;
        }
        // Policies hold far fewer than u32::MAX origins; saturate rather than wrap if not.
        slots[slot] = u32::try_from(index + 1).unwrap_or(u32::MAX);
    }
    slots
}

/// Up to this many keys, [`Table::contains`] compares keys directly instead of hashing.
const SMALL: usize = 4;

/// A table laid out at compile time: its slots and keys, `'static` (what the macros emit).
#[derive(Clone, Copy, Debug)]
pub struct StaticTable {
    /// The slots, from [`layout`].
    pub slots: &'static [u32],
    /// The keys.
    pub keys: &'static [Cow<'static, str>],
}

/// A read-only string table with O(1) expected lookups.
#[derive(Clone, Debug)]
pub struct Table {
    slots: Cow<'static, [u32]>,
    keys: Cow<'static, [Cow<'static, str>]>,
}

impl Table {
    /// The empty table.
    pub const EMPTY: Table = Table {
        slots: Cow::Borrowed(&[]),
        keys: Cow::Borrowed(&[]),
    };

    /// Builds a table owning its keys.
    ///
    /// ```
    /// let t = cors_core::__private::table::Table::new(vec!["x".to_string(), "y".to_string()]);
    /// assert!(t.contains(b"x") && !t.contains(b"z"));
    /// ```
    pub fn new(keys: Vec<String>) -> Table {
        let slots = layout(&keys);
        Table {
            slots: Cow::Owned(slots),
            keys: Cow::Owned(keys.into_iter().map(Cow::Owned).collect()),
        }
    }

    /// A table over static data laid out by [`layout`] (a [`StaticTable`]).
    pub(crate) const fn from_static(
        slots: &'static [u32],
        keys: &'static [Cow<'static, str>],
    ) -> Table {
        Table {
            slots: Cow::Borrowed(slots),
            keys: Cow::Borrowed(keys),
        }
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether the table holds no key (`const`: a policy laid out at compile time asks).
    pub const fn is_empty(&self) -> bool {
        match &self.keys {
            Cow::Borrowed(keys) => keys.is_empty(),
            Cow::Owned(keys) => keys.is_empty(),
        }
    }

    /// The keys, in insertion order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.keys.iter().map(|k| k.as_ref())
    }

    /// Whether `key` is in the table.
    #[inline]
    pub fn contains(&self, key: &[u8]) -> bool {
        // A few keys: comparing them beats hashing the key.
        if self.keys.len() <= SMALL {
            return self.keys.iter().any(|k| k.as_bytes() == key);
        }
        self.find(key).next().is_some()
    }

    /// Indices (insertion order) of every key equal to `key`.
    #[inline]
    pub fn find<'t, 'k>(&'t self, key: &'k [u8]) -> Find<'t, 'k> {
        let mask = self.slots.len().wrapping_sub(1);
        Find {
            table: self,
            key,
            slot: if self.slots.is_empty() {
                0
            } else {
                (hash(key) as usize) & mask
            },
            // Bounded even for a table not built by `layout` (never more probes than slots).
            remaining: self.slots.len(),
        }
    }
}

/// Iterator returned by [`Table::find`].
pub struct Find<'t, 'k> {
    table: &'t Table,
    key: &'k [u8],
    slot: usize,
    remaining: usize,
}

impl Iterator for Find<'_, '_> {
    type Item = usize;

    #[inline]
    fn next(&mut self) -> Option<usize> {
        let slots = &self.table.slots;
        let mask = slots.len().wrapping_sub(1);
        while self.remaining > 0 {
            self.remaining -= 1;
            let entry = *slots.get(self.slot)? as usize;
            if entry == 0 {
                self.remaining = 0;
                return None;
            }
            self.slot = (self.slot + 1) & mask;
            if let Some(candidate) = self.table.keys.get(entry - 1) {
                if candidate.as_bytes() == self.key {
                    return Some(entry - 1);
                }
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_every_key_and_only_them() {
        let keys: Vec<String> = (0..1000).map(|i| format!("https://h{i}.example")).collect();
        let t = Table::new(keys.clone());
        for (i, k) in keys.iter().enumerate() {
            assert_eq!(t.find(k.as_bytes()).collect::<Vec<_>>(), vec![i]);
        }
        assert!(!t.contains(b"https://h1000.example"));
        assert!(!t.contains(b""));
    }

    #[test]
    fn duplicate_keys_are_all_found() {
        let t = Table::new(vec!["a".into(), "b".into(), "a".into()]);
        let mut found: Vec<_> = t.find(b"a").collect();
        found.sort();
        assert_eq!(found, vec![0, 2]);
    }

    #[test]
    fn empty_table_finds_nothing() {
        assert!(!Table::EMPTY.contains(b"x"));
        assert!(Table::EMPTY.is_empty());
    }

    #[test]
    fn static_layout_equals_runtime_layout() {
        static KEYS: [Cow<'static, str>; 2] = [Cow::Borrowed("p"), Cow::Borrowed("q")];
        let slots: &'static [u32] = Box::leak(layout(&["p", "q"]).into_boxed_slice());
        let t = Table::from_static(slots, &KEYS);
        assert!(t.contains(b"p") && t.contains(b"q") && !t.contains(b"r"));
    }
}
