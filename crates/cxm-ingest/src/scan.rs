//! A fast, quote-aware scanner for chunks of CSV text: it finds the records and the raw
//! span of every field of a chunk that starts at a record boundary, at several GB/s, or
//! declares the chunk [`Dirty`] so the caller parses it with the `csv` crate instead.
//!
//! Contract: for any input, [`scan_chunk`] either returns `Err(Dirty)` or visits exactly
//! the records that `csv::ReaderBuilder::new().delimiter(d).has_headers(false)
//! .flexible(true)` reads from the same bytes (fields unescaped by [`field_text`] equal
//! the `ByteRecord` fields), with line numbers counted as described on [`RecordRef`].
//!
//! Technique (after simdjson/simdcsv): each 64-byte block is classified into bit masks of
//! quotes, delimiters, `\n` and `\r` (see `classify`); a prefix XOR of the quote mask,
//! carried from block to block, tells which bytes are inside quotes; the quoting rules
//! are checked on whole masks (anything the `csv` crate would read differently from
//! quote parity is Dirty); then the set bits of "delimiter or `\n` outside quotes" are
//! walked to cut fields and records. Line breaks (`\n`, `\r\n` once, lone `\r`) are
//! counted by popcount, inside quotes too.

// Explicit paths: `examples/scan_bench.rs` includes this file with `#[path]`, where the
// default location of child modules would differ.
#[path = "scan/classify.rs"]
mod classify;
#[cfg(test)]
#[path = "scan/tests.rs"]
mod tests;

use classify::{classify, prefix_xor, BlockMasks, BLOCK};

/// Why a chunk cannot be scanned by the fast path (the caller then uses the csv crate).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Dirty {
    /// First offending byte, best effort (the chunk's length when the problem is its end).
    pub(crate) offset: usize,
}

/// One record of a chunk.
#[derive(Debug)]
pub(crate) struct RecordRef<'a> {
    /// Byte offset of the record's first byte in the chunk.
    #[allow(dead_code, reason = "not read by the chunk reader yet")]
    pub(crate) start: usize,
    /// Byte offset just past the record's last field (before its terminator).
    #[allow(dead_code, reason = "not read by the chunk reader yet")]
    pub(crate) end: usize,
    /// 0-based line of `start` relative to the chunk: the number of line breaks in
    /// `chunk[..start]` (`\n`, `\r\n` counted once, lone `\r`; inside quotes too).
    pub(crate) line: u64,
    /// Raw span (start, end) in the chunk of every field, in order, quotes included
    /// (a quoted field's span starts at its opening quote and ends after its closing
    /// quote).
    pub(crate) fields: &'a [(u32, u32)],
}

/// What a successful scan of a chunk found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ScanSummary {
    /// Line breaks in the whole chunk.
    pub(crate) lines: u64,
    /// Records visited.
    pub(crate) records: u64,
}

/// The UTF-8 byte order mark, which the `csv` crate drops from the start of its input.
const UTF8_BOM: &[u8] = b"\xef\xbb\xbf";

/// Scans `chunk`, which starts at a record boundary; `at_eof` says whether it ends the
/// file (otherwise it must end with a `\n` outside quotes, else Dirty).
///
/// Calls `visit` for every record in order. Empty lines are skipped (not records), like
/// csv. On `Err(Dirty)`, `visit` may already have seen records from the start of the
/// chunk: the caller must discard them and parse the whole chunk with the `csv` crate.
///
/// Dirty (the fast path cannot prove csv-crate equivalence): a quote that does not open
/// a field (`ab"c`, ` "x"`); after a closing quote anything but a quote (the `""`
/// escape), the delimiter, `\n`, `\r\n` or the end of an `at_eof` chunk (`"ab"c`); a
/// `\r` outside quotes not followed by `\n`; a chunk ending inside quotes; a chunk that
/// is not `at_eof` and does not end with `\n`; a chunk starting with a UTF-8 BOM; a
/// delimiter that is `"`, `\n` or `\r`; a chunk of `u32::MAX` bytes or more.
pub(crate) fn scan_chunk<F>(
    chunk: &[u8],
    delimiter: u8,
    at_eof: bool,
    visit: &mut F,
) -> Result<ScanSummary, Dirty>
where
    F: FnMut(&RecordRef<'_>) + ?Sized,
{
    scan_chunk_with(chunk, delimiter, at_eof, visit, Simd::best())
}

/// [`scan_chunk`] with the blocks classified by `simd`, which this CPU must have.
fn scan_chunk_with<F>(
    chunk: &[u8],
    delimiter: u8,
    at_eof: bool,
    visit: &mut F,
    simd: Simd,
) -> Result<ScanSummary, Dirty>
where
    F: FnMut(&RecordRef<'_>) + ?Sized,
{
    if matches!(delimiter, b'"' | b'\n' | b'\r')
        || chunk.starts_with(UTF8_BOM)
        || chunk.len() >= u32::MAX as usize
    {
        return Err(Dirty { offset: 0 });
    }
    let mut scanner = Scanner::new(chunk, visit);
    let (blocks, tail) = chunk.as_chunks::<BLOCK>();
    scanner.blocks(blocks, delimiter, simd)?;
    if !tail.is_empty() {
        let mut padded = [0u8; BLOCK];
        padded[..tail.len()].copy_from_slice(tail);
        // Padding bytes may equal the delimiter (NUL): keep only the real bytes' bits.
        let valid = u64::MAX >> (BLOCK - tail.len());
        let masks = classify(&padded, delimiter).restricted_to(valid);
        scanner.block(masks, chunk.len() - tail.len(), tail.len())?;
    }
    scanner.finish(at_eof)
}

/// The instructions the blocks are classified with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Simd {
    /// SSE2 (x86_64) or the portable loop: every CPU.
    Baseline,
    /// AVX-512BW, where the CPU has it.
    #[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
    Avx512,
}

impl Simd {
    /// The fastest this CPU runs (detected once; later calls read a cached answer).
    fn best() -> Simd {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx512bw") {
            return Simd::Avx512;
        }
        Simd::Baseline
    }
}

/// The content of a field given its raw span: a quoted field loses its outer quotes and
/// has `""` turned into `"` (written into `scratch` only when needed); an unquoted field
/// is returned as is.
#[inline]
pub(crate) fn field_text<'a>(raw: &'a [u8], scratch: &'a mut Vec<u8>) -> &'a [u8] {
    let [b'"', inner @ .., b'"'] = raw else {
        return raw;
    };
    let Some(mut quote) = memchr::memchr(b'"', inner) else {
        return inner;
    };
    scratch.clear();
    let mut rest = inner;
    loop {
        // Keep this quote, drop the second quote of its `""` pair.
        scratch.extend_from_slice(&rest[..=quote]);
        rest = &rest[quote + 1..];
        if let [b'"', after @ ..] = rest {
            rest = after;
        }
        match memchr::memchr(b'"', rest) {
            Some(next) => quote = next,
            None => break,
        }
    }
    scratch.extend_from_slice(rest);
    scratch
}

/// What the previous block said about its last byte, as the bit shifted into bit 0 of
/// this block's "previous byte" masks (0 or 1), except `inside`.
struct Carry {
    /// All ones when the previous block ended inside quotes, else 0.
    inside: u64,
    /// The previous byte was a delimiter or `\n` outside quotes (1 at the chunk start:
    /// a field starts there).
    separator: u64,
    /// The previous byte was a closing quote.
    closing_quote: u64,
    /// The previous byte was `\r`.
    carriage_return: u64,
    /// The previous byte was `\r` outside quotes.
    carriage_return_outside: u64,
}

/// The scan of one chunk, block after block.
struct Scanner<'c, 'v, F: ?Sized> {
    chunk: &'c [u8],
    visit: &'v mut F,
    carry: Carry,
    /// Spans of the fields of the current record so far: the first `field_count`.
    fields: Vec<(u32, u32)>,
    /// Fields of the current record so far.
    field_count: usize,
    /// Where the current record (or the current run of empty lines) starts.
    record_start: u32,
    /// Line breaks before `record_start`.
    record_line: u64,
    /// Where the current field starts.
    field_start: u32,
    /// Line breaks before the current block.
    lines: u64,
    /// Records visited.
    records: u64,
}

impl<'c, 'v, F: FnMut(&RecordRef<'_>) + ?Sized> Scanner<'c, 'v, F> {
    fn new(chunk: &'c [u8], visit: &'v mut F) -> Self {
        Scanner {
            chunk,
            visit,
            carry: Carry {
                inside: 0,
                separator: 1,
                closing_quote: 0,
                carriage_return: 0,
                carriage_return_outside: 0,
            },
            fields: vec![(0, 0); 32],
            field_count: 0,
            record_start: 0,
            record_line: 0,
            field_start: 0,
            lines: 0,
            records: 0,
        }
    }

    /// Scans the whole blocks at the start of the chunk, classified with `simd` (which
    /// the caller must have checked the CPU has: [`Simd::best`], or tests).
    fn blocks(&mut self, blocks: &[[u8; BLOCK]], delimiter: u8, simd: Simd) -> Result<(), Dirty> {
        #[cfg(target_arch = "x86_64")]
        if simd == Simd::Avx512 {
            // SAFETY: `Simd::Avx512` is only chosen when the CPU has AVX-512BW.
            return unsafe { self.blocks_avx512(blocks, delimiter) };
        }
        let _ = simd;
        for (index, block) in blocks.iter().enumerate() {
            self.block(classify(block, delimiter), index * BLOCK, BLOCK)?;
        }
        Ok(())
    }

    /// [`Scanner::blocks`] with AVX-512BW: the whole walk is compiled for it, so that the
    /// classification inlines.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512bw")]
    fn blocks_avx512(&mut self, blocks: &[[u8; BLOCK]], delimiter: u8) -> Result<(), Dirty> {
        for (index, block) in blocks.iter().enumerate() {
            let masks = classify::classify_avx512(block, delimiter);
            self.block(masks, index * BLOCK, BLOCK)?;
        }
        Ok(())
    }

    /// Scans the block at `base` whose first `len` bytes are real (`masks` has no bit at
    /// or beyond `len`).
    #[inline(always)]
    fn block(&mut self, masks: BlockMasks, base: usize, len: usize) -> Result<(), Dirty> {
        let BlockMasks {
            quote,
            delimiter,
            newline,
            carriage_return,
        } = masks;
        let carry = &self.carry;
        let inside = prefix_xor(quote) ^ carry.inside;
        let outside = !inside;
        let opening_quote = quote & inside;
        let closing_quote = quote & outside;
        let separator = (delimiter | newline) & outside;
        let carriage_return_outside = carriage_return & outside;

        let after_separator = (separator << 1) | carry.separator;
        let after_closing_quote = (closing_quote << 1) | carry.closing_quote;
        let after_carriage_return = (carriage_return << 1) | carry.carriage_return;
        let after_carriage_return_outside =
            (carriage_return_outside << 1) | carry.carriage_return_outside;

        let valid = u64::MAX >> (BLOCK - len);
        // A quote opens a field, or is the second quote of a `""` escape.
        let misplaced_quote = opening_quote & !(after_separator | after_closing_quote);
        // A closing quote ends the field (a `\r` after it is checked below).
        let after_close =
            after_closing_quote & !(quote | delimiter | newline | carriage_return) & valid;
        // A `\r` outside quotes is the first half of `\r\n`.
        let lone_carriage_return = after_carriage_return_outside & !newline & valid;
        if misplaced_quote | after_close | lone_carriage_return != 0 {
            let at = |mask: u64| base + mask.trailing_zeros() as usize;
            let offset = [
                (misplaced_quote != 0).then(|| at(misplaced_quote)),
                (after_close != 0).then(|| at(after_close)),
                (lone_carriage_return != 0).then(|| at(lone_carriage_return).saturating_sub(1)),
            ]
            .into_iter()
            .flatten()
            .min()
            .unwrap_or(base);
            return Err(Dirty { offset });
        }

        // Line breaks inside quotes, each marked at its first byte (`\r\n` at its `\r`).
        // Outside quotes every break ends with a `\n` separator, counted by the walk.
        let quoted_breaks = (carriage_return | (newline & !after_carriage_return)) & inside;

        let last = len - 1;
        self.carry = Carry {
            inside: 0u64.wrapping_sub((inside >> last) & 1),
            separator: (separator >> last) & 1,
            closing_quote: (closing_quote >> last) & 1,
            carriage_return: (carriage_return >> last) & 1,
            carriage_return_outside: (carriage_return_outside >> last) & 1,
        };

        // Line breaks before the byte after the current separator.
        let mut lines = self.lines;
        let mut field_count = self.field_count;
        let mut field_start = self.field_start;
        let mut remaining = separator;
        while remaining != 0 {
            let bit = remaining.trailing_zeros();
            remaining &= remaining - 1;
            // `base + bit < chunk.len() < u32::MAX`, checked in `scan_chunk`.
            let pos = (base + bit as usize) as u32;
            if (newline >> bit) & 1 == 0 {
                self.push_field(field_count, (field_start, pos));
                field_count += 1;
                field_start = pos + 1;
                continue;
            }
            // A `\r` right before an outside `\n` is outside too: the terminator's.
            let end = pos - ((after_carriage_return >> bit) & 1) as u32;
            if field_count != 0 || end != field_start {
                self.push_field(field_count, (field_start, end));
                self.emit(field_count + 1, end);
                field_count = 0;
            }
            field_start = pos + 1;
            self.record_start = field_start;
            lines += 1;
            self.record_line = lines;
            if quoted_breaks != 0 {
                let before = quoted_breaks & (u64::MAX >> (63 - bit));
                self.record_line += u64::from(before.count_ones());
            }
        }
        self.field_count = field_count;
        self.field_start = field_start;
        self.lines = lines;
        if quoted_breaks != 0 {
            self.lines += u64::from(quoted_breaks.count_ones());
        }
        Ok(())
    }

    /// Stores `span` as field number `index` of the current record.
    #[inline(always)]
    fn push_field(&mut self, index: usize, span: (u32, u32)) {
        if index == self.fields.len() {
            self.grow_fields();
        }
        self.fields[index] = span;
    }

    #[cold]
    #[inline(never)]
    fn grow_fields(&mut self) {
        let len = self.fields.len();
        self.fields.resize((2 * len).max(16), (0, 0));
    }

    /// Visits the current record, made of its first `field_count` fields and ending at
    /// `end`.
    #[inline(always)]
    fn emit(&mut self, field_count: usize, end: u32) {
        (self.visit)(&RecordRef {
            start: self.record_start as usize,
            end: end as usize,
            line: self.record_line,
            fields: &self.fields[..field_count],
        });
        self.records += 1;
    }

    /// Checks how the chunk ends and visits a last record without terminator.
    fn finish(mut self, at_eof: bool) -> Result<ScanSummary, Dirty> {
        let len = self.chunk.len();
        if self.carry.inside != 0 {
            return Err(Dirty {
                offset: self.field_start as usize,
            });
        }
        if self.carry.carriage_return_outside != 0 {
            return Err(Dirty { offset: len - 1 });
        }
        let record_open = self.field_count != 0 || self.field_start as usize != len;
        if record_open {
            if !at_eof {
                return Err(Dirty { offset: len });
            }
            // `len < u32::MAX`, checked in `scan_chunk`.
            let end = len as u32;
            self.push_field(self.field_count, (self.field_start, end));
            self.emit(self.field_count + 1, end);
        }
        Ok(ScanSummary {
            lines: self.lines,
            records: self.records,
        })
    }
}
