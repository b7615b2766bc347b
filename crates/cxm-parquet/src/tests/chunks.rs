//! Tests of [`ParquetChunks`]: its batches are identical to [`ParquetSource`]'s (the text
//! path) cell by cell, whatever the order or thread its chunks are parsed in; its digest
//! and errors are the same.

use cxm_ingest::{ChunkedSource, SourceDigest};

use super::fixture::{equivalence_file, GROUP_ROWS, ROWS};
use super::*;
use cxm_arrow::Conversion;

/// Every column of the file mapped to every field type, as `<column>:<type>`.
fn every_mapping(columns: &[&str]) -> Vec<FieldSpec> {
    columns
        .iter()
        .flat_map(|c| {
            FieldType::ALL
                .into_iter()
                .map(move |ty| FieldSpec::new(format!("{c}:{ty}"), *c, ty))
        })
        .collect()
}

fn strings_of(values: &[&str]) -> Vec<String> {
    values.iter().map(|v| (*v).to_owned()).collect()
}

/// Batches of the text path.
fn text_path(path: &Path, fields: &[FieldSpec], nulls: &[String], zone: Zone) -> Vec<Batch> {
    let source = ParquetSource::open(path, fields.to_vec(), nulls, zone, 5).unwrap();
    read_all(source).0
}

/// Every chunk of `source`, in order.
fn all_chunks(source: &mut ParquetChunks) -> Vec<Box<dyn cxm_ingest::Chunk>> {
    let mut chunks = Vec::new();
    while let Some(chunk) = source.next_chunk().unwrap() {
        chunks.push(chunk);
    }
    chunks
}

/// Parses one chunk, checking its summary.
fn parse(chunk: Box<dyn cxm_ingest::Chunk>) -> Vec<Batch> {
    let mut batches = Vec::new();
    let summary = chunk.parse(&mut |b| batches.push(b)).unwrap();
    assert_eq!((summary.lines, summary.records), (0, 0));
    assert!(summary.rest.is_none());
    batches
}

/// Batches of every chunk, parsed in order on this thread.
fn chunked(source: &mut ParquetChunks) -> Vec<Batch> {
    assert_eq!(source.first_line(), 0);
    all_chunks(source).into_iter().flat_map(parse).collect()
}

/// (batch, row) of every row of `batches`, in order.
fn rows(batches: &[Batch]) -> Vec<(usize, usize)> {
    batches
        .iter()
        .enumerate()
        .flat_map(|(b, batch)| (0..batch.num_rows()).map(move |r| (b, r)))
        .collect()
}

/// (line, field, value, reason) of every cell error, checking each points at its row.
fn errors(batches: &[Batch]) -> Vec<(u64, usize, String, CellErrorReason)> {
    let mut all = Vec::new();
    for batch in batches {
        for e in &batch.cell_errors {
            assert_eq!(batch.lines[e.row], e.line);
            all.push((e.line, e.field, e.value.clone(), e.reason));
        }
    }
    all
}

/// Asserts two sequences of batches hold the same rows, lines, values (type and bits),
/// raw text and cell errors, whatever their batch boundaries.
fn assert_same(want: &[Batch], got: &[Batch], fields: &[FieldSpec], context: &str) {
    let (want_rows, got_rows) = (rows(want), rows(got));
    assert_eq!(want_rows.len(), got_rows.len(), "{context}: rows");
    assert_eq!(errors(want), errors(got), "{context}: cell errors");
    let mut raw = Vec::new();
    for (&(wb, wr), &(gb, gr)) in want_rows.iter().zip(&got_rows) {
        let (w, g) = (&want[wb], &got[gb]);
        assert_eq!(w.lines[wr], g.lines[gr], "{context}: line");
        for (f, field) in fields.iter().enumerate() {
            let at = format!("{context}: line {} field {}", w.lines[wr], field.name);
            let (wc, gc) = (&w.columns[f], &g.columns[f]);
            assert_eq!(wc.data_type(), gc.data_type(), "{at}");
            assert_eq!(&*wc.slice(wr, 1), &*gc.slice(gr, 1), "{at}");
            let text = w.raw_value(wr, f);
            assert_eq!(text, g.raw_value(gr, f), "{at}: raw");
            assert!(g.raw_into(gr, f, &mut raw));
            assert_eq!(raw, text.as_bytes(), "{at}: raw_into");
        }
    }
}

#[test]
fn fast_paths_give_the_text_paths_batches() {
    let dir = TempDir::new().unwrap();
    let (path, columns) = equivalence_file(&dir);
    let fields = every_mapping(&columns);
    let plus_530 = Zone::Fixed(FixedOffset::east_opt(5 * 3600 + 1800).unwrap());
    let berlin: Zone = "Europe/Berlin".parse().unwrap();
    let null_sets = [
        strings_of(&[""]),
        strings_of(&["", "NA"]),
        strings_of(&["0", "NA", " "]),
        strings_of(&[
            "NaN",
            "true",
            "-1",
            " inf ",
            "18446744073709551615",
            "-0",
            "127",
            "2025-03-01",
            "7.0",
            "+5",
        ]),
        Vec::new(),
    ];
    for nulls in &null_sets {
        for zone in [Zone::Utc, berlin, plus_530] {
            let context = format!("nulls {nulls:?}, zone {zone}");
            let want = text_path(&path, &fields, nulls, zone);
            let mut source = ParquetChunks::open(&path, fields.clone(), nulls, zone, 3).unwrap();
            let fast = source
                .conversions()
                .iter()
                .filter(|c| **c != Conversion::Text)
                .count();
            // Every integer, f64, string, boolean, timestamp and date32 column has some,
            // except timestamps and dates when a null value looks like a date.
            let temporal_nulls = nulls.iter().any(|n| n.starts_with("2025"));
            assert_eq!(fast, if temporal_nulls { 24 } else { 42 }, "{context}");
            let got = chunked(&mut source);
            // Batches of at most 3 rows that never span two row groups.
            let batches: usize = (0..ROWS.div_ceil(GROUP_ROWS))
                .map(|g| GROUP_ROWS.min(ROWS - g * GROUP_ROWS).div_ceil(3))
                .sum();
            assert_eq!(got.len(), batches, "{context}");
            assert_same(&want, &got, &fields, &context);
        }
    }
}

#[test]
fn declared_formats_take_the_text_path() {
    let dir = TempDir::new().unwrap();
    let (path, _) = equivalence_file(&dir);
    let fields = vec![
        FieldSpec::new("a", "ts_us", FieldType::Datetime).with_format("%Y-%m-%d %H:%M:%S%.f"),
        FieldSpec::new("b", "day", FieldType::Date).with_format("iso"),
        FieldSpec::new("c", "ts_ms", FieldType::Datetime),
    ];
    let nulls = strings_of(&[""]);
    let want = text_path(&path, &fields, &nulls, Zone::Utc);
    let mut source = ParquetChunks::open(&path, fields.clone(), &nulls, Zone::Utc, 4).unwrap();
    assert_eq!(
        source.conversions(),
        [
            Conversion::Text,
            Conversion::Text,
            Conversion::TimestampToDatetime
        ]
    );
    assert_same(&want, &chunked(&mut source), &fields, "formats");
}

#[test]
fn chunks_parse_alike_on_any_thread_in_any_order() {
    let dir = TempDir::new().unwrap();
    let (path, columns) = equivalence_file(&dir);
    let fields = every_mapping(&columns);
    let nulls = strings_of(&["", "NA"]);
    let berlin: Zone = "Europe/Berlin".parse().unwrap();
    let open = || ParquetChunks::open(&path, fields.clone(), &nulls, berlin, 4).unwrap();
    let in_order = chunked(&mut open());
    let mut chunks: Vec<_> = all_chunks(&mut open()).into_iter().enumerate().collect();
    chunks.reverse();
    let mut parsed: Vec<(usize, Vec<Batch>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = chunks
            .into_iter()
            .map(|(i, chunk)| scope.spawn(move || (i, parse(chunk))))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(
        parsed.first().map(|(i, _)| *i),
        Some(ROWS.div_ceil(GROUP_ROWS) - 1)
    );
    parsed.sort_by_key(|(i, _)| *i);
    let reassembled: Vec<Batch> = parsed.into_iter().flat_map(|(_, b)| b).collect();
    assert_same(&in_order, &reassembled, &fields, "threads");
    let lines: Vec<u64> = reassembled.iter().flat_map(|b| b.lines.clone()).collect();
    assert_eq!(lines, (1..=ROWS as u64).collect::<Vec<_>>());
}

#[test]
fn digest_is_the_files_hashed_while_chunks_are_handed_out() {
    let dir = TempDir::new().unwrap();
    let (path, _) = equivalence_file(&dir);
    let fields = vec![FieldSpec::new("n", "i8", FieldType::Integer)];
    let nulls = strings_of(&[""]);
    let mut source = ParquetChunks::open(&path, fields.clone(), &nulls, Zone::Utc, 10).unwrap();
    let total = std::fs::metadata(&path).unwrap().len();
    assert_eq!(source.total_bytes(), Some(total));
    assert_eq!(source.total_rows(), ROWS as u64);
    assert_eq!(source.row_groups(), ROWS.div_ceil(GROUP_ROWS));
    assert_eq!(source.bytes_read(), 0);
    let mut progress = Vec::new();
    while source.next_chunk().unwrap().is_some() {
        progress.push(source.bytes_read());
    }
    let groups = ROWS.div_ceil(GROUP_ROWS) as u64;
    let want: Vec<u64> = (1..=groups).map(|k| total * k / groups).collect();
    assert_eq!(progress, want);
    let digest = Box::new(source).finish().unwrap();
    let text = ParquetSource::open(&path, fields, &nulls, Zone::Utc, 10).unwrap();
    let stats = Box::new(text).finish().unwrap();
    let sha: String = Sha256::digest(std::fs::read(&path).unwrap())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(
        digest,
        SourceDigest {
            bytes: total,
            sha256: sha
        }
    );
    assert_eq!((stats.bytes, stats.sha256), (digest.bytes, digest.sha256));

    // Finishing before the last chunk hashes the rest.
    let mut early = ParquetChunks::open(&path, vec![], &nulls, Zone::Utc, 10).unwrap();
    assert!(early.next_chunk().unwrap().is_some());
    assert_eq!(early.bytes_read(), total / groups);
    assert_eq!(Box::new(early).finish().unwrap().bytes, total);
}

#[test]
fn open_errors_are_the_text_paths() {
    let dir = TempDir::new().unwrap();
    let path = all_types(&dir);
    let garbage = dir.path().join("garbage.parquet");
    std::fs::write(&garbage, b"PAR1 not really").unwrap();
    let empty = dir.path().join("empty.parquet");
    std::fs::write(&empty, b"").unwrap();
    let nulls = strings_of(&[""]);
    let string = |c: &str| FieldSpec::new(c, c, FieldType::String);
    let cases = [
        (
            path.clone(),
            vec![string("name"), string("nope"), string("gone")],
        ),
        (path.clone(), vec![string("tags")]),
        (
            path.clone(),
            vec![
                string("name"),
                FieldSpec::new("name", "region", FieldType::String),
            ],
        ),
        (
            path.clone(),
            vec![FieldSpec::new("d", "day", FieldType::Date).with_format("%Q")],
        ),
        (garbage, vec![string("name")]),
        (empty, vec![string("name")]),
        (dir.path().join("absent.parquet"), vec![string("name")]),
    ];
    for (file, fields) in cases {
        let want = ParquetSource::open(&file, fields.clone(), &nulls, Zone::Utc, 10).unwrap_err();
        let got = ParquetChunks::open(&file, fields, &nulls, Zone::Utc, 10).unwrap_err();
        assert_eq!(got.to_string(), want.to_string());
        assert_eq!(
            std::mem::discriminant(&got),
            std::mem::discriminant(&want),
            "{got:?}"
        );
    }
}

#[test]
fn undecodable_row_groups_are_errors_at_their_first_row() {
    let dir = TempDir::new().unwrap();
    let path = all_types(&dir);
    let mut bytes = std::fs::read(&path).unwrap();
    for b in bytes.iter_mut().skip(4).take(200) {
        *b = 0xAB;
    }
    std::fs::write(&path, bytes).unwrap();
    let mut source =
        ParquetChunks::open(&path, specs(), &strings_of(&[""]), Zone::Utc, 10).unwrap();
    let chunk = source.next_chunk().unwrap().unwrap();
    let err = chunk.parse(&mut |_| {}).unwrap_err();
    assert!(
        matches!(err, IngestError::Source { line: Some(1), .. }),
        "{err:?}"
    );
    let message = err.to_string();
    let prefix = format!("{}:1: cannot decode Parquet data: ", path.display());
    assert!(message.starts_with(&prefix), "{message}");
}
