//! Detecting how a CSV file is written from a sample of its head: the
//! character encoding (byte-order mark, valid UTF-8, or `chardetng`'s guess
//! among the legacy encodings; or the declared one, see [`crate::charset`])
//! and the delimiter (the candidate giving the most consistent field count,
//! honouring quotes).

use std::borrow::Cow;
use std::path::Path;

use chardetng::{EncodingDetector, Iso2022JpDetection, Utf8Detection};
use encoding_rs::{Encoding, UTF_8};

use crate::charset::Charset;
use crate::lines::LineIndex;
use crate::text::Preamble;
use crate::IngestError;

/// Bytes of the file's head sampled for detection.
pub(crate) const SAMPLE_BYTES: usize = 64 * 1024;
/// Records of the sample looked at when sniffing the delimiter.
const SNIFF_RECORDS: usize = 100;
/// Delimiters tried when sniffing, in order of preference on ties.
pub(crate) const DELIMITERS: [u8; 4] = [b',', b';', b'\t', b'|'];

/// The encoding a file is read in.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TextEncoding {
    pub(crate) encoding: Charset,
    /// Length of the byte-order mark to skip.
    pub(crate) bom_len: usize,
    /// Detected rather than declared.
    pub(crate) detected: bool,
}

impl TextEncoding {
    /// The encoding's canonical name, lowercase (`utf-8`, `windows-1252`, `cp850`).
    pub(crate) fn name(&self) -> String {
        self.encoding.name()
    }
}

/// The declared encoding (any `encoding_rs` label, or `cp850` or
/// `windows-1252+cp850`, see [`Charset::for_label`]) or, with none, the one
/// detected from `head`: a UTF-8 / UTF-16 byte-order mark, else UTF-8 if the
/// sample is valid UTF-8, else `chardetng`'s guess. A byte-order mark is
/// skipped when it matches the encoding in use. `complete` says `head` is the
/// whole file.
pub(crate) fn resolve_encoding(
    path: &Path,
    declared: Option<&str>,
    head: &[u8],
    complete: bool,
) -> Result<TextEncoding, IngestError> {
    let bom = Encoding::for_bom(head);
    if let Some(label) = declared {
        let encoding = Charset::for_label(label).ok_or_else(|| IngestError::UnknownEncoding {
            path: path.to_path_buf(),
            encoding: label.to_owned(),
        })?;
        let bom_len = match bom {
            Some((e, len)) if Charset::Standard(e) == encoding => len,
            _ => 0,
        };
        return Ok(TextEncoding {
            encoding,
            bom_len,
            detected: false,
        });
    }
    if let Some((encoding, bom_len)) = bom {
        return Ok(TextEncoding {
            encoding: Charset::Standard(encoding),
            bom_len,
            detected: true,
        });
    }
    let encoding = match std::str::from_utf8(head) {
        Ok(_) => UTF_8,
        // A multi-byte character cut by the end of the sample.
        Err(e) if e.error_len().is_none() && !complete => UTF_8,
        Err(_) if mostly_utf8(head) => UTF_8,
        Err(_) => {
            let mut detector = EncodingDetector::new(Iso2022JpDetection::Deny);
            detector.feed(head, complete);
            detector.guess(None, Utf8Detection::Deny)
        }
    };
    Ok(TextEncoding {
        encoding: Charset::Standard(encoding),
        bom_len: 0,
        detected: true,
    })
}

/// True if `head` holds more valid multi-byte UTF-8 characters than invalid
/// sequences: UTF-8 with a few corrupt bytes (read as UTF-8, the corrupt
/// cells being `invalid_utf8`) rather than a legacy encoding, whose text
/// almost never forms valid multi-byte sequences.
fn mostly_utf8(head: &[u8]) -> bool {
    let (mut valid, mut invalid) = (0usize, 0usize);
    for chunk in head.utf8_chunks() {
        valid += chunk.valid().chars().filter(|c| !c.is_ascii()).count();
        invalid += usize::from(!chunk.invalid().is_empty());
    }
    valid > invalid
}

/// The text of the sample (`head` without its byte-order mark), decoded for
/// sniffing only, from line `header_row` on.
pub(crate) fn sample_text(head: &[u8], encoding: Charset, header_row: usize) -> Cow<'_, [u8]> {
    let text: Cow<'_, [u8]> = if encoding.is_utf8() {
        Cow::Borrowed(head)
    } else {
        match encoding.decode_lossy(head) {
            Cow::Borrowed(s) => Cow::Borrowed(s.as_bytes()),
            Cow::Owned(s) => Cow::Owned(s.into_bytes()),
        }
    };
    let skip = Preamble::new(header_row.saturating_sub(1) as u64).consume(&text);
    match text {
        Cow::Borrowed(t) => Cow::Borrowed(t.get(skip..).unwrap_or_default()),
        Cow::Owned(mut t) => {
            t.drain(..skip.min(t.len()));
            Cow::Owned(t)
        }
    }
}

/// The delimiter sniffed from a sample.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Sniffed {
    pub(crate) delimiter: u8,
    /// The line (1-based, within the sample) of the first record with the
    /// usual field count when all records before it have a single field (a
    /// title preamble); else the line of the first record.
    pub(crate) header_line: u64,
}

/// The candidate of [`DELIMITERS`] whose records (up to [`SNIFF_RECORDS`])
/// most often share one field count greater than 1; ties go to the earlier
/// candidate (`,` first). `None` when no candidate splits the records.
/// `complete` says `text` is the whole file (else its last record may be cut
/// and is ignored).
pub(crate) fn sniff_delimiter(text: &[u8], complete: bool) -> Option<Sniffed> {
    let mut best: Option<(usize, Sniffed)> = None;
    for delimiter in DELIMITERS {
        let records = records(text, delimiter, complete);
        let Some((count, hits)) = modal_count(&records) else {
            continue;
        };
        if count < 2 || best.is_some_and(|(h, _)| h >= hits) {
            continue;
        }
        let first = records.iter().position(|&(_, n)| n == count).unwrap_or(0);
        let preamble = records.iter().take(first).all(|&(_, n)| n == 1);
        let header = if preamble { first } else { 0 };
        let header_line = records.get(header).map_or(1, |&(line, _)| line);
        best = Some((
            hits,
            Sniffed {
                delimiter,
                header_line,
            },
        ));
    }
    best.map(|(_, s)| s)
}

/// The (line, field count) of the first records of `text`.
fn records(text: &[u8], delimiter: u8, complete: bool) -> Vec<(u64, usize)> {
    let mut lines = LineIndex::default();
    lines.scan(text);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text);
    let mut record = csv::ByteRecord::new();
    let mut out = Vec::new();
    while out.len() <= SNIFF_RECORDS {
        match reader.read_byte_record(&mut record) {
            Ok(true) => {
                let start = record.position().map_or(0, |p| p.byte());
                out.push((lines.line_at(start), record.len()));
            }
            Ok(false) | Err(_) => break,
        }
    }
    let cut = out.len() > SNIFF_RECORDS || !complete;
    if cut && out.len() > 1 {
        out.pop();
    }
    out
}

/// The most frequent field count and how many records have it (ties: the
/// larger count).
fn modal_count(records: &[(u64, usize)]) -> Option<(usize, usize)> {
    let mut counts: Vec<(usize, usize)> = Vec::new();
    for &(_, n) in records {
        match counts.iter_mut().find(|(c, _)| *c == n) {
            Some((_, hits)) => *hits += 1,
            None => counts.push((n, 1)),
        }
    }
    counts.into_iter().max_by_key(|&(n, hits)| (hits, n))
}

#[cfg(test)]
mod tests {
    use super::*;
    use encoding_rs::{UTF_16BE, UTF_16LE, WINDOWS_1251, WINDOWS_1252};

    fn detect(head: &[u8]) -> (&'static str, usize) {
        let e = resolve_encoding(Path::new("f.csv"), None, head, true).expect("detect");
        assert!(e.detected);
        match e.encoding {
            Charset::Standard(encoding) => (encoding.name(), e.bom_len),
            other => panic!("detected {other:?}"),
        }
    }

    #[test]
    fn detects_boms_utf8_and_legacy_encodings() {
        assert_eq!(detect(b"\xEF\xBB\xBFa"), ("UTF-8", 3));
        assert_eq!(detect(b"\xFF\xFEa\x00"), ("UTF-16LE", 2));
        assert_eq!(detect(b"\xFE\xFF\x00a"), ("UTF-16BE", 2));
        assert_eq!(detect("a,é\n".as_bytes()), ("UTF-8", 0));
        assert_eq!(detect(b""), ("UTF-8", 0));
        let (cyrillic, _, _) =
            WINDOWS_1251.encode("Имя;Город\nИван;Москва\nПётр;Санкт-Петербург\n");
        assert_eq!(detect(&cyrillic), ("windows-1251", 0));
        let (latin, _, _) = WINDOWS_1252.encode("name,price\nCafé crème,3 €\nthé glacé,4 €\n");
        assert_eq!(detect(&latin), ("windows-1252", 0));
        // UTF-8 with a stray corrupt byte stays UTF-8.
        assert_eq!(detect(b"\xc3\xa9,\xc3\xbc,\xff,\xc3\xb6").0, "UTF-8");
        assert_eq!(detect(b"caf\xc3\xa9,\xff,x\xfe"), ("windows-1252", 0));
        // A character cut by the end of a partial sample is still UTF-8.
        let e = resolve_encoding(Path::new("f"), None, b"a\xc3", false).expect("ok");
        assert_eq!(e.encoding, Charset::UTF8);
    }

    #[test]
    fn declared_encodings_and_their_boms() {
        let declared = |label: &str, head: &[u8]| {
            resolve_encoding(Path::new("f"), Some(label), head, true).map(|e| {
                let encoding = match e.encoding {
                    Charset::Standard(encoding) => encoding,
                    _ => UTF_8,
                };
                (encoding, e.bom_len, e.detected, e.name())
            })
        };
        assert_eq!(
            declared("latin1", b"").ok(),
            Some((WINDOWS_1252, 0, false, "windows-1252".into()))
        );
        assert_eq!(
            declared("ISO-8859-1", b"").ok().map(|e| e.0),
            Some(WINDOWS_1252)
        );
        // cxm's own: CP850 and the mixed windows-1252+cp850.
        for (label, name) in [
            ("cp850", "cp850"),
            ("IBM850", "cp850"),
            ("windows-1252+cp850", "windows-1252+cp850"),
        ] {
            let e = resolve_encoding(Path::new("f"), Some(label), b"", true).expect(label);
            assert_eq!((e.name().as_str(), e.detected), (name, false));
        }
        assert_eq!(
            declared(" utf-16le ", b"\xFF\xFEa\x00").ok().map(|e| e.1),
            Some(2)
        );
        assert_eq!(
            declared("utf-16be", b"\xFE\xFF").ok().map(|e| (e.0, e.1)),
            Some((UTF_16BE, 2))
        );
        // A BOM of another encoding is left in place.
        assert_eq!(
            declared("utf-16le", b"\xEF\xBB\xBFa")
                .ok()
                .map(|e| (e.0, e.1)),
            Some((UTF_16LE, 0))
        );
        let err = declared("klingon", b"").expect_err("unknown");
        assert!(
            err.to_string()
                .starts_with("f: unknown encoding \"klingon\""),
            "{err}"
        );
    }

    #[test]
    fn sniffs_delimiters_honouring_quotes() {
        let sniff = |t: &str| {
            sniff_delimiter(t.as_bytes(), true).map(|s| (char::from(s.delimiter), s.header_line))
        };
        assert_eq!(sniff("a;b;c\n1,5;2;3\n4;5,5;6\n"), Some((';', 1)));
        assert_eq!(sniff("a\tb\n1,2\t3\n"), Some(('\t', 1)));
        assert_eq!(sniff("a|b|c\n\"x|y\"|2|3\n"), Some(('|', 1)));
        assert_eq!(sniff("a,b\n\"1;2;3\",4\n5,6\n"), Some((',', 1)));
        // Ties go to the comma.
        assert_eq!(sniff("a,b;c\n1,2;3\n"), Some((',', 1)));
        assert_eq!(sniff("single\ncolumn\n"), None);
        // Title lines above the header.
        assert_eq!(sniff("Sales export\n\nid;name\n1;a\n2;b\n"), Some((';', 3)));
        // An incomplete sample ignores its cut last record.
        assert_eq!(
            sniff_delimiter(b"a;b\n1;2\n3;4\n5,6,7,8,9", false).map(|s| s.delimiter),
            Some(b';')
        );
    }

    #[test]
    fn sample_text_skips_the_preamble() {
        assert_eq!(&*sample_text(b"x\r\ny\nh\n", Charset::UTF8, 3), b"h\n");
        let (bytes, _, _) = WINDOWS_1251.encode("п\nя;б\n");
        assert_eq!(
            &*sample_text(&bytes, Charset::Standard(WINDOWS_1251), 2),
            "я;б\n".as_bytes()
        );
        assert_eq!(
            &*sample_text(b"a\n\x82t\x82;b\n", Charset::Cp850, 2),
            "été;b\n".as_bytes()
        );
    }
}
