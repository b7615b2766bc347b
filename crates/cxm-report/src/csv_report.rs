//! All results of a run as one CSV table.
//!
//! Columns: `metric,plugin,<one per grouping dimension>,period (when the grouping has a
//! period),value,unit,n,ci_low,ci_high,ci_level,ci_method,warnings`, then the trend
//! (`previous_period,delta,p_value,p_adjusted,significant,mdc`, the last the minimum
//! detectable change at 80% power in the metric's unit) and benchmark comparison
//! (`benchmark,benchmark_value,benchmark_delta,benchmark_p_value,benchmark_significant`),
//! then one `details.<key>` column per detail of any result (see [`crate::flatten`]), and
//! last the segment significance (`letter,above,vs_rest_p_adjusted,vs_rest_significant`:
//! the segment's letter, the letters of the segments of its dimension and period it is
//! significantly above joined with `;`, and its adjusted p-value and significance against
//! the rest of its dimension; see [`crate::SegmentTest`]), appended at the end so that no
//! earlier column moves; with survey weights, after them `n_unweighted,n_effective,
//! design_effect` (see [`crate::Design`]; `n` is then the weighted n). A key that a row
//! is not grouped by (the overall row, roll-ups) reads `(all)`; a missing group value or
//! detail is an empty cell; numbers use Rust's shortest round-tripping float formatting;
//! warnings are joined with `;`. Every cell goes through [`crate::csv_safe_cell`], so no
//! text (a group value, a unit, a table cell from the data) can start a spreadsheet formula.

use crate::csv_cell::{write_safe_record, SafeRecords};
use crate::error::RenderError;
use crate::flatten::{flatten_details, DetailCell, DetailLayout};
use crate::format::{group_cells, group_columns, GroupCell};
use crate::model::{ResultRow, RunReport};
use std::fmt::Write as _;
use std::io::Write;

/// The cell of a grouping key that a row is not grouped by.
const ALL: &str = "(all)";

/// The segment significance columns, last in every row.
const SEGMENT_COLUMNS: [&str; 4] = [
    "letter",
    "above",
    "vs_rest_p_adjusted",
    "vs_rest_significant",
];

/// The survey-design columns, last when any result has survey weights.
const DESIGN_COLUMNS: [&str; 3] = ["n_unweighted", "n_effective", "design_effect"];

/// Writes the results of `report` as CSV (header included, even when there are no results).
pub fn render_csv(report: &RunReport, out: &mut impl Write) -> Result<(), RenderError> {
    let threads = std::thread::available_parallelism()
        .map_or(1, std::num::NonZeroUsize::get)
        .min(MAX_THREADS);
    render_csv_on(report, out, threads)
}

/// [`render_csv`] with rows formatted on up to `threads` threads.
fn render_csv_on(
    report: &RunReport,
    out: &mut impl Write,
    threads: usize,
) -> Result<(), RenderError> {
    let mut writer = SafeRecords::new(&mut *out);
    let detail_columns = flatten_details(report);
    let mut header: Vec<&str> = vec!["metric", "plugin"];
    header.extend(group_columns(&report.grouping));
    header.extend([
        "value",
        "unit",
        "n",
        "ci_low",
        "ci_high",
        "ci_level",
        "ci_method",
        "warnings",
        "previous_period",
        "delta",
        "p_value",
        "p_adjusted",
        "significant",
        "mdc",
        "benchmark",
        "benchmark_value",
        "benchmark_delta",
        "benchmark_p_value",
        "benchmark_significant",
    ]);
    header.extend(detail_columns.iter().map(String::as_str));
    header.extend(SEGMENT_COLUMNS);
    let weighted = report.results.iter().any(|r| r.design.is_some());
    if weighted {
        header.extend(DESIGN_COLUMNS);
    }
    writer.write(&header)?;
    let rows = Rows {
        report,
        layout: DetailLayout::new(&detail_columns),
        weighted,
    };
    if threads <= 1 || report.results.len() < 2 * WINDOW {
        rows.write(&report.results, &mut writer)?;
    } else {
        // Many rows: windows of them are formatted on several threads, each into its own
        // buffer, and the buffers written in order (the same bytes as one thread writes).
        for round in report.results.chunks(threads * WINDOW) {
            let parts: Vec<Result<Vec<u8>, RenderError>> = std::thread::scope(|scope| {
                let rows = &rows;
                let handles: Vec<_> = round
                    .chunks(WINDOW)
                    .map(|window| {
                        scope.spawn(move || {
                            let mut buffer = Vec::with_capacity(window.len() * 256);
                            let mut part = SafeRecords::new(&mut buffer);
                            rows.write(window, &mut part)?;
                            drop(part);
                            Ok(buffer)
                        })
                    })
                    .collect();
                handles
                    .into_iter()
                    .map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
                    .collect()
            });
            for part in parts {
                writer.write_bytes(&part?)?;
            }
        }
    }
    writer.flush()?;
    Ok(())
}

/// Rows formatted at once on one thread when results are many (see [`render_csv`]).
const WINDOW: usize = 8192;
/// Threads that format rows at most.
const MAX_THREADS: usize = 4;

/// What formatting a row needs besides the row.
struct Rows<'a> {
    report: &'a RunReport,
    layout: DetailLayout<'a>,
    weighted: bool,
}

impl Rows<'_> {
    /// Writes `rows` as records to `writer` (flushed).
    fn write<W: Write>(
        &self,
        rows: &[ResultRow],
        writer: &mut SafeRecords<W>,
    ) -> Result<(), RenderError> {
        let (report, layout, weighted) = (self.report, &self.layout, self.weighted);
        // One reused buffer for the cells of a record: no allocation per cell.
        let mut record = Record::default();
        let mut details = Vec::new();
        for row in rows {
            let r = &row.result;
            record.clear();
            record.push(&row.metric);
            record.push(&row.plugin);
            for cell in group_cells(&report.grouping, row) {
                match cell {
                    GroupCell::Value(v) => record.push(v),
                    GroupCell::Overall | GroupCell::Absent => record.push(ALL),
                    GroupCell::Missing => record.push(""),
                }
            }
            record.push_opt_f64(r.value);
            record.push(&r.unit);
            record.push_f64(r.n);
            match &r.ci {
                Some(ci) => {
                    record.push_f64(ci.low);
                    record.push_f64(ci.high);
                    record.push_f64(ci.level);
                    record.push(&ci.method);
                }
                None => record.push_empty(4),
            }
            record.push_joined(&r.warnings, ";");
            match &row.trend {
                Some(t) => {
                    record.push(&t.previous_period);
                    record.push_opt_f64(t.delta);
                    record.push_opt_f64(t.p_value);
                    record.push_opt_f64(t.p_adjusted);
                    record.push_opt(t.significant);
                    record.push_opt_f64(t.mdc);
                }
                None => record.push_empty(6),
            }
            match &row.benchmark {
                Some(b) => {
                    record.push(&b.id);
                    record.push_f64(b.value);
                    record.push_opt_f64(b.delta);
                    record.push_opt_f64(b.p_value);
                    record.push_opt(b.significant);
                }
                None => record.push_empty(5),
            }
            layout.cells(&r.details, &mut details);
            for cell in &details {
                match cell {
                    None => record.push(""),
                    Some(DetailCell::Bool(b)) => record.push_display(b),
                    Some(DetailCell::Number(n)) => match n.as_f64().filter(|_| n.is_f64()) {
                        // As `DetailCell::to_text`: floats through f64's `Display`.
                        Some(x) => record.push_f64(x),
                        None => record.push_display(n),
                    },
                    Some(DetailCell::Text(s)) => record.push(s),
                }
            }
            match report.segment_test(row) {
                Some(t) => {
                    record.push(&t.letter);
                    record.push_joined(&t.above, ";");
                    let rest = t.vs_rest.as_ref();
                    record.push_opt_f64(rest.map(|v| v.p_adjusted));
                    record.push_opt(rest.map(|v| v.significant));
                }
                None => record.push_empty(SEGMENT_COLUMNS.len()),
            }
            match (&row.design, weighted) {
                (Some(d), _) => {
                    record.push_f64(d.n_unweighted);
                    record.push_f64(d.n_effective);
                    record.push_f64(d.design_effect);
                }
                (None, true) => record.push_empty(DESIGN_COLUMNS.len()),
                (None, false) => {}
            }
            writer.write(record.cells())?;
        }
        writer.flush()?;
        Ok(())
    }
}

/// The cells of one CSV record, end to end in one reused buffer.
#[derive(Default)]
struct Record {
    text: String,
    /// Where each cell ends in `text`.
    ends: Vec<usize>,
}

impl Record {
    fn clear(&mut self) {
        self.text.clear();
        self.ends.clear();
    }

    fn push(&mut self, cell: &str) {
        self.text.push_str(cell);
        self.ends.push(self.text.len());
    }

    /// A cell as `to_string` would write it.
    fn push_display(&mut self, cell: impl std::fmt::Display) {
        // Writing into a String cannot fail.
        let _ = write!(self.text, "{cell}");
        self.ends.push(self.text.len());
    }

    /// A number as `to_string` writes it (Rust's shortest round-tripping form, a whole
    /// number without `.0`). Whole numbers below 10^15 (counts, many shares) are written as
    /// the integer they are, which is the same text and several times cheaper than the float
    /// formatter; `-0.0` keeps its sign (`-0`) through the float formatter.
    fn push_f64(&mut self, x: f64) {
        if x.fract() == 0.0 && x.abs() < 1e15 && !(x == 0.0 && x.is_sign_negative()) {
            // Exact: a whole f64 below 10^15 is an i64 of the same value.
            self.push_display(x as i64);
        } else {
            self.push_display(x);
        }
    }

    /// A number as [`Record::push_f64`] writes it, or an empty cell.
    fn push_opt_f64(&mut self, cell: Option<f64>) {
        match cell {
            Some(x) => self.push_f64(x),
            None => self.push(""),
        }
    }

    /// A value, or an empty cell.
    fn push_opt(&mut self, cell: Option<impl std::fmt::Display>) {
        match cell {
            Some(v) => self.push_display(v),
            None => self.push(""),
        }
    }

    fn push_empty(&mut self, cells: usize) {
        for _ in 0..cells {
            self.push("");
        }
    }

    fn push_joined(&mut self, parts: &[String], separator: &str) {
        for (i, part) in parts.iter().enumerate() {
            if i > 0 {
                self.text.push_str(separator);
            }
            self.text.push_str(part);
        }
        self.ends.push(self.text.len());
    }

    fn cells(&self) -> impl Iterator<Item = &str> {
        let mut start = 0;
        self.ends.iter().map(move |&end| {
            let cell = self.text.get(start..end).unwrap_or("");
            start = end;
            cell
        })
    }
}

/// The distinct (metric id, table name) pairs of a report's results, in result order.
pub fn result_tables(report: &RunReport) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for row in &report.results {
        for t in &row.result.tables {
            let key = (row.metric.to_string(), t.name.clone());
            if !out.contains(&key) {
                out.push(key);
            }
        }
    }
    out
}

/// One named table of one metric across all its groups, as CSV: the metric's grouping
/// columns (`(all)` where a row is not grouped by that key), then the table's columns.
pub fn render_result_table_csv(
    report: &RunReport,
    metric: &str,
    table: &str,
    out: &mut impl Write,
) -> Result<(), RenderError> {
    let grouping = report
        .metrics
        .iter()
        .find(|m| m.metric == metric)
        .map_or(&report.grouping, |m| &m.grouping);
    let mut writer = csv::Writer::from_writer(&mut *out);
    let mut header_written = false;
    for row in report.results.iter().filter(|r| r.metric == metric) {
        let Some(t) = row.result.tables.iter().find(|t| t.name == table) else {
            continue;
        };
        if !header_written {
            let mut header: Vec<&str> = group_columns(grouping);
            header.extend(t.columns.iter().map(String::as_str));
            write_safe_record(&mut writer, &header)?;
            header_written = true;
        }
        let groups: Vec<String> = group_cells(grouping, row)
            .into_iter()
            .map(|cell| match cell {
                GroupCell::Value(v) => v.to_string(),
                GroupCell::Overall | GroupCell::Absent => ALL.to_string(),
                GroupCell::Missing => String::new(),
            })
            .collect();
        for values in &t.rows {
            let mut record = groups.clone();
            record.extend(values.iter().map(|v| match v {
                serde_json::Value::Null => String::new(),
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            }));
            write_safe_record(&mut writer, &record)?;
        }
    }
    writer.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{render_csv_on, Record, WINDOW};
    use crate::model::{Grouping, ResultRow, RunReport};
    use cxm_result::{Details, Interval, MetricResult};
    use serde_json::json;

    /// Rows formatted on several threads are the bytes one thread writes: every row
    /// different (group labels, details present or not, cells to quote or defuse), more
    /// rows than the windows of three threads, and a last window cut short.
    #[test]
    fn rows_on_several_threads_are_the_bytes_of_one() {
        let rows = 3 * 3 * WINDOW + 1234;
        let results: Vec<ResultRow> = (0..rows)
            .map(|i| {
                let mut details = Details::new();
                details.insert("count", i as u64);
                if i % 3 == 0 {
                    details.insert("share", json!(i as f64 / 7.0));
                }
                if i % 5 == 0 {
                    details.insert("note", format!("a, \"quoted\" =cell {i}"));
                }
                details.insert("list", json!([i, 0.5, null]));
                ResultRow {
                    metric: if i < rows / 2 { "nps" } else { "csat" }.into(),
                    plugin: "p".into(),
                    group: vec![("customer".into(), (i % 11 != 0).then(|| format!("C{i}")))],
                    result: MetricResult {
                        value: (i % 13 != 0).then_some(i as f64 * 0.25 - 100.0),
                        unit: "points".into(),
                        n: i as f64,
                        ci: (i % 2 == 0).then(|| Interval {
                            low: -1.5,
                            high: i as f64,
                            level: 0.95,
                            method: "wald".into(),
                        }),
                        details,
                        warnings: if i % 7 == 0 {
                            vec!["low_sample".into()]
                        } else {
                            vec![]
                        },
                        ..Default::default()
                    },
                    trend: None,
                    benchmark: None,
                    design: None,
                }
            })
            .collect();
        let report = RunReport {
            grouping: Grouping {
                dimensions: vec!["customer".into()],
                period: None,
            },
            results,
            ..Default::default()
        };
        let render = |threads| {
            let mut out = Vec::new();
            render_csv_on(&report, &mut out, threads).unwrap();
            out
        };
        let one = render(1);
        assert_eq!(one.iter().filter(|&&b| b == b'\n').count(), rows + 1);
        assert_eq!(render(2), one);
        assert_eq!(render(3), one);
    }

    #[test]
    fn numbers_are_written_as_to_string_writes_them() {
        let mut values = vec![
            0.0,
            -0.0,
            1.0,
            -1.0,
            5.0,
            -100.0,
            100.0,
            0.95,
            -7.661340833141393,
            1e15,
            -1e15,
            999_999_999_999_999.0,
            1e16,
            1e300,
            1e-7,
            f64::MAX,
            f64::MIN_POSITIVE,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            4_503_599_627_370_497.0,
        ];
        // A spread of magnitudes and fractions (a fixed linear congruential sequence).
        let mut seed: u64 = 42;
        for _ in 0..2000 {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let x = f64::from_bits(seed);
            values.push(x);
            values.push(x.trunc());
            values.push(((seed >> 11) % 2_000_000) as f64 / 8.0 - 100_000.0);
        }
        let mut record = Record::default();
        for &x in &values {
            record.clear();
            record.push_f64(x);
            record.push_opt_f64(Some(x));
            record.push_opt_f64(None);
            let cells: Vec<&str> = record.cells().collect();
            let text = x.to_string();
            assert_eq!(cells, [text.as_str(), text.as_str(), ""], "{x:e}");
        }
    }
}
