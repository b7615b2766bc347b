//! Reading the head of an export in any format: its dialect (CSV), and for every column its
//! inferred type and what its sampled values look like (integer range, distinct values).

use cxm_ingest::inspect::{inspect_csv, inspect_values, ColumnInspection};
use cxm_ingest::{CsvOptions, CsvSource, FieldSpec, FieldType, RecordSource, Zone};
use std::collections::HashSet;
use std::path::Path;

/// The encoding for windows-1252 text with CP850 letters in 0x80-0x9F.
const MIXED_CP850: &str = "windows-1252+cp850";

/// Rows read from each file.
pub const SAMPLE_ROWS: usize = 1000;

/// Distinct values counted per column (beyond it the column is "many-valued").
const MAX_DISTINCT: usize = 50;

/// The format of an export and the dataset settings it needs.
#[derive(Debug, Default, Clone)]
pub struct Dialect {
    /// `csv`, `parquet`, `ndjson` or `xlsx`.
    pub format: &'static str,
    /// Detected encoding when not UTF-8 (CSV).
    pub encoding: Option<String>,
    /// Why the encoding was chosen, when it needs a word.
    pub encoding_note: Option<&'static str>,
    /// The delimiter when not `,` (CSV).
    pub delimiter: Option<char>,
    /// The header line (CSV) or row (Excel) when not 1.
    pub header_row: Option<usize>,
    /// The sheet read (Excel).
    pub sheet: Option<String>,
    /// Numbers are written with a decimal comma (CSV).
    pub decimal_comma: bool,
    /// A thousands separator the numbers need (CSV).
    pub thousands_separator: Option<String>,
    /// Cell texts meaning "no value" (besides the empty cell).
    pub null_values: Vec<String>,
}

/// One column as sampled.
#[derive(Debug)]
pub struct Column {
    /// The header name.
    pub name: String,
    /// The inferred type.
    pub ty: FieldType,
    /// A date format the values need.
    pub format: Option<String>,
    /// Smallest and largest value of an integer column.
    pub range: Option<(i64, i64)>,
    /// Non-empty sampled values.
    pub non_empty: usize,
    /// Distinct non-empty values, counted up to [`MAX_DISTINCT`] + 1.
    pub distinct: usize,
    /// Some value is longer than a label (a free-text answer).
    pub long_text: bool,
}

impl Column {
    /// True when the sample holds more distinct values than are counted.
    pub fn many_valued(&self) -> bool {
        self.distinct > MAX_DISTINCT
    }
}

/// An export as sampled.
#[derive(Debug)]
pub struct Sampled {
    pub dialect: Dialect,
    pub columns: Vec<Column>,
    pub rows: usize,
}

/// The format of a file by its extension (as the config reads it).
fn format_of(path: &Path) -> &'static str {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    match ext.as_str() {
        "parquet" | "pq" => "parquet",
        "ndjson" | "jsonl" => "ndjson",
        "xlsx" | "xlsm" => "xlsx",
        _ => "csv",
    }
}

/// The header row of the first sheet: the first of rows 1–5 with more than one column
/// (a title line above the table is common in Excel exports), or 1.
fn xlsx_header(path: &Path) -> anyhow::Result<(usize, Vec<String>)> {
    let first = cxm_xlsx::columns(path, None, 1)?;
    if first.len() > 1 {
        return Ok((1, first));
    }
    for row in 2..=5 {
        if let Ok(names) = cxm_xlsx::columns(path, None, row) {
            if names.len() > 1 {
                return Ok((row, names));
            }
        }
    }
    Ok((1, first))
}

/// Every column as a string field, for reading the cell texts.
fn string_fields(names: &[String]) -> Vec<FieldSpec> {
    names
        .iter()
        .enumerate()
        .map(|(i, n)| FieldSpec::new(format!("c{i}"), n.clone(), FieldType::String))
        .collect()
}

/// The texts of the first [`SAMPLE_ROWS`] rows, per column.
fn read_texts(source: &mut dyn RecordSource, width: usize) -> anyhow::Result<Vec<Vec<String>>> {
    let mut texts = vec![Vec::new(); width];
    let mut cell = Vec::new();
    let mut rows = 0;
    while rows < SAMPLE_ROWS {
        let Some(batch) = source.next_batch()? else {
            break;
        };
        for row in 0..batch.num_rows() {
            if rows == SAMPLE_ROWS {
                break;
            }
            rows += 1;
            for (field, column) in texts.iter_mut().enumerate() {
                batch.raw_into(row, field, &mut cell);
                column.push(String::from_utf8_lossy(&cell).into_owned());
            }
        }
    }
    Ok(texts)
}

/// Applies a column's suggestion (from inspection) to the dialect and its date format.
fn take_suggestion(c: &ColumnInspection, dialect: &mut Dialect) -> Option<String> {
    let mut format = None;
    for part in c.suggestion.iter().flat_map(|s| s.split("; ")) {
        if part.starts_with("decimal_comma") {
            dialect.decimal_comma = true;
        } else if let Some(sep) = part.strip_prefix("thousands_separator = ") {
            dialect.thousands_separator = Some(sep.trim_matches('"').to_string());
        } else if let Some(rest) = part.strip_prefix("null_values = [") {
            let list = rest.split(']').next().unwrap_or_default();
            for token in list.split(", ").map(|t| t.trim_matches('"')) {
                if !token.is_empty() && !dialect.null_values.iter().any(|n| n == token) {
                    dialect.null_values.push(token.to_string());
                }
            }
        } else if let Some(rest) = part.strip_prefix("format = \"") {
            // "dd/mm/yyyy" or "dd/mm/yyyy" or "mm/dd/yyyy" (ambiguous): the first.
            format = rest.split('"').next().map(str::to_string);
        }
    }
    format
}

/// The type a column gets once its date format is declared.
fn dated_type(ty: FieldType, format: Option<&str>) -> FieldType {
    match (ty, format) {
        (FieldType::String, Some(f)) if f.contains("hh") || f.contains("%H") => FieldType::Datetime,
        (FieldType::String, Some(_)) => FieldType::Date,
        (ty, _) => ty,
    }
}

/// Share of non-empty values that must fit a type for a column to take it although some
/// values do not (a few typos or "n/a" answers in an export): those rows are rejected.
const MAJORITY: f64 = 0.9;

/// The type (and date format) most values of a text column fit, when at least
/// [`MAJORITY`] of them do.
fn majority_type(texts: &[String], dialect: &Dialect) -> Option<(FieldType, Option<String>)> {
    let mut tally: Vec<((FieldType, Option<String>), usize)> = Vec::new();
    let mut total = 0usize;
    for text in texts {
        let value = text.trim();
        if value.is_empty() || dialect.null_values.iter().any(|n| n == value) {
            continue;
        }
        total += 1;
        let one = inspect_values(String::new(), [value]);
        let format = one
            .suggestion
            .as_deref()
            .and_then(|s| s.strip_prefix("format = \""))
            .and_then(|s| s.split('"').next())
            .map(str::to_string);
        let ty = dated_type(one.inferred_type, format.as_deref());
        // Yes / No / "No phone service" is text with three values, not a flawed boolean.
        if matches!(ty, FieldType::String | FieldType::Boolean) {
            continue;
        }
        match tally.iter_mut().find(|(k, _)| k.0 == ty && k.1 == format) {
            Some((_, n)) => *n += 1,
            None => tally.push(((ty, format), 1)),
        }
    }
    let (best, n) = tally.into_iter().max_by_key(|(_, n)| *n)?;
    #[allow(clippy::cast_precision_loss)]
    let share = n as f64 / total.max(1) as f64;
    (share >= MAJORITY).then_some(best)
}

/// Summarises one column from its inspection and its texts.
fn column(c: ColumnInspection, texts: &[String], dialect: &mut Dialect) -> Column {
    let mut format = take_suggestion(&c, dialect);
    let mut ty = dated_type(c.inferred_type, format.as_deref());
    if ty == FieldType::String {
        if let Some((majority, f)) = majority_type(texts, dialect) {
            ty = majority;
            format = f;
        }
    }
    let mut distinct = HashSet::new();
    let mut integers = Vec::new();
    let mut non_empty = 0;
    let mut long_text = false;
    for text in texts {
        let value = text.trim();
        if value.is_empty() || dialect.null_values.iter().any(|n| n == value) {
            continue;
        }
        non_empty += 1;
        long_text |= value.chars().count() > 40;
        if distinct.len() <= MAX_DISTINCT {
            distinct.insert(value);
        }
        if ty == FieldType::Integer {
            // Excel and Parquet may give integers as 5.0.
            match value.parse::<f64>() {
                #[allow(clippy::cast_possible_truncation)]
                Ok(n) if n.fract() == 0.0 && n.abs() < 1e15 => integers.push(n as i64),
                _ => {}
            }
        }
    }
    // The range without the few most extreme values (typos such as 11 on a 0-10 scale).
    integers.sort_unstable();
    let trim = integers.len() / 50;
    let kept = integers
        .get(trim..integers.len() - trim)
        .unwrap_or_default();
    let range = kept.first().zip(kept.last()).map(|(lo, hi)| (*lo, *hi));
    Column {
        name: c.name,
        ty,
        format: format.filter(|_| matches!(ty, FieldType::Date | FieldType::Datetime)),
        range,
        non_empty,
        distinct: distinct.len(),
        long_text,
    }
}

/// Samples an export: its dialect, and each column's type and values.
pub fn sample(path: &Path) -> anyhow::Result<Sampled> {
    let format = format_of(path);
    let mut dialect = Dialect {
        format,
        ..Dialect::default()
    };
    let rows = SAMPLE_ROWS;
    if format == "csv" {
        let i = inspect_csv(path, SAMPLE_ROWS)?;
        if i.encoding != "utf-8" {
            dialect.encoding = Some(i.encoding.clone());
        }
        if i.delimiter != ',' {
            dialect.delimiter = Some(i.delimiter);
        }
        if i.header_row != 1 {
            dialect.header_row = Some(i.header_row);
        }
        let names: Vec<String> = i.columns.iter().map(|c| c.name.clone()).collect();
        let options = CsvOptions {
            delimiter: u8::try_from(i.delimiter).unwrap_or(b','),
            sniff_delimiter: false,
            encoding: Some(i.encoding.clone()),
            header_row: i.header_row,
            batch_rows: rows,
            ..CsvOptions::default()
        };
        let mut source = CsvSource::open(path, string_fields(&names), options)?;
        let texts = read_texts(&mut source, names.len())?;
        // Bytes that look like DOS letters in a windows-1252 file: the mixed encoding reads
        // both (the run's warning says the same).
        if RecordSource::warnings(&source)
            .iter()
            .any(|w| w.message.contains(MIXED_CP850))
        {
            dialect.encoding = Some(MIXED_CP850.to_string());
            dialect.encoding_note = Some(
                "bytes 0x80-0x9F look like DOS (CP850) letters: if the whole file is CP850, write \"cp850\"",
            );
        }
        return Ok(finish(dialect, i.columns, &texts));
    }
    let (names, mut source): (Vec<String>, Box<dyn RecordSource>) = match format {
        "parquet" => {
            let names = cxm_parquet::columns(path)?;
            let fields = string_fields(&names);
            let s = cxm_parquet::ParquetSource::open(path, fields, &[], Zone::Utc, rows)?;
            (names, Box::new(s))
        }
        "ndjson" => {
            let names = cxm_ndjson::columns(path)?;
            let fields = string_fields(&names);
            let s = cxm_ndjson::NdjsonSource::open(path, fields, &[], Zone::Utc, rows)?;
            (names, Box::new(s))
        }
        _ => {
            let (header_row, names) = xlsx_header(path)?;
            if header_row != 1 {
                dialect.header_row = Some(header_row);
            }
            dialect.sheet = cxm_xlsx::sheets(path)?.into_iter().next();
            let fields = string_fields(&names);
            let s =
                cxm_xlsx::XlsxSource::open(path, None, header_row, fields, &[], Zone::Utc, rows)?;
            (names, Box::new(s))
        }
    };
    let texts = read_texts(source.as_mut(), names.len())?;
    let inspections = names
        .into_iter()
        .zip(&texts)
        .map(|(n, t)| inspect_values(n, t.iter().map(String::as_str)))
        .collect();
    Ok(finish(dialect, inspections, &texts))
}

fn finish(
    mut dialect: Dialect,
    inspections: Vec<ColumnInspection>,
    texts: &[Vec<String>],
) -> Sampled {
    let rows = texts.first().map_or(0, Vec::len);
    let columns = inspections
        .into_iter()
        .zip(texts)
        .map(|(c, t)| column(c, t, &mut dialect))
        .collect();
    Sampled {
        dialect,
        columns,
        rows,
    }
}
