//! The comparison as a terminal table, as JSON (schema [`crate::DIFF_SCHEMA`]) and as CSV
//! (one row per figure).

use crate::{Change, DiffError, Figure, FigureChange, Group, RunDiff, Status, DIFF_SCHEMA};
use cxm_report::{csv_safe_cell, terminal_text};
use serde_json::json;
use std::io::Write;

/// A number for the table: two decimals, `-` when undefined.
fn num(x: Option<f64>) -> String {
    x.map_or_else(|| "-".to_string(), |x| format!("{x:.2}"))
}

/// A signed change for the table.
fn signed(x: Option<f64>) -> String {
    x.map_or_else(|| "-".to_string(), |x| format!("{x:+.2}"))
}

/// A count: whole numbers without decimals (weighted counts keep one).
fn count(n: f64) -> String {
    if n.fract() == 0.0 {
        format!("{n:.0}")
    } else {
        format!("{n:.1}")
    }
}

fn signed_count(n: f64) -> String {
    if n.fract() == 0.0 {
        format!("{n:+.0}")
    } else {
        format!("{n:+.1}")
    }
}

/// The group without its period, `dim=value; dim=value` (`(all)` for none).
fn segment(group: &Group) -> String {
    let parts: Vec<String> = group
        .iter()
        .filter(|(k, _)| k != "period")
        .map(|(k, v)| format!("{k}={}", v.as_deref().unwrap_or("(empty)")))
        .collect();
    if parts.is_empty() {
        "(all)".to_string()
    } else {
        parts.join("; ")
    }
}

/// Writes rows of cells as aligned columns, indented by two spaces.
fn aligned(w: &mut dyn Write, header: &[&str], rows: &[Vec<String>]) -> std::io::Result<()> {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            widths[i] = widths[i].max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let mut s = String::from(" ");
        for (cell, width) in cells.iter().zip(&widths) {
            s.push(' ');
            s.push_str(cell);
            s.push_str(&" ".repeat(width - cell.chars().count()));
            s.push(' ');
        }
        s.trim_end().to_string()
    };
    writeln!(w, "{}", line(header.to_vec()))?;
    for row in rows {
        writeln!(w, "{}", line(row.iter().map(String::as_str).collect()))?;
    }
    Ok(())
}

const CHANGE_HEADER: [&str; 12] = [
    "metric", "segment", "period", "old", "new", "Δ", "old n", "new n", "Δn", "test", "p adj.",
    "unit",
];

fn change_rows<'a>(figures: impl Iterator<Item = &'a FigureChange>) -> Vec<Vec<String>> {
    figures
        .map(|f| {
            let p = match (f.p_adjusted, f.significant) {
                (Some(p), Some(true)) => format!("{p:.4} *"),
                (Some(p), _) => format!("{p:.4}"),
                _ => "-".to_string(),
            };
            vec![
                terminal_text(&f.metric).into_owned(),
                terminal_text(&segment(&f.group)).into_owned(),
                terminal_text(f.period.as_deref().unwrap_or("-")).into_owned(),
                num(f.old.value),
                num(f.new.value),
                signed(f.delta),
                count(f.old.n),
                count(f.new.n),
                signed_count(f.delta_n),
                f.test.clone().unwrap_or_else(|| "-".to_string()),
                p,
                terminal_text(&f.unit).into_owned(),
            ]
        })
        .collect()
}

fn figure_rows(figures: &[Figure]) -> Vec<Vec<String>> {
    figures
        .iter()
        .map(|f| {
            vec![
                terminal_text(&f.metric).into_owned(),
                terminal_text(&segment(&f.group)).into_owned(),
                terminal_text(f.period.as_deref().unwrap_or("-")).into_owned(),
                num(f.value),
                count(f.n),
                terminal_text(&f.unit).into_owned(),
            ]
        })
        .collect()
}

fn change_line(w: &mut dyn Write, c: &Change) -> std::io::Result<()> {
    let side = |v: &Option<String>| {
        v.as_deref()
            .map_or("(absent)".to_string(), |v| terminal_text(v).into_owned())
    };
    writeln!(
        w,
        "    {}: {} -> {}",
        terminal_text(&c.name),
        side(&c.old),
        side(&c.new)
    )
}

/// Writes the comparison for reading in a terminal: restated history first, then the other
/// changed figures, figures only in one run, and drift. Unchanged figures are counted, not
/// listed (`--format csv` or `json` lists them).
pub fn render_table(diff: &RunDiff, w: &mut dyn Write) -> Result<(), DiffError> {
    let restated = diff.count(Status::Restated);
    let changed = diff.count(Status::Changed);
    let unchanged = diff.count(Status::Unchanged);
    let f = &diff.figures;
    writeln!(w, "cxm diff: {}", terminal_text(&diff.new.client))?;
    for (label, run) in [("old", &diff.old), ("new", &diff.new)] {
        writeln!(
            w,
            "  {label}  {}  (run {}, cxm {}, config {})",
            terminal_text(&run.dir),
            run.generated_at
                .as_deref()
                .unwrap_or("at an unrecorded time"),
            terminal_text(&run.cxm_version),
            terminal_text(&run.config)
        )?;
    }
    writeln!(
        w,
        "{} figure(s) in both runs: {restated} restated, {changed} changed, {unchanged} unchanged; {} only in the new run, {} only in the old run.",
        f.common.len(),
        f.only_new.len(),
        f.only_old.len()
    )?;
    writeln!(
        w,
        "Tests: two-sided, old and new run taken as independent samples, alpha {}, {} adjustment within each metric's changed figures (* significant).",
        diff.alpha, diff.adjustment
    )?;
    writeln!(w)?;
    if restated == 0 {
        writeln!(
            w,
            "Restated history: none (no figure of a period both runs cover moved)."
        )?;
    } else {
        writeln!(
            w,
            "RESTATED HISTORY: {restated} figure(s) of periods both runs cover changed (late or removed rows in periods that should be closed):"
        )?;
        aligned(
            w,
            &CHANGE_HEADER,
            &change_rows(diff.with_status(Status::Restated)),
        )?;
    }
    if diff.options.latest_open {
        if let Some(p) = &f.old_latest_period {
            writeln!(
                w,
                "  ({} was the old run's latest period, taken as open: its changes are listed below, not as restated.)",
                terminal_text(p)
            )?;
        }
    }
    writeln!(w)?;
    if changed == 0 {
        writeln!(w, "Other changed figures: none.")?;
    } else {
        writeln!(
            w,
            "Other changed figures: {changed} (overall, per segment, or an open period):"
        )?;
        aligned(
            w,
            &CHANGE_HEADER,
            &change_rows(diff.with_status(Status::Changed)),
        )?;
    }
    let header = ["metric", "segment", "period", "value", "n", "unit"];
    for (title, list) in [
        (
            "Only in the new run (new periods, segments or metrics)",
            &f.only_new,
        ),
        (
            "Only in the old run (dropped periods, segments or metrics)",
            &f.only_old,
        ),
    ] {
        writeln!(w)?;
        if list.is_empty() {
            writeln!(w, "{title}: none.")?;
        } else {
            writeln!(w, "{title}: {}", list.len())?;
            aligned(w, &header, &figure_rows(list))?;
        }
    }
    writeln!(w)?;
    let d = &diff.drift;
    if !d.any() {
        writeln!(
            w,
            "Drift: none (same cxm, config, registries, data and plugin libraries)."
        )?;
        return Ok(());
    }
    writeln!(w, "Drift:")?;
    if let Some(c) = &d.cxm_version {
        change_line(w, c)?;
    }
    if d.config.changed {
        writeln!(
            w,
            "  config changed: {} (sha256 {}) -> {} (sha256 {})",
            terminal_text(&d.config.old_path),
            d.config
                .old_sha256
                .get(..12)
                .unwrap_or(&d.config.old_sha256),
            terminal_text(&d.config.new_path),
            d.config
                .new_sha256
                .get(..12)
                .unwrap_or(&d.config.new_sha256),
        )?;
        match (&d.config.keys, &d.config.keys_unavailable) {
            (Some(keys), _) if keys.is_empty() => {
                writeln!(w, "    no key changed (comments or layout only)")?
            }
            (Some(keys), _) => {
                for c in keys {
                    change_line(w, c)?;
                }
            }
            (None, why) => writeln!(
                w,
                "    keys not compared: {}",
                terminal_text(why.as_deref().unwrap_or("configs unavailable"))
            )?,
        }
    }
    for (title, list) in [
        ("registries", &d.registries),
        ("datasets", &d.datasets),
        ("plugin libraries (per metric)", &d.plugins),
    ] {
        if !list.is_empty() {
            writeln!(w, "  {title} changed:")?;
            for c in list {
                change_line(w, c)?;
            }
        }
    }
    Ok(())
}

/// Writes the comparison as JSON, schema [`DIFF_SCHEMA`]:
/// `{schema, old, new, alpha, adjustment, latest_open, old_latest_period, summary,
/// restated, changed, unchanged, only_old, only_new, drift}`. Every figure of both runs is
/// in exactly one of `restated`, `changed`, `unchanged` (figure changes: `metric`, `group`,
/// `period`, `unit`, `status`, `old {value, n}`, `new {value, n}`, `delta`, `delta_n`,
/// `test`, `statistic`, `p_value`, `p_adjusted`, `significant`) or of `only_old`,
/// `only_new` (`metric`, `group`, `period`, `unit`, `value`, `n`).
pub fn render_json(diff: &RunDiff, w: &mut dyn Write) -> Result<(), DiffError> {
    let list = |s: Status| diff.with_status(s).collect::<Vec<_>>();
    let f = &diff.figures;
    let doc = json!({
        "schema": DIFF_SCHEMA,
        "old": diff.old,
        "new": diff.new,
        "alpha": diff.alpha,
        "adjustment": diff.adjustment,
        "latest_open": diff.options.latest_open,
        "old_latest_period": f.old_latest_period,
        "summary": {
            "compared": f.common.len(),
            "restated": diff.count(Status::Restated),
            "changed": diff.count(Status::Changed),
            "unchanged": diff.count(Status::Unchanged),
            "only_old": f.only_old.len(),
            "only_new": f.only_new.len(),
            "drift": diff.drift.any(),
        },
        "restated": list(Status::Restated),
        "changed": list(Status::Changed),
        "unchanged": list(Status::Unchanged),
        "only_old": f.only_old,
        "only_new": f.only_new,
        "drift": diff.drift,
    });
    serde_json::to_writer_pretty(&mut *w, &doc)?;
    writeln!(w)?;
    Ok(())
}

/// The CSV columns.
pub const CSV_COLUMNS: [&str; 16] = [
    "status",
    "metric",
    "segment",
    "period",
    "unit",
    "old_value",
    "new_value",
    "delta",
    "old_n",
    "new_n",
    "delta_n",
    "test",
    "statistic",
    "p_value",
    "p_adjusted",
    "significant",
];

fn opt(x: Option<f64>) -> String {
    x.map_or_else(String::new, |x| x.to_string())
}

/// Writes one CSV row per figure: those in both runs (status `restated`, `changed` or
/// `unchanged`, in the old run's order), then `only_old` and `only_new`. Drift is not in
/// the CSV (see the table or JSON).
pub fn render_csv(diff: &RunDiff, w: &mut dyn Write) -> Result<(), DiffError> {
    let mut out = csv::Writer::from_writer(w);
    out.write_record(CSV_COLUMNS)?;
    let text = |s: &str| csv_safe_cell(s).into_owned();
    for f in &diff.figures.common {
        let status = match f.status {
            Status::Restated => "restated",
            Status::Changed => "changed",
            Status::Unchanged => "unchanged",
        };
        out.write_record([
            status.to_string(),
            text(&f.metric),
            text(&segment(&f.group)),
            text(f.period.as_deref().unwrap_or("")),
            text(&f.unit),
            opt(f.old.value),
            opt(f.new.value),
            opt(f.delta),
            f.old.n.to_string(),
            f.new.n.to_string(),
            f.delta_n.to_string(),
            f.test.clone().unwrap_or_default(),
            opt(f.statistic),
            opt(f.p_value),
            opt(f.p_adjusted),
            f.significant.map_or_else(String::new, |s| s.to_string()),
        ])?;
    }
    for (status, list, is_old) in [
        ("only_old", &diff.figures.only_old, true),
        ("only_new", &diff.figures.only_new, false),
    ] {
        for f in list {
            let (old_value, new_value, old_n, new_n) = if is_old {
                (opt(f.value), String::new(), f.n.to_string(), String::new())
            } else {
                (String::new(), opt(f.value), String::new(), f.n.to_string())
            };
            out.write_record([
                status.to_string(),
                text(&f.metric),
                text(&segment(&f.group)),
                text(f.period.as_deref().unwrap_or("")),
                text(&f.unit),
                old_value,
                new_value,
                String::new(),
                old_n,
                new_n,
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
            ])?;
        }
    }
    out.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ConfigDrift, DiffOptions, Drift, FigureDiff, RunInfo, Side};

    fn info(dir: &str) -> RunInfo {
        RunInfo {
            dir: dir.into(),
            client: "Demo".into(),
            generated_at: None,
            cxm_version: "0.1.0".into(),
            config: "c.toml".into(),
        }
    }

    fn sample() -> RunDiff {
        let group: crate::figures::Group = vec![
            ("region".into(), Some("East".to_string())),
            ("period".into(), Some("2025-Q1".to_string())),
        ];
        RunDiff {
            old: info("old"),
            new: info("new"),
            alpha: 0.05,
            adjustment: "none".into(),
            options: DiffOptions::default(),
            figures: FigureDiff {
                common: vec![FigureChange {
                    metric: "csat".into(),
                    group: group.clone(),
                    period: Some("2025-Q1".into()),
                    unit: "% satisfied".into(),
                    status: Status::Restated,
                    old: Side {
                        value: Some(40.0),
                        n: 100.0,
                    },
                    new: Side {
                        value: Some(50.0),
                        n: 100.0,
                    },
                    delta: Some(10.0),
                    delta_n: 0.0,
                    test: Some("two_proportion_z".into()),
                    statistic: Some(1.421338),
                    p_value: Some(0.155218),
                    p_adjusted: Some(0.155218),
                    significant: Some(false),
                }],
                only_old: vec![],
                only_new: vec![Figure {
                    metric: "csat".into(),
                    group: vec![("period".into(), Some("2025-Q3".into()))],
                    period: Some("2025-Q3".into()),
                    unit: "% satisfied".into(),
                    value: Some(61.5),
                    n: 200.0,
                }],
                old_latest_period: Some("2025-Q2".into()),
            },
            drift: Drift {
                cxm_version: None,
                config: ConfigDrift {
                    old_path: "c.toml".into(),
                    new_path: "c.toml".into(),
                    old_sha256: "aa".into(),
                    new_sha256: "aa".into(),
                    changed: false,
                    keys: None,
                    keys_unavailable: None,
                },
                registries: vec![],
                datasets: vec![Change {
                    name: "survey".into(),
                    old: Some("sha256:aaaa (10 bytes)".into()),
                    new: Some("sha256:bbbb (20 bytes)".into()),
                }],
                plugins: vec![],
            },
        }
    }

    #[test]
    fn table_lists_restated_history_first_and_the_drift() {
        let mut out = Vec::new();
        render_table(&sample(), &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let restated = text.find("RESTATED HISTORY: 1 figure(s)").unwrap();
        let only_new = text.find("Only in the new run").unwrap();
        assert!(restated < only_new, "{text}");
        assert!(text.contains("region=East"), "{text}");
        assert!(text.contains("40.00"), "{text}");
        assert!(text.contains("+10.00"), "{text}");
        assert!(text.contains("0.1552"), "{text}");
        assert!(
            text.contains("survey: sha256:aaaa (10 bytes) -> sha256:bbbb (20 bytes)"),
            "{text}"
        );
    }

    #[test]
    fn json_has_the_schema_and_every_list() {
        let mut out = Vec::new();
        render_json(&sample(), &mut out).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v["schema"], "cxm.diff/1");
        assert_eq!(v["summary"]["restated"], 1);
        assert_eq!(v["summary"]["only_new"], 1);
        assert_eq!(
            v["restated"][0]["group"],
            json!({"region": "East", "period": "2025-Q1"})
        );
        assert_eq!(v["restated"][0]["status"], "restated");
        assert_eq!(v["restated"][0]["old"], json!({"value": 40.0, "n": 100.0}));
        assert_eq!(v["only_new"][0]["period"], "2025-Q3");
        assert_eq!(v["drift"]["datasets"][0]["name"], "survey");
    }

    #[test]
    fn csv_has_one_row_per_figure() {
        let mut out = Vec::new();
        render_csv(&sample(), &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3, "{text}");
        assert!(lines[0].starts_with("status,metric,segment,period"));
        assert_eq!(
            lines[1],
            "restated,csat,region=East,2025-Q1,% satisfied,40,50,10,100,100,0,two_proportion_z,1.421338,0.155218,0.155218,false"
        );
        assert_eq!(
            lines[2],
            "only_new,csat,(all),2025-Q3,% satisfied,,61.5,,,200,,,,,,"
        );
    }
}
