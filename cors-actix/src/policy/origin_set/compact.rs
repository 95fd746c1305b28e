//! Origins laid out compactly: their bytes one after another in one buffer, found through a
//! hash table of offsets into it.
//!
//! A `HashSet<String>` costs an allocation per origin (its text, rounded up by the allocator,
//! plus the allocator's own header) and 24 bytes of `String` in the table; here an origin costs
//! its length, three bytes of header and a 4-byte offset (plus one control byte) in a
//! [`hashbrown::HashTable`], and a lookup reads one buffer. The table is hashbrown's, the layout
//! of the buffer is the only thing written here.

use hashbrown::HashTable;

/// Set on an entry of an origin that is `https` or loopback `http`.
pub(super) const SECURE: u8 = 1;
/// Set on an entry that says the origin is in the set (a change set also records removals).
pub(super) const PRESENT: u8 = 2;

/// Bytes before an origin in the buffer: its length (two bytes, little-endian) and its flags.
const HEADER: usize = 3;

/// Origins and their flags.
#[derive(Clone, Default)]
pub(super) struct Compact {
    /// Each entry: length (u16, little-endian), flags, the origin's bytes.
    bytes: Vec<u8>,
    /// Offsets of entries in `bytes`, by the hash of their origin.
    index: HashTable<u32>,
}

/// Why an origin cannot be laid out: the buffer's offsets are 32-bit.
#[derive(Debug)]
pub(super) struct Full;

impl Compact {
    /// Room for `origins` origins of `bytes` bytes in all.
    pub(super) fn with_capacity(origins: usize, bytes: usize) -> Compact {
        Compact {
            bytes: Vec::with_capacity(bytes + origins * HEADER),
            index: HashTable::with_capacity(origins),
        }
    }

    /// How many origins.
    #[inline]
    pub(super) fn len(&self) -> usize {
        self.index.len()
    }

    #[inline]
    pub(super) fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    /// The entry at `offset`: its origin and its flags.
    #[inline]
    fn entry(&self, offset: u32) -> (&[u8], u8) {
        let at = offset as usize;
        match self.bytes.get(at..at + HEADER) {
            Some(&[lo, hi, flags]) => {
                let len = usize::from(u16::from_le_bytes([lo, hi]));
                let start = at + HEADER;
                (
                    self.bytes.get(start..start + len).unwrap_or_default(),
                    flags,
                )
            }
            // Never: offsets come from `insert`.
            _ => (&[], 0),
        }
    }

    /// The flags of `origin`, whose hash is `hash`, if it has an entry.
    #[inline]
    pub(super) fn find(&self, hash: u64, origin: &[u8]) -> Option<u8> {
        let offset = self
            .index
            .find(hash, |&offset| self.entry(offset).0 == origin)?;
        Some(self.entry(*offset).1)
    }

    /// Records `origin` with `flags`, replacing the flags of an entry it already has.
    /// `hash_of` hashes an origin (the table's other entries, when it grows).
    pub(super) fn insert(
        &mut self,
        hash: u64,
        origin: &[u8],
        flags: u8,
        hash_of: impl Fn(&[u8]) -> u64,
    ) -> Result<(), Full> {
        if let Some(&offset) = self
            .index
            .find(hash, |&offset| self.entry(offset).0 == origin)
        {
            // The flags byte of the entry, after its length.
            if let Some(byte) = self.bytes.get_mut(offset as usize + 2) {
                *byte = flags;
            }
            return Ok(());
        }
        let len = u16::try_from(origin.len()).map_err(|_| Full)?;
        let offset = u32::try_from(self.bytes.len()).map_err(|_| Full)?;
        if self.bytes.len() + HEADER + origin.len() > u32::MAX as usize {
            return Err(Full);
        }
        self.bytes.extend_from_slice(&len.to_le_bytes());
        self.bytes.push(flags);
        self.bytes.extend_from_slice(origin);
        let bytes = &self.bytes;
        self.index.insert_unique(hash, offset, |&offset| {
            let at = offset as usize;
            let len = usize::from(u16::from_le_bytes([bytes[at], bytes[at + 1]]));
            hash_of(&bytes[at + HEADER..at + HEADER + len])
        });
        Ok(())
    }

    /// Every entry: origin and flags, in the order they were laid out.
    pub(super) fn iter(&self) -> impl Iterator<Item = (&[u8], u8)> + '_ {
        let mut at = 0;
        std::iter::from_fn(move || {
            let offset = u32::try_from(at).ok()?;
            if at >= self.bytes.len() {
                return None;
            }
            let (origin, flags) = self.entry(offset);
            at += HEADER + origin.len();
            Some((origin, flags))
        })
    }

    /// Total bytes of origins (without headers).
    pub(super) fn text_bytes(&self) -> usize {
        self.bytes.len() - self.index.len() * HEADER
    }

    /// Bytes this holds on the heap: the buffer and the table, as allocated.
    pub(super) fn heap_bytes(&self) -> usize {
        self.bytes.capacity() + self.index.allocation_size()
    }

    /// The same entries without spare capacity.
    pub(super) fn shrink(&mut self, hash_of: impl Fn(&[u8]) -> u64) {
        self.bytes.shrink_to_fit();
        let bytes = &self.bytes;
        self.index.shrink_to_fit(|&offset| {
            let at = offset as usize;
            let len = usize::from(u16::from_le_bytes([bytes[at], bytes[at + 1]]));
            hash_of(&bytes[at + HEADER..at + HEADER + len])
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::BuildHasher;

    #[test]
    fn finds_what_it_holds_and_nothing_else() {
        let state = foldhash::fast::FixedState::with_seed(7);
        let hash = |b: &[u8]| state.hash_one(b);
        let mut compact = Compact::default();
        let origins: Vec<String> = (0..1000).map(|i| format!("https://t{i}.example")).collect();
        for (i, origin) in origins.iter().enumerate() {
            let o = origin.as_bytes();
            compact.insert(hash(o), o, (i % 4) as u8, hash).unwrap();
        }
        assert_eq!(compact.len(), 1000);
        for (i, origin) in origins.iter().enumerate() {
            let o = origin.as_bytes();
            assert_eq!(compact.find(hash(o), o), Some((i % 4) as u8));
        }
        for missing in [
            "https://t1000.example",
            "https://t1.exampl",
            "",
            "https://t1.example/",
        ] {
            assert_eq!(
                compact.find(hash(missing.as_bytes()), missing.as_bytes()),
                None
            );
        }
        // Replacing flags keeps one entry.
        compact
            .insert(hash(b"https://t1.example"), b"https://t1.example", 0, hash)
            .unwrap();
        assert_eq!(compact.len(), 1000);
        assert_eq!(
            compact.find(hash(b"https://t1.example"), b"https://t1.example"),
            Some(0)
        );
        let listed: Vec<&[u8]> = compact.iter().map(|(o, _)| o).collect();
        assert_eq!(listed.len(), 1000);
        assert_eq!(listed[999], b"https://t999.example");
        assert_eq!(
            compact.text_bytes(),
            origins.iter().map(String::len).sum::<usize>()
        );
        compact.shrink(hash);
        assert_eq!(
            compact.find(hash(b"https://t5.example"), b"https://t5.example"),
            Some(1)
        );
    }
}
