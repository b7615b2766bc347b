//! Spark SQL (3.4 or later). `try_cast` and `regexp_like`
//! (<https://spark.apache.org/docs/latest/api/sql/index.html>), string literals with
//! backslash escapes and back-quoted identifiers
//! (<https://spark.apache.org/docs/latest/sql-ref-literals.html>,
//! <https://spark.apache.org/docs/latest/sql-ref-identifier.html>). Timestamps are
//! `TIMESTAMP_NTZ`, so nothing depends on the session time zone; `convert_timezone(source,
//! target, ts_ntz)` gives the wall-clock time in a zone. ISO years through the week's
//! Thursday; `weekofyear` is the ISO week.

use super::{backslash_string_lit, DatePart, Dialect};
use crate::Error;

/// Spark SQL.
#[derive(Debug, Clone, Copy, Default)]
pub struct SparkSql;

impl Dialect for SparkSql {
    fn name(&self) -> &'static str {
        "Spark SQL"
    }

    fn quote_ident(&self, name: &str) -> String {
        format!("`{}`", name.replace('`', "``"))
    }

    fn string_lit(&self, s: &str) -> String {
        backslash_string_lit(s)
    }

    fn text_type(&self) -> &'static str {
        "STRING"
    }

    fn full_match(&self, t: &str, re: &str) -> String {
        format!("regexp_like({t}, {})", self.string_lit(re))
    }

    fn try_naive_timestamp(&self, t: &str) -> String {
        self.try_cast(t, "TIMESTAMP_NTZ")
    }

    fn add_minutes(&self, ts: &str, minutes: &str) -> String {
        format!("{ts} + make_interval(0, 0, 0, 0, 0, CAST({minutes} AS INT), 0)")
    }

    fn zone_date(&self, ts: &str, zone: &str) -> Result<String, Error> {
        Ok(format!(
            "CAST(convert_timezone('UTC', {}, {ts}) AS DATE)",
            self.string_lit(zone)
        ))
    }

    fn date_part(&self, part: DatePart, d: &str) -> String {
        // dayofweek: 1 = Sunday ... 7 = Saturday, so (dayofweek + 5) % 7 counts from Monday.
        let thursday = format!("date_add({d}, 3 - MOD(dayofweek({d}) + 5, 7))");
        match part {
            DatePart::Year => format!("year({d})"),
            DatePart::Month => format!("month({d})"),
            DatePart::Day => format!("dayofmonth({d})"),
            DatePart::IsoYear => format!("year({thursday})"),
            DatePart::IsoWeek => format!("weekofyear({d})"),
        }
    }
}
