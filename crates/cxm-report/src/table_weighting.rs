//! The terminal's lines about a dataset's survey weights (under its row counts), and the
//! `n eff.` cell of a weighted result.

use crate::format::{fixed, terminal_text};
use crate::weighting::WeightingSummary;

/// One line (two with raking) describing how a dataset was weighted, e.g.
/// `  weights: design_weight, raked to region, plan (4 iterations, largest gap 0.0000 %);
/// range 0.09–8.98 (mean 1); design effect 2.97, n eff. 202 of 600 rows`.
pub(crate) fn lines(w: &WeightingSummary) -> Vec<String> {
    let mut what: Vec<String> = Vec::new();
    if let Some(field) = &w.sampling_weight {
        what.push(terminal_text(field).into_owned());
    }
    if let Some(r) = &w.raking {
        let mut variables: Vec<&str> = Vec::new();
        for m in &r.margins {
            if !variables.contains(&m.variable.as_str()) {
                variables.push(&m.variable);
            }
        }
        let trim = match r.trim {
            Some((low, high)) => format!(", trimmed to {low}–{high}: {} cells", r.trimmed_cells),
            None => String::new(),
        };
        what.push(format!(
            "raked to {} ({} iterations, largest gap {:.4} %{trim})",
            terminal_text(&variables.join(", ")),
            r.iterations,
            100.0 * r.max_gap,
        ));
    }
    let mut out = vec![format!(
        "  weights: {}; range {}–{} (mean 1); design effect {}, n eff. {} of {} rows",
        what.join(", "),
        fixed(w.min_weight, 2),
        fixed(w.max_weight, 2),
        fixed(w.design_effect, 2),
        fixed(w.n_effective, 0),
        fixed(w.rows, 0),
    )];
    if let Some(r) = &w.raking {
        if r.rows_outside_margins > 0.0 {
            let rows = if r.rows_outside_margins == 1.0 {
                "row"
            } else {
                "rows"
            };
            out.push(format!(
                "  {} {rows} outside the raking margins (rejected as outside_raking_margins)",
                fixed(r.rows_outside_margins, 0)
            ));
        }
    }
    out
}
