//! The limit on a record's size ([`crate::CsvOptions::max_record_bytes`]) as the readers
//! apply it: what a record's size is, how far the text stream may run ahead of a record's
//! start before the read fails, and on which line of the file a byte offset lies (for the
//! error, when reading started in the middle of the file).

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use csv::ByteRecord;

/// Bytes of text the parser may read past a record's start before [`crate::text`] fails
/// the read: the limit plus room for the parser's read-ahead buffer and for blank lines
/// before the record (all of it held in memory at worst).
pub(crate) fn guard_limit(max_record_bytes: u64) -> u64 {
    max_record_bytes.saturating_add(256 * 1024)
}

/// The size a record is measured by: its fields' text and the delimiters between them
/// (quotes and the line break left out, so a record is never larger here than in the
/// file).
pub(crate) fn record_bytes(record: &ByteRecord) -> u64 {
    (record.as_slice().len() + record.len().saturating_sub(1)) as u64
}

/// The 1-based line of the file on which a record the parser began reading at byte
/// `offset` starts: line breaks (`\n`, `\r\n`, lone `\r`) before it, and those of a run
/// of blank lines starting at it, are counted (as [`crate::lines::LineIndex::line_at`]
/// does). Reads the file from its start: for error messages only.
pub(crate) fn line_of_offset(path: &Path, offset: u64) -> io::Result<u64> {
    let mut file = File::open(path)?;
    let mut buf = vec![0u8; 64 * 1024];
    let (mut pos, mut breaks, mut prev_cr) = (0u64, 0u64, false);
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            return Ok(1 + breaks);
        }
        for &b in &buf[..n] {
            let line_break = b == b'\n' || b == b'\r';
            if pos >= offset && !line_break {
                return Ok(1 + breaks);
            }
            if b == b'\r' || (b == b'\n' && !prev_cr) {
                breaks += 1;
            }
            prev_cr = b == b'\r';
            pos += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_lines() {
        let mut record = ByteRecord::new();
        record.push_field(b"ab");
        record.push_field(b"");
        record.push_field(b"c");
        assert_eq!(record_bytes(&record), 5);
        assert_eq!(record_bytes(&ByteRecord::new()), 0);

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lines.csv");
        std::fs::write(&path, b"h\r\na\n\n\rb\r\nc").unwrap();
        let lines: Vec<u64> = (0..12)
            .map(|at| line_of_offset(&path, at).unwrap())
            .collect();
        // "h" line 1; "a" line 2; blank lines 3 and 4; "b" line 5; "c" line 6.
        assert_eq!(lines, [1, 2, 2, 2, 5, 5, 5, 5, 6, 6, 6, 6]);
    }
}
