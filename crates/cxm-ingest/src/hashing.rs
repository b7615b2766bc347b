//! A `Read` adapter that hashes (SHA-256) and counts every byte it reads from
//! the file, and reads a sample of the file's head ahead of time so the
//! encoding and the dialect can be detected before parsing starts, while the
//! file is still read exactly once.

use std::io::{self, Read};

use sha2::{Digest, Sha256};

/// Wraps a reader; every byte read from `inner` is hashed and counted. The
/// first bytes are read ahead into a sample ([`HashingReader::head`]) that is
/// handed out first (minus any bytes [`HashingReader::skip`]ped).
pub(crate) struct HashingReader<R> {
    inner: R,
    hasher: Sha256,
    bytes: u64,
    /// Bytes read ahead, not all handed out yet.
    head: Vec<u8>,
    head_pos: usize,
}

impl<R: Read> HashingReader<R> {
    /// Wraps `inner`, reading up to `sample` bytes ahead (fewer only at the
    /// end of the input).
    pub(crate) fn new(inner: R, sample: usize) -> io::Result<Self> {
        let mut reader = HashingReader {
            inner,
            hasher: Sha256::new(),
            bytes: 0,
            head: Vec::new(),
            head_pos: 0,
        };
        let mut head = vec![0u8; sample];
        let mut filled = 0;
        while filled < head.len() {
            match reader.read_inner(&mut head[filled..]) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        head.truncate(filled);
        reader.head = head;
        Ok(reader)
    }

    fn read_inner(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let data = buf.get(..n).unwrap_or_default();
        self.hasher.update(data);
        self.bytes += data.len() as u64;
        Ok(n)
    }

    /// The sampled bytes not handed out or skipped yet.
    pub(crate) fn head(&self) -> &[u8] {
        self.head.get(self.head_pos..).unwrap_or_default()
    }

    /// Drops the next `n` sampled bytes (a byte-order mark) without handing
    /// them out; they stay hashed.
    pub(crate) fn skip(&mut self, n: usize) {
        self.head_pos = self.head_pos.saturating_add(n).min(self.head.len());
    }

    /// Number of bytes read from the underlying reader so far.
    pub(crate) fn byte_count(&self) -> u64 {
        self.bytes
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
        let avail = self.head();
        if !avail.is_empty() {
            let n = avail.len().min(buf.len());
            buf[..n].copy_from_slice(&avail[..n]);
            self.head_pos += n;
            return Ok(n);
        }
        self.read_inner(buf)
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
pub(crate) mod tests {
    use super::*;

    /// A reader that returns at most one byte per call.
    pub(crate) struct Trickle<'a>(pub(crate) &'a [u8]);

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

    fn read_all<R: Read>(input: R, sample: usize, skip: usize) -> (Vec<u8>, Vec<u8>, u64, String) {
        let mut r = HashingReader::new(input, sample).expect("new");
        let head = r.head().to_vec();
        r.skip(skip);
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
        (head, out, bytes, sha)
    }

    #[test]
    fn skipped_bom_is_still_hashed() {
        let input = b"\xEF\xBB\xBFa,b\n1,2\n";
        for (head, out, bytes, sha) in [read_all(&input[..], 4, 3), read_all(Trickle(input), 4, 3)]
        {
            assert_eq!(head, b"\xEF\xBB\xBFa");
            assert_eq!(out, b"a,b\n1,2\n");
            assert_eq!(bytes, input.len() as u64);
            assert_eq!(sha, hex(&Sha256::digest(input)));
        }
    }

    #[test]
    fn short_and_plain_inputs_pass_through() {
        for input in [&b""[..], b"a", b"ab", b"abc", b"\xEF\xBB", b"abcdef"] {
            for sample in [0, 3, 100] {
                let (head, out, bytes, sha) = read_all(Trickle(input), sample, 0);
                assert_eq!(head, &input[..sample.min(input.len())]);
                assert_eq!(out, input);
                assert_eq!(bytes, input.len() as u64);
                assert_eq!(sha, hex(&Sha256::digest(input)));
            }
        }
        // Skipping past the sample is harmless.
        let (_, out, _, _) = read_all(&b"abcdef"[..], 2, 5);
        assert_eq!(out, b"cdef");
    }

    #[test]
    fn finish_drains_the_rest() {
        let input = b"hello world";
        let mut r = HashingReader::new(&input[..], 3).expect("new");
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
