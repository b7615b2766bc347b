//! Running one case through its reader, the way `cxm run` reads it, and checking the row
//! accounting. A reader may refuse a case with an error (that is a clean outcome); it must
//! not panic, and what it reads must add up: rows read = accepted + rejected, every record
//! once, in order, and the same rows whichever way the engine reads the file (CSV through
//! the parallel chunks and the sequential reader, Parquet through row-group chunks and the
//! sequential source).
//!
//! A case's reading options (fields and their types, dialect, batch sizes, limits) are
//! drawn from a generator seeded by the case's bytes, so a saved case replays exactly.

use std::path::Path;

use cxm_ingest::{FieldSpec, FieldType, Zone};

use crate::read::{compare, read_chunks, read_csv, read_source, Outcome};
use crate::rng::{hash64, Rng};

/// What a case is fed to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Config,
    Csv,
    Ndjson,
    Parquet,
    Xlsx,
}

impl Target {
    /// Every target.
    pub const ALL: [Target; 5] = [
        Target::Config,
        Target::Csv,
        Target::Ndjson,
        Target::Parquet,
        Target::Xlsx,
    ];

    /// The name used on the command line and for the reproducers' folder.
    pub fn name(self) -> &'static str {
        match self {
            Target::Config => "config",
            Target::Csv => "csv",
            Target::Ndjson => "ndjson",
            Target::Parquet => "parquet",
            Target::Xlsx => "xlsx",
        }
    }

    /// The file extension of its cases.
    pub fn ext(self) -> &'static str {
        match self {
            Target::Config => "toml",
            Target::Csv => "csv",
            Target::Ndjson => "ndjson",
            Target::Parquet => "parquet",
            Target::Xlsx => "xlsx",
        }
    }

    pub fn from_name(name: &str) -> Option<Target> {
        Target::ALL.into_iter().find(|t| t.name() == name)
    }
}

/// Runs the case at `path`; `Err` describes a failed check. `repo` is the repository root
/// (configs resolve their plugins and data there); `scratch` a folder for the case's use.
pub fn run_case(target: Target, path: &Path, repo: &Path, scratch: &Path) -> Result<(), String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read the case: {e}"))?;
    let mut rng = Rng::new(hash64(&bytes));
    match target {
        Target::Config => config(path, repo, scratch),
        Target::Csv => csv(&mut rng, path),
        Target::Ndjson => ndjson(&mut rng, path, &bytes),
        Target::Parquet => parquet(&mut rng, path),
        Target::Xlsx => xlsx(&mut rng, path, bytes.len() as u64),
    }
}

/// A client config (and the same text as a plugin registry), with the repository's
/// registry, benchmarks and data reachable as from `config/clients/`.
fn config(path: &Path, repo: &Path, scratch: &Path) -> Result<(), String> {
    let clients = scratch.join("config/clients");
    if !clients.is_dir() {
        std::fs::create_dir_all(&clients).map_err(|e| e.to_string())?;
        let copy = std::fs::copy(
            repo.join("config/plugins.toml"),
            scratch.join("config/plugins.toml"),
        );
        copy.map_err(|e| e.to_string())?;
        for (link, target) in [("config/benchmarks", "config/benchmarks"), ("data", "data")] {
            let _ = std::os::unix::fs::symlink(repo.join(target), scratch.join(link));
        }
    }
    let case = clients.join("case.toml");
    std::fs::copy(path, &case).map_err(|e| e.to_string())?;
    if let Err(e) = cxm_config::load_client(&case) {
        let _ = e.to_string();
    }
    if let Err(e) = cxm_config::load_registry(&case) {
        let _ = e.to_string();
    }
    Ok(())
}

/// Up to six fields on the given columns (and sometimes one that is not there), with
/// random types and formats.
fn fields(rng: &mut Rng, columns: &[String]) -> Vec<FieldSpec> {
    let mut picked: Vec<String> = Vec::new();
    for _ in 0..rng.range(0, columns.len().min(6)) {
        let column = rng.pick(columns).trim().to_owned();
        if !picked.contains(&column) {
            picked.push(column);
        }
    }
    if rng.chance(1, 10) {
        picked.push("absent column".to_owned());
    }
    let types = [
        FieldType::String,
        FieldType::Integer,
        FieldType::Number,
        FieldType::Boolean,
        FieldType::Date,
        FieldType::Datetime,
    ];
    let formats = [
        "iso",
        "dd.mm.yyyy",
        "%d/%m/%Y %H:%M",
        "%Y-%m-%d",
        "yyyy-mm-dd hh:mm:ss",
    ];
    picked
        .into_iter()
        .enumerate()
        .map(|(i, column)| {
            let ty = *rng.pick(&types);
            let spec = FieldSpec::new(format!("f{i}"), column, ty);
            let dated = matches!(ty, FieldType::Date | FieldType::Datetime);
            if dated && rng.chance(1, 3) {
                spec.with_format(*rng.pick(&formats))
            } else {
                spec
            }
        })
        .collect()
}

fn null_values(rng: &mut Rng) -> Vec<String> {
    let sets: [&[&str]; 3] = [&[""], &["", "NA", "N/A", "#N/A"], &[]];
    rng.pick(&sets).iter().map(|s| s.to_string()).collect()
}

fn zone(rng: &mut Rng) -> Zone {
    let zones = ["UTC", "+02:00", "Europe/Berlin", "America/New_York"];
    rng.pick(&zones).parse().unwrap_or_default()
}

fn batch_rows(rng: &mut Rng) -> usize {
    *rng.pick(&[1usize, 3, 100, 16_384])
}

/// A CSV file, read sequentially and through the chunks (as `cxm run` does), which must
/// give the same rows.
fn csv(rng: &mut Rng, path: &Path) -> Result<(), String> {
    let mut options = cxm_ingest::CsvOptions {
        sniff_delimiter: rng.chance(3, 4),
        delimiter: *rng.pick(b",;\t|"),
        header_row: *rng.pick(&[1usize, 1, 1, 2, 3]),
        decimal_comma: rng.chance(1, 8),
        trim: rng.chance(3, 4),
        batch_rows: batch_rows(rng),
        null_values: null_values(rng),
        timezone: Some(zone(rng)),
        ..Default::default()
    };
    if rng.chance(1, 8) {
        let encodings = [
            "utf-8",
            "windows-1252",
            "utf-16le",
            "koi8-r",
            "no-such-encoding",
        ];
        options.encoding = Some(rng.pick(&encodings).to_string());
    }
    if rng.chance(1, 4) {
        options.max_record_bytes = *rng.pick(&[16u64, 100, 1000, 4096]);
    }
    let _ = cxm_ingest::inspect::inspect_csv(path, 50);
    let header = cxm_ingest::CsvSource::check_header(path, &[], &options).unwrap_or_default();
    let fields = fields(rng, &header);
    let chunk_bytes = *rng.pick(&[1usize, 16, 64, 256, 4096, 2 << 20]);
    let sequential = read_csv(path, fields.clone(), options.clone())?;
    let chunked = read_chunks(path, || {
        cxm_ingest::open_csv_chunks(path, fields.clone(), options.clone(), chunk_bytes)
    })?;
    compare(&sequential, &chunked)
}

/// An NDJSON file: every line that is not blank is read once, accepted or rejected.
fn ndjson(rng: &mut Rng, path: &Path, bytes: &[u8]) -> Result<(), String> {
    let mut columns = cxm_ndjson::columns(path).unwrap_or_default();
    columns.push("meta.row".to_owned());
    let fields = fields(rng, &columns);
    let limit = if rng.chance(1, 4) {
        *rng.pick(&[8usize, 64, 1000])
    } else {
        cxm_ingest::DEFAULT_MAX_RECORD_BYTES as usize
    };
    let (nulls, zone, rows) = (null_values(rng), zone(rng), batch_rows(rng));
    let opened = cxm_ndjson::NdjsonSource::open_with_limit(path, fields, &nulls, zone, rows, limit);
    let Ok(source) = opened else { return Ok(()) };
    let outcome = read_source(Box::new(source), rows)?;
    let Outcome::Read(read) = outcome else {
        return Ok(());
    };
    let mut lines: Vec<u64> = read.accepted.clone();
    lines.extend(read.rejected.iter().map(|(line, _)| *line));
    lines.sort_unstable();
    let expected = nonblank_lines(bytes, limit);
    if lines != expected {
        return Err(format!(
            "NDJSON rows at lines {:?}, expected one per non-blank line {:?}",
            head(&lines),
            head(&expected)
        ));
    }
    Ok(())
}

/// The first lines of a list, for messages.
fn head(lines: &[u64]) -> String {
    let shown: Vec<String> = lines.iter().take(20).map(u64::to_string).collect();
    format!(
        "[{}{}] ({} in all)",
        shown.join(", "),
        if lines.len() > 20 { ", …" } else { "" },
        lines.len()
    )
}

/// The line numbers an NDJSON reader must count: lines that are not blank (after the
/// first `limit` bytes, a BOM on line 1, and the line end), and lines too long.
pub fn nonblank_lines(bytes: &[u8], limit: usize) -> Vec<u64> {
    let mut out = Vec::new();
    let mut rest = bytes;
    let mut number = 0u64;
    while !rest.is_empty() {
        let end = rest
            .iter()
            .position(|&b| b == b'\n')
            .map_or(rest.len(), |p| p + 1);
        let (raw, tail) = rest.split_at(end);
        rest = tail;
        number += 1;
        let too_long = raw.len() > limit;
        let mut text = &raw[..raw.len().min(limit)];
        if number == 1 {
            text = text.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(text);
        }
        if let Some(t) = text.strip_suffix(b"\n") {
            text = t.strip_suffix(b"\r").unwrap_or(t);
        }
        if too_long || !text.trim_ascii().is_empty() {
            out.push(number);
        }
    }
    out
}

/// A Parquet file, read by the sequential source and by row-group chunks (as `cxm run`
/// does), which must give the same rows.
fn parquet(rng: &mut Rng, path: &Path) -> Result<(), String> {
    let columns = cxm_parquet::columns(path).unwrap_or_default();
    let fields = fields(rng, &columns);
    let (nulls, zone, rows) = (null_values(rng), zone(rng), batch_rows(rng));
    let sequential =
        match cxm_parquet::ParquetSource::open(path, fields.clone(), &nulls, zone, rows) {
            Ok(source) => read_source(Box::new(source), rows)?,
            Err(e) => Outcome::Failed(crate::read::kind(&e)),
        };
    let chunked = read_chunks(path, || {
        cxm_parquet::ParquetChunks::open(path, fields.clone(), &nulls, zone, rows)
            .map(|c| Box::new(c) as Box<dyn cxm_ingest::ChunkedSource>)
    })?;
    compare(&sequential, &chunked)
}

/// An Excel workbook: rows in ascending order, each once, all accepted.
fn xlsx(rng: &mut Rng, path: &Path, size: u64) -> Result<(), String> {
    let _ = cxm_xlsx::sheets(path);
    let header_row = *rng.pick(&[1usize, 1, 1, 2, 3]);
    let sheet = match rng.below(6) {
        0 => Some(cxm_xlsx::SheetRef::Index(0)),
        1 => Some(cxm_xlsx::SheetRef::Index(1)),
        2 => Some(cxm_xlsx::SheetRef::Name("Other".to_owned())),
        _ => None,
    };
    let columns = cxm_xlsx::columns(path, sheet.clone(), header_row).unwrap_or_default();
    let fields = fields(rng, &columns);
    let mut limits = cxm_xlsx::XlsxLimits::default();
    if rng.chance(1, 4) {
        limits.max_record_bytes = *rng.pick(&[64u64, 1024]);
    }
    let (nulls, zone, rows) = (null_values(rng), zone(rng), batch_rows(rng));
    let opened = cxm_xlsx::XlsxSource::open_with_limits(
        path, sheet, header_row, fields, &nulls, zone, rows, &limits,
    );
    let Ok(source) = opened else { return Ok(()) };
    let Outcome::Read(read) = read_source(Box::new(source), rows)? else {
        return Ok(());
    };
    if !read.rejected.is_empty() {
        return Err("an Excel row was rejected whole".to_owned());
    }
    if read.accepted.windows(2).any(|w| w[0] >= w[1]) {
        return Err(format!(
            "Excel rows out of order or repeated: {}",
            head(&read.accepted)
        ));
    }
    if read.bytes != size {
        return Err(format!("{} bytes hashed of {size}", read.bytes));
    }
    Ok(())
}

#[cfg(test)]
#[path = "targets_tests.rs"]
mod tests;
