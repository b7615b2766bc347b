//! The terminal's "why did it move" section of a metric: for every change of the overall
//! figure that has a shift-share decomposition (`trend.decomposition`), one line with the
//! change split into mix and within-segment effects, and a compact table of the segments'
//! shares, figures and contributions.

use crate::error::RenderError;
use crate::format::{fixed, terminal_text};
use crate::model::{ResultRow, ShiftShare};
use crate::table::{write_grid, Align, Cell};
use std::io::Write;

/// Decimals for figures in `unit`: one for points and percentages, else two.
fn decimals(unit: &str) -> usize {
    let u = unit.to_ascii_lowercase();
    if u.contains('%') || u.contains("nps") || u.contains("points") {
        1
    } else {
        2
    }
}

/// `+1.5`, `-0.3`, `0.0`.
fn signed(x: f64, d: usize) -> String {
    let text = fixed(x, d);
    if x > 0.0 && text.chars().any(|c| c.is_ascii_digit() && c != '0') {
        format!("+{text}")
    } else {
        text
    }
}

/// `a → b`, a dash for an absent side.
fn arrow(a: Option<String>, b: Option<String>) -> String {
    let dash = || "—".to_string();
    format!("{} → {}", a.unwrap_or_else(dash), b.unwrap_or_else(dash))
}

/// Writes the decompositions of the overall figure's changes among `rows` (one metric's).
pub(crate) fn write_decompositions(
    out: &mut impl Write,
    rows: &[&ResultRow],
    color: bool,
) -> Result<(), RenderError> {
    let found: Vec<(&ResultRow, &ShiftShare)> = rows
        .iter()
        .filter(|r| r.group.len() == 1)
        .filter_map(|r| Some((*r, r.trend.as_ref()?)))
        .flat_map(|(r, t)| t.decomposition.iter().map(move |d| (r, d)))
        .collect();
    if found.is_empty() {
        return Ok(());
    }
    let unit = rows
        .first()
        .map(|r| r.result.unit.as_str())
        .unwrap_or_default();
    let d = decimals(unit);
    writeln!(
        out,
        "  Why did it move (shift-share: mix = segment shares changed, within = segments' own figures changed; {}):",
        terminal_text(unit)
    )?;
    for (row, s) in found {
        let period = row.group[0].1.as_deref().unwrap_or_default();
        let previous = row
            .trend
            .as_ref()
            .map(|t| t.previous_period.as_str())
            .unwrap_or_default();
        writeln!(
            out,
            "  {} → {} by {}: Δ {} = mix {} + within {}",
            terminal_text(previous),
            terminal_text(period),
            terminal_text(&s.dimension),
            signed(s.delta, d),
            signed(s.mix, d),
            signed(s.within, d)
        )?;
        let headers = [
            (s.dimension.clone(), Align::Left),
            ("share of n".to_string(), Align::Left),
            ("value".to_string(), Align::Left),
            ("mix".to_string(), Align::Right),
            ("within".to_string(), Align::Right),
        ];
        let pct = |x: f64| format!("{}%", fixed(x, 1));
        let table: Vec<Vec<Cell>> = s
            .segments
            .iter()
            .map(|g| {
                vec![
                    Cell::plain(format!("  {}", g.segment.as_deref().unwrap_or("(missing)"))),
                    Cell::plain(arrow(
                        Some(pct(g.previous_share_pct)),
                        Some(pct(g.share_pct)),
                    )),
                    Cell::plain(arrow(
                        g.previous_value.map(|v| fixed(v, d)),
                        g.value.map(|v| fixed(v, d)),
                    )),
                    Cell::plain(signed(g.mix, d)),
                    Cell::plain(signed(g.within, d)),
                ]
            })
            .collect();
        write_grid(out, &headers, &table, color)?;
    }
    Ok(())
}
