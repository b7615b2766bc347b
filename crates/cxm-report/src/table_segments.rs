//! The terminal's segment significance column (`sig.`, beside the value): the segment's
//! letter in parentheses, the letters of the segments of the same dimension and period it
//! is significantly above, and ▲ / ▼ when it is significantly above / below the rest of its
//! dimension (see [`crate::SegmentTest`]), e.g. `(A) BC ▲`.

use crate::model::SegmentTest;
use crate::table::Cell;

/// The legend printed under a metric's table when any of its results has a segment test.
pub(crate) const LEGEND: &str = "sig.: (A) the segment's letter; after it the letters of the segments of its dimension and period it is significantly above; ▲/▼ significantly above/below the rest of its dimension (adjusted p below the report's alpha)";

/// The cell of one result: empty without a test; flagged when anything is significant.
pub(crate) fn cell(test: Option<&SegmentTest>) -> Cell {
    let Some(t) = test else {
        return Cell::plain("");
    };
    // No letter: the dimension has too many segments for pairwise tests.
    let mut text = if t.letter.is_empty() {
        String::new()
    } else {
        format!("({})", t.letter)
    };
    if !t.above.is_empty() {
        text.push(' ');
        // Letters run together when all are single (`BC`); otherwise comma-separated.
        let separator = if t.above.iter().all(|l| l.len() == 1) {
            ""
        } else {
            ","
        };
        text.push_str(&t.above.join(separator));
    }
    let marker = t
        .vs_rest
        .as_ref()
        .filter(|r| r.significant)
        .map(|r| match r.direction.as_str() {
            "above" => "▲",
            "below" => "▼",
            _ => "",
        })
        .unwrap_or_default();
    if !marker.is_empty() {
        if !text.is_empty() {
            text.push(' ');
        }
        text.push_str(marker);
    }
    Cell {
        flagged: !t.above.is_empty() || !marker.is_empty(),
        text,
    }
}
