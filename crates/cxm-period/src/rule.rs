//! [`PeriodRule`]: the period (key and label) of an instant or a calendar
//! date, for one grain, time zone and fiscal-year start.
//!
//! Keys are ordinal numbers of periods, so they sort chronologically and
//! consecutive periods have consecutive keys (`key - 1` is the previous
//! period, whether or not it holds data):
//! - day: days since 1970-01-01;
//! - week: ISO weeks since the week of 1970-01-01 (Monday 1969-12-29);
//! - month: `year * 12 + month - 1`;
//! - quarter: `(fiscal) year * 4 + quarter - 1`;
//! - year: the (fiscal) year.

use chrono::{Datelike, NaiveDate};

use crate::{Grain, PeriodError, Zone};

/// `NaiveDate::num_days_from_ce` of 1970-01-01.
const EPOCH_DAYS_FROM_CE: i32 = 719_163;
/// 1970-01-01 was a Thursday: days since the epoch of its ISO week's Monday
/// are `-3`, so the week ordinal of day `d` is `(d + 3) / 7` (floored).
const EPOCH_WEEK_SHIFT: i64 = 3;

/// How instants and dates are assigned to periods.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PeriodRule {
    /// Period length.
    pub grain: Grain,
    /// Time zone in which instants are turned into local dates.
    pub zone: Zone,
    /// First month (`1..=12`) of the fiscal year; `1` is the calendar year.
    /// Only quarters and years depend on it.
    pub fiscal_year_start: u32,
}

/// One period: a key that sorts chronologically within a rule and its label.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Period {
    /// Ordinal of the period (see the module docs); consecutive periods have
    /// consecutive keys.
    pub key: i64,
    /// `2025-03-14`, `2025-W09`, `2025-03`, `2025-Q1`, `2025`, or with a
    /// fiscal year not starting in January `FY2026-Q1`, `FY2026`.
    pub label: String,
}

impl PeriodRule {
    /// A rule; fails when `fiscal_year_start` is not in `1..=12`.
    pub fn new(grain: Grain, zone: Zone, fiscal_year_start: u32) -> Result<Self, PeriodError> {
        if !(1..=12).contains(&fiscal_year_start) {
            return Err(PeriodError::InvalidFiscalStart {
                month: fiscal_year_start,
            });
        }
        Ok(PeriodRule {
            grain,
            zone,
            fiscal_year_start,
        })
    }

    /// Whether quarters and years are fiscal (the fiscal year does not start
    /// in January).
    pub fn is_fiscal(&self) -> bool {
        self.fiscal_year_start != 1
    }

    /// The period of an instant (microseconds since the Unix epoch, UTC):
    /// the instant is first converted to its local date in the rule's zone.
    /// `None` when out of chrono's date range.
    pub fn of_timestamp(&self, utc_micros: i64) -> Option<Period> {
        self.of_date(self.zone.local_days(utc_micros)?)
    }

    /// The period of a calendar date (days since 1970-01-01), taken as is:
    /// dates have no zone. `None` when out of chrono's date range, or for a
    /// quarter or year when `fiscal_year_start` is not in `1..=12` (a rule
    /// built with [`PeriodRule::new`] never is).
    pub fn of_date(&self, days_since_epoch: i32) -> Option<Period> {
        let key = self.key_of_date(days_since_epoch)?;
        Some(Period {
            key,
            label: self.label(key)?,
        })
    }

    /// The key of the period containing a date (see [`PeriodRule::of_date`]).
    pub fn key_of_date(&self, days_since_epoch: i32) -> Option<i64> {
        let date = date_of(days_since_epoch)?;
        let days = i64::from(days_since_epoch);
        let (year, month) = (i64::from(date.year()), i64::from(date.month0()));
        Some(match self.grain {
            Grain::Day => days,
            Grain::Week => (days + EPOCH_WEEK_SHIFT).div_euclid(7),
            Grain::Month => year * 12 + month,
            Grain::Quarter => {
                let (fy, index) = self.fiscal_month(year, month)?;
                fy * 4 + index / 3
            }
            Grain::Year => self.fiscal_month(year, month)?.0,
        })
    }

    /// The label of the period with this key; `None` when the key is out of
    /// range (or the fiscal start is invalid, for quarters and years).
    pub fn label(&self, key: i64) -> Option<String> {
        let prefix = if self.is_fiscal() { "FY" } else { "" };
        Some(match self.grain {
            Grain::Day => {
                let date = date_of(i32::try_from(key).ok()?)?;
                format!(
                    "{}-{:02}-{:02}",
                    year_text(date.year()),
                    date.month(),
                    date.day()
                )
            }
            Grain::Week => {
                let monday = key.checked_mul(7)?.checked_sub(EPOCH_WEEK_SHIFT)?;
                let week = date_of(i32::try_from(monday).ok()?)?.iso_week();
                format!("{}-W{:02}", year_text(week.year()), week.week())
            }
            Grain::Month => {
                let year = year_in_range(key.div_euclid(12))?;
                format!("{}-{:02}", year_text(year), key.rem_euclid(12) + 1)
            }
            Grain::Quarter => {
                self.fiscal_start0()?;
                let year = year_in_range(key.div_euclid(4))?;
                format!("{prefix}{}-Q{}", year_text(year), key.rem_euclid(4) + 1)
            }
            Grain::Year => {
                self.fiscal_start0()?;
                format!("{prefix}{}", year_text(year_in_range(key)?))
            }
        })
    }

    /// The fiscal year and the zero-based month within it of calendar
    /// `year` and zero-based `month0`.
    ///
    /// A fiscal year is named by the calendar year in which it ENDS, the
    /// common convention: Microsoft's fiscal year runs July to June, and its
    /// Form 10-Q for the quarter ended 2025-09-30 is tagged fiscal year 2026,
    /// period Q1 (SEC EDGAR, msft-20250930,
    /// <https://www.sec.gov/Archives/edgar/data/789019/000119312525256321/msft-20250930.htm>);
    /// the US federal fiscal year "begins on October 1 of each year and
    /// ends on September 30 of the following year" (31 U.S.C. 1102) and is
    /// named by its end year (FY2026 = October 2025 to September 2026).
    /// Some organisations name it by its start year instead (Japan's
    /// government fiscal year 2025 runs April 2025 to March 2026); that
    /// convention is not supported. With a January start the fiscal year is
    /// the calendar year.
    fn fiscal_month(&self, year: i64, month0: i64) -> Option<(i64, i64)> {
        let start0 = self.fiscal_start0()?;
        if start0 == 0 {
            return Some((year, month0));
        }
        let fiscal_year = if month0 >= start0 { year + 1 } else { year };
        Some((fiscal_year, (month0 - start0).rem_euclid(12)))
    }

    /// The zero-based first month of the fiscal year; `None` when
    /// `fiscal_year_start` is out of range.
    fn fiscal_start0(&self) -> Option<i64> {
        (1..=12)
            .contains(&self.fiscal_year_start)
            .then(|| i64::from(self.fiscal_year_start) - 1)
    }
}

/// The date `days` after 1970-01-01.
fn date_of(days: i32) -> Option<NaiveDate> {
    NaiveDate::from_num_days_from_ce_opt(days.checked_add(EPOCH_DAYS_FROM_CE)?)
}

/// `year` as an `i32` when chrono's dates can hold it (one more than the
/// maximum: a fiscal year may end the year after the last date).
fn year_in_range(year: i64) -> Option<i32> {
    let max = i64::from(NaiveDate::MAX.year()) + 1;
    if (i64::from(NaiveDate::MIN.year())..=max).contains(&year) {
        i32::try_from(year).ok()
    } else {
        None
    }
}

/// A year with at least four digits (`0987`, `2025`, `-0044`, `12345`).
fn year_text(year: i32) -> String {
    if year < 0 {
        format!("-{:04}", year.unsigned_abs())
    } else {
        format!("{year:04}")
    }
}
