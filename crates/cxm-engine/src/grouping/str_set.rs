//! A set of distinct strings, numbered densely in order of insertion, for the grouping
//! keys with many distinct values (customer ids, say): the texts lie end to end in one
//! buffer and an open-addressing table finds them, so adding a value costs no allocation of
//! its own.
//!
//! With a million distinct texts the table and the buffer are far bigger than the caches,
//! and folding each chunk's texts into the run's set is a cache miss per step of the lookup
//! (10M rows, 1M customers: 29% of the run). So a slot holds where its text is, not its
//! number: a lookup reads its slot and then the text, whose number sits just before it
//! (two misses, not three through a table of ends); beside the text lies a value the caller
//! chose (the grouping interner's id), so no third table is read after it; and
//! [`StrSet::prefetch_slot`] and [`StrSet::prefetch_text`] let a caller that knows its next
//! texts ask for their slots, then their texts, ahead.

use crate::fxhash::FxHasher;
use std::hash::Hasher;

/// The slot bits that hold a text's position + 1 (0: an empty slot). A buffer of 2^48
/// bytes (256 TiB) cannot exist: user address space is at most 2^47 bytes on x86-64 and
/// 2^48 on AArch64.
const POSITION: u64 = (1 << 48) - 1;
/// Bytes before each text in the buffer: its value and its length, u32 LE each.
const HEADER: usize = 8;

/// Distinct strings numbered 0, 1, … in order of insertion, each with a value (its number,
/// unless inserted by [`StrSet::insert_valued`]).
#[derive(Default)]
pub(crate) struct StrSet {
    /// Each text after its header (value, length), end to end. Only whole `&str`s are
    /// copied in, so every text is UTF-8.
    bytes: Vec<u8>,
    /// Where each text's header is in `bytes`, by number.
    starts: Vec<usize>,
    /// Open addressing with linear probing over a power-of-two number of slots, at most
    /// half full: 0 is an empty slot, else the high 16 bits of the text's hash above its
    /// header's position + 1 (the tag is compared before the text is).
    slots: Vec<u64>,
}

impl std::fmt::Debug for StrSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StrSet")
            .field("texts", &self.starts.len())
            .field("bytes", &self.bytes.len())
            .finish()
    }
}

/// Asks the CPU to bring the cache line of `x` in (a no-op where there is no prefetch
/// instruction).
#[inline]
fn prefetch<T>(x: &T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: SSE is part of x86-64, so the instruction exists; a prefetch reads nothing
    // into the program and cannot fault, and the pointer comes from a reference.
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(
            (x as *const T).cast(),
        );
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = x;
}

/// The hash of a text (Fx over its bytes, length mixed in, then MurmurHash3's 64-bit
/// finaliser).
fn hash(text: &str) -> u64 {
    let mut h = FxHasher::default();
    h.write(text.as_bytes());
    // Fx's last multiply leaves the low bits, which choose the slot, weak: texts differing
    // only in their last bytes (`CUST-000001`, `CUST-000002`, …) crowded into runs of
    // slots, 10 to 25 probes per lookup at 40 000 to 200 000 such texts (folding the high
    // half in once did not help). The finaliser spreads every input bit over every output
    // bit: 1.3 probes, as for a random hash.
    let mut x = h.finish();
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= x >> 33;
    x = x.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    x ^ (x >> 33)
}

fn tag(h: u64) -> u64 {
    h & !POSITION
}

fn u32_at(bytes: &[u8], at: usize) -> u32 {
    let mut word = [0; 4];
    if let Some(b) = bytes.get(at..at + 4) {
        word.copy_from_slice(b);
    }
    u32::from_le_bytes(word)
}

impl StrSet {
    /// The text whose header is at `at`.
    fn text_at(&self, at: usize) -> &str {
        let len = u32_at(&self.bytes, at + 4) as usize;
        let text = self
            .bytes
            .get(at + HEADER..at + HEADER + len)
            .unwrap_or(&[]);
        // SAFETY: `bytes` holds whole UTF-8 texts, each after its header, and `at` is the
        // position of a header (from `starts` or a slot), so `text` is one of those texts.
        unsafe { std::str::from_utf8_unchecked(text) }
    }

    /// Text number `i` (empty when there is no such text).
    pub(crate) fn get(&self, i: u32) -> &str {
        match self.starts.get(i as usize) {
            Some(&at) => self.text_at(at),
            None => "",
        }
    }

    /// Number of texts.
    pub(crate) fn len(&self) -> usize {
        self.starts.len()
    }

    /// Whether the slot's text is `text`.
    fn holds(&self, slot: u64, text: &str) -> bool {
        let at = (slot & POSITION) as usize - 1;
        u32_at(&self.bytes, at + 4) as usize == text.len()
            && self.bytes.get(at + HEADER..at + HEADER + text.len()) == Some(text.as_bytes())
    }

    /// The value of the text of a slot.
    fn value(&self, slot: u64) -> u32 {
        u32_at(&self.bytes, (slot & POSITION) as usize - 1)
    }

    /// The value of `text`, if it is in the set.
    pub(crate) fn find(&self, text: &str) -> Option<u32> {
        if self.slots.is_empty() {
            return None;
        }
        let h = hash(text);
        let mask = self.slots.len() - 1;
        let mut at = h as usize & mask;
        loop {
            let slot = self.slots[at];
            if slot == 0 {
                return None;
            }
            if slot & !POSITION == tag(h) && self.holds(slot, text) {
                return Some(self.value(slot));
            }
            at = (at + 1) & mask;
        }
    }

    /// Asks the CPU to bring in the slot where a lookup of `text` starts, for a caller that
    /// will look it up shortly.
    #[inline]
    pub(crate) fn prefetch_slot(&self, text: &str) {
        if !self.slots.is_empty() {
            prefetch(&self.slots[hash(text) as usize & (self.slots.len() - 1)]);
        }
    }

    /// Asks the CPU to bring in the text that a lookup of `text` compares first, when its
    /// slot is already at hand ([`StrSet::prefetch_slot`] a little earlier).
    #[inline]
    pub(crate) fn prefetch_text(&self, text: &str) {
        if self.slots.is_empty() {
            return;
        }
        let h = hash(text);
        let slot = self.slots[h as usize & (self.slots.len() - 1)];
        if slot != 0 && slot & !POSITION == tag(h) {
            if let Some(b) = self.bytes.get((slot & POSITION) as usize - 1) {
                prefetch(b);
            }
        }
    }

    /// The number of `text` (its value), and whether it was added now.
    pub(crate) fn insert(&mut self, text: &str) -> (u32, bool) {
        self.insert_valued(text, self.starts.len() as u32)
    }

    /// The value of `text`, and whether it was added now (with the value `value`).
    pub(crate) fn insert_valued(&mut self, text: &str, value: u32) -> (u32, bool) {
        if 2 * (self.starts.len() + 1) > self.slots.len() {
            self.grow();
        }
        let h = hash(text);
        let mask = self.slots.len() - 1;
        let mut at = h as usize & mask;
        loop {
            let slot = self.slots[at];
            if slot == 0 {
                let start = self.bytes.len();
                self.bytes.extend_from_slice(&value.to_le_bytes());
                self.bytes
                    .extend_from_slice(&(text.len() as u32).to_le_bytes());
                self.bytes.extend_from_slice(text.as_bytes());
                self.starts.push(start);
                self.slots[at] = tag(h) | (start as u64 + 1);
                return (value, true);
            }
            if slot & !POSITION == tag(h) && self.holds(slot, text) {
                return (self.value(slot), false);
            }
            at = (at + 1) & mask;
        }
    }

    /// The mean number of slots a lookup of a text in the set reads.
    #[cfg(test)]
    fn mean_probes(&self) -> f64 {
        let mask = self.slots.len() - 1;
        let mut probes = 0;
        for (number, &start) in self.starts.iter().enumerate() {
            let mut at = hash(self.get(number as u32)) as usize & mask;
            probes += 1;
            while self.slots[at] & POSITION != start as u64 + 1 {
                at = (at + 1) & mask;
                probes += 1;
            }
        }
        probes as f64 / self.starts.len().max(1) as f64
    }

    /// Doubles the table (16 slots at first) and places every text again.
    fn grow(&mut self) {
        let size = (self.slots.len() * 2).max(16);
        let mut slots = empty_slots(size);
        let mask = size - 1;
        for &start in &self.starts {
            let h = hash(self.text_at(start));
            let mut at = h as usize & mask;
            while slots[at] != 0 {
                at = (at + 1) & mask;
            }
            slots[at] = tag(h) | (start as u64 + 1);
        }
        self.slots = slots;
    }
}

/// `n` empty slots, written rather than allocated zeroed. A big zeroed allocation is fresh
/// pages, which the probes of the next lookups would read first (mapping the shared zero
/// page) and then write: a second fault per page, and a flush of that page from every
/// core's TLB (1M rows by 200k customers: 7% of the run's CPU). Written pages fault once.
fn empty_slots(n: usize) -> Vec<u64> {
    let mut slots = Vec::with_capacity(n);
    // An opaque zero, so that the compiler cannot turn the writes back into a zeroed
    // allocation.
    slots.resize(n, std::hint::black_box(0u64));
    slots
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_slots_are_all_empty() {
        for n in [0, 16, 1 << 20] {
            let slots = empty_slots(n);
            assert_eq!(slots.len(), n);
            assert!(slots.iter().all(|&s| s == 0));
        }
    }

    #[test]
    fn numbers_texts_in_order_of_first_insertion() {
        let mut set = StrSet::default();
        assert_eq!(set.len(), 0);
        assert_eq!(set.get(0), "");
        assert_eq!(set.insert("CUST-000001"), (0, true));
        assert_eq!(set.insert(""), (1, true));
        assert_eq!(set.insert("CUST-000002"), (2, true));
        assert_eq!(set.insert("CUST-000001"), (0, false));
        assert_eq!(set.insert(""), (1, false));
        assert_eq!(set.insert("Größe"), (3, true));
        assert_eq!(set.len(), 4);
        assert_eq!(set.get(0), "CUST-000001");
        assert_eq!(set.get(1), "");
        assert_eq!(set.get(2), "CUST-000002");
        assert_eq!(set.get(3), "Größe");
        assert_eq!(set.get(4), "");
    }

    #[test]
    fn keeps_every_text_across_growth() {
        let mut set = StrSet::default();
        for i in 0..100_000u32 {
            assert_eq!(set.insert(&format!("CUST-{i:06}")), (i, true));
        }
        assert_eq!(set.len(), 100_000);
        assert_eq!(set.slots.len(), 262_144);
        for i in (0..100_000u32).rev() {
            assert_eq!(set.insert(&format!("CUST-{i:06}")), (i, false));
            assert_eq!(set.get(i), format!("CUST-{i:06}"));
        }
        assert_eq!(set.find("CUST-000042"), Some(42));
        assert_eq!(set.find("CUST-100000"), None);
        assert_eq!(StrSet::default().find(""), None);
        assert_eq!(set.len(), 100_000);
        // Ids that differ only in their last digits spread over the table: few probes.
        assert!(set.mean_probes() < 2.0, "{}", set.mean_probes());
        // Prefixes and extensions of a text are other texts.
        assert_eq!(set.insert("CUST-00000"), (100_000, true));
        assert_eq!(set.insert("CUST-0000000"), (100_001, true));
        // Texts of any length; asking for a slot ahead changes nothing.
        let long = "ж".repeat(70_000);
        set.prefetch_slot(&long);
        set.prefetch_text(&long);
        StrSet::default().prefetch_slot(&long);
        StrSet::default().prefetch_text(&long);
        assert_eq!(set.insert(&long), (100_002, true));
        assert_eq!(set.find(&long), Some(100_002));
        assert_eq!(set.get(100_002), long);
        assert_eq!(set.find(&long[..long.len() - 2]), None);
        set.prefetch_text("CUST-000007");
        // A value of the caller's choosing is what lookups give; the number stays.
        assert_eq!(set.insert_valued("other", 7), (7, true));
        assert_eq!(set.insert_valued("other", 9), (7, false));
        assert_eq!(set.find("other"), Some(7));
        assert_eq!(set.get(100_003), "other");
        assert_eq!(set.len(), 100_004);
    }
}
