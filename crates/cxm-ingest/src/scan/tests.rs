//! Tests of the chunk scanner: hand cases with exact spans and lines, every Dirty
//! condition, block boundaries, and differential tests against the `csv` crate.

use super::classify::{classify, classify_scalar, prefix_xor, BlockMasks, BLOCK};
use super::*;

/// An owned copy of a visited record.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Rec {
    start: usize,
    end: usize,
    line: u64,
    fields: Vec<(u32, u32)>,
}

fn rec(start: usize, end: usize, line: u64, fields: &[(u32, u32)]) -> Rec {
    Rec {
        start,
        end,
        line,
        fields: fields.to_vec(),
    }
}

/// Scans with every classifier this CPU has; all must visit the same records and give the
/// same summary or the same Dirty offset.
fn scan(chunk: &[u8], delimiter: u8, at_eof: bool) -> Result<(Vec<Rec>, ScanSummary), Dirty> {
    let with = |simd: Simd| {
        let mut records = Vec::new();
        let summary = scan_chunk_with(
            chunk,
            delimiter,
            at_eof,
            &mut |r: &RecordRef<'_>| {
                records.push(Rec {
                    start: r.start,
                    end: r.end,
                    line: r.line,
                    fields: r.fields.to_vec(),
                });
            },
            simd,
        );
        summary.map(|s| (records, s))
    };
    let baseline = with(Simd::Baseline);
    if Simd::best() == Simd::Avx512 {
        assert_eq!(
            with(Simd::Avx512),
            baseline,
            "AVX-512 and baseline scans differ"
        );
    }
    baseline
}

fn summary(lines: u64, records: u64) -> ScanSummary {
    ScanSummary { lines, records }
}

/// The unescaped fields of `record`.
fn texts(chunk: &[u8], record: &Rec) -> Vec<Vec<u8>> {
    let mut scratch = Vec::new();
    record
        .fields
        .iter()
        .map(|&(start, end)| {
            field_text(&chunk[start as usize..end as usize], &mut scratch).to_vec()
        })
        .collect()
}

fn dirty(chunk: &[u8], delimiter: u8, at_eof: bool) -> Option<usize> {
    scan(chunk, delimiter, at_eof).err().map(|d| d.offset)
}

#[test]
fn simple_records() {
    let chunk = b"a,b\nc,d\n";
    let (records, sum) = scan(chunk, b',', false).unwrap();
    assert_eq!(
        records,
        vec![
            rec(0, 3, 0, &[(0, 1), (2, 3)]),
            rec(4, 7, 1, &[(4, 5), (6, 7)])
        ]
    );
    assert_eq!(sum, summary(2, 2));
}

#[test]
fn quoted_field_with_delimiter() {
    let chunk = b"\"a,b\",c\n";
    let (records, sum) = scan(chunk, b',', false).unwrap();
    assert_eq!(records, vec![rec(0, 7, 0, &[(0, 5), (6, 7)])]);
    assert_eq!(
        texts(chunk, &records[0]),
        vec![b"a,b".to_vec(), b"c".to_vec()]
    );
    assert_eq!(sum, summary(1, 1));
}

#[test]
fn quoted_newline_moves_the_next_line() {
    let chunk = b"\"x\ny\",1\nz\n";
    let (records, sum) = scan(chunk, b',', false).unwrap();
    assert_eq!(
        records,
        vec![rec(0, 7, 0, &[(0, 5), (6, 7)]), rec(8, 9, 2, &[(8, 9)])]
    );
    assert_eq!(texts(chunk, &records[0])[0], b"x\ny".to_vec());
    assert_eq!(sum, summary(3, 2));
}

#[test]
fn carriage_returns_inside_quotes_are_content_and_line_breaks() {
    // Lone `\r` inside quotes: one break; `\r\n` inside quotes: one break.
    let chunk = b"\"a\rb\",c\n\"d\r\ne\"\nf\n";
    let (records, sum) = scan(chunk, b',', false).unwrap();
    assert_eq!(
        records,
        vec![
            rec(0, 7, 0, &[(0, 5), (6, 7)]),
            rec(8, 14, 2, &[(8, 14)]),
            rec(15, 16, 4, &[(15, 16)]),
        ]
    );
    assert_eq!(texts(chunk, &records[1])[0], b"d\r\ne".to_vec());
    assert_eq!(sum, summary(5, 3));
}

#[test]
fn escaped_quotes_and_field_text() {
    let chunk = b"\"say \"\"hi\"\"\",\"\",\"\"\"\",\"ab\",x\n";
    let (records, _) = scan(chunk, b',', false).unwrap();
    assert_eq!(
        records,
        vec![rec(
            0,
            27,
            0,
            &[(0, 12), (13, 15), (16, 20), (21, 25), (26, 27)]
        )]
    );
    assert_eq!(
        texts(chunk, &records[0]),
        vec![
            b"say \"hi\"".to_vec(),
            Vec::new(),
            b"\"".to_vec(),
            b"ab".to_vec(),
            b"x".to_vec()
        ]
    );
}

#[test]
fn field_text_borrows_unless_unescaping() {
    let mut scratch = b"untouched".to_vec();
    let raw: &[u8] = b"plain";
    assert!(std::ptr::eq(field_text(raw, &mut scratch), raw));
    let quoted: &[u8] = b"\"in\"";
    assert!(std::ptr::eq(
        field_text(quoted, &mut scratch),
        &quoted[1..3]
    ));
    assert_eq!(scratch, b"untouched");
    assert_eq!(field_text(b"\"a\"\"\"\"b\"", &mut scratch), b"a\"\"b");
    assert_eq!(field_text(b"\"", &mut scratch), b"\"");
    assert_eq!(field_text(b"", &mut scratch), b"");
}

#[test]
fn crlf_terminators() {
    let chunk = b"a,b\r\n\"q\"\r\nc\r\n";
    let (records, sum) = scan(chunk, b',', false).unwrap();
    assert_eq!(
        records,
        vec![
            rec(0, 3, 0, &[(0, 1), (2, 3)]),
            rec(5, 8, 1, &[(5, 8)]),
            rec(10, 11, 2, &[(10, 11)]),
        ]
    );
    assert_eq!(sum, summary(3, 3));
}

#[test]
fn blank_lines_are_skipped_but_counted() {
    let (records, sum) = scan(b"a\n\n\nb", b',', true).unwrap();
    assert_eq!(
        records,
        vec![rec(0, 1, 0, &[(0, 1)]), rec(4, 5, 3, &[(4, 5)])]
    );
    assert_eq!(sum, summary(3, 2));

    let (records, sum) = scan(b"\r\n\n\r\na\r\n\r\n", b',', false).unwrap();
    assert_eq!(records, vec![rec(5, 6, 3, &[(5, 6)])]);
    assert_eq!(sum, summary(5, 1));

    let (records, sum) = scan(b"\n\n", b',', false).unwrap();
    assert_eq!(records, vec![]);
    assert_eq!(sum, summary(2, 0));

    let (records, sum) = scan(b"", b',', false).unwrap();
    assert_eq!(records, vec![]);
    assert_eq!(sum, summary(0, 0));
}

#[test]
fn lines_of_spaces_and_lone_delimiters_are_records() {
    let (records, _) = scan(b"  \n,\n\"\"\n", b',', false).unwrap();
    assert_eq!(
        records,
        vec![
            rec(0, 2, 0, &[(0, 2)]),
            rec(3, 4, 1, &[(3, 3), (4, 4)]),
            rec(5, 7, 2, &[(5, 7)]),
        ]
    );
}

#[test]
fn last_record_without_terminator_at_eof() {
    let (records, sum) = scan(b"a,b\nc,", b',', true).unwrap();
    assert_eq!(
        records,
        vec![
            rec(0, 3, 0, &[(0, 1), (2, 3)]),
            rec(4, 6, 1, &[(4, 5), (6, 6)])
        ]
    );
    assert_eq!(sum, summary(1, 2));

    let (records, _) = scan(b"x,\"y\"", b',', true).unwrap();
    assert_eq!(records, vec![rec(0, 5, 0, &[(0, 1), (2, 5)])]);
}

#[test]
fn other_delimiters_including_nul() {
    let (records, _) = scan(b"a;b,c\n", b';', false).unwrap();
    assert_eq!(records, vec![rec(0, 5, 0, &[(0, 1), (2, 5)])]);
    // The padding of the last partial block is NUL: it must not count as delimiters.
    let (records, _) = scan(b"a\0b", 0, true).unwrap();
    assert_eq!(records, vec![rec(0, 3, 0, &[(0, 1), (2, 3)])]);
}

/// `n` bytes of `a`.
fn filler(n: usize) -> Vec<u8> {
    vec![b'a'; n]
}

fn concat(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

#[test]
fn fields_straddling_block_boundaries() {
    // A field from byte 61 to 69, across the 64-byte boundary.
    let chunk = concat(&[&filler(60), b",bbbbbbbb\nc\n"]);
    let (records, sum) = scan(&chunk, b',', false).unwrap();
    assert_eq!(
        records,
        vec![
            rec(0, 69, 0, &[(0, 60), (61, 69)]),
            rec(70, 71, 1, &[(70, 71)])
        ]
    );
    assert_eq!(sum, summary(2, 2));

    // Opening quote at byte 63, closing quote at 65.
    let chunk = concat(&[&filler(62), b",\"x\"\n"]);
    let (records, _) = scan(&chunk, b',', false).unwrap();
    assert_eq!(records, vec![rec(0, 66, 0, &[(0, 62), (63, 66)])]);

    // Delimiter at 63, opening quote at 64 (the separator is carried across blocks).
    let chunk = concat(&[&filler(63), b",\"y,\"\n"]);
    let (records, _) = scan(&chunk, b',', false).unwrap();
    assert_eq!(records, vec![rec(0, 68, 0, &[(0, 63), (64, 68)])]);

    // Closing quote at 63, delimiter at 64.
    let chunk = concat(&[b"\"", &filler(62), b"\",z\n"]);
    let (records, _) = scan(&chunk, b',', false).unwrap();
    assert_eq!(records, vec![rec(0, 66, 0, &[(0, 64), (65, 66)])]);

    // A `""` escape split by the boundary: quotes at 63 and 64.
    let chunk = concat(&[b"\"", &filler(62), b"\"\"b\"\n"]);
    let (records, _) = scan(&chunk, b',', false).unwrap();
    assert_eq!(records, vec![rec(0, 67, 0, &[(0, 67)])]);
    let mut expected = filler(62);
    expected.extend_from_slice(b"\"b");
    assert_eq!(texts(&chunk, &records[0]), vec![expected]);

    // `\r` at 63 and `\n` at 64: one break, the `\r` is not part of the field.
    let chunk = concat(&[&filler(63), b"\r\nq\n"]);
    let (records, sum) = scan(&chunk, b',', false).unwrap();
    assert_eq!(
        records,
        vec![rec(0, 63, 0, &[(0, 63)]), rec(65, 66, 1, &[(65, 66)])]
    );
    assert_eq!(sum, summary(2, 2));

    // A quoted field holding line breaks over three blocks.
    let chunk = concat(&[b"\"", &filler(70), b"\n\n", &filler(70), b"\"\nend\n"]);
    let (records, sum) = scan(&chunk, b',', false).unwrap();
    assert_eq!(
        records,
        vec![rec(0, 144, 0, &[(0, 144)]), rec(145, 148, 3, &[(145, 148)])]
    );
    assert_eq!(sum, summary(4, 2));
}

#[test]
fn exactly_one_block_and_empty_tail() {
    let chunk = concat(&[&filler(62), b",\n"]);
    assert_eq!(chunk.len(), BLOCK);
    let (records, sum) = scan(&chunk, b',', false).unwrap();
    assert_eq!(records, vec![rec(0, 63, 0, &[(0, 62), (63, 63)])]);
    assert_eq!(sum, summary(1, 1));
    // Ending on a closing quote exactly at the end of a block, at eof.
    let chunk = concat(&[b"\"", &filler(62), b"\""]);
    let (records, _) = scan(&chunk, b',', true).unwrap();
    assert_eq!(records, vec![rec(0, 64, 0, &[(0, 64)])]);
}

#[test]
fn quote_inside_an_unquoted_field_is_dirty() {
    assert_eq!(dirty(b"ab\"c\n", b',', false), Some(2));
    assert_eq!(dirty(b"x, \"y\"\n", b',', false), Some(3));
    assert_eq!(dirty(b"ok\nab\"c\"\n", b',', false), Some(5));
    let chunk = concat(&[&filler(64), b"\"x\"\n"]);
    assert_eq!(dirty(&chunk, b',', false), Some(64));
}

#[test]
fn text_after_a_closing_quote_is_dirty() {
    assert_eq!(dirty(b"\"ab\"c\n", b',', false), Some(4));
    assert_eq!(dirty(b"\"ab\" \n", b',', false), Some(4));
    assert_eq!(dirty(b"\"ab\"c", b',', true), Some(4));
    let chunk = concat(&[b"\"", &filler(62), b"\"x\n"]);
    assert_eq!(dirty(&chunk, b',', false), Some(64));
}

#[test]
fn lone_carriage_return_outside_quotes_is_dirty() {
    assert_eq!(dirty(b"a\rb\n", b',', false), Some(1));
    assert_eq!(dirty(b"a\r", b',', true), Some(1));
    assert_eq!(dirty(b"a\r\r\n", b',', false), Some(1));
    assert_eq!(dirty(b"\"a\"\rb\n", b',', false), Some(3));
    let chunk = concat(&[&filler(63), b"\rb\n"]);
    assert_eq!(dirty(&chunk, b',', false), Some(63));
    let chunk = concat(&[&filler(63), b"\r"]);
    assert_eq!(dirty(&chunk, b',', true), Some(63));
}

#[test]
fn ending_inside_quotes_is_dirty() {
    assert_eq!(dirty(b"x,\"abc", b',', true), Some(2));
    assert_eq!(dirty(b"x,\"abc\n", b',', false), Some(2));
    assert_eq!(dirty(b"\"a\"\"\n", b',', true), Some(0));
}

#[test]
fn chunk_not_ending_with_a_terminator_is_dirty_unless_at_eof() {
    assert_eq!(dirty(b"a,b", b',', false), Some(3));
    assert_eq!(dirty(b"a,b\nc,", b',', false), Some(6));
    assert_eq!(dirty(b"\"a\"", b',', false), Some(3));
    assert_eq!(dirty(b"a,b", b',', true), None);
}

#[test]
fn bom_and_unusable_delimiters_are_dirty() {
    assert_eq!(dirty(b"\xef\xbb\xbfa\n", b',', false), Some(0));
    // A BOM inside the chunk is ordinary content, for csv as well.
    let (records, _) = scan(b"a\n\xef\xbb\xbfb\n", b',', false).unwrap();
    assert_eq!(records[1], rec(2, 6, 1, &[(2, 6)]));
    for delimiter in [b'"', b'\n', b'\r'] {
        assert_eq!(dirty(b"a\n", delimiter, false), Some(0));
    }
}

#[test]
fn records_before_a_dirty_block_may_be_visited() {
    let chunk = concat(&[b"ok\n", &filler(64), b"a\"b\n"]);
    let mut seen = 0;
    let visit: &mut dyn FnMut(&RecordRef<'_>) = &mut |_| seen += 1;
    let result = scan_chunk(&chunk, b',', false, visit);
    assert_eq!(result, Err(Dirty { offset: 68 }));
    assert_eq!(seen, 1);
}

#[test]
fn prefix_xor_marks_bytes_after_odd_quote_counts() {
    assert_eq!(prefix_xor(0), 0);
    assert_eq!(prefix_xor(1), u64::MAX);
    assert_eq!(prefix_xor(0b1001), 0b0111);
    assert_eq!(prefix_xor(1 << 63), 1 << 63);
    assert_eq!(prefix_xor(0b1010_0110), 0b0110_0010);
}

/// A small deterministic xorshift64* generator.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

#[test]
fn classification_is_the_same_everywhere() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let alphabet = b"a,;\"\n\r \0\xc3\xa9";
    for round in 0..2000 {
        let mut block = [0u8; BLOCK];
        for byte in &mut block {
            *byte = if round % 2 == 0 {
                alphabet[rng.below(alphabet.len())]
            } else {
                rng.next() as u8
            };
        }
        for delimiter in [b',', b';', b'\t', 0, 0xc3] {
            let scalar = classify_scalar(&block, delimiter);
            assert_eq!(classify(&block, delimiter), scalar);
            #[cfg(target_arch = "x86_64")]
            if Simd::best() == Simd::Avx512 {
                // SAFETY: the CPU has AVX-512BW (checked just above).
                let avx512 = unsafe { super::classify::classify_avx512(&block, delimiter) };
                assert_eq!(avx512, scalar);
            }
            let expected =
                |needle: u8| (0..BLOCK).fold(0u64, |m, i| m | (u64::from(block[i] == needle) << i));
            assert_eq!(
                scalar,
                BlockMasks {
                    quote: expected(b'"'),
                    delimiter: expected(delimiter),
                    newline: expected(b'\n'),
                    carriage_return: expected(b'\r'),
                }
            );
        }
    }
}

/// Element `i` is the number of line breaks in `chunk[..i]` (`\n`, `\r\n` once, lone
/// `\r`), for `i` in `0..=chunk.len()`.
fn breaks_before(chunk: &[u8]) -> Vec<u64> {
    let mut out = Vec::with_capacity(chunk.len() + 1);
    let mut breaks = 0;
    out.push(0);
    for (i, &b) in chunk.iter().enumerate() {
        // Each break counted at its first byte: `\r\n` at the `\r`.
        breaks += u64::from(b == b'\r' || (b == b'\n' && (i == 0 || chunk[i - 1] != b'\r')));
        out.push(breaks);
    }
    out
}

/// What the `csv` crate reads from `chunk`: for each record, its line (0-based, where the
/// record really starts) and its fields.
fn csv_records(chunk: &[u8], delimiter: u8) -> Vec<(u64, Vec<Vec<u8>>)> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(chunk);
    let mut record = csv::ByteRecord::new();
    let mut out = Vec::new();
    let lines = breaks_before(chunk);
    while reader.read_byte_record(&mut record).unwrap() {
        let begun = record.position().unwrap().byte() as usize;
        let start = chunk[begun..]
            .iter()
            .position(|&b| b != b'\r' && b != b'\n')
            .map_or(chunk.len(), |i| begun + i);
        let fields = record.iter().map(<[u8]>::to_vec).collect();
        out.push((lines[start], fields));
    }
    out
}

/// Scans `chunk`; when Ok, asserts it equals what csv reads. Returns whether it was Ok.
fn check_against_csv(chunk: &[u8], delimiter: u8, at_eof: bool) -> bool {
    let Ok((records, sum)) = scan(chunk, delimiter, at_eof) else {
        return false;
    };
    let ours: Vec<(u64, Vec<Vec<u8>>)> =
        records.iter().map(|r| (r.line, texts(chunk, r))).collect();
    let theirs = csv_records(chunk, delimiter);
    assert_eq!(ours, theirs, "chunk {:?}", String::from_utf8_lossy(chunk));
    let lines = breaks_before(chunk);
    assert_eq!(sum, summary(lines[chunk.len()], theirs.len() as u64));
    for r in &records {
        assert_eq!(r.start, r.fields[0].0 as usize);
        assert_eq!(r.end, r.fields[r.fields.len() - 1].1 as usize);
        assert_eq!(r.line, lines[r.start]);
    }
    true
}

/// Random text: mostly `a`, delimiters, `\n`, spaces, `é` and the other delimiter, with
/// a quote at each byte with probability `quotes / 64` and a `\r` with `crs / 64`.
fn random_bytes(rng: &mut Rng, len: usize, delimiter: u8, quotes: usize, crs: usize) -> Vec<u8> {
    let other = if delimiter == b',' { b';' } else { b',' };
    let mut out = Vec::with_capacity(len + 2);
    while out.len() < len {
        let special = rng.below(64);
        if special < quotes {
            out.push(b'"');
            continue;
        }
        if special < quotes + crs {
            out.push(b'\r');
            continue;
        }
        match rng.below(14) {
            0..=4 => out.push(b'a'),
            5..=7 => out.push(delimiter),
            8..=9 => out.push(b'\n'),
            10 | 11 => out.push(b' '),
            12 => out.extend_from_slice("é".as_bytes()),
            _ => out.push(other),
        }
    }
    out
}

#[test]
fn random_inputs_match_csv_or_are_dirty() {
    let mut rng = Rng(0x0123_4567_89ab_cdef);
    let (mut cases, mut clean) = (0u32, 0u32);
    for _ in 0..40_000 {
        let delimiter = if rng.below(2) == 0 { b',' } else { b';' };
        let len = rng.below(300);
        let quotes = [0, 1, 2, 4, 8, 16][rng.below(6)];
        let crs = [0, 1, 2, 8][rng.below(4)];
        let mut chunk = random_bytes(&mut rng, len, delimiter, quotes, crs);
        let at_eof = rng.below(2) == 0;
        if !at_eof {
            chunk.push(b'\n');
        }
        cases += 1;
        clean += u32::from(check_against_csv(&chunk, delimiter, at_eof));
    }
    println!(
        "random inputs: {clean} of {cases} scanned, {:.1}% dirty",
        100.0 * f64::from(cases - clean) / f64::from(cases)
    );
    assert!(clean > 0);
}

#[test]
fn inputs_without_quotes_or_carriage_returns_are_never_dirty() {
    let mut rng = Rng(0xfeed_face_cafe_beef);
    for _ in 0..5_000 {
        let delimiter = if rng.below(2) == 0 { b',' } else { b';' };
        let len = rng.below(300);
        let mut chunk = random_bytes(&mut rng, len, delimiter, 0, 0);
        assert!(check_against_csv(&chunk, delimiter, true), "{chunk:?}");
        chunk.push(b'\n');
        assert!(check_against_csv(&chunk, delimiter, false), "{chunk:?}");
    }
}

/// Well-formed records: unquoted fields without quotes or line breaks, quoted fields
/// with delimiters, line breaks, `""` and lone `\r` inside; `\n` or `\r\n` terminators,
/// blank lines; at eof the last terminator may be missing.
fn well_formed(rng: &mut Rng, records: usize, delimiter: u8, at_eof: bool) -> Vec<u8> {
    let mut out = Vec::new();
    for index in 0..records {
        if rng.below(8) == 0 {
            out.extend_from_slice(if rng.below(2) == 0 { b"\n" } else { b"\r\n" });
        }
        for field in 0..1 + rng.below(5) {
            if field > 0 {
                out.push(delimiter);
            }
            let len = rng.below(12);
            if rng.below(2) == 0 {
                out.push(b'"');
                for _ in 0..len {
                    match rng.below(10) {
                        0 => out.push(delimiter),
                        1 => out.extend_from_slice(b"\"\""),
                        2 => out.push(b'\n'),
                        3 => out.extend_from_slice(b"\r\n"),
                        4 => out.push(b'\r'),
                        5 => out.extend_from_slice("é".as_bytes()),
                        6 => out.push(b' '),
                        _ => out.push(b'x'),
                    }
                }
                out.push(b'"');
            } else {
                for _ in 0..len {
                    match rng.below(6) {
                        0 => out.push(b' '),
                        1 => out.extend_from_slice("é".as_bytes()),
                        _ => out.push(b'y'),
                    }
                }
            }
        }
        let last = index + 1 == records;
        if !(last && at_eof && rng.below(2) == 0) {
            out.extend_from_slice(if rng.below(3) == 0 { b"\r\n" } else { b"\n" });
        }
    }
    out
}

#[test]
fn well_formed_quoted_inputs_are_never_dirty() {
    let mut rng = Rng(0x5eed_1234_abcd_0042);
    for _ in 0..5_000 {
        let delimiter = if rng.below(2) == 0 { b',' } else { b';' };
        let at_eof = rng.below(2) == 0;
        let records = rng.below(8);
        let chunk = well_formed(&mut rng, records, delimiter, at_eof);
        assert!(
            check_against_csv(&chunk, delimiter, at_eof),
            "{:?}",
            String::from_utf8_lossy(&chunk)
        );
    }
}

#[test]
fn mutated_well_formed_inputs_match_csv_or_are_dirty() {
    let mut rng = Rng(0x0dd_ba11_5ca1_ab1e);
    let (mut cases, mut clean) = (0u32, 0u32);
    for _ in 0..20_000 {
        let delimiter = if rng.below(2) == 0 { b',' } else { b';' };
        let at_eof = rng.below(2) == 0;
        let records = 1 + rng.below(8);
        let mut chunk = well_formed(&mut rng, records, delimiter, at_eof);
        if chunk.is_empty() {
            continue;
        }
        for _ in 0..1 + rng.below(2) {
            let at = rng.below(chunk.len());
            chunk[at] = b"\"\r\n, a"[rng.below(6)];
        }
        cases += 1;
        clean += u32::from(check_against_csv(&chunk, delimiter, at_eof));
    }
    println!(
        "mutated well-formed inputs: {clean} of {cases} scanned, {:.1}% dirty",
        100.0 * f64::from(cases - clean) / f64::from(cases)
    );
    assert!(clean > 0);
}

/// About `size` bytes of records shaped like the benchmark's survey file.
fn survey_like(size: usize) -> Vec<u8> {
    let mut rng = Rng(0xabad_1dea_0000_0001);
    let regions = ["Iberia", "North", "Central", "Benelux", "Nordics"];
    let comments = [
        "",
        "Checkout was smooth",
        "\"Delivery was late, again, and the refund took 3 weeks!\"",
        "\"The \"\"express\"\" option wasn't express, would buy again...\"",
        "\"Said \"\"tomorrow\"\", came in a week\"",
    ];
    let mut out = Vec::with_capacity(size + 200);
    let mut id = 0;
    while out.len() < size {
        id += 1;
        let nps = match rng.below(11) {
            10 => String::new(),
            n => n.to_string(),
        };
        let line = format!(
            "{id},C{:07},2024-01-01T00:{:02}:{:02},{},Pro,email,{nps},{},{},{}\n",
            rng.below(10_000_000),
            rng.below(60),
            rng.below(60),
            regions[rng.below(regions.len())],
            rng.below(5) + 1,
            rng.below(7) + 1,
            comments[rng.below(comments.len())],
        );
        out.extend_from_slice(line.as_bytes());
    }
    out
}

#[test]
fn a_large_survey_like_chunk_matches_csv() {
    let chunk = survey_like(1 << 20);
    assert!(check_against_csv(&chunk, b',', true));
    assert!(check_against_csv(&chunk, b',', false));
    let (records, sum) = scan(&chunk, b',', false).unwrap();
    assert_eq!(sum.lines, sum.records);
    assert!(records.iter().all(|r| r.fields.len() == 10));
}

/// Ends of pieces of `input` cut like the parallel reader does: just after the first `\n`
/// at least `target` bytes into the piece preceded by an even number of quotes since the
/// piece's start.
fn parity_splits(input: &[u8], target: usize) -> Vec<usize> {
    let mut ends = Vec::new();
    let (mut start, mut quotes) = (0, 0usize);
    for (i, &b) in input.iter().enumerate() {
        quotes += usize::from(b == b'"');
        if b == b'\n' && i + 1 >= start + target && quotes % 2 == 0 {
            ends.push(i + 1);
            (start, quotes) = (i + 1, 0);
        }
    }
    if start < input.len() {
        ends.push(input.len());
    }
    ends
}

/// Scans `input` in pieces ending at `ends`, numbering lines from the start of `input`
/// by adding up the pieces' [`ScanSummary::lines`].
fn scan_in_pieces(input: &[u8], ends: &[usize], delimiter: u8) -> Vec<(u64, Vec<Vec<u8>>)> {
    let (mut out, mut start, mut line_base) = (Vec::new(), 0, 0);
    for &end in ends {
        let piece = &input[start..end];
        let (records, sum) = scan(piece, delimiter, end == input.len()).unwrap();
        assert_eq!(sum.records, records.len() as u64);
        out.extend(
            records
                .iter()
                .map(|r| (line_base + r.line, texts(piece, r))),
        );
        line_base += sum.lines;
        start = end;
    }
    out
}

#[test]
fn pieces_cut_at_even_quote_parity_read_like_the_whole() {
    let mut rng = Rng(0x1357_9bdf_2468_ace0);
    for _ in 0..2_000 {
        let delimiter = if rng.below(2) == 0 { b',' } else { b';' };
        let records = rng.below(30);
        let input = well_formed(&mut rng, records, delimiter, true);
        let ends = parity_splits(&input, 1 + rng.below(100));
        assert_eq!(
            scan_in_pieces(&input, &ends, delimiter),
            csv_records(&input, delimiter),
            "{:?}",
            String::from_utf8_lossy(&input)
        );
    }
    let input = survey_like(1 << 20);
    let ends = parity_splits(&input, 64 << 10);
    assert_eq!(ends.len(), 16);
    assert_eq!(
        scan_in_pieces(&input, &ends, b','),
        csv_records(&input, b',')
    );
}
