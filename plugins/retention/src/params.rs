//! The params of `retention` and `churn` (the `period` range with its grain, `confidence`,
//! `min_n`), the
//! calendar arithmetic that turns them into half-open periods [t0, t1), and the period
//! labels ("2025-03", "2025-Q1", "2025", "2025-W09").

use chrono::{Datelike, Months, NaiveDate};
use cxm_sdk::prelude::*;

/// Days from 0001-01-01 (chrono's day 1 of the common era) to 1970-01-01: an
/// `InputType::Date` is days since 1970-01-01, chrono counts from the common era.
const EPOCH_FROM_CE: i32 = 719_163;
/// The most periods one range may hold (about 190 years of weeks).
pub const MAX_PERIODS: usize = 10_000;

/// The calendar grain of the periods.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Grain {
    /// ISO 8601 weeks, Monday to Sunday, labelled with the ISO week-numbering year.
    Week,
    /// Calendar months.
    Month,
    /// Calendar quarters (January, April, July, October).
    Quarter,
    /// Calendar years.
    Year,
}

impl Grain {
    /// The name used in the config.
    pub fn name(self) -> &'static str {
        match self {
            Grain::Week => "week",
            Grain::Month => "month",
            Grain::Quarter => "quarter",
            Grain::Year => "year",
        }
    }

    /// The first day of the period holding `d`.
    pub fn floor(self, d: NaiveDate) -> NaiveDate {
        let first_month = match self {
            Grain::Week => {
                let back = i64::from(d.weekday().num_days_from_monday());
                return d - chrono::Duration::days(back);
            }
            Grain::Month => d.month(),
            Grain::Quarter => (d.month() - 1) / 3 * 3 + 1,
            Grain::Year => 1,
        };
        NaiveDate::from_ymd_opt(d.year(), first_month, 1).unwrap_or(d)
    }

    /// The first day of the next period, for a `d` that starts a period.
    pub fn next(self, d: NaiveDate) -> Option<NaiveDate> {
        match self {
            Grain::Week => d.checked_add_days(chrono::Days::new(7)),
            Grain::Month => d.checked_add_months(Months::new(1)),
            Grain::Quarter => d.checked_add_months(Months::new(3)),
            Grain::Year => d.checked_add_months(Months::new(12)),
        }
    }

    /// The label of the period starting on `d`.
    pub fn label(self, d: NaiveDate) -> String {
        match self {
            Grain::Week => {
                let w = d.iso_week();
                format!("{:04}-W{:02}", w.year(), w.week())
            }
            Grain::Month => format!("{:04}-{:02}", d.year(), d.month()),
            Grain::Quarter => format!("{:04}-Q{}", d.year(), (d.month() - 1) / 3 + 1),
            Grain::Year => format!("{:04}", d.year()),
        }
    }
}

/// The `period` param: `{ from = "YYYY-MM-DD", to = "YYYY-MM-DD", grain = "month" }`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PeriodSpec {
    /// First day of the range (inclusive).
    pub from: String,
    /// Day after the range (exclusive).
    pub to: String,
    /// Calendar grain; without it the range is one period.
    #[serde(default)]
    pub grain: Option<Grain>,
}

/// The `params` table of `retention` and `churn`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RetentionParams {
    /// The range and grain of the periods (required).
    pub period: Option<PeriodSpec>,
    /// Confidence level of the Wilson interval of each rate, between 0 and 1.
    pub confidence: f64,
    /// Below this weighted number of customers at the start of the headline period the
    /// result carries the warning `low_sample`.
    pub min_n: u64,
}

impl Default for RetentionParams {
    fn default() -> Self {
        RetentionParams {
            period: None,
            confidence: 0.95,
            min_n: 30,
        }
    }
}

/// A `Date` input value (days since 1970-01-01) as a calendar date.
pub fn date_of(days: i32) -> Option<NaiveDate> {
    NaiveDate::from_num_days_from_ce_opt(days.checked_add(EPOCH_FROM_CE)?)
}

/// A calendar date as days since 1970-01-01.
pub fn days_of(d: NaiveDate) -> i32 {
    d.num_days_from_ce() - EPOCH_FROM_CE
}

/// The periods of a bound metric: consecutive half-open ranges [bounds[i], bounds[i + 1]).
#[derive(Clone, Debug, PartialEq)]
pub struct Periods {
    /// P + 1 ascending boundaries, as days since 1970-01-01.
    pub bounds: Vec<i32>,
    /// P labels.
    pub labels: Vec<String>,
}

impl Periods {
    /// The number of periods.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Whether there is no period (never true after [`Periods::new`]).
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// Builds the periods from the `period` param, checking dates and alignment.
    pub fn new(spec: Option<&PeriodSpec>) -> Result<Self, String> {
        let spec = spec.ok_or(
            "period is required: give the range to measure, e.g. period = { from = \"2025-01-01\", \
             to = \"2025-07-01\", grain = \"month\" } (to is exclusive; without grain the whole \
             range is one period)",
        )?;
        let from = parse_date("from", &spec.from)?;
        let to = parse_date("to", &spec.to)?;
        if to <= from {
            return Err(format!(
                "period.to = \"{to}\" must be after period.from = \"{from}\" (to is exclusive: \
                 the day after the last day measured)"
            ));
        }
        let Some(grain) = spec.grain else {
            return Ok(Periods {
                bounds: vec![days_of(from), days_of(to)],
                // ISO 8601 interval notation start/end; the end is exclusive here.
                labels: vec![format!("{from}/{to}")],
            });
        };
        check_aligned(grain, "from", from, "the first day measured")?;
        check_aligned(grain, "to", to, "the day after the last day measured")?;
        let mut bounds = vec![days_of(from)];
        let mut labels = Vec::new();
        let mut t0 = from;
        while t0 < to {
            if labels.len() >= MAX_PERIODS {
                return Err(format!(
                    "period from \"{from}\" to \"{to}\" by {} holds more than {MAX_PERIODS} \
                     periods: shorten the range or use a coarser grain",
                    grain.name()
                ));
            }
            let t1 = grain
                .next(t0)
                .ok_or_else(|| format!("period.to = \"{to}\" is beyond the supported calendar"))?;
            labels.push(grain.label(t0));
            bounds.push(days_of(t1));
            t0 = t1;
        }
        Ok(Periods { bounds, labels })
    }
}

fn parse_date(key: &str, text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| {
        format!(
            "period.{key} = \"{text}\" is not a date: write it as YYYY-MM-DD, e.g. \"2025-01-01\""
        )
    })
}

/// With a grain, `from` and `to` must start a period, so every period is whole.
fn check_aligned(grain: Grain, key: &str, d: NaiveDate, role: &str) -> Result<(), String> {
    let floor = grain.floor(d);
    if floor == d {
        return Ok(());
    }
    let what = match grain {
        Grain::Week => "a Monday (ISO weeks start on Monday)".to_string(),
        other => format!("the first day of a {}", other.name()),
    };
    let next = grain
        .next(floor)
        .map_or(String::new(), |n| format!(" or \"{n}\""));
    Err(format!(
        "period.{key} = \"{d}\" is not {what}, so its {} would be partial: period.{key} is \
         {role}; use \"{floor}\"{next}, or remove grain to measure [from, to) as one period",
        grain.name()
    ))
}
