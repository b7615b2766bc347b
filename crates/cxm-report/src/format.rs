//! Formatting helpers shared by the renderers: numbers with thousands separators, word
//! wrapping, the lookup of a result's group values by grouping column, and text from the
//! data made safe to print to a terminal.

use crate::model::{Grouping, ResultRow};
use std::borrow::Cow;

/// Text from the data, a plugin or a config made safe to print to a terminal: no character
/// of it can move the cursor, change colours, set the window title, ring the bell or
/// reverse the text's direction.
///
/// Tabs and line breaks become spaces (they would break the table's alignment); the other
/// C0 control characters and DEL become their visible Unicode pictures (ESC `␛`, BEL `␇`,
/// NUL `␀`, DEL `␡`), so `\x1b[31m` reads `␛[31m`; C1 control characters (U+0080–U+009F,
/// among them the one-byte CSI) and the bidirectional embedding, override and isolate
/// controls become U+FFFD `�`. Text without any of these is returned as it is.
pub fn terminal_text(text: &str) -> Cow<'_, str> {
    fn unsafe_char(c: char) -> bool {
        c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    }
    if !text.chars().any(unsafe_char) {
        return Cow::Borrowed(text);
    }
    text.chars()
        .map(|c| match c {
            '\t' | '\n' | '\r' => ' ',
            '\u{0}'..='\u{1f}' => char::from_u32(0x2400 + c as u32).unwrap_or('\u{fffd}'),
            '\u{7f}' => '\u{2421}',
            c if unsafe_char(c) => '\u{fffd}',
            c => c,
        })
        .collect::<String>()
        .into()
}

/// Inserts `,` every three digits into a string of ASCII digits.
fn group_digits(digits: &str) -> String {
    let len = digits.len();
    let mut out = String::with_capacity(len + len / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (len - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A count with thousands separators: `3,012`.
pub(crate) fn count(n: u64) -> String {
    group_digits(&n.to_string())
}

/// A number with `decimals` decimal places and thousands separators: `-1,234.5`. Never
/// writes a negative zero. Non-finite numbers are written as Rust displays them.
pub(crate) fn fixed(x: f64, decimals: usize) -> String {
    if !x.is_finite() {
        return x.to_string();
    }
    let text = format!("{x:.decimals$}");
    let (negative, unsigned) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.as_str()),
    };
    let (int_part, frac_part) = match unsigned.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (unsigned, None),
    };
    let is_zero = unsigned.chars().all(|c| c == '0' || c == '.');
    let mut out = String::new();
    if negative && !is_zero {
        out.push('-');
    }
    out.push_str(&group_digits(int_part));
    if let Some(f) = frac_part {
        out.push('.');
        out.push_str(f);
    }
    out
}

/// A (possibly weighted) observation count: an integer when whole (`2,000`), otherwise one
/// decimal place (`1,234.5`).
pub(crate) fn weight(n: f64) -> String {
    if n.is_finite() && n.fract() == 0.0 {
        fixed(n, 0)
    } else {
        fixed(n, 1)
    }
}

/// A confidence level as a percentage label: 0.95 → `95`, 0.999 → `99.9`.
pub(crate) fn percent(level: f64) -> String {
    let p = level * 100.0;
    if (p - p.round()).abs() < 1e-9 {
        format!("{p:.0}")
    } else {
        let text = format!("{p:.1}");
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// Splits `text` into lines of at most `width` characters at whitespace (a longer word gets
/// a line of its own). Empty text gives no lines.
pub(crate) fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut line_len = 0;
    for word in text.split_whitespace() {
        let word_len = word.chars().count();
        if line_len > 0 && line_len + 1 + word_len > width {
            lines.push(std::mem::take(&mut line));
            line_len = 0;
        }
        if line_len > 0 {
            line.push(' ');
            line_len += 1;
        }
        line.push_str(word);
        line_len += word_len;
    }
    if line_len > 0 {
        lines.push(line);
    }
    lines
}

/// The value of one grouping column for one result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum GroupCell<'a> {
    /// The result is the overall one (its group is empty).
    Overall,
    /// The group has the column, with a missing (empty) value.
    Missing,
    /// The group has the column with this value.
    Value(&'a str),
    /// The group does not mention the column.
    Absent,
}

/// Names of the grouping columns: the dimensions in order, then `period` when set.
pub(crate) fn group_columns(grouping: &Grouping) -> Vec<&str> {
    let mut columns: Vec<&str> = grouping.dimensions.iter().map(String::as_str).collect();
    if grouping.period.is_some() {
        columns.push("period");
    }
    columns
}

/// The group cells of `row`, one per entry of [`group_columns`]. Dimensions are looked up
/// by name (first match); the period is the last entry named `period`, so a dimension that
/// happens to be called `period` does not hide it.
pub(crate) fn group_cells<'a>(grouping: &Grouping, row: &'a ResultRow) -> Vec<GroupCell<'a>> {
    let from = |entry: Option<&'a (crate::Name, Option<String>)>| match entry {
        None => GroupCell::Absent,
        Some((_, None)) => GroupCell::Missing,
        Some((_, Some(v))) => GroupCell::Value(v.as_str()),
    };
    let columns = grouping.dimensions.len() + usize::from(grouping.period.is_some());
    if row.group.is_empty() {
        return vec![GroupCell::Overall; columns];
    }
    let mut cells: Vec<GroupCell<'a>> = grouping
        .dimensions
        .iter()
        .map(|d| from(row.group.iter().find(|(k, _)| k == d)))
        .collect();
    if grouping.period.is_some() {
        cells.push(from(row.group.iter().rev().find(|(k, _)| k == "period")));
    }
    cells
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(3012), "3,012");
        assert_eq!(count(1_234_567), "1,234,567");
        assert_eq!(fixed(16.94, 1), "16.9");
        assert_eq!(fixed(-1234.56, 1), "-1,234.6");
        assert_eq!(fixed(-0.04, 1), "0.0");
        assert_eq!(fixed(f64::NAN, 1), "NaN");
        assert_eq!(weight(2000.0), "2,000");
        assert_eq!(weight(1234.56), "1,234.6");
        assert_eq!(percent(0.95), "95");
        assert_eq!(percent(0.999), "99.9");
    }

    #[test]
    fn terminal_text_shows_control_characters() {
        assert_eq!(terminal_text("\x1b[31mRED\x07"), "␛[31mRED␇");
        assert_eq!(terminal_text("\x1b]0;title\x07"), "␛]0;title␇");
        assert_eq!(terminal_text("a\tb\nc\r\nd"), "a b c  d");
        assert_eq!(terminal_text("\0\x7f"), "␀␡");
        assert_eq!(terminal_text("\u{9b}2J"), "\u{fffd}2J");
        assert_eq!(terminal_text("abc\u{202e}fed"), "abc\u{fffd}fed");
        assert!(matches!(
            terminal_text("Région — 1,234 ▲*"),
            Cow::Borrowed("Région — 1,234 ▲*")
        ));
    }

    #[test]
    fn wrapping() {
        assert_eq!(wrap("a bb ccc dddd", 6), vec!["a bb", "ccc", "dddd"]);
        assert_eq!(
            wrap("averyveryverylongword x", 5),
            vec!["averyveryverylongword", "x"]
        );
        assert!(wrap("  ", 10).is_empty());
    }
}
