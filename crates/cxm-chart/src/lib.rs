//! Deterministic, self-contained SVG charts for the cxm client report.
//!
//! Every chart function takes a chart description and a number formatter ([`NumFmt`], the
//! caller's locale) and returns one `<svg>` element as a string, ready to inline in an HTML
//! page: no scripts, no external resources, no font families (only `font-size`), colours as
//! presentation attributes, coordinates printed with at most one decimal. The same input
//! always gives the same bytes.
//!
//! No input panics. Empty data, NaN and infinite values (treated as missing), a single
//! point, all-equal values and huge or negative values all give a valid SVG; when there is
//! nothing to draw, an empty-state chart with a short message ("No data", or "Нет данных"
//! when the title is in Cyrillic).
//!
//! The charts:
//! - [`trend`]: a line over ordered periods with the confidence interval as a shaded band;
//! - [`bars`]: horizontal bars with CI whiskers, value labels, markers and greyed items;
//! - [`stacked`]: 100%-stacked horizontal bars (detractors / passives / promoters);
//! - [`columns`]: vertical columns over categories (score distributions, histograms);
//! - [`grouped`]: several series per category as grouped horizontal bars;
//! - [`quadrant`]: an importance × performance priority matrix.
//!
//! [`palette`] holds the colour-blind-safe colours (Okabe–Ito) to pass for series.
//!
//! Each `<svg>` carries `class="cxm-chart cxm-chart-<kind>"`, `role="img"` and a `<title>`
//! (the chart's title) that `aria-labelledby` points to; the id is derived from the content,
//! so several charts on one page do not clash. The title is not drawn: the page shows it as
//! a heading. Width is 640 user units; the page may scale it (`max-width:100%;height:auto`).

mod axis;
mod bars;
mod columns;
mod grouped;
pub mod palette;
mod quadrant;
mod scale;
mod stacked;
mod svg;
mod trend;

#[cfg(test)]
mod tests;

pub use bars::{bars, Bar, BarChart};
pub use columns::{columns, Column, ColumnChart};
pub use grouped::{grouped, GroupedChart, GroupedRow};
pub use quadrant::{quadrant, QuadrantChart, QuadrantPoint};
pub use stacked::{stacked, StackedChart, StackedRow};
pub use trend::{trend, TrendChart, TrendPoint};

/// Formats a number for display with the given number of decimals (the caller's locale).
pub type NumFmt<'a> = &'a dyn Fn(f64, usize) -> String;

/// A confidence interval (or any range) on the value axis.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Interval {
    pub low: f64,
    pub high: f64,
}
