//! A fast, non-cryptographic hasher for the engine's in-memory maps (group keys, interned
//! values). It is the "Fx" hash of rustc and Firefox: a rotate, xor and multiply per word.
//! The maps are keyed by values from the dataset, but an adversarial input can at worst
//! slow a run down, which is acceptable for a batch tool; SipHash costs several times more
//! per lookup, and the engine looks up every row.

use std::hash::{BuildHasherDefault, Hasher};

/// The multiplier of rustc's FxHasher (64-bit).
const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

/// A word-at-a-time multiplicative hasher.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct FxHasher {
    hash: u64,
}

impl FxHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word) ^ ((rest.len() as u64) << 56));
        }
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    #[inline]
    fn write_u128(&mut self, i: u128) {
        self.add(i as u64);
        self.add((i >> 64) as u64);
    }

    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    #[inline]
    fn write_i64(&mut self, i: i64) {
        self.add(i as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.hash
    }
}

/// `HashMap<K, V, FxBuildHasher>` uses [`FxHasher`].
pub(crate) type FxBuildHasher = BuildHasherDefault<FxHasher>;

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;
    use std::hash::{BuildHasher, Hash};

    fn hash_of<T: Hash>(value: T) -> u64 {
        FxBuildHasher::default().hash_one(value)
    }

    #[test]
    fn equal_values_hash_equal_and_close_values_differ() {
        assert_eq!(hash_of("North"), hash_of(String::from("North")));
        assert_ne!(hash_of("North"), hash_of("South"));
        // Lengths are mixed in: a prefix padded with zero bytes differs.
        assert_ne!(hash_of(&b"ab"[..]), hash_of(&b"ab\0"[..]));
        assert_ne!(hash_of(1u128), hash_of(1u128 << 64));
        let mut map: HashMap<u128, u32, FxBuildHasher> = HashMap::default();
        for i in 0..10_000u128 {
            map.insert(i << 32 | (i % 7), i as u32);
        }
        assert_eq!(map.len(), 10_000);
        assert_eq!(map.get(&(42 << 32)), Some(&42));
    }

    #[test]
    fn known_value() {
        // One word: (0.rotate_left(5) ^ 1) * SEED.
        let mut h = FxHasher::default();
        h.write_u64(1);
        assert_eq!(h.finish(), SEED);
    }
}
