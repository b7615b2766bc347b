//! A `Read` adapter that hashes (SHA-256) and counts every byte it reads from
//! the file, hides a leading UTF-8 byte-order mark from the CSV parser, and
//! indexes line breaks of what it passes on, so the file is read exactly once.

use std::io::{self, Read};

use sha2::{Digest, Sha256};

use crate::lines::LineIndex;

const UTF8_BOM: [u8; 3] = [0xEF, 0xBB, 0xBF];

/// Wraps a reader; every byte read from `inner` is hashed and counted
/// (including a BOM), but a leading BOM is not passed on.
pub(crate) struct HashingReader<R> {
    inner: R,
    hasher: Sha256,
    bytes: u64,
    /// Line breaks of the bytes passed on (BOM excluded).
    lines: LineIndex,
    /// Bytes read ahead while looking for a BOM, not yet handed out.
    pending: [u8; 3],
    pending_pos: usize,
    pending_len: usize,
}

impl<R: Read> HashingReader<R> {
    /// Wraps `inner`, reading up to three bytes ahead to strip a UTF-8 BOM.
    pub(crate) fn new(inner: R) -> io::Result<Self> {
        let mut reader = HashingReader {
            inner,
            hasher: Sha256::new(),
            bytes: 0,
            lines: LineIndex::default(),
            pending: [0; 3],
            pending_pos: 0,
            pending_len: 0,
        };
        let mut head = [0u8; 3];
        let mut filled = 0;
        while filled < head.len() {
            match reader.read_inner(&mut head[filled..]) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        if head != UTF8_BOM {
            reader.pending = head;
            reader.pending_len = filled;
        }
        Ok(reader)
    }

    fn read_inner(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let data = buf.get(..n).unwrap_or_default();
        self.hasher.update(data);
        self.bytes += data.len() as u64;
        Ok(n)
    }

    /// Number of bytes read from the underlying reader so far.
    pub(crate) fn bytes(&self) -> u64 {
        self.bytes
    }

    /// The line on which a record starts that the parser began reading at
    /// `byte` (an offset in the BOM-less stream); see [`LineIndex::line_at`].
    pub(crate) fn line_at(&mut self, byte: u64) -> u64 {
        self.lines.line_at(byte)
    }

    /// Reads the rest of the input, then returns the byte count and the
    /// lowercase hex SHA-256 of everything read.
    pub(crate) fn finish(mut self) -> io::Result<(u64, String)> {
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            match self.read_inner(&mut buf) {
                Ok(0) => break,
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        let digest = self.hasher.finalize();
        Ok((self.bytes, hex(&digest)))
    }
}

impl<R: std::fmt::Debug> std::fmt::Debug for HashingReader<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HashingReader")
            .field("inner", &self.inner)
            .field("bytes", &self.bytes)
            .finish_non_exhaustive()
    }
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.pending_pos < self.pending_len {
            let avail = &self.pending[self.pending_pos..self.pending_len];
            let n = avail.len().min(buf.len());
            buf[..n].copy_from_slice(&avail[..n]);
            self.pending_pos += n;
            self.lines.scan(&buf[..n]);
            return Ok(n);
        }
        let n = self.read_inner(buf)?;
        self.lines.scan(buf.get(..n).unwrap_or_default());
        Ok(n)
    }
}

/// Lowercase hex encoding.
pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that returns at most one byte per call.
    struct Trickle<'a>(&'a [u8]);

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            match (self.0.split_first(), buf.first_mut()) {
                (Some((&b, rest)), Some(slot)) => {
                    *slot = b;
                    self.0 = rest;
                    Ok(1)
                }
                _ => Ok(0),
            }
        }
    }

    fn read_all<R: Read>(input: R) -> (Vec<u8>, u64, String) {
        let mut r = HashingReader::new(input).expect("new");
        let mut out = Vec::new();
        let mut buf = [0u8; 2];
        loop {
            let n = r.read(&mut buf).expect("read");
            if n == 0 {
                break;
            }
            out.extend_from_slice(&buf[..n]);
        }
        let (bytes, sha) = r.finish().expect("finish");
        (out, bytes, sha)
    }

    #[test]
    fn strips_bom_but_hashes_it() {
        let input = b"\xEF\xBB\xBFa,b\n1,2\n";
        for (out, bytes, sha) in [read_all(&input[..]), read_all(Trickle(input))] {
            assert_eq!(out, b"a,b\n1,2\n");
            assert_eq!(bytes, input.len() as u64);
            assert_eq!(sha, hex(&Sha256::digest(input)));
        }
    }

    #[test]
    fn short_and_plain_inputs_pass_through() {
        for input in [&b""[..], b"a", b"ab", b"abc", b"\xEF\xBB", b"abcdef"] {
            let (out, bytes, sha) = read_all(Trickle(input));
            assert_eq!(out, input);
            assert_eq!(bytes, input.len() as u64);
            assert_eq!(sha, hex(&Sha256::digest(input)));
        }
    }

    #[test]
    fn finish_drains_the_rest() {
        let input = b"hello world";
        let mut r = HashingReader::new(&input[..]).expect("new");
        let mut buf = [0u8; 4];
        assert_eq!(r.read(&mut buf).expect("read"), 3);
        let (bytes, sha) = r.finish().expect("finish");
        assert_eq!(bytes, 11);
        assert_eq!(
            sha,
            "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9"
        );
    }

    #[test]
    fn hex_encoding() {
        assert_eq!(hex(&[0x00, 0x0f, 0xa5, 0xff]), "000fa5ff");
    }
}
