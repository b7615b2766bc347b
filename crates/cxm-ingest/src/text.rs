//! [`TextReader`]: the UTF-8 text stream the CSV parser reads. It decodes
//! the file's bytes from their encoding (UTF-8 passes through untouched, so
//! invalid bytes stay visible as `invalid_utf8` cells), skips the preamble
//! lines above the header, and tracks what it hands on: line breaks (so
//! records keep the physical line numbers of the file) and the quoting state
//! (so a quoted field left open at the end of the file can be reported). A
//! file read as windows-1252 is also checked for bytes that look like DOS
//! code page 850 letters ([`crate::suspect`]).
//!
//! `encoding_rs_io` offers a streaming decoder too, but gives no access to
//! the wrapped reader, which is needed to report progress and to hash the
//! rest of the file in `finish`; decoding here is a thin loop over
//! `encoding_rs::Decoder`, or over a single-byte table for the sets
//! `encoding_rs` does not have ([`crate::charset`]).

use std::io::{self, Read};

use encoding_rs::{CoderResult, Decoder};

use crate::charset::{decode_table, Charset};
use crate::hashing::HashingReader;
use crate::lines::LineIndex;
use crate::suspect::SuspectScanner;

/// Size of the decoder's input and output buffers.
const DECODE_BUFFER: usize = 32 * 1024;

/// The decoded, preamble-free text of a file.
pub(crate) struct TextReader<R> {
    raw: HashingReader<R>,
    /// `None` for UTF-8, which is passed through.
    decoding: Option<Decoding>,
    preamble: Preamble,
    lines: LineIndex,
    quote: QuoteState,
    delimiter: u8,
    /// Bytes handed on so far.
    passed: u64,
    /// The end of the text was reached.
    eof: bool,
    /// Where the record being parsed began (see [`TextReader::set_record_start`]).
    record_start: u64,
    /// Most bytes handed on after `record_start` before reading fails.
    record_limit: u64,
    /// Reading failed because a record passed `record_limit`.
    tripped: bool,
}

impl<R: Read> TextReader<R> {
    /// Reads `raw` (positioned after any byte-order mark) as `encoding`,
    /// starting at line `header_row` (`0` is `1`); `delimiter` is the CSV
    /// delimiter, for quote tracking.
    pub(crate) fn new(
        raw: HashingReader<R>,
        encoding: Charset,
        header_row: usize,
        delimiter: u8,
    ) -> Self {
        let skip = header_row.saturating_sub(1) as u64;
        TextReader {
            raw,
            decoding: (!encoding.is_utf8()).then(|| Decoding::new(encoding)),
            preamble: Preamble::new(skip),
            lines: LineIndex::starting_at(skip + 1),
            quote: QuoteState::default(),
            delimiter,
            passed: 0,
            eof: false,
            record_start: 0,
            record_limit: u64::MAX,
            tripped: false,
        }
    }

    /// Fails reading (with an I/O error, and [`TextReader::tripped`] set) once more than
    /// `limit` bytes were handed on since the start of the record being parsed, so a
    /// runaway record is not held in memory whole.
    pub(crate) fn with_record_limit(mut self, limit: u64) -> Self {
        self.record_limit = limit;
        self
    }

    /// The parser begins a record at `byte` of the text.
    pub(crate) fn set_record_start(&mut self, byte: u64) {
        self.record_start = byte;
    }

    /// Where the record being parsed began.
    pub(crate) fn record_start(&self) -> u64 {
        self.record_start
    }

    /// Whether reading failed because a record passed the limit.
    pub(crate) fn tripped(&self) -> bool {
        self.tripped
    }

    /// Bytes read from the file so far.
    pub(crate) fn byte_count(&self) -> u64 {
        self.raw.byte_count()
    }

    /// Bytes of text handed on so far.
    pub(crate) fn passed(&self) -> u64 {
        self.passed
    }

    /// The physical line of the file on which a record starts that the
    /// parser began reading at `byte` of the text (see [`LineIndex::line_at`]).
    pub(crate) fn line_at(&mut self, byte: u64) -> u64 {
        self.lines.line_at(byte)
    }

    /// True once the whole text was handed on and it ended inside a quoted
    /// field.
    pub(crate) fn ends_in_open_quote(&self) -> bool {
        self.eof && self.quote == QuoteState::Quoted
    }

    /// The bytes that look like CP850 in a file read as windows-1252, as far as the
    /// file was read; `None` for any other encoding.
    pub(crate) fn suspect(&self) -> Option<&SuspectScanner> {
        self.decoding.as_ref()?.suspect.as_ref()
    }

    /// Reads the rest of the file; returns its size and SHA-256.
    pub(crate) fn finish(self) -> io::Result<(u64, String)> {
        self.raw.finish()
    }
}

impl<R> std::fmt::Debug for TextReader<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TextReader")
            .field(
                "decoding",
                &self.decoding.as_ref().map(|d| d.charset.name()),
            )
            .field("passed", &self.passed)
            .field("eof", &self.eof)
            .finish_non_exhaustive()
    }
}

impl<R: Read> Read for TextReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        if self.passed - self.record_start.min(self.passed) > self.record_limit {
            self.tripped = true;
            return Err(io::Error::other("record too long"));
        }
        loop {
            let n = match &mut self.decoding {
                Some(d) => d.read(&mut self.raw, buf)?,
                None => self.raw.read(buf)?,
            };
            if n == 0 {
                self.eof = true;
                return Ok(0);
            }
            let start = self.preamble.consume(&buf[..n]);
            if start == n {
                continue;
            }
            buf.copy_within(start..n, 0);
            let text = &buf[..n - start];
            self.lines.scan(text);
            self.quote.scan(text, self.delimiter);
            self.passed += text.len() as u64;
            return Ok(text.len());
        }
    }
}

/// How the bytes are decoded.
enum DecodeWith {
    /// By `encoding_rs`.
    Standard(Decoder),
    /// By a single-byte table.
    Table(fn(u8) -> char),
}

/// Streaming decoding of a non-UTF-8 encoding into UTF-8 (malformed
/// sequences become U+FFFD).
struct Decoding {
    charset: Charset,
    decoder: DecodeWith,
    /// Checks a windows-1252 file for CP850 bytes.
    suspect: Option<SuspectScanner>,
    input: Vec<u8>,
    in_pos: usize,
    in_len: usize,
    input_done: bool,
    output: Vec<u8>,
    out_pos: usize,
    out_len: usize,
    finished: bool,
}

impl Decoding {
    fn new(charset: Charset) -> Self {
        let decoder = match (charset, charset.table()) {
            (Charset::Standard(encoding), _) => {
                DecodeWith::Standard(encoding.new_decoder_without_bom_handling())
            }
            (_, Some(char_of)) => DecodeWith::Table(char_of),
            (_, None) => DecodeWith::Table(char::from),
        };
        Decoding {
            charset,
            decoder,
            suspect: charset.is_windows_1252().then(SuspectScanner::default),
            input: vec![0; DECODE_BUFFER],
            in_pos: 0,
            in_len: 0,
            input_done: false,
            output: vec![0; DECODE_BUFFER],
            out_pos: 0,
            out_len: 0,
            finished: false,
        }
    }

    fn read(&mut self, raw: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            let pending = self
                .output
                .get(self.out_pos..self.out_len)
                .unwrap_or_default();
            if !pending.is_empty() {
                let n = pending.len().min(buf.len());
                buf[..n].copy_from_slice(&pending[..n]);
                self.out_pos += n;
                return Ok(n);
            }
            if self.finished {
                return Ok(0);
            }
            if self.in_pos == self.in_len && !self.input_done {
                let n = raw.read(&mut self.input)?;
                (self.in_pos, self.in_len, self.input_done) = (0, n, n == 0);
                if let Some(scanner) = &mut self.suspect {
                    match self.input.get(..n) {
                        Some(fresh) if n > 0 => scanner.feed(fresh),
                        _ => scanner.finish(),
                    }
                }
            }
            let src = self.input.get(self.in_pos..self.in_len).unwrap_or_default();
            let (read, written, input_empty) = match &mut self.decoder {
                DecodeWith::Standard(decoder) => {
                    let (result, read, written, _) =
                        decoder.decode_to_utf8(src, &mut self.output, self.input_done);
                    (read, written, result == CoderResult::InputEmpty)
                }
                DecodeWith::Table(char_of) => {
                    let (read, written) = decode_table(src, &mut self.output, *char_of);
                    (read, written, read == src.len())
                }
            };
            self.in_pos += read;
            (self.out_pos, self.out_len) = (0, written);
            if self.input_done && input_empty {
                self.finished = true;
            }
        }
    }
}

/// The physical lines above the header, dropped before the parser sees them
/// (a line break is `\n`, `\r\n` or a lone `\r`; quotes are not honoured).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Preamble {
    lines_left: u64,
    /// The last dropped byte was a `\r` ending a line; a `\n` right after it
    /// belongs to the same line break.
    after_cr: bool,
}

impl Preamble {
    pub(crate) fn new(lines: u64) -> Self {
        Preamble {
            lines_left: lines,
            after_cr: false,
        }
    }

    /// Drops the preamble bytes at the start of `data`; returns how many.
    pub(crate) fn consume(&mut self, data: &[u8]) -> usize {
        let mut i = 0;
        while let Some(&b) = data.get(i) {
            if self.after_cr {
                self.after_cr = false;
                if b == b'\n' {
                    i += 1;
                    continue;
                }
            }
            if self.lines_left == 0 {
                break;
            }
            i += 1;
            if b == b'\r' || b == b'\n' {
                self.lines_left -= 1;
                self.after_cr = b == b'\r';
            }
        }
        i
    }
}

/// Where the CSV parser is with respect to quoting (mirrors `csv_core`
/// with its default double-quote escaping).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum QuoteState {
    #[default]
    FieldStart,
    Unquoted,
    Quoted,
    /// A `"` inside a quoted field: either its end or the first half of `""`.
    QuoteInQuoted,
}

impl QuoteState {
    fn scan(&mut self, text: &[u8], delimiter: u8) {
        use QuoteState::*;
        for &b in text {
            *self = match (*self, b) {
                (Quoted, b'"') => QuoteInQuoted,
                (Quoted, _) => Quoted,
                (FieldStart | QuoteInQuoted, b'"') => Quoted,
                (_, b'\r' | b'\n') => FieldStart,
                (_, d) if d == delimiter => FieldStart,
                _ => Unquoted,
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hashing::tests::Trickle;
    use encoding_rs::{UTF_16LE, WINDOWS_1251, WINDOWS_1252};

    const UTF_8: Charset = Charset::UTF8;

    fn read_with<R: Read>(raw: R, encoding: Charset, header_row: usize) -> (String, bool) {
        let raw = HashingReader::new(raw, 5).expect("new");
        let mut r = TextReader::new(raw, encoding, header_row, b',');
        let mut out = Vec::new();
        let mut buf = [0u8; 3];
        loop {
            let n = r.read(&mut buf).expect("read");
            if n == 0 {
                break;
            }
            out.extend_from_slice(&buf[..n]);
        }
        assert_eq!(r.passed(), out.len() as u64);
        (
            String::from_utf8(out).expect("utf8"),
            r.ends_in_open_quote(),
        )
    }

    /// The text and whether it ends in an open quote, read in small chunks
    /// from a reader returning whole buffers and from one returning bytes.
    fn read_text(raw: &[u8], encoding: Charset, header_row: usize) -> (String, bool) {
        let whole = read_with(raw, encoding, header_row);
        assert_eq!(read_with(Trickle(raw), encoding, header_row), whole);
        whole
    }

    #[test]
    fn decodes_legacy_and_utf16_text() {
        let (text, _) = read_text(
            b"\xcf\xf0\xe8\xe2\xe5\xf2\n",
            Charset::Standard(WINDOWS_1251),
            1,
        );
        assert_eq!(text, "Привет\n");
        let utf16: Vec<u8> = "é,€\n".encode_utf16().flat_map(u16::to_le_bytes).collect();
        assert_eq!(read_text(&utf16, Charset::Standard(UTF_16LE), 1).0, "é,€\n");
        // The table sets, one byte at a time and in whole buffers.
        let boxes = b"\xb0\xb1\xb2".repeat(DECODE_BUFFER);
        let (text, _) = read_text(&boxes, Charset::Cp850, 1);
        assert_eq!(text, "░▒▓".repeat(DECODE_BUFFER));
        let mixed = b"x\n\x82t\xe9,\x90T\xc9\n";
        assert_eq!(
            read_text(mixed, Charset::Windows1252Cp850, 2).0,
            "été,ÉTÉ\n"
        );
        // UTF-8 passes through, invalid bytes included.
        let mut r = TextReader::new(
            HashingReader::new(&b"a\xff"[..], 0).expect("new"),
            UTF_8,
            1,
            b',',
        );
        let mut out = Vec::new();
        r.read_to_end(&mut out).expect("read");
        assert_eq!(out, b"a\xff");
    }

    #[test]
    fn windows_1252_is_checked_for_cp850_bytes() {
        let check = |charset: Charset| {
            let raw =
                HashingReader::new(&b"a,b\r\n1,d\x82velopp\xe9\r\n2,15\x80\n"[..], 4).expect("new");
            let mut r = TextReader::new(raw, charset, 1, b',');
            let mut out = Vec::new();
            r.read_to_end(&mut out).expect("read");
            r.suspect()
                .map(|s| (s.found().count, s.found().lines.clone()))
        };
        assert_eq!(check(Charset::Standard(WINDOWS_1252)), Some((1, vec![2])));
        assert_eq!(check(Charset::Windows1252Cp850), None);
        assert_eq!(check(UTF_8), None);
    }

    #[test]
    fn skips_preamble_lines() {
        assert_eq!(read_text(b"t\r\n\r\nh\nx", UTF_8, 3).0, "h\nx");
        assert_eq!(read_text(b"t\r\r\nh", UTF_8, 3).0, "h");
        assert_eq!(read_text(b"t\n", UTF_8, 3).0, "");
        let mut p = Preamble::new(1);
        assert_eq!(p.consume(b"ab\r"), 3);
        assert_eq!(p.consume(b"\nc"), 1);
        assert_eq!(p.consume(b"\nc"), 0);
    }

    #[test]
    fn tracks_open_quotes_at_the_end() {
        for (csv, open) in [
            (&b"a,\"b\nc"[..], true),
            (b"a,\"b\"\"\n", true),
            (b"a,\"b\"\"\"\n", false),
            (b"a,x\"b\n", false),
            (b"\"a\"x,\"", true),
            (b"a,\"b\",c\n", false),
        ] {
            assert_eq!(read_text(csv, UTF_8, 1).1, open, "{csv:?}");
        }
    }
}
