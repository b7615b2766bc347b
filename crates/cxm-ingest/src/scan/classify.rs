//! Classification of 64-byte blocks of CSV text into bit masks (bit `i` describes byte
//! `i` of the block): where the quotes, delimiters, `\n` and `\r` are. SSE2 on x86_64
//! (part of its baseline, so no runtime detection), AVX-512BW where the CPU has it (one
//! compare per mask; detected at run time by the scanner), a portable loop elsewhere; all
//! give the same masks (see the tests in `scan/tests.rs`).

/// Bytes per block: one bit per byte in a `u64`.
pub(super) const BLOCK: usize = 64;

/// Where the bytes that matter to the CSV grammar are in one block.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct BlockMasks {
    /// `"` bytes.
    pub(super) quote: u64,
    /// Delimiter bytes.
    pub(super) delimiter: u64,
    /// `\n` bytes.
    pub(super) newline: u64,
    /// `\r` bytes.
    pub(super) carriage_return: u64,
}

impl BlockMasks {
    /// The masks with every bit outside `valid` cleared.
    #[inline(always)]
    pub(super) fn restricted_to(self, valid: u64) -> BlockMasks {
        BlockMasks {
            quote: self.quote & valid,
            delimiter: self.delimiter & valid,
            newline: self.newline & valid,
            carriage_return: self.carriage_return & valid,
        }
    }
}

/// Classifies `block` with the fastest implementation available on this target.
#[inline(always)]
pub(super) fn classify(block: &[u8; BLOCK], delimiter: u8) -> BlockMasks {
    #[cfg(target_arch = "x86_64")]
    {
        classify_sse2(block, delimiter)
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        classify_scalar(block, delimiter)
    }
}

/// Classifies `block` 16 bytes at a time with SSE2 compares and byte-mask extraction.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
pub(super) fn classify_sse2(block: &[u8; BLOCK], delimiter: u8) -> BlockMasks {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_set1_epi8,
    };

    let mut masks = BlockMasks::default();
    // SAFETY: SSE2 is part of the x86_64 baseline, so these intrinsics are always
    // available; each load reads bytes `lane * 16 .. lane * 16 + 16` with
    // `lane * 16 + 16 <= BLOCK`, inside `block`, and `_mm_loadu_si128` has no alignment
    // requirement.
    unsafe {
        let quote = _mm_set1_epi8(b'"' as i8);
        let delim = _mm_set1_epi8(delimiter as i8);
        let newline = _mm_set1_epi8(b'\n' as i8);
        let carriage_return = _mm_set1_epi8(b'\r' as i8);
        for lane in 0..BLOCK / 16 {
            let bytes = _mm_loadu_si128(block.as_ptr().add(lane * 16).cast::<__m128i>());
            // `_mm_movemask_epi8` sets only the low 16 bits, one per byte of the lane.
            let bits = |needle: __m128i| {
                u64::from(_mm_movemask_epi8(_mm_cmpeq_epi8(bytes, needle)) as u32) << (lane * 16)
            };
            masks.quote |= bits(quote);
            masks.delimiter |= bits(delim);
            masks.newline |= bits(newline);
            masks.carriage_return |= bits(carriage_return);
        }
    }
    masks
}

/// Classifies `block` with AVX-512BW: one 64-byte load, one compare into a mask per byte
/// class.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512bw")]
#[inline]
pub(super) fn classify_avx512(block: &[u8; BLOCK], delimiter: u8) -> BlockMasks {
    use std::arch::x86_64::{
        __m512i, _mm512_cmpeq_epi8_mask, _mm512_loadu_si512, _mm512_set1_epi8,
    };

    // SAFETY: the load reads the 64 bytes of `block` (`BLOCK` = 64) and has no alignment
    // requirement; AVX-512BW (which implies AVX-512F) is enabled for this function.
    let bytes = unsafe { _mm512_loadu_si512(block.as_ptr().cast::<__m512i>()) };
    let bits = |needle: u8| _mm512_cmpeq_epi8_mask(bytes, _mm512_set1_epi8(needle as i8));
    BlockMasks {
        quote: bits(b'"'),
        delimiter: bits(delimiter),
        newline: bits(b'\n'),
        carriage_return: bits(b'\r'),
    }
}

/// Classifies `block` one byte at a time (the fallback for targets without SSE2).
#[cfg_attr(
    target_arch = "x86_64",
    allow(dead_code, reason = "compared with SSE2 in tests")
)]
pub(super) fn classify_scalar(block: &[u8; BLOCK], delimiter: u8) -> BlockMasks {
    let mut masks = BlockMasks::default();
    for (i, &byte) in block.iter().enumerate() {
        masks.quote |= u64::from(byte == b'"') << i;
        masks.delimiter |= u64::from(byte == delimiter) << i;
        masks.newline |= u64::from(byte == b'\n') << i;
        masks.carriage_return |= u64::from(byte == b'\r') << i;
    }
    masks
}

/// Bit `i` of the result is the XOR of bits `0..=i` of `mask`: applied to a quote mask,
/// the set bits are the bytes after an odd number of quotes (an opening quote and the
/// content of a quoted run; a closing quote's bit is clear).
#[inline(always)]
pub(super) fn prefix_xor(mut mask: u64) -> u64 {
    mask ^= mask << 1;
    mask ^= mask << 2;
    mask ^= mask << 4;
    mask ^= mask << 8;
    mask ^= mask << 16;
    mask ^= mask << 32;
    mask
}
