//! Type inference over a column's sampled values: every candidate type (and
//! number format, and date format) is kept while all non-empty values so far
//! fit it; the narrowest one left wins.

use cxm_period::Zone;

use crate::datetime::{parse_date, parse_datetime, DateFormat};
use crate::inspect::ColumnInspection;
use crate::types::{parse_boolean, parse_integer, parse_number};
use crate::{FieldType, NumberFormat};

/// Sample values kept per column.
const MAX_SAMPLES: usize = 3;
/// Characters kept of a sample value.
const MAX_SAMPLE_CHARS: usize = 200;

/// Date formats suggested when the values fit one; the dotted ones are also
/// read without a format, the slashed ones are not (they are ambiguous).
const DATE_FORMATS: [&str; 9] = [
    "dd.mm.yyyy",
    "dd.mm.yyyy hh:mm",
    "dd.mm.yyyy hh:mm:ss",
    "dd/mm/yyyy",
    "dd/mm/yyyy hh:mm",
    "dd/mm/yyyy hh:mm:ss",
    "mm/dd/yyyy",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y %H:%M:%S",
];

/// Number formats tried when the plain syntax does not fit, with the
/// setting each needs.
const NUMBER_FORMATS: [(NumberFormat, &str); 3] = [
    (
        NumberFormat {
            decimal_comma: true,
            thousands: None,
        },
        "decimal_comma = true",
    ),
    (
        NumberFormat {
            decimal_comma: false,
            thousands: Some(b','),
        },
        "thousands_separator = \",\"",
    ),
    (
        NumberFormat {
            decimal_comma: false,
            thousands: Some(b' '),
        },
        "thousands_separator = \" \"",
    ),
];

/// Cell texts that exports commonly use for "no value" (R writes NA, Excel #N/A, databases
/// NULL). Inspection counts them as empty and suggests declaring them as null_values.
const NULL_TOKENS: [&str; 6] = ["NA", "N/A", "n/a", "NULL", "null", "#N/A"];

/// What the values of one column seen so far fit.
#[derive(Debug)]
pub(crate) struct ColumnStats {
    empty: usize,
    /// The "no value" tokens seen, in order of appearance.
    null_tokens: Vec<&'static str>,
    non_empty: usize,
    samples: Vec<String>,
    integer: bool,
    number: bool,
    /// Per [`NUMBER_FORMATS`]: (all values numbers, all integers).
    formatted: [(bool, bool); 3],
    boolean: bool,
    /// All values are dates without a time of day.
    date: bool,
    datetime: bool,
    /// Per [`DATE_FORMATS`].
    date_formats: [bool; 9],
    scratch: Vec<u8>,
}

impl ColumnStats {
    /// Stats of a column of a file with `delimiter` (a decimal comma is only
    /// considered when the delimiter is not `,`).
    pub(crate) fn new(delimiter: u8) -> Self {
        let mut formatted = [(true, true); 3];
        if delimiter == b',' {
            formatted[0] = (false, false);
        }
        ColumnStats {
            empty: 0,
            null_tokens: Vec::new(),
            non_empty: 0,
            samples: Vec::new(),
            integer: true,
            number: true,
            formatted,
            boolean: true,
            date: true,
            datetime: true,
            date_formats: [true; 9],
            scratch: Vec::new(),
        }
    }

    /// Takes one cell into account.
    pub(crate) fn observe(&mut self, cell: &str) {
        let value = cell.trim_matches(|c: char| c.is_ascii_whitespace());
        if value.is_empty() {
            self.empty += 1;
            return;
        }
        if let Some(token) = NULL_TOKENS.iter().find(|t| **t == value) {
            self.empty += 1;
            if !self.null_tokens.contains(token) {
                self.null_tokens.push(token);
            }
            return;
        }
        self.non_empty += 1;
        if self.samples.len() < MAX_SAMPLES && !self.samples.iter().any(|s| s == value) {
            self.samples
                .push(value.chars().take(MAX_SAMPLE_CHARS).collect());
        }
        let bytes = value.as_bytes();
        self.integer &= parse_integer(bytes).is_ok();
        self.number &= parse_number(bytes).is_ok();
        for ((format, _), (number, integer)) in NUMBER_FORMATS.iter().zip(&mut self.formatted) {
            if !*number {
                continue;
            }
            let normalized = format.normalize(bytes, &mut self.scratch);
            *number = normalized.is_ok_and(|n| parse_number(n).is_ok());
            *integer &= normalized.is_ok_and(|n| parse_integer(n).is_ok());
        }
        self.boolean &= parse_boolean(bytes).is_ok();
        self.date &= bytes.len() <= 10 && parse_date(bytes, None).is_some();
        self.datetime &= parse_datetime(bytes, None, &Zone::Utc).is_some();
        for (name, ok) in DATE_FORMATS.iter().zip(&mut self.date_formats) {
            *ok = *ok
                && DateFormat::new(name)
                    .is_some_and(|f| parse_datetime(bytes, Some(&f), &Zone::Utc).is_some());
        }
    }

    /// The column's description.
    pub(crate) fn finish(self, name: String) -> ColumnInspection {
        let (inferred_type, mut suggestion) = self.infer();
        if !self.null_tokens.is_empty() {
            let quoted: Vec<String> = self
                .null_tokens
                .iter()
                .map(|t| format!("\"{t}\""))
                .collect();
            let nulls = format!("null_values = [\"\", {}] on the dataset", quoted.join(", "));
            suggestion = Some(match suggestion {
                Some(s) => format!("{s}; {nulls}"),
                None => nulls,
            });
        }
        ColumnInspection {
            name,
            inferred_type,
            empty: self.empty,
            samples: self.samples,
            suggestion,
        }
    }

    fn infer(&self) -> (FieldType, Option<String>) {
        if self.non_empty == 0 {
            return (FieldType::String, None);
        }
        if self.integer {
            return (FieldType::Integer, None);
        }
        if self.number {
            return (FieldType::Number, None);
        }
        let formatted = NUMBER_FORMATS.iter().zip(&self.formatted);
        for ((_, setting), &(number, integer)) in formatted {
            if number {
                let ty = if integer {
                    FieldType::Integer
                } else {
                    FieldType::Number
                };
                return (ty, Some((*setting).to_owned()));
            }
        }
        if self.boolean {
            return (FieldType::Boolean, None);
        }
        let fitting: Vec<&str> = DATE_FORMATS
            .iter()
            .zip(self.date_formats)
            .filter_map(|(name, ok)| ok.then_some(*name))
            .collect();
        let format = fitting.first().map(|f| format!("format = \"{f}\""));
        if self.date || self.datetime {
            let ty = if self.date {
                FieldType::Date
            } else {
                FieldType::Datetime
            };
            return (ty, format);
        }
        let suggestion = match fitting.as_slice() {
            [] => None,
            [one] => Some(format!("format = \"{one}\"")),
            [first, second, ..] => Some(format!(
                "format = \"{first}\" or \"{second}\" (ambiguous in the sample)"
            )),
        };
        (FieldType::String, suggestion)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn infer(delimiter: u8, values: &[&str]) -> (FieldType, Option<String>) {
        let mut stats = ColumnStats::new(delimiter);
        for v in values {
            stats.observe(v);
        }
        stats.infer()
    }

    fn plain(ty: FieldType) -> (FieldType, Option<String>) {
        (ty, None)
    }

    fn with(ty: FieldType, s: &str) -> (FieldType, Option<String>) {
        (ty, Some(s.to_owned()))
    }

    #[test]
    fn numbers() {
        assert_eq!(
            infer(b',', &["1", " 2 ", "", "-3"]),
            plain(FieldType::Integer)
        );
        assert_eq!(infer(b',', &["1", "2.5"]), plain(FieldType::Number));
        assert_eq!(
            infer(b';', &["4,5", "1.234,5", "7"]),
            with(FieldType::Number, "decimal_comma = true")
        );
        assert_eq!(
            infer(b';', &["1.234.567", "12"]),
            with(FieldType::Integer, "decimal_comma = true")
        );
        // No decimal comma with a comma delimiter; "4,5" then reads as a
        // thousands group it does not fit.
        assert_eq!(infer(b',', &["4,5"]), plain(FieldType::String));
        assert_eq!(
            infer(b',', &["1,234", "1,234,567.5"]),
            with(FieldType::Number, "thousands_separator = \",\"")
        );
        assert_eq!(
            infer(b';', &["1 234", "5"]),
            with(FieldType::Integer, "thousands_separator = \" \"")
        );
    }

    #[test]
    fn booleans_dates_and_strings() {
        assert_eq!(infer(b',', &["yes", "no", "Y"]), plain(FieldType::Boolean));
        assert_eq!(infer(b',', &["1", "0"]), plain(FieldType::Integer));
        assert_eq!(
            infer(b',', &["2025-03-01", "2025-12-31"]),
            plain(FieldType::Date)
        );
        assert_eq!(
            infer(b',', &["2025-03-01", "01.03.2025"]),
            plain(FieldType::Date)
        );
        assert_eq!(
            infer(b',', &["01.03.2025", "31.12.2025"]),
            with(FieldType::Date, "format = \"dd.mm.yyyy\"")
        );
        assert_eq!(
            infer(b',', &["2025-03-01 10:00", "2025-03-01"]),
            plain(FieldType::Datetime)
        );
        assert_eq!(
            infer(b',', &["01.03.2025 10:00"]),
            with(FieldType::Datetime, "format = \"dd.mm.yyyy hh:mm\"")
        );
        assert_eq!(
            infer(b',', &["31/01/2025", "01/02/2025"]),
            with(FieldType::String, "format = \"dd/mm/yyyy\"")
        );
        assert_eq!(
            infer(b',', &["01/31/2025"]),
            with(FieldType::String, "format = \"mm/dd/yyyy\"")
        );
        assert_eq!(
            infer(b',', &["01/02/2025"]),
            with(
                FieldType::String,
                "format = \"dd/mm/yyyy\" or \"mm/dd/yyyy\" (ambiguous in the sample)"
            )
        );
        assert_eq!(infer(b',', &["north", "7"]), plain(FieldType::String));
        assert_eq!(infer(b',', &["", " "]), plain(FieldType::String));
    }

    #[test]
    fn null_tokens_count_as_empty_and_are_suggested() {
        let mut c = ColumnStats::new(b',');
        for v in ["10", "NA", "7", "NA", "3"] {
            c.observe(v);
        }
        let col = c.finish("nps".into());
        assert_eq!(col.inferred_type, FieldType::Integer);
        assert_eq!(col.empty, 2);
        assert_eq!(
            col.suggestion.as_deref(),
            Some("null_values = [\"\", \"NA\"] on the dataset")
        );
    }

    #[test]
    fn samples_are_distinct_trimmed_and_capped() {
        let mut stats = ColumnStats::new(b',');
        for v in ["b", " a ", "b", "", "c", "d"] {
            stats.observe(v);
        }
        let long = "x".repeat(300);
        stats.observe(&long);
        let c = stats.finish("col".into());
        assert_eq!(c.samples, ["b", "a", "c"]);
        assert_eq!(c.empty, 1);
        let mut stats = ColumnStats::new(b',');
        stats.observe(&long);
        assert_eq!(stats.finish("x".into()).samples[0].len(), MAX_SAMPLE_CHARS);
    }
}
