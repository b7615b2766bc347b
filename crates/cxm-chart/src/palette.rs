//! The chart colours: the Okabe–Ito palette (distinguishable with the common colour-vision
//! deficiencies and in greyscale print), the NPS category colours, and the neutral greys the
//! charts use for text, grid lines and greyed-out (low-sample) items.

/// Okabe–Ito blue: the default colour of single-series charts.
pub const BLUE: &str = "#0072B2";
/// Okabe–Ito orange: the usual second series.
pub const ORANGE: &str = "#E69F00";
/// Okabe–Ito sky blue.
pub const SKY_BLUE: &str = "#56B4E9";
/// Okabe–Ito bluish green.
pub const GREEN: &str = "#009E73";
/// Okabe–Ito vermillion.
pub const VERMILLION: &str = "#D55E00";
/// Okabe–Ito reddish purple.
pub const PURPLE: &str = "#CC79A7";
/// Okabe–Ito yellow (a fill only: too light for lines or text on white).
pub const YELLOW: &str = "#F0E442";
/// Dark grey, the last series colour.
pub const DARK_GREY: &str = "#555555";

/// NPS detractors (0–6): vermillion.
pub const DETRACTOR: &str = VERMILLION;
/// NPS passives (7–8): neutral grey.
pub const PASSIVE: &str = "#B4B4B4";
/// NPS promoters (9–10): bluish green.
pub const PROMOTER: &str = GREEN;

/// Series colours in order, for charts with several series (and the fallback when a
/// series' colour is not a valid hex colour or colour name).
pub const SERIES: [&str; 8] = [
    BLUE, ORANGE, SKY_BLUE, GREEN, VERMILLION, PURPLE, YELLOW, DARK_GREY,
];

/// Main text (labels, values).
pub(crate) const TEXT: &str = "#222222";
/// Secondary text (ticks, captions, notes, greyed labels).
pub(crate) const MUTED: &str = "#666666";
/// Grid lines.
pub(crate) const GRID: &str = "#E4E4E4";
/// Axis and zero lines.
pub(crate) const AXIS: &str = "#8C8C8C";
/// Reference (benchmark, overall) lines and their labels.
pub(crate) const REFERENCE: &str = "#444444";
/// Fill of greyed-out bars.
pub(crate) const GREYED_FILL: &str = "#E2E2E2";
/// Dashed outline of greyed-out items.
pub(crate) const GREYED_STROKE: &str = "#8C8C8C";
/// Opacity of greyed-out items drawn in their series colour.
pub(crate) const GREYED_OPACITY: &str = "0.35";
