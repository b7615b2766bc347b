//! BigQuery (GoogleSQL). `SAFE_CAST` (<https://cloud.google.com/bigquery/docs/reference/standard-sql/conversion_functions#safe_casting>),
//! `REGEXP_CONTAINS` (RE2), back-quoted identifiers and backslash escapes in literals
//! (<https://cloud.google.com/bigquery/docs/reference/standard-sql/lexical>). Timestamps are
//! `DATETIME` (no zone); `TIMESTAMP(datetime, 'UTC')` makes the instant and `DATE(timestamp,
//! zone)` its local date (<https://cloud.google.com/bigquery/docs/reference/standard-sql/date_functions#date>);
//! `EXTRACT(ISOYEAR | ISOWEEK FROM date)`.

use super::{backslash_string_lit, DatePart, Dialect};
use crate::Error;

/// BigQuery.
#[derive(Debug, Clone, Copy, Default)]
pub struct BigQuery;

impl Dialect for BigQuery {
    fn name(&self) -> &'static str {
        "BigQuery"
    }

    fn quote_ident(&self, name: &str) -> String {
        format!("`{}`", name.replace('\\', "\\\\").replace('`', "\\`"))
    }

    fn string_lit(&self, s: &str) -> String {
        backslash_string_lit(s)
    }

    fn text_type(&self) -> &'static str {
        "STRING"
    }

    fn int_type(&self) -> &'static str {
        "INT64"
    }

    fn double_type(&self) -> &'static str {
        "FLOAT64"
    }

    fn full_match(&self, t: &str, re: &str) -> String {
        format!("REGEXP_CONTAINS({t}, {})", self.string_lit(re))
    }

    fn try_cast(&self, t: &str, ty: &str) -> String {
        format!("SAFE_CAST({t} AS {ty})")
    }

    fn try_naive_timestamp(&self, t: &str) -> String {
        self.try_cast(t, "DATETIME")
    }

    fn add_minutes(&self, ts: &str, minutes: &str) -> String {
        format!("DATETIME_ADD({ts}, INTERVAL {minutes} MINUTE)")
    }

    fn date_of(&self, ts: &str) -> String {
        format!("DATE({ts})")
    }

    fn zone_date(&self, ts: &str, zone: &str) -> Result<String, Error> {
        Ok(format!(
            "DATE(TIMESTAMP({ts}, 'UTC'), {})",
            self.string_lit(zone)
        ))
    }

    fn date_part(&self, part: DatePart, d: &str) -> String {
        let field = match part {
            DatePart::Year => "YEAR",
            DatePart::Month => "MONTH",
            DatePart::Day => "DAY",
            DatePart::IsoYear => "ISOYEAR",
            DatePart::IsoWeek => "ISOWEEK",
        };
        format!("EXTRACT({field} FROM {d})")
    }
}
