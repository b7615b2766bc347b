//! Line tracking for the byte stream handed to the CSV parser.
//!
//! The `csv` crate stamps each record with the line count reached at the end
//! of the *previous* record, which is off after CRLF terminators and blank
//! lines. [`LineIndex`] instead remembers where the runs of CR/LF bytes are,
//! so the line on which a record really starts can be derived from the byte
//! offset where the parser began reading it. A line break is `\n`, `\r\n` or
//! a lone `\r` (the terminators the CSV parser accepts).

use std::collections::VecDeque;

/// A maximal run of CR/LF bytes.
#[derive(Debug, Clone, Copy)]
struct Run {
    start: u64,
    end: u64,
    /// Line breaks in the stream up to the end of this run.
    breaks_after: u64,
}

/// Runs of CR/LF bytes in the part of the stream that may still be queried.
#[derive(Debug, Default)]
pub(crate) struct LineIndex {
    /// Bytes scanned so far.
    offset: u64,
    /// Line breaks seen so far, plus the lines skipped before the stream.
    breaks: u64,
    /// Lines skipped before the stream (a preamble above the header).
    skipped: u64,
    /// The last byte scanned was `\r`.
    prev_cr: bool,
    runs: VecDeque<Run>,
}

impl LineIndex {
    /// An index of a stream whose first byte is on line `first_line`
    /// (1-based; `0` is treated as `1`) of the file.
    pub(crate) fn starting_at(first_line: u64) -> LineIndex {
        let skipped = first_line.saturating_sub(1);
        LineIndex {
            breaks: skipped,
            skipped,
            ..LineIndex::default()
        }
    }

    /// Records the next bytes of the stream.
    pub(crate) fn scan(&mut self, data: &[u8]) {
        for (i, &b) in data.iter().enumerate() {
            if b != b'\n' && b != b'\r' {
                self.prev_cr = false;
                continue;
            }
            // "\r\n" counts once, at the '\r'.
            if b == b'\r' || !self.prev_cr {
                self.breaks += 1;
            }
            self.prev_cr = b == b'\r';
            let pos = self.offset + i as u64;
            match self.runs.back_mut() {
                Some(run) if run.end == pos => {
                    run.end = pos + 1;
                    run.breaks_after = self.breaks;
                }
                _ => self.runs.push_back(Run {
                    start: pos,
                    end: pos + 1,
                    breaks_after: self.breaks,
                }),
            }
        }
        self.offset += data.len() as u64;
    }

    /// The 1-based line of the first byte at or after `byte` that is not a
    /// CR/LF, i.e. where a record the parser began reading at `byte` starts.
    ///
    /// Queries must come with non-decreasing `byte`; runs before it are
    /// forgotten.
    pub(crate) fn line_at(&mut self, byte: u64) -> u64 {
        while self.runs.len() >= 2 && self.runs[1].start <= byte {
            self.runs.pop_front();
        }
        match self.runs.front() {
            Some(run) if run.start <= byte => 1 + run.breaks_after,
            _ => 1 + self.skipped,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Line of each record start, given the offsets where the parser began
    /// reading each record.
    fn lines(chunks: &[&[u8]], starts: &[u64]) -> Vec<u64> {
        let mut idx = LineIndex::default();
        for c in chunks {
            idx.scan(c);
        }
        starts.iter().map(|&s| idx.line_at(s)).collect()
    }

    #[test]
    fn lf_crlf_cr_and_blank_lines() {
        // "a\nb\n": records begin at 0 and 2.
        assert_eq!(lines(&[b"a\nb\n"], &[0, 2]), [1, 2]);
        // CRLF: the parser stops after '\r', so the second record's reading
        // begins at the '\n' (offset 2).
        assert_eq!(lines(&[b"a\r\nb\r\nc"], &[0, 2, 5]), [1, 2, 3]);
        // Blank lines are skipped by the parser.
        assert_eq!(lines(&[b"a\n\n\nb\n"], &[0, 2]), [1, 4]);
        assert_eq!(lines(&[b"a\r\n\r\n\r\nb"], &[0, 2]), [1, 4]);
        // Lone CR.
        assert_eq!(lines(&[b"a\rb\rc"], &[0, 2, 4]), [1, 2, 3]);
        // Leading blank lines before the first record.
        assert_eq!(lines(&[b"\n\na"], &[0]), [3]);
    }

    #[test]
    fn runs_split_across_chunks() {
        assert_eq!(
            lines(&[b"a\r", b"\nb\r", b"\n", b"\nc"], &[0, 2, 5]),
            [1, 2, 4]
        );
    }

    #[test]
    fn embedded_newlines_are_counted() {
        // "a,\"x\ny\"\nb": second record begins at offset 9 on line 3.
        assert_eq!(lines(&[b"a,\"x\ny\"\nb"], &[0, 9]), [1, 3]);
    }

    #[test]
    fn streams_can_start_below_line_one() {
        let mut idx = LineIndex::starting_at(3);
        idx.scan(b"h\r\nx\n");
        assert_eq!([idx.line_at(0), idx.line_at(2)], [3, 4]);
    }

    #[test]
    fn old_runs_are_pruned() {
        let mut idx = LineIndex::default();
        for _ in 0..1000 {
            idx.scan(b"ab\n");
        }
        assert_eq!(idx.line_at(2997), 1000);
        assert!(idx.runs.len() <= 2);
    }
}
