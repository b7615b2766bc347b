//! The terminal report a consultant reads: a title, the row accounting of every dataset,
//! then per metric a heading, an aligned table of its results and its row accounting.
//!
//! Every text that comes from the data, a plugin or the config (group values, units,
//! labels, bands, warnings, reasons, error messages, table cells) goes through
//! [`terminal_text`] before it is printed, so a value holding escape sequences cannot
//! recolour, clear or retitle the reader's terminal; the only escape codes in the output
//! are cxm's own colours (with [`TableOptions::color`]).

use crate::error::RenderError;
use crate::format::{
    count, fixed, group_cells, group_columns, percent, terminal_text, weight, GroupCell,
};
use crate::model::{DatasetSummary, Grouping, MetricSummary, ResultRow, RunReport};
use std::io::Write;

/// Options of [`render_table`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TableOptions {
    /// Emphasise headings and flag warnings and failures with ANSI escape codes. When
    /// `false`, the output contains no escape codes at all.
    pub color: bool,
}

const BOLD: &str = "\x1b[1m";
const YELLOW: &str = "\x1b[33m";
const RED: &str = "\x1b[1;31m";
const RESET: &str = "\x1b[0m";

/// Wraps `text` in `code` … reset when `color` is on.
fn paint(text: &str, code: &str, color: bool) -> String {
    if color && !text.is_empty() {
        format!("{code}{text}{RESET}")
    } else {
        text.to_string()
    }
}

/// Writes the human-readable report of `report`.
pub fn render_table(
    report: &RunReport,
    out: &mut impl Write,
    options: &TableOptions,
) -> Result<(), RenderError> {
    let color = options.color;
    let title = terminal_text(&format!("{} — {}", report.client, report.config)).into_owned();
    writeln!(out, "{}", paint(&title, BOLD, color))?;
    writeln!(
        out,
        "cxm {}; grouping: {}",
        terminal_text(&report.cxm_version),
        terminal_text(&grouping_text(report))
    )?;

    for dataset in &report.datasets {
        writeln!(out)?;
        write_dataset(out, dataset, color)?;
    }

    for summary in &report.metrics {
        let rows: Vec<&ResultRow> = report
            .results
            .iter()
            .filter(|r| r.metric == summary.metric)
            .collect();
        writeln!(out)?;
        write_metric(out, report, &summary.metric, Some(summary), &rows, color)?;
    }

    // Results of metrics the summary list does not mention, in order of first appearance.
    let mut extra: Vec<&str> = Vec::new();
    for row in &report.results {
        let known = report.metrics.iter().any(|m| m.metric == row.metric);
        if !known && !extra.contains(&row.metric.as_str()) {
            extra.push(&row.metric);
        }
    }
    for metric in extra {
        let rows: Vec<&ResultRow> = report
            .results
            .iter()
            .filter(|r| r.metric == metric)
            .collect();
        writeln!(out)?;
        write_metric(out, report, metric, None, &rows, color)?;
    }
    out.flush()?;
    Ok(())
}

fn grouping_text(report: &RunReport) -> String {
    let g = &report.grouping;
    let mut parts: Vec<String> = Vec::new();
    if !g.dimensions.is_empty() {
        parts.push(g.dimensions.join(", "));
    }
    if let Some(p) = &g.period {
        parts.push(format!("period {} of {}", p.grain, p.field));
    }
    if parts.is_empty() {
        "none (overall only)".to_string()
    } else {
        parts.join("; ")
    }
}

fn write_dataset(out: &mut impl Write, d: &DatasetSummary, color: bool) -> Result<(), RenderError> {
    let label = paint(&terminal_text(&format!("Dataset {}:", d.name)), BOLD, color);
    let rows_word = if d.rows_read == 1 { "row" } else { "rows" };
    let mut line = format!(
        "{label} {} — {} {rows_word} read, {} accepted, {} rejected",
        terminal_text(&d.path),
        count(d.rows_read),
        count(d.rows_accepted),
        count(d.rows_rejected),
    );
    if d.rows_rejected > 0 {
        line.push_str(&format!(" ({})", dataset_rejection_reasons(d)));
    }
    if !d.invalid_values.is_empty() {
        let invalid: Vec<String> = d
            .invalid_values
            .iter()
            .map(|(field, n)| format!("{} {}", terminal_text(field), count(*n)))
            .collect();
        line.push_str("; invalid values: ");
        line.push_str(&invalid.join(", "));
    }
    writeln!(out, "{line}")?;
    let sha: String = terminal_text(&d.sha256).chars().take(12).collect();
    let bytes_word = if d.bytes == 1 { "byte" } else { "bytes" };
    writeln!(out, "  sha256 {sha}, {} {bytes_word}", count(d.bytes))?;
    for line in d.weighting.iter().flat_map(crate::table_weighting::lines) {
        writeln!(out, "{line}")?;
    }
    Ok(())
}

/// Why a dataset's rows were rejected whole, each reason labelled: `wrong structure`
/// (a wrong number of fields, a broken quote, …) and `duplicate unique_key` (a later record
/// with the key of an earlier one). With one reason, its label; with several, each with its
/// count.
fn dataset_rejection_reasons(d: &DatasetSummary) -> String {
    let structural = d.rows_rejected.saturating_sub(d.duplicates);
    let reasons: Vec<(&str, u64)> = [
        ("wrong structure", structural),
        ("duplicate unique_key", d.duplicates),
    ]
    .into_iter()
    .filter(|(_, n)| *n > 0)
    .collect();
    match reasons.as_slice() {
        [(label, _)] => (*label).to_string(),
        _ => reasons
            .iter()
            .map(|(label, n)| format!("{} {label}", count(*n)))
            .collect::<Vec<_>>()
            .join(", "),
    }
}

fn write_metric(
    out: &mut impl Write,
    report: &RunReport,
    metric: &str,
    summary: Option<&MetricSummary>,
    rows: &[&ResultRow],
    color: bool,
) -> Result<(), RenderError> {
    let plugin = summary
        .map(|s| s.plugin.as_str())
        .or_else(|| rows.first().map(|r| r.plugin.as_str()))
        .unwrap_or_default();
    let mut heading = format!("{metric} ({plugin})");
    if let Some(unit) = rows
        .first()
        .map(|r| r.result.unit.as_str())
        .filter(|u| !u.is_empty())
    {
        heading.push_str(" — ");
        heading.push_str(unit);
    }
    writeln!(out, "{}", paint(&terminal_text(&heading), BOLD, color))?;

    match summary.and_then(|s| s.error.as_deref()) {
        Some(error) => writeln!(
            out,
            "  {}",
            paint(&terminal_text(&format!("FAILED: {error}")), RED, color)
        )?,
        None if rows.is_empty() => writeln!(out, "  (no results)")?,
        None => {
            let grouping = summary.map_or(&report.grouping, |s| &s.grouping);
            write_results(out, report, grouping, rows, color)?;
            write_tables(out, rows)?;
        }
    }

    if let Some(s) = summary {
        let mut rejected: Vec<(&String, &u64)> = s.rows_rejected.iter().collect();
        // Largest first; ties keep the reasons' alphabetical order.
        rejected.sort_by(|a, b| b.1.cmp(a.1));
        let rejected = if rejected.is_empty() {
            "none".to_string()
        } else {
            let parts: Vec<String> = rejected
                .iter()
                .map(|(reason, n)| format!("{} {}", terminal_text(reason), count(**n)))
                .collect();
            parts.join(", ")
        };
        let filtered = match &s.filter {
            Some(f) => format!(
                "; outside filter ({}): {}",
                terminal_text(f),
                count(s.rows_filtered)
            ),
            None => String::new(),
        };
        writeln!(
            out,
            "  rows used {}; rejected: {rejected}{filtered}",
            count(s.rows_used)
        )?;
        if rows
            .iter()
            .any(|r| r.trend.as_ref().is_some_and(|t| t.significant.is_some()))
        {
            writeln!(out, "  Δ prev: change from the previous period; * significant (two-sided test at the report's alpha)")?;
        }
        if rows
            .iter()
            .any(|r| r.trend.as_ref().is_some_and(|t| t.mdc.is_some()))
        {
            writeln!(out, "  MDC: minimum detectable change, the smallest change this sample could detect at the report's alpha with 80% power (in the metric's unit)")?;
        }
        if rows.iter().any(|r| report.segment_test(r).is_some()) {
            writeln!(out, "  {}", crate::table_segments::LEGEND)?;
        }
    }
    if summary.is_none_or(|s| s.error.is_none()) {
        crate::table_shift::write_decompositions(out, rows, color)?;
    }
    Ok(())
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Align {
    Left,
    Right,
}

/// One table cell: its text and whether it is flagged (painted as a warning).
pub(crate) struct Cell {
    pub(crate) text: String,
    pub(crate) flagged: bool,
}

impl Cell {
    pub(crate) fn plain(text: impl Into<String>) -> Self {
        Cell {
            text: text.into(),
            flagged: false,
        }
    }
}

fn write_results(
    out: &mut impl Write,
    report: &RunReport,
    grouping: &Grouping,
    rows: &[&ResultRow],
    color: bool,
) -> Result<(), RenderError> {
    // Overall rows first; otherwise the report's order.
    let mut ordered: Vec<&ResultRow> = rows
        .iter()
        .copied()
        .filter(|r| r.group.is_empty())
        .collect();
    ordered.extend(rows.iter().copied().filter(|r| !r.group.is_empty()));

    let mut group_names: Vec<&str> = group_columns(grouping);
    let no_grouping = group_names.is_empty();
    if no_grouping {
        group_names.push("group");
    }
    let ci_level = ordered
        .iter()
        .find_map(|r| r.result.ci.as_ref())
        .map(|ci| ci.level);
    let ci_header = ci_level.map_or_else(|| "CI".to_string(), |l| format!("{}% CI", percent(l)));
    let with_notes = ordered.iter().any(|r| !r.result.warnings.is_empty());
    let with_trend = ordered.iter().any(|r| r.trend.is_some());
    let with_mdc = ordered
        .iter()
        .any(|r| r.trend.as_ref().is_some_and(|t| t.mdc.is_some()));
    let band_of = |r: &ResultRow| {
        r.result
            .details
            .get("band")
            .and_then(|b| b.as_str())
            .map(str::to_string)
    };
    let with_band = ordered.iter().any(|r| band_of(r).is_some());
    let with_letters = ordered.iter().any(|r| report.segment_test(r).is_some());
    let benchmark_header = ordered
        .iter()
        .find_map(|r| r.benchmark.as_ref())
        .map(|b| format!("vs {} ({})", b.segment, fixed(b.value, 1)));

    let mut headers: Vec<(String, Align)> = group_names
        .iter()
        .map(|g| (g.to_string(), Align::Left))
        .collect();
    headers.push(("value".into(), Align::Right));
    if with_letters {
        headers.push(("sig.".into(), Align::Left));
    }
    // With survey weights: the weighted n, the answers (base) and the effective n.
    let with_design = ordered.iter().any(|r| r.design.is_some());
    if with_design {
        headers.push(("n (wtd)".into(), Align::Right));
        headers.push(("base".into(), Align::Right));
        headers.push(("n eff.".into(), Align::Right));
    } else {
        headers.push(("n".into(), Align::Right));
    }
    headers.push((ci_header, Align::Left));
    if with_band {
        headers.push(("band".into(), Align::Left));
    }
    if with_trend {
        headers.push(("Δ prev".into(), Align::Right));
    }
    if with_mdc {
        headers.push(("MDC".into(), Align::Right));
    }
    if let Some(h) = &benchmark_header {
        headers.push((h.clone(), Align::Right));
    }
    if with_notes {
        headers.push(("notes".into(), Align::Left));
    }

    let mut table: Vec<Vec<Cell>> = Vec::new();
    for row in ordered {
        let r = &row.result;
        let mut cells: Vec<Cell> = if no_grouping {
            let label = if row.group.is_empty() {
                "(overall)"
            } else {
                ""
            };
            vec![Cell::plain(label)]
        } else {
            group_cells(grouping, row)
                .into_iter()
                .enumerate()
                .map(|(i, cell)| {
                    Cell::plain(match cell {
                        GroupCell::Overall if i == 0 => "(overall)",
                        GroupCell::Overall => "",
                        GroupCell::Absent => "(all)",
                        GroupCell::Missing => "(missing)",
                        GroupCell::Value(v) => v,
                    })
                })
                .collect()
        };
        cells.push(Cell::plain(
            r.value.map_or_else(|| "—".to_string(), |v| fixed(v, 1)),
        ));
        if with_letters {
            cells.push(crate::table_segments::cell(report.segment_test(row)));
        }
        cells.push(Cell::plain(weight(r.n)));
        if with_design {
            let base = row.design.as_deref().map(|d| weight(d.n_unweighted));
            cells.push(Cell::plain(base.unwrap_or_default()));
            let n_eff = row.design.as_deref().map(|d| fixed(d.n_effective, 1));
            cells.push(Cell::plain(n_eff.unwrap_or_default()));
        }
        cells.push(Cell::plain(match &r.ci {
            Some(ci) => {
                let bounds = format!("[{}, {}]", fixed(ci.low, 1), fixed(ci.high, 1));
                if Some(ci.level) == ci_level {
                    bounds
                } else {
                    format!("{}% {bounds}", percent(ci.level))
                }
            }
            None => String::new(),
        }));
        if with_band {
            cells.push(Cell::plain(band_of(row).unwrap_or_default()));
        }
        if with_trend {
            cells.push(
                match row
                    .trend
                    .as_ref()
                    .and_then(|t| t.delta.map(|d| (d, t.significant)))
                {
                    Some((d, significant)) => Cell {
                        text: marked(d, significant == Some(true)),
                        flagged: significant == Some(true),
                    },
                    None => Cell::plain(""),
                },
            );
        }
        if with_mdc {
            let mdc = row.trend.as_ref().and_then(|t| t.mdc);
            cells.push(Cell::plain(mdc.map_or_else(String::new, |m| fixed(m, 1))));
        }
        if benchmark_header.is_some() {
            cells.push(
                match row
                    .benchmark
                    .as_ref()
                    .and_then(|b| b.delta.map(|d| (d, b.significant)))
                {
                    Some((d, significant)) => Cell {
                        text: marked(d, significant == Some(true)),
                        flagged: significant == Some(true),
                    },
                    None => Cell::plain(""),
                },
            );
        }
        if with_notes {
            let notes: Vec<String> = r.warnings.iter().map(|w| w.replace('_', " ")).collect();
            cells.push(Cell {
                text: notes.join(", "),
                flagged: !notes.is_empty(),
            });
        }
        table.push(cells);
    }
    write_grid(out, &headers, &table, color)
}

/// A signed change with an arrow, starred when significant: `+4.2 ▲*`.
fn marked(delta: f64, significant: bool) -> String {
    let arrow = if delta > 0.0 {
        "▲"
    } else if delta < 0.0 {
        "▼"
    } else {
        "="
    };
    let sign = if delta > 0.0 { "+" } else { "" };
    format!(
        "{sign}{} {arrow}{}",
        fixed(delta, 1),
        if significant { "*" } else { " " }
    )
}

/// Writes an aligned grid indented by two spaces: header, rule, rows. Lines carry no
/// trailing spaces.
pub(crate) fn write_grid(
    out: &mut impl Write,
    headers: &[(String, Align)],
    rows: &[Vec<Cell>],
    color: bool,
) -> Result<(), RenderError> {
    let headers: Vec<(String, Align)> = headers
        .iter()
        .map(|(h, a)| (terminal_text(h).into_owned(), *a))
        .collect();
    let rows: Vec<Vec<Cell>> = rows
        .iter()
        .map(|row| {
            row.iter()
                .map(|c| Cell {
                    text: terminal_text(&c.text).into_owned(),
                    flagged: c.flagged,
                })
                .collect()
        })
        .collect();
    let (headers, rows) = (headers.as_slice(), rows.as_slice());
    let len = |s: &str| s.chars().count();
    let mut widths: Vec<usize> = headers.iter().map(|(h, _)| len(h)).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(len(&cell.text));
        }
    }
    let line = |cells: Vec<(&str, bool)>| -> String {
        let mut text = String::from(" ");
        for ((cell, flagged), (w, (_, align))) in cells.into_iter().zip(widths.iter().zip(headers))
        {
            let pad = " ".repeat(w.saturating_sub(len(cell)));
            let shown = if flagged {
                paint(cell, YELLOW, color)
            } else {
                cell.to_string()
            };
            text.push(' ');
            match align {
                Align::Left => {
                    text.push_str(&shown);
                    text.push_str(&pad);
                }
                Align::Right => {
                    text.push_str(&pad);
                    text.push_str(&shown);
                }
            }
            text.push(' ');
        }
        text.trim_end().to_string()
    };

    let header = line(headers.iter().map(|(h, _)| (h.as_str(), false)).collect());
    let header = if color {
        format!("  {BOLD}{}{RESET}", header.trim_start())
    } else {
        header
    };
    writeln!(out, "{header}")?;
    let rules: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
    writeln!(
        out,
        "{}",
        line(rules.iter().map(|r| (r.as_str(), false)).collect())
    )?;
    for row in rows {
        writeln!(
            out,
            "{}",
            line(row.iter().map(|c| (c.text.as_str(), c.flagged)).collect())
        )?;
    }
    Ok(())
}

/// Rows of a result table shown in the terminal; the rest are in the JSON and `--out` CSVs.
const TABLE_PREVIEW_ROWS: usize = 10;

/// The named tables of the overall result, each cut to its first rows.
fn write_tables(out: &mut impl Write, rows: &[&ResultRow]) -> Result<(), RenderError> {
    let Some(overall) = rows.iter().find(|r| r.group.is_empty()) else {
        return Ok(());
    };
    for t in &overall.result.tables {
        writeln!(
            out,
            "  table {} ({} rows, overall):",
            terminal_text(&t.name),
            t.rows.len()
        )?;
        let cells: Vec<Vec<String>> = t
            .rows
            .iter()
            .take(TABLE_PREVIEW_ROWS)
            .map(|r| r.iter().map(table_cell).collect())
            .collect();
        let columns: Vec<String> = t
            .columns
            .iter()
            .map(|c| terminal_text(c).into_owned())
            .collect();
        let widths: Vec<usize> = columns
            .iter()
            .enumerate()
            .map(|(i, c)| {
                cells
                    .iter()
                    .map(|r| r.get(i).map_or(0, |v| v.chars().count()))
                    .max()
                    .unwrap_or(0)
                    .max(c.chars().count())
            })
            .collect();
        let line = |values: Vec<&str>| -> String {
            let padded: Vec<String> = values
                .iter()
                .zip(&widths)
                .map(|(v, w)| format!("{v:<w$}"))
                .collect();
            format!("    {}", padded.join("  ").trim_end())
        };
        writeln!(
            out,
            "{}",
            line(columns.iter().map(String::as_str).collect())
        )?;
        for r in &cells {
            writeln!(out, "{}", line(r.iter().map(String::as_str).collect()))?;
        }
        if t.rows.len() > TABLE_PREVIEW_ROWS {
            writeln!(
                out,
                "    … {} more rows (all rows: --format json, or --out DIR)",
                t.rows.len() - TABLE_PREVIEW_ROWS
            )?;
        }
    }
    Ok(())
}

fn table_cell(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => "—".into(),
        serde_json::Value::String(s) => terminal_text(s).into_owned(),
        serde_json::Value::Number(n) => match n.as_f64() {
            Some(x) if n.is_f64() && x.fract() == 0.0 && x.abs() < 1e15 => format!("{x:.0}"),
            Some(x) if n.is_f64() => format!("{x:.2}"),
            _ => n.to_string(),
        },
        other => terminal_text(&other.to_string()).into_owned(),
    }
}
