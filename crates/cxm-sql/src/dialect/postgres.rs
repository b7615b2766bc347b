//! PostgreSQL. No `TRY_CAST`: every cast is guarded by a regular expression (`~`, POSIX
//! regular expressions, <https://www.postgresql.org/docs/current/functions-matching.html>)
//! and, for dates, by integer calendar arithmetic inside nested `CASE`s, which PostgreSQL
//! evaluates lazily (<https://www.postgresql.org/docs/current/functions-conditional.html>),
//! so a cast never sees a value it would reject. (`pg_input_is_valid` would do this from
//! PostgreSQL 16 on; the guards also work on 12 to 15.)
//!
//! Time zones: `timestamp AT TIME ZONE 'UTC'` gives the instant, `AT TIME ZONE zone` its
//! local wall-clock time (<https://www.postgresql.org/docs/current/functions-datetime.html#FUNCTIONS-DATETIME-ZONECONVERT>);
//! date parts with `EXTRACT` (`ISOYEAR`, `WEEK` = ISO week).

use super::{DatePart, Dialect, DATE_RE};
use crate::Error;

/// PostgreSQL (12 or later).
#[derive(Debug, Clone, Copy, Default)]
pub struct Postgres;

/// Whether `t` (known to match `YYYY-MM-DD` in its first ten characters) is a calendar date
/// of year 1 or later: integer arithmetic only, safe to evaluate on any such text.
fn calendar_date(t: &str) -> String {
    let y = format!("CAST(SUBSTR({t}, 1, 4) AS INTEGER)");
    let m = format!("CAST(SUBSTR({t}, 6, 2) AS INTEGER)");
    let d = format!("CAST(SUBSTR({t}, 9, 2) AS INTEGER)");
    // Days in month: February 28 + leap; otherwise 30 + (m + m / 8) % 2 (31 for Jan, Mar,
    // May, Jul, Aug, Oct, Dec).
    format!(
        "{y} >= 1 AND {m} BETWEEN 1 AND 12 AND {d} BETWEEN 1 AND CASE WHEN {m} = 2 THEN 28 + \
         CASE WHEN ({y} % 4 = 0 AND {y} % 100 <> 0) OR {y} % 400 = 0 THEN 1 ELSE 0 END \
         ELSE 30 + ({m} + {m} / 8) % 2 END"
    )
}

impl Dialect for Postgres {
    fn name(&self) -> &'static str {
        "PostgreSQL"
    }

    fn text_type(&self) -> &'static str {
        "TEXT"
    }

    fn double_type(&self) -> &'static str {
        "DOUBLE PRECISION"
    }

    fn full_match(&self, t: &str, re: &str) -> String {
        format!("{t} ~ {}", self.string_lit(re))
    }

    /// A plain cast: callers only cast text their guard has validated.
    fn try_cast(&self, t: &str, ty: &str) -> String {
        format!("CAST({t} AS {ty})")
    }

    fn try_date(&self, t: &str) -> String {
        let m = self.full_match(t, DATE_RE);
        format!(
            "CASE WHEN {m} THEN CASE WHEN {} THEN CAST({t} AS DATE) END END",
            calendar_date(t)
        )
    }

    /// `t` is built from text that matched `DATETIME_RE`; the date and the clock are checked
    /// before the cast (PostgreSQL would accept second 60 and reject hour 24 with an error).
    fn try_naive_timestamp(&self, t: &str) -> String {
        let part = |start: usize| format!("CAST(SUBSTR({t}, {start}, 2) AS INTEGER)");
        format!(
            "CASE WHEN {} AND {} < 24 AND {} < 60 AND {} < 60 THEN CAST({t} AS TIMESTAMP) END",
            calendar_date(t),
            part(12),
            part(15),
            part(18)
        )
    }

    fn add_minutes(&self, ts: &str, minutes: &str) -> String {
        format!("{ts} + ({minutes}) * INTERVAL '1 minute'")
    }

    fn noon_of(&self, ts: &str, cut: crate::rows::Cut) -> Option<String> {
        Some(super::date_trunc_noon(ts, cut))
    }

    fn zone_wall_clock(&self, column: &str, zone: &str) -> Option<String> {
        Some(super::at_time_zone(self, column, zone))
    }

    fn instant_as_utc(&self, column: &str) -> Option<String> {
        Some(super::at_time_zone(self, column, "UTC"))
    }

    fn zone_date(&self, ts: &str, zone: &str) -> Result<String, Error> {
        Ok(format!(
            "CAST(({ts} AT TIME ZONE 'UTC') AT TIME ZONE {} AS DATE)",
            self.string_lit(zone)
        ))
    }

    fn date_part(&self, part: DatePart, d: &str) -> String {
        let field = match part {
            DatePart::Year => "YEAR",
            DatePart::Month => "MONTH",
            DatePart::Day => "DAY",
            DatePart::IsoYear => "ISOYEAR",
            DatePart::IsoWeek => "WEEK",
        };
        format!("CAST(EXTRACT({field} FROM {d}) AS INTEGER)")
    }
}
