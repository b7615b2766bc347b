//! Period labels in SQL, identical to `cxm_period`'s (`2025-03-14`, `2025-W09`, `2025-03`,
//! `2025-Q1`, `2025`, and with a fiscal year not starting in January `FY2026-Q1`, `FY2026`,
//! a fiscal year being named by the calendar year in which it ends), so pushed-down results
//! join with streamed runs. Built from integer date parts, `||` and zero padding only.

use cxm_period::Grain;

use crate::dialect::{DatePart, Dialect};
use crate::shape::ZoneSpec;
use crate::Error;

/// The local date of `ts` (a UTC timestamp without time zone) in `zone`.
pub(crate) fn local_date(d: &dyn Dialect, ts: &str, zone: &ZoneSpec) -> Result<String, Error> {
    match zone {
        ZoneSpec::Utc => Ok(d.date_of(ts)),
        ZoneSpec::Fixed(minutes) => Ok(d.date_of(&d.add_minutes(ts, &minutes.to_string()))),
        ZoneSpec::Named(name) => d.zone_date(ts, name),
    }
}

/// The label of the period holding date `pd` (a column reference), for a grain and the
/// first month of the fiscal year (`1..=12`, checked by the caller).
pub(crate) fn label(d: &dyn Dialect, pd: &str, grain: Grain, fiscal_year_start: u32) -> String {
    // Some engines pad NULL to "0000" (SQLite's PRINTF): no date, no label.
    format!(
        "CASE WHEN {pd} IS NOT NULL THEN {} END",
        label_of_date(d, pd, grain, fiscal_year_start)
    )
}

fn label_of_date(d: &dyn Dialect, pd: &str, grain: Grain, fiscal_year_start: u32) -> String {
    let part = |p: DatePart| d.date_part(p, pd);
    let month = part(DatePart::Month);
    let year4 = |y: &str| d.pad_int(y, 4);
    match grain {
        Grain::Day => format!(
            "{} || '-' || {} || '-' || {}",
            year4(&part(DatePart::Year)),
            d.pad_int(&month, 2),
            d.pad_int(&part(DatePart::Day), 2)
        ),
        Grain::Week => format!(
            "{} || '-W' || {}",
            year4(&part(DatePart::IsoYear)),
            d.pad_int(&part(DatePart::IsoWeek), 2)
        ),
        Grain::Month => format!(
            "{} || '-' || {}",
            year4(&part(DatePart::Year)),
            d.pad_int(&month, 2)
        ),
        Grain::Quarter | Grain::Year => {
            let year = part(DatePart::Year);
            let (prefix, fiscal_year, index) = if fiscal_year_start == 1 {
                ("", year, format!("{month} - 1"))
            } else {
                let s = fiscal_year_start;
                (
                    "'FY' || ",
                    format!("{year} + CASE WHEN {month} >= {s} THEN 1 ELSE 0 END"),
                    format!("{month} - {s} + CASE WHEN {month} >= {s} THEN 0 ELSE 12 END"),
                )
            };
            let year_text = year4(&format!("({fiscal_year})"));
            if grain == Grain::Year {
                format!("{prefix}{year_text}")
            } else {
                let i = format!("({index})");
                format!(
                    "{prefix}{year_text} || CASE WHEN {i} < 3 THEN '-Q1' WHEN {i} < 6 THEN '-Q2' \
                     WHEN {i} < 9 THEN '-Q3' ELSE '-Q4' END"
                )
            }
        }
    }
}
