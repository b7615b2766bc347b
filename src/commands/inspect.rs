//! `cxm inspect FILE`: what cxm sees in an export before anyone writes a mapping: for CSV
//! the dialect and encoding, the columns with inferred types and sample values; for Parquet,
//! NDJSON and Excel the columns; and a field mapping to paste into a client config. Column
//! names and samples come from the file: the table shows their control characters as
//! visible symbols ([`cxm_report::terminal_text`]), the mapping block quotes them.

use crate::cli::ListFormat;
use anyhow::Context;
use cxm_ingest::inspect::{inspect_csv, Inspection};
use std::io::Write;
use std::path::Path;

/// A canonical field name for a column header: lower snake case.
fn canonical(name: &str) -> String {
    let mut out = String::new();
    for c in name.trim().chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.ends_with('_') && !out.is_empty() {
            out.push('_');
        }
    }
    let out = out.trim_end_matches('_').to_string();
    if out.is_empty() {
        "field".into()
    } else {
        out
    }
}

/// A value cut to `max` characters for the table (the JSON output keeps the samples whole),
/// safe to print to a terminal.
fn shorten(value: &str, max: usize) -> String {
    let value = cxm_report::terminal_text(value);
    if value.chars().count() <= max {
        value.to_string()
    } else {
        format!("{}…", value.chars().take(max - 1).collect::<String>())
    }
}

fn print_inspection(i: &Inspection, out: &mut impl Write) -> anyhow::Result<()> {
    writeln!(
        out,
        "format {}; encoding {}{}; delimiter {:?}; header on line {}; {} rows sampled",
        i.format,
        i.encoding,
        if i.encoding_detected {
            " (detected)"
        } else {
            ""
        },
        i.delimiter,
        i.header_row,
        i.rows_sampled
    )?;
    writeln!(out)?;
    let width = i
        .columns
        .iter()
        .map(|c| cxm_report::terminal_text(&c.name).chars().count())
        .max()
        .unwrap_or(6)
        .max(6);
    writeln!(
        out,
        "  {:<width$}  {:<9}  {:>5}  samples",
        "column", "type", "empty"
    )?;
    for c in &i.columns {
        writeln!(
            out,
            "  {:<width$}  {:<9}  {:>5}  {}",
            cxm_report::terminal_text(&c.name),
            c.inferred_type.name(),
            c.empty,
            c.samples
                .iter()
                .map(|v| shorten(v, 30))
                .collect::<Vec<_>>()
                .join(" | ")
        )?;
        if let Some(s) = &c.suggestion {
            writeln!(
                out,
                "  {:<width$}  hint: {}",
                "",
                cxm_report::terminal_text(s)
            )?;
        }
    }
    writeln!(out)?;
    writeln!(
        out,
        "A starting point for the config (rename fields as you like):"
    )?;
    writeln!(out, "[datasets.NAME.fields]")?;
    for c in &i.columns {
        let ty = c.inferred_type.name();
        if ty == "string" {
            writeln!(out, "{} = {:?}", canonical(&c.name), c.name)?;
        } else {
            writeln!(
                out,
                "{} = {{ column = {:?}, type = \"{ty}\" }}",
                canonical(&c.name),
                c.name
            )?;
        }
    }
    Ok(())
}

/// The columns of a non-CSV file and its format name, or `None` for CSV.
fn other_format_columns(file: &Path) -> Option<anyhow::Result<(&'static str, Vec<String>)>> {
    let ext = file.extension()?.to_str()?.to_ascii_lowercase();
    let (kind, columns) = match ext.as_str() {
        "parquet" | "pq" => ("parquet", cxm_parquet::columns(file)),
        "ndjson" | "jsonl" => ("ndjson", cxm_ndjson::columns(file)),
        "xlsx" | "xlsm" => ("xlsx", cxm_xlsx::columns(file, None, 1)),
        _ => return None,
    };
    Some(columns.map(|c| (kind, c)).map_err(anyhow::Error::from))
}

/// Inspects an export: CSV in depth; Parquet, NDJSON and Excel by their columns.
pub fn inspect(file: &Path, rows: usize, format: ListFormat) -> anyhow::Result<i32> {
    if let Some(found) = other_format_columns(file) {
        let (kind, columns) =
            found.with_context(|| format!("cannot inspect {}", file.display()))?;
        let mut out = std::io::stdout().lock();
        if format == ListFormat::Json {
            serde_json::to_writer_pretty(
                &mut out,
                &serde_json::json!({"format": kind, "columns": columns}),
            )?;
            writeln!(out)?;
            return Ok(0);
        }
        writeln!(
            out,
            "format {kind}; {} columns (types come from the mapping; every source is parsed the same way)",
            columns.len()
        )?;
        writeln!(out, "[datasets.NAME.fields]")?;
        for c in &columns {
            writeln!(out, "{} = {c:?}", canonical(c))?;
        }
        return Ok(0);
    }
    let inspection =
        inspect_csv(file, rows).with_context(|| format!("cannot inspect {}", file.display()))?;
    let mut out = std::io::stdout().lock();
    match format {
        ListFormat::Table => print_inspection(&inspection, &mut out)?,
        ListFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &inspection)?;
            writeln!(out)?;
        }
    }
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::canonical;

    #[test]
    fn canonical_names_are_snake_case() {
        assert_eq!(
            canonical("Likelihood to recommend"),
            "likelihood_to_recommend"
        );
        assert_eq!(canonical(" Response ID "), "response_id");
        assert_eq!(canonical("CSAT (1-5)"), "csat_1_5");
        assert_eq!(canonical("--"), "field");
    }
}
