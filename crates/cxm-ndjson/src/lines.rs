//! Reading a file line by line while hashing (SHA-256) and counting every byte, with a
//! leading UTF-8 byte-order mark and the `\n` / `\r\n` line ends removed from the text
//! handed out. A line longer than the limit is not kept whole (bounded memory): only
//! its beginning is, and it is flagged.

use std::fmt::Write as _;
use std::io::{self, BufRead};

use sha2::{Digest, Sha256};

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Longest line kept whole: 16 MiB.
pub(crate) const MAX_LINE_BYTES: usize = 16 * 1024 * 1024;

/// One physical line.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Line<'a> {
    /// 1-based physical line number.
    pub(crate) number: u64,
    /// The line's text without its line end (and without a BOM on line 1); only the
    /// first `limit` bytes when `too_long`.
    pub(crate) text: &'a [u8],
    /// Whether the line was longer than the limit.
    pub(crate) too_long: bool,
}

/// Splits a reader into lines, hashing everything read.
#[derive(Debug)]
pub(crate) struct Lines<R> {
    reader: R,
    buf: Vec<u8>,
    limit: usize,
    hasher: Sha256,
    bytes: u64,
    line: u64,
}

impl<R: BufRead> Lines<R> {
    pub(crate) fn new(reader: R, limit: usize) -> Lines<R> {
        Lines {
            reader,
            buf: Vec::new(),
            limit,
            hasher: Sha256::new(),
            bytes: 0,
            line: 0,
        }
    }

    /// Bytes read (and hashed) so far.
    pub(crate) fn bytes(&self) -> u64 {
        self.bytes
    }

    /// The next line, or `None` at the end of the input.
    pub(crate) fn next_line(&mut self) -> io::Result<Option<Line<'_>>> {
        self.buf.clear();
        let mut read_any = false;
        let mut too_long = false;
        loop {
            let available = match self.reader.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if available.is_empty() {
                break;
            }
            read_any = true;
            let newline = available.iter().position(|&b| b == b'\n');
            let chunk = available
                .get(..newline.map_or(available.len(), |i| i + 1))
                .unwrap_or_default();
            self.hasher.update(chunk);
            self.bytes += chunk.len() as u64;
            let room = self.limit.saturating_sub(self.buf.len());
            if chunk.len() > room {
                too_long = true;
            }
            self.buf
                .extend_from_slice(chunk.get(..room.min(chunk.len())).unwrap_or_default());
            let used = chunk.len();
            self.reader.consume(used);
            if newline.is_some() {
                break;
            }
        }
        if !read_any {
            return Ok(None);
        }
        self.line += 1;
        let mut text = self.buf.as_slice();
        if self.line == 1 {
            text = text.strip_prefix(UTF8_BOM).unwrap_or(text);
        }
        if let Some(rest) = text.strip_suffix(b"\n") {
            text = rest.strip_suffix(b"\r").unwrap_or(rest);
        }
        Ok(Some(Line {
            number: self.line,
            text,
            too_long,
        }))
    }

    /// Reads (and hashes) the rest of the input; returns the total bytes and the
    /// lowercase hex SHA-256.
    pub(crate) fn finish(mut self) -> io::Result<(u64, String)> {
        loop {
            let n = match self.reader.fill_buf() {
                Ok([]) => break,
                Ok(available) => {
                    self.hasher.update(available);
                    available.len()
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            self.bytes += n as u64;
            self.reader.consume(n);
        }
        let mut hex = String::with_capacity(64);
        for b in self.hasher.finalize() {
            let _ = write!(hex, "{b:02x}");
        }
        Ok((self.bytes, hex))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(input: &[u8], limit: usize) -> Vec<(u64, String, bool)> {
        let mut lines = Lines::new(io::BufReader::with_capacity(4, input), limit);
        let mut out = Vec::new();
        while let Some(l) = lines.next_line().unwrap() {
            out.push((
                l.number,
                String::from_utf8_lossy(l.text).into_owned(),
                l.too_long,
            ));
        }
        let (bytes, sha) = lines.finish().unwrap();
        assert_eq!(bytes, input.len() as u64);
        let expected: String = Sha256::digest(input)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(sha, expected);
        out
    }

    #[test]
    fn splits_lines_and_strips_bom_and_line_ends() {
        let got = all(b"\xEF\xBB\xBFab\r\n\ncd\r\nlast", 100);
        let want = [
            (1, "ab", false),
            (2, "", false),
            (3, "cd", false),
            (4, "last", false),
        ];
        assert_eq!(got, want.map(|(n, t, l)| (n, t.to_owned(), l)));
        assert!(all(b"", 100).is_empty());
        // A BOM later in the file is text.
        assert_eq!(all(b"x\n\xEF\xBB\xBFy", 100)[1].1, "\u{feff}y");
    }

    #[test]
    fn long_lines_keep_only_their_start() {
        let got = all(b"0123456789\nabc\n", 6);
        let want = [(1, "012345", true), (2, "abc", false)];
        assert_eq!(got, want.map(|(n, t, l)| (n, t.to_owned(), l)));
    }
}
