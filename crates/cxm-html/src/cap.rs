//! How many segments a chart or a table of the report shows. A client's report grouped by
//! customer, store or agent can have hundreds of thousands of segments: charted, their bars
//! are thinner than a pixel, and tabled, they made a 475 MB page for 200,000 customers that
//! no browser opens. Beyond these caps the report shows the segments with the most answers
//! (in their own order) and says so; `report.xlsx` and `results.csv` keep every segment.

use crate::i18n::Locale;
use crate::view::View;
use cxm_report::ResultRow;
use std::cmp::Ordering;

/// Segments a bar chart shows at most.
pub(crate) const CHART_SEGMENTS: usize = 30;
/// Segments a table lists at most.
pub(crate) const TABLE_SEGMENTS: usize = 1000;

/// The `k` rows with the most answers (`n`), in their order; of rows with as many answers
/// as the last one kept, the first ones.
pub(crate) fn most_answered<'a>(rows: &[&'a ResultRow], k: usize) -> Vec<&'a ResultRow> {
    if rows.len() <= k {
        return rows.to_vec();
    }
    if k == 0 {
        return Vec::new();
    }
    let mut ns: Vec<f64> = rows.iter().map(|r| r.result.n).collect();
    let (_, &mut cut, _) = ns.select_nth_unstable_by(k - 1, |a, b| b.total_cmp(a));
    let above = rows
        .iter()
        .filter(|r| r.result.n.total_cmp(&cut) == Ordering::Greater)
        .count();
    let mut ties = k - above;
    rows.iter()
        .copied()
        .filter(|r| match r.result.n.total_cmp(&cut) {
            Ordering::Greater => true,
            Ordering::Equal if ties > 0 => {
                ties -= 1;
                true
            }
            _ => false,
        })
        .collect()
}

/// The note under a chart of `shown` of `all` segments whose table lists `tabled` of them
/// (empty when the chart shows them all).
pub(crate) fn chart_note(v: &View<'_>, shown: usize, tabled: usize, all: usize) -> String {
    if shown >= all {
        return String::new();
    }
    let text = if tabled >= all {
        v.l.most_answers
    } else {
        v.l.chart_most_answers
    };
    fill(v, text, shown, all)
}

/// The note under a table of `shown` of `all` segments (empty when it lists them all).
pub(crate) fn table_note(v: &View<'_>, shown: usize, all: usize) -> String {
    if shown >= all {
        return String::new();
    }
    fill(v, v.l.table_most_answers, shown, all)
}

fn fill(v: &View<'_>, text: &str, shown: usize, all: usize) -> String {
    text.replace("{shown}", &v.lang.number(shown as f64, 0))
        .replace("{all}", &v.lang.number(all as f64, 0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use cxm_report::MetricResult;

    fn row(name: &str, n: f64) -> ResultRow {
        ResultRow {
            metric: "m".into(),
            plugin: "p".into(),
            group: vec![("k".into(), Some(name.into()))],
            result: MetricResult {
                n,
                ..Default::default()
            },
            trend: None,
            benchmark: None,
            design: None,
        }
    }

    fn names(rows: &[&ResultRow]) -> Vec<String> {
        rows.iter()
            .map(|r| r.group[0].1.clone().unwrap_or_default())
            .collect()
    }

    #[test]
    fn keeps_the_most_answered_in_their_order_and_the_first_of_ties() {
        let all: Vec<ResultRow> = [
            ("a", 5.0),
            ("b", 9.0),
            ("c", 7.0),
            ("d", 7.0),
            ("e", 1.0),
            ("f", 7.0),
        ]
        .iter()
        .map(|&(name, n)| row(name, n))
        .collect();
        let rows: Vec<&ResultRow> = all.iter().collect();
        assert_eq!(names(&most_answered(&rows, 3)), ["b", "c", "d"]);
        assert_eq!(names(&most_answered(&rows, 1)), ["b"]);
        assert_eq!(names(&most_answered(&rows, 4)), ["b", "c", "d", "f"]);
        assert_eq!(names(&most_answered(&rows, 5)), ["a", "b", "c", "d", "f"]);
        assert_eq!(most_answered(&rows, 6).len(), 6);
        assert_eq!(most_answered(&rows, 60).len(), 6);
        assert!(most_answered(&rows, 0).is_empty());
    }
}
