//! Trino. `try_cast`, `regexp_like` (Java patterns), `date_add(unit, n, ts)`,
//! `with_timezone(ts, zone)` and `AT TIME ZONE`, `year_of_week` and `week` (ISO)
//! (<https://trino.io/docs/current/functions/conversion.html>,
//! <https://trino.io/docs/current/functions/regexp.html>,
//! <https://trino.io/docs/current/functions/datetime.html>).

use super::{DatePart, Dialect};
use crate::Error;

/// Trino.
#[derive(Debug, Clone, Copy, Default)]
pub struct Trino;

impl Dialect for Trino {
    fn name(&self) -> &'static str {
        "Trino"
    }

    fn text_type(&self) -> &'static str {
        "VARCHAR"
    }

    fn full_match(&self, t: &str, re: &str) -> String {
        format!("regexp_like({t}, {})", self.string_lit(re))
    }

    fn try_naive_timestamp(&self, t: &str) -> String {
        self.try_cast(t, "TIMESTAMP(6)")
    }

    fn add_minutes(&self, ts: &str, minutes: &str) -> String {
        format!("date_add('minute', {minutes}, {ts})")
    }

    /// A `timestamp with time zone` cast to `DATE` keeps its local date.
    fn zone_date(&self, ts: &str, zone: &str) -> Result<String, Error> {
        Ok(format!(
            "CAST(with_timezone({ts}, 'UTC') AT TIME ZONE {} AS DATE)",
            self.string_lit(zone)
        ))
    }

    fn date_part(&self, part: DatePart, d: &str) -> String {
        let f = match part {
            DatePart::Year => "year",
            DatePart::Month => "month",
            DatePart::Day => "day",
            DatePart::IsoYear => "year_of_week",
            DatePart::IsoWeek => "week",
        };
        format!("{f}({d})")
    }
}
