//! Calendar periods for cxm trends and comparisons (METRICS.md, "Trends and
//! comparisons"): assigns instants and calendar dates to days, ISO 8601
//! weeks, months, quarters and years, in a configured time zone (default
//! UTC), with fiscal years that may start in any month.
//!
//! A [`PeriodRule`] combines a [`Grain`], a [`Zone`] and the first month of
//! the fiscal year. [`PeriodRule::of_timestamp`] first converts an instant to
//! the zone's local date; [`PeriodRule::of_date`] takes a calendar date as
//! is. Both return a [`Period`]: a key that sorts chronologically (and is
//! dense: consecutive periods have consecutive keys) and a label such as
//! `2025-03-14`, `2025-W09`, `2025-03`, `2025-Q1`, `2025`, `FY2026-Q1` or
//! `FY2026`.
//!
//! ```
//! use cxm_period::{parse_zone, Grain, PeriodRule};
//! # fn main() -> Result<(), cxm_period::PeriodError> {
//! // Fiscal years starting in April, in Berlin time.
//! let rule = PeriodRule::new(Grain::Quarter, parse_zone("Europe/Berlin")?, 4)?;
//! // 2025-03-31T22:30:00Z is already 1 April in Berlin: Q1 of FY2026.
//! let period = rule.of_timestamp(1_743_460_200_000_000);
//! assert_eq!(period.map(|p| p.label).as_deref(), Some("FY2026-Q1"));
//! # Ok(())
//! # }
//! ```

mod rule;
mod zone;

#[cfg(test)]
mod tests;

pub use rule::{Period, PeriodRule};
pub use zone::{parse_zone, LocalTime, Zone};

/// Errors of this crate.
#[derive(thiserror::Error, Debug, Clone, PartialEq, Eq)]
pub enum PeriodError {
    /// A time zone string is not recognised.
    #[error(
        "unknown time zone \"{input}\": expected \"UTC\" (or \"Z\"), an IANA zone name such as \
         \"Europe/Berlin\" or \"America/New_York\", or a fixed UTC offset such as \"+02:00\", \
         \"-05:30\" or \"-0530\""
    )]
    InvalidZone {
        /// The rejected input.
        input: String,
    },
    /// The first month of the fiscal year is not in `1..=12`.
    #[error(
        "fiscal year start month {month} is out of range (expected 1..=12, 1 = calendar year)"
    )]
    InvalidFiscalStart {
        /// The rejected month.
        month: u32,
    },
}

/// Period length.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Grain {
    /// Calendar day.
    Day,
    /// ISO 8601 week (Monday to Sunday, numbered within its ISO week-year).
    Week,
    /// Calendar month.
    Month,
    /// Quarter of the (fiscal) year.
    Quarter,
    /// The (fiscal) year.
    Year,
}

impl Grain {
    /// Every grain, shortest first.
    pub const ALL: [Grain; 5] = [
        Grain::Day,
        Grain::Week,
        Grain::Month,
        Grain::Quarter,
        Grain::Year,
    ];

    /// Parses a grain name: `day`, `week`, `month`, `quarter` or `year`.
    pub fn parse(s: &str) -> Option<Grain> {
        Grain::ALL.into_iter().find(|g| g.name() == s)
    }

    /// The grain's name as accepted by [`Grain::parse`].
    pub fn name(self) -> &'static str {
        match self {
            Grain::Day => "day",
            Grain::Week => "week",
            Grain::Month => "month",
            Grain::Quarter => "quarter",
            Grain::Year => "year",
        }
    }
}

impl std::fmt::Display for Grain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}
