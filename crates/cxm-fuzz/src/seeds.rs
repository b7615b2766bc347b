//! The seeds cases are mutated from, all small: prefixes of the repository's CSV exports
//! (`data/demo`, `data/saas`, `data/retail`) plus hand-written dialect corner cases; the
//! client configs, plugin registry and test fixtures (TOML); and NDJSON, Excel and Parquet
//! files made from the CSV prefixes (typed cells and columns, several sheets, inline
//! strings, formulas, several compressions, dictionaries and row groups).

use std::path::Path;
use std::sync::Arc;

use arrow_array::{ArrayRef, BooleanArray, Float64Array, Int64Array, RecordBatch, StringArray};
use arrow_array::{Date32Array, TimestampMicrosecondArray};
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::WriterProperties;

/// Seeds of every target.
#[derive(Debug, Default)]
pub struct Seeds {
    pub csv: Vec<Vec<u8>>,
    pub toml: Vec<Vec<u8>>,
    pub ndjson: Vec<Vec<u8>>,
    pub xlsx: Vec<Vec<u8>>,
    pub parquet: Vec<Vec<u8>>,
}

/// Bytes of a CSV export kept as a seed (cut at a line end).
const CSV_PREFIX: usize = 3000;

/// Hand-written CSV corner cases.
const CSV_EXTRA: &[&[u8]] = &[
    b"id;name;score\r\n1;\"a;b\";4,5\r\n2;\"multi\nline\";7\r\n",
    b"\xef\xbb\xbfid,when,ok\n1,2024-03-01T10:00:00Z,true\n2,01.03.2024,FALSE\n",
    b"\xff\xfei\x00d\x00,\x00x\x00\n\x001\x00,\x00a\x00\n\x00",
    b"name,city\ncaf\xe9,M\xfcnchen\n\"\"\"q\"\"\",\n",
    b"id\tv\r1\t2\r3\t4\r",
    b"Report\nGenerated 2024\nid,v\n1,2\n",
    b"a,b\n1,\"open\n2,3\n",
    b"a,b\n,\n\n\n1,2,3\n4\n",
];

/// Loads the seeds from the repository at `root`.
pub fn load(root: &Path) -> Seeds {
    let mut seeds = Seeds::default();
    let mut tables = Vec::new();
    for dir in ["data/demo", "data/saas", "data/retail"] {
        for path in files(&root.join(dir), "csv") {
            let Ok(bytes) = std::fs::read(&path) else {
                continue;
            };
            let cut = bytes[..bytes.len().min(CSV_PREFIX)]
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(bytes.len().min(CSV_PREFIX), |p| p + 1);
            let prefix = bytes[..cut].to_vec();
            if let Some(table) = Table::parse(&prefix) {
                tables.push(table);
            }
            seeds.csv.push(prefix);
        }
    }
    seeds.csv.extend(CSV_EXTRA.iter().map(|b| b.to_vec()));
    for (dir, ext) in [
        ("config/clients", "toml"),
        ("config", "toml"),
        ("config/benchmarks", "toml"),
        ("tests/fixtures", "toml"),
        ("bench/config", "toml"),
    ] {
        for path in files(&root.join(dir), ext) {
            if let Ok(bytes) = std::fs::read(&path) {
                seeds.toml.push(bytes);
            }
        }
    }
    for (i, table) in tables.iter().enumerate() {
        seeds.ndjson.push(table.ndjson(i));
        if let Some(xlsx) = table.xlsx(i) {
            seeds.xlsx.push(xlsx);
        }
        if let Some(parquet) = table.parquet(i) {
            seeds.parquet.push(parquet);
        }
    }
    seeds
        .ndjson
        .push(b"{\"a\":1}\n\n{\"a\":\"x\",\"b\":{\"c\":[1,2]}}\r\nnot json\n{\"a\":null}".to_vec());
    seeds
}

/// The files with extension `ext` directly in `dir`, sorted.
fn files(dir: &Path, ext: &str) -> Vec<std::path::PathBuf> {
    let mut out: Vec<_> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .collect();
    out.sort();
    out
}

/// A CSV prefix as a table of text cells.
struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

/// What a column holds, for typed files.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Int,
    Float,
    Bool,
    Date,
    Timestamp,
    Text,
}

impl Table {
    fn parse(bytes: &[u8]) -> Option<Table> {
        let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
        let header: Vec<String> = reader.headers().ok()?.iter().map(str::to_owned).collect();
        let rows = reader
            .records()
            .flatten()
            .take(40)
            .map(|r| {
                let mut row: Vec<String> = r.iter().map(str::to_owned).collect();
                row.resize(header.len(), String::new());
                row
            })
            .collect();
        Some(Table { header, rows })
    }

    fn kind(&self, col: usize) -> Kind {
        let values: Vec<&str> = self
            .rows
            .iter()
            .map(|r| r[col].as_str())
            .filter(|v| !v.is_empty())
            .collect();
        let all = |f: &dyn Fn(&str) -> bool| !values.is_empty() && values.iter().all(|v| f(v));
        if all(&|v| v.parse::<i64>().is_ok()) {
            Kind::Int
        } else if all(&|v| v.parse::<f64>().is_ok()) {
            Kind::Float
        } else if all(&|v| v == "true" || v == "false") {
            Kind::Bool
        } else if all(&|v| date_days(v).is_some()) {
            Kind::Date
        } else if all(&|v| timestamp_micros(v).is_some()) {
            Kind::Timestamp
        } else {
            Kind::Text
        }
    }

    /// One JSON object per row (numbers and booleans typed, empty cells null), with a
    /// nested object in every other seed.
    fn ndjson(&self, seed: usize) -> Vec<u8> {
        let mut out = String::new();
        for (n, row) in self.rows.iter().take(15).enumerate() {
            out.push('{');
            for (i, (key, value)) in self.header.iter().zip(row).enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&json_string(key));
                out.push(':');
                let typed = value.parse::<f64>().is_ok() || value == "true" || value == "false";
                match (value.is_empty(), typed) {
                    (true, _) => out.push_str("null"),
                    (false, true) => out.push_str(value),
                    (false, false) => out.push_str(&json_string(value)),
                }
            }
            if seed % 2 == 1 {
                out.push_str(&format!(
                    ",\"meta\":{{\"row\":{n},\"tags\":[\"a\",1,null]}}"
                ));
            }
            out.push_str("}\n");
        }
        out.into_bytes()
    }

    /// A workbook: typed cells (dates with date formats), a title row above the header in
    /// every third seed, a second sheet, a formula and inline strings in others.
    fn xlsx(&self, seed: usize) -> Option<Vec<u8>> {
        use rust_xlsxwriter::{ExcelDateTime, Format, Formula, Workbook};
        let mut book = Workbook::new();
        let date = Format::new().set_num_format("yyyy-mm-dd");
        let stamp = Format::new().set_num_format("yyyy-mm-dd hh:mm:ss");
        let kinds: Vec<Kind> = (0..self.header.len()).map(|c| self.kind(c)).collect();
        let ws = book.add_worksheet();
        let top = u32::from(seed.is_multiple_of(3));
        if top == 1 {
            ws.write_string(0, 0, "Export").ok()?;
        }
        for (c, name) in self.header.iter().enumerate().take(200) {
            ws.write_string(top, c as u16, name).ok()?;
        }
        for (r, row) in self.rows.iter().take(25).enumerate() {
            let r = r as u32 + top + 1;
            for (c, value) in row.iter().enumerate().take(200) {
                let c = c as u16;
                if value.is_empty() {
                    continue;
                }
                match kinds[c as usize] {
                    Kind::Int | Kind::Float => {
                        ws.write_number(r, c, value.parse::<f64>().ok()?).ok()?;
                    }
                    Kind::Bool => {
                        ws.write_boolean(r, c, value == "true").ok()?;
                    }
                    Kind::Date | Kind::Timestamp => {
                        let dt = ExcelDateTime::parse_from_str(value).ok()?;
                        let format = if kinds[c as usize] == Kind::Date {
                            &date
                        } else {
                            &stamp
                        };
                        ws.write_datetime_with_format(r, c, &dt, format).ok()?;
                    }
                    Kind::Text => {
                        ws.write_string(r, c, value).ok()?;
                    }
                }
            }
        }
        if seed.is_multiple_of(2) {
            let last = self.rows.len().min(25) as u32 + top + 1;
            ws.write_formula(last, 0, Formula::new("=1/0").set_result("#DIV/0!"))
                .ok()?;
            let other = book.add_worksheet();
            other.set_name("Other").ok()?;
            other.write_string(0, 0, "code").ok()?;
            other.write_number(1, 0, 1.5).ok()?;
        }
        let bytes = book.save_to_buffer().ok()?;
        if seed % 4 == 1 {
            return Some(inline_strings(&bytes).unwrap_or(bytes));
        }
        Some(bytes)
    }

    /// A Parquet file of typed columns; compression, dictionaries, statistics, page and
    /// row-group sizes vary with the seed.
    fn parquet(&self, seed: usize) -> Option<Vec<u8>> {
        let mut fields = Vec::new();
        let mut columns: Vec<ArrayRef> = Vec::new();
        for (c, name) in self.header.iter().enumerate().take(60) {
            let cells = || self.rows.iter().map(move |r| r[c].as_str());
            let (ty, array): (arrow_schema::DataType, ArrayRef) = match self.kind(c) {
                Kind::Int => {
                    let v: Int64Array = cells().map(|v| v.parse().ok()).collect();
                    (arrow_schema::DataType::Int64, Arc::new(v))
                }
                Kind::Float => {
                    let v: Float64Array = cells().map(|v| v.parse().ok()).collect();
                    (arrow_schema::DataType::Float64, Arc::new(v))
                }
                Kind::Bool => {
                    let v: BooleanArray = cells()
                        .map(|v| (!v.is_empty()).then_some(v == "true"))
                        .collect();
                    (arrow_schema::DataType::Boolean, Arc::new(v))
                }
                Kind::Date => {
                    let v: Date32Array = cells().map(date_days).collect();
                    (arrow_schema::DataType::Date32, Arc::new(v))
                }
                Kind::Timestamp => {
                    let v: TimestampMicrosecondArray = cells().map(timestamp_micros).collect();
                    let ty = arrow_schema::DataType::Timestamp(
                        arrow_schema::TimeUnit::Microsecond,
                        None,
                    );
                    (ty, Arc::new(v))
                }
                Kind::Text => {
                    let v: StringArray = cells().map(|v| (!v.is_empty()).then_some(v)).collect();
                    (arrow_schema::DataType::Utf8, Arc::new(v))
                }
            };
            fields.push(arrow_schema::Field::new(name.as_str(), ty, true));
            columns.push(array);
        }
        let schema = Arc::new(arrow_schema::Schema::new(fields));
        let batch = RecordBatch::try_new(schema.clone(), columns).ok()?;
        let compression = match seed % 5 {
            0 => Compression::UNCOMPRESSED,
            1 => Compression::SNAPPY,
            2 => Compression::ZSTD(ZstdLevel::default()),
            3 => Compression::LZ4_RAW,
            _ => Compression::GZIP(Default::default()),
        };
        let props = WriterProperties::builder()
            .set_compression(compression)
            .set_dictionary_enabled(seed.is_multiple_of(2))
            .set_max_row_group_row_count(Some(if seed.is_multiple_of(3) { 7 } else { 1024 }))
            .set_data_page_row_count_limit(if seed % 3 == 1 { 5 } else { 20_000 })
            .build();
        let mut out = Vec::new();
        let mut writer = ArrowWriter::try_new(&mut out, schema, Some(props)).ok()?;
        writer.write(&batch).ok()?;
        writer.close().ok()?;
        Some(out)
    }
}

/// `"…"` with JSON escapes.
fn json_string(s: &str) -> String {
    let mut out = String::from("\"");
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Days since 1970-01-01 of a `YYYY-MM-DD` text.
fn date_days(v: &str) -> Option<i32> {
    let date = chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d").ok()?;
    let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1)?;
    i32::try_from((date - epoch).num_days()).ok()
}

/// Microseconds since 1970 of a naive ISO date and time.
fn timestamp_micros(v: &str) -> Option<i64> {
    let v = v.trim_end_matches('Z');
    ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M"]
        .iter()
        .find_map(|f| chrono::NaiveDateTime::parse_from_str(v, f).ok())
        .map(|t| t.and_utc().timestamp_micros())
}

/// The workbook with the first sheet's shared-string cells turned into inline strings.
fn inline_strings(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut entries = crate::containers::unzip(bytes)?;
    let sheet = entries
        .iter_mut()
        .find(|(n, _)| n == "xl/worksheets/sheet1.xml")?;
    let xml = String::from_utf8(sheet.1.clone()).ok()?;
    let mut out = String::with_capacity(xml.len());
    let mut rest = xml.as_str();
    while let Some(i) = rest.find(" t=\"s\"><v>") {
        let after = &rest[i + 10..];
        let end = after.find("</v>")?;
        out.push_str(&rest[..i]);
        out.push_str(&format!(
            " t=\"inlineStr\"><is><t>inline {}</t></is>",
            &after[..end]
        ));
        rest = &after[end + 4..];
    }
    out.push_str(rest);
    sheet.1 = out.into_bytes();
    crate::containers::zip_entries(&entries, false)
}
