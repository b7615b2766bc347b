//! Fingerprints of the memory an in-process plugin borrows during `update` (its input
//! columns, the weights and the group ids). The ABI lends these read-only, but nothing
//! stops native code from writing into them, and in one process other metrics read the
//! same buffers: the host fingerprints them before and after the call and names the plugin
//! that changed them (issue 13, "a plugin that wrote into the borrowed input column").
//!
//! The fingerprint is four independent lanes of `h = (h ^ word) * K` over 8-byte words:
//! each step is a bijection of `h` for a given word, so changing any one word always
//! changes the result, and changes to several words collide with probability ~2⁻⁶⁴. It
//! runs at memory speed (four multiplies in flight per cycle), a small fraction of what
//! parsing the same rows costs.

use crate::instance::Shared;
use arrow_array::{Array, ArrayRef};
use arrow_data::ArrayData;

/// Multiplier of the lanes (odd, so multiplication is a bijection modulo 2⁶⁴; 2⁶⁴/φ).
const K: u64 = 0x9E37_79B9_7F4A_7C15;

/// A running fingerprint.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Fingerprint([u64; 4]);

impl Fingerprint {
    pub(crate) fn new() -> Fingerprint {
        Fingerprint([1, 2, 3, 4])
    }

    /// Folds `bytes` in (with their length, so that moved bytes differ).
    pub(crate) fn bytes(&mut self, bytes: &[u8]) {
        let h = &mut self.0;
        let mut blocks = bytes.chunks_exact(32);
        for block in &mut blocks {
            for (lane, word) in h.iter_mut().zip(block.chunks_exact(8)) {
                let mut w = [0u8; 8];
                w.copy_from_slice(word);
                *lane = (*lane ^ u64::from_le_bytes(w)).wrapping_mul(K);
            }
        }
        let rest = blocks.remainder();
        for (i, word) in rest.chunks(8).enumerate() {
            let mut w = [0u8; 8];
            w[..word.len()].copy_from_slice(word);
            h[i] = (h[i] ^ u64::from_le_bytes(w)).wrapping_mul(K);
        }
        h[0] = (h[0] ^ bytes.len() as u64).wrapping_mul(K);
    }

    /// Folds in every buffer of an array: values, offsets, validity and children.
    pub(crate) fn array(&mut self, array: &ArrayRef) {
        self.data(&array.to_data());
    }

    fn data(&mut self, data: &ArrayData) {
        for buffer in data.buffers() {
            self.bytes(buffer.as_slice());
        }
        if let Some(nulls) = data.nulls() {
            self.bytes(nulls.buffer().as_slice());
        }
        for child in data.child_data() {
            self.data(child);
        }
    }

    /// Folds in a slice of plain numbers.
    pub(crate) fn words<T: Copy>(&mut self, values: &[T]) {
        // SAFETY: `T` is a plain number type (f64 or u32 here: no padding, every bit
        // pattern initialised); the byte view covers exactly the slice's memory and lives
        // no longer than the borrow of `values`.
        let bytes = unsafe {
            std::slice::from_raw_parts(values.as_ptr().cast::<u8>(), std::mem::size_of_val(values))
        };
        self.bytes(bytes);
    }
}

/// What an update borrowed, fingerprinted part by part so that a change can be named.
pub(crate) struct Borrowed {
    columns: Vec<Fingerprint>,
    weights: Option<Fingerprint>,
    group_ids: Option<Fingerprint>,
}

impl Borrowed {
    /// Fingerprints what is lent and `shared` says others read (the rest is skipped: its
    /// fingerprint stays at the empty one).
    pub(crate) fn take(
        columns: &[ArrayRef],
        weights: Option<&[f64]>,
        group_ids: Option<&[u32]>,
        shared: Shared<'_>,
    ) -> Borrowed {
        let one = |f: &dyn Fn(&mut Fingerprint)| {
            let mut fp = Fingerprint::new();
            f(&mut fp);
            fp
        };
        Borrowed {
            columns: columns
                .iter()
                .enumerate()
                .map(
                    |(i, c)| match shared.columns.get(i).copied().unwrap_or(true) {
                        true => one(&|fp| fp.array(c)),
                        false => Fingerprint::new(),
                    },
                )
                .collect(),
            weights: weights
                .filter(|_| shared.weights)
                .map(|w| one(&|fp| fp.words(w))),
            group_ids: group_ids
                .filter(|_| shared.group_ids)
                .map(|g| one(&|fp| fp.words(g))),
        }
    }

    /// The first part that differs between two fingerprints of the same borrow: the index
    /// of an input column, or the weights or group ids.
    pub(crate) fn changed(&self, after: &Borrowed) -> Option<Changed> {
        if let Some(i) = (0..self.columns.len()).find(|&i| self.columns[i] != after.columns[i]) {
            return Some(Changed::Column(i));
        }
        if self.weights != after.weights {
            return Some(Changed::Weights);
        }
        if self.group_ids != after.group_ids {
            return Some(Changed::GroupIds);
        }
        None
    }
}

/// Which borrowed memory a plugin wrote into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Changed {
    /// The input column at this bound position.
    Column(usize),
    /// The row weights.
    Weights,
    /// The group ids.
    GroupIds,
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::{Float64Array, StringArray};
    use std::sync::Arc;

    #[test]
    fn any_single_byte_change_changes_the_fingerprint() {
        let base: Vec<u8> = (0..=200u8).collect();
        let mut reference = Fingerprint::new();
        reference.bytes(&base);
        for i in 0..base.len() {
            let mut changed = base.clone();
            changed[i] ^= 1;
            let mut fp = Fingerprint::new();
            fp.bytes(&changed);
            assert_ne!(fp, reference, "byte {i}");
        }
        let mut shorter = Fingerprint::new();
        shorter.bytes(&base[..200]);
        assert_ne!(shorter, reference);
    }

    #[test]
    fn names_the_part_that_changed() {
        let scores: ArrayRef = Arc::new(Float64Array::from(vec![Some(1.0), None, Some(9.0)]));
        let text: ArrayRef = Arc::new(StringArray::from(vec!["a", "bb", "c"]));
        let mut weights = vec![1.0, 2.0, 1.0];
        let mut ids = vec![0u32, 1, 0];
        let all = Shared::ALL;
        let before = Borrowed::take(
            &[scores.clone(), text.clone()],
            Some(&weights),
            Some(&ids),
            all,
        );
        let same = Borrowed::take(
            &[scores.clone(), text.clone()],
            Some(&weights),
            Some(&ids),
            all,
        );
        assert_eq!(before.changed(&same), None);
        let other_text: ArrayRef = Arc::new(StringArray::from(vec!["a", "bx", "c"]));
        let after = Borrowed::take(
            &[scores.clone(), other_text.clone()],
            Some(&weights),
            Some(&ids),
            all,
        );
        assert_eq!(before.changed(&after), Some(Changed::Column(1)));
        // A column no other metric reads is not watched.
        let own = Shared {
            columns: &[true, false],
            ..Shared::ALL
        };
        let before_own = Borrowed::take(
            &[scores.clone(), text.clone()],
            Some(&weights),
            Some(&ids),
            own,
        );
        let after_own = Borrowed::take(
            &[scores.clone(), other_text],
            Some(&weights),
            Some(&ids),
            own,
        );
        assert_eq!(before_own.changed(&after_own), None);
        weights[2] = 10.0;
        let after = Borrowed::take(
            &[scores.clone(), text.clone()],
            Some(&weights),
            Some(&ids),
            all,
        );
        assert_eq!(before.changed(&after), Some(Changed::Weights));
        weights[2] = 1.0;
        ids[0] = 7;
        let after = Borrowed::take(&[scores, text], Some(&weights), Some(&ids), all);
        assert_eq!(before.changed(&after), Some(Changed::GroupIds));
    }
}
