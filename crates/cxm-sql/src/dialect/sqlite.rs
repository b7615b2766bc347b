//! SQLite. No regular expressions and no `TRY_CAST`: values are validated with `GLOB`,
//! `TRIM(x, characters)` and the date functions, which return NULL for what they cannot
//! read (<https://www.sqlite.org/lang_corefunc.html>, <https://www.sqlite.org/lang_datefunc.html>).
//! Dates and timestamps are text (`YYYY-MM-DD`, `YYYY-MM-DD HH:MM:SS.SSS`, milliseconds).
//! Quantization needs the math functions (`LN`, `EXP`, `CEIL`, `SIGN`), built in by default
//! since SQLite 3.35 (<https://www.sqlite.org/lang_mathfunc.html>).
//!
//! SQLite knows no time zones but UTC and the process's local time: named zones are
//! refused ([`Error::ZoneUnsupported`]); UTC and fixed offsets work.

use super::{DatePart, Dialect};
use crate::Error;

/// SQLite (3.35 or later).
#[derive(Debug, Clone, Copy, Default)]
pub struct Sqlite;

/// `t` without one leading sign.
fn unsigned(t: &str) -> String {
    format!("CASE WHEN SUBSTR({t}, 1, 1) IN ('+', '-') THEN SUBSTR({t}, 2) ELSE {t} END")
}

/// `s` is a non-empty run of digits.
fn digits(s: &str) -> String {
    format!("({s} <> '' AND TRIM({s}, '0123456789') = '')")
}

impl Dialect for Sqlite {
    fn name(&self) -> &'static str {
        "SQLite"
    }

    fn text_type(&self) -> &'static str {
        "TEXT"
    }

    fn int_type(&self) -> &'static str {
        "INTEGER"
    }

    fn double_type(&self) -> &'static str {
        "REAL"
    }

    /// Not used: every validator is overridden (SQLite has no regular expressions unless an
    /// application registers `regexp`). Falls back to `GLOB` of the pattern, never called.
    fn full_match(&self, t: &str, re: &str) -> String {
        format!("{t} GLOB {}", self.string_lit(re))
    }

    fn try_cast(&self, t: &str, ty: &str) -> String {
        format!("CAST({t} AS {ty})")
    }

    fn try_integer(&self, t: &str) -> String {
        let s = unsigned(t);
        format!(
            "CASE WHEN LENGTH({s}) <= 18 AND {} THEN CAST({t} AS INTEGER) END",
            digits(&s)
        )
    }

    fn try_number(&self, t: &str) -> String {
        let s = unsigned(t);
        let e_at = format!("INSTR(LOWER({s}), 'e')");
        let mantissa = format!("CASE WHEN {e_at} > 0 THEN SUBSTR({s}, 1, {e_at} - 1) ELSE {s} END");
        let exponent = unsigned(&format!("SUBSTR({s}, {e_at} + 1)"));
        format!(
            "CASE WHEN LENGTH({t}) <= 40 AND ({mantissa}) NOT IN ('', '.') \
             AND TRIM({mantissa}, '0123456789.') = '' \
             AND LENGTH({mantissa}) - LENGTH(REPLACE({mantissa}, '.', '')) <= 1 \
             AND ({e_at} = 0 OR (LENGTH({exponent}) <= 2 AND {})) \
             THEN CAST({t} AS REAL) END",
            digits(&exponent)
        )
    }

    fn try_date(&self, t: &str) -> String {
        format!(
            "CASE WHEN {t} GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]' \
             AND DATE({t}, '+0 days') = {t} THEN {t} END"
        )
    }

    fn datetime_form(&self, t: &str) -> String {
        let len = format!("LENGTH({t})");
        let tail = format!(
            "CASE WHEN SUBSTR({t}, {len}, 1) = 'Z' THEN 1 WHEN {len} >= 25 \
             AND SUBSTR({t}, {len} - 5, 1) IN ('+', '-') THEN 6 ELSE 0 END"
        );
        let fraction = format!("SUBSTR({t}, 20, {len} - 19 - ({tail}))");
        let zone = format!("SUBSTR({t}, {len} - ({tail}) + 1)");
        format!(
            "({t} GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9][T ][0-9][0-9]:[0-9][0-9]:[0-9][0-9]*' \
             AND (({fraction}) = '' OR (SUBSTR({fraction}, 1, 1) = '.' AND {})) \
             AND (({zone}) IN ('', 'Z') OR ({zone}) GLOB '[+-][0-9][0-9]:[0-9][0-9]'))",
            digits(&format!("SUBSTR({fraction}, 2)"))
        )
    }

    /// `DATE(x, '+0 days') = x` refuses 30 February: the modifier makes SQLite normalise the
    /// date (to 2 March), while `DATE(x)` alone returns it unchanged.
    fn try_naive_timestamp(&self, t: &str) -> String {
        let part = |start: usize| format!("CAST(SUBSTR({t}, {start}, 2) AS INTEGER)");
        format!(
            "CASE WHEN DATE(SUBSTR({t}, 1, 10), '+0 days') = SUBSTR({t}, 1, 10) AND {} < 24 AND {} < 60 \
             AND {} < 60 THEN STRFTIME('%Y-%m-%d %H:%M:%f', {t}) END",
            part(12),
            part(15),
            part(18)
        )
    }

    /// `GLOB` for the form, integer checks for the clock, `DATE(…, '+0 days')` for the date.
    fn plain_wall_clock(&self, t: &str) -> String {
        let len = format!("LENGTH({t})");
        format!(
            "({t} GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9][T ][0-9][0-9]:[0-5][0-9]:[0-5][0-9]*' \
             AND ({len} = 19 OR ({len} BETWEEN 21 AND 29 AND SUBSTR({t}, 20, 1) = '.' AND {})) \
             AND CAST(SUBSTR({t}, 12, 2) AS INTEGER) < 24 \
             AND DATE(SUBSTR({t}, 1, 10), '+0 days') = SUBSTR({t}, 1, 10))",
            digits(&format!("SUBSTR({t}, 21)"))
        )
    }

    fn add_minutes(&self, ts: &str, minutes: &str) -> String {
        format!("STRFTIME('%Y-%m-%d %H:%M:%f', {ts}, ({minutes}) || ' minutes')")
    }

    fn date_of(&self, ts: &str) -> String {
        format!("DATE({ts})")
    }

    fn zone_date(&self, _ts: &str, zone: &str) -> Result<String, Error> {
        Err(Error::ZoneUnsupported {
            dialect: self.name(),
            zone: zone.to_string(),
        })
    }

    fn date_part(&self, part: DatePart, d: &str) -> String {
        // ISO weeks through their Thursday: %w is 0 for Sunday, so (w + 6) % 7 counts days
        // since Monday.
        let thursday =
            format!("DATE({d}, '-' || ((CAST(STRFTIME('%w', {d}) AS INTEGER) + 6) % 7) || ' days', '+3 days')");
        match part {
            DatePart::Year => format!("CAST(STRFTIME('%Y', {d}) AS INTEGER)"),
            DatePart::Month => format!("CAST(STRFTIME('%m', {d}) AS INTEGER)"),
            DatePart::Day => format!("CAST(STRFTIME('%d', {d}) AS INTEGER)"),
            DatePart::IsoYear => format!("CAST(STRFTIME('%Y', {thursday}) AS INTEGER)"),
            DatePart::IsoWeek => {
                format!("(CAST(STRFTIME('%j', {thursday}) AS INTEGER) - 1) / 7 + 1")
            }
        }
    }

    fn pad_int(&self, x: &str, width: usize) -> String {
        format!("PRINTF('%0{width}d', {x})")
    }

    fn date_literal(&self, iso: &str) -> String {
        self.string_lit(iso)
    }
}
