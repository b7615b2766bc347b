//! Warnings about a dataset's data that do not stop a run but may make figures or texts
//! wrong, each with a count and the first lines to look at:
//!
//! - `suspect_encoding`: bytes of a file read as windows-1252 that look like DOS code
//!   page 850 letters (see `suspect.rs`), found by the CSV reader
//!   ([`crate::RecordSource::warnings`]);
//! - `daylight_saving`: timestamps without an offset that a daylight-saving change of the
//!   report's time zone made ambiguous or skipped, resolved by rule (see
//!   `cxm_period::Zone::local_to_utc`), listed in each [`crate::Batch`] and counted over
//!   a dataset by [`ResolvedTimes`].

use cxm_period::{LocalTime, Zone};

use crate::batch::ResolvedTime;

/// How many line numbers a warning names.
pub const WARNING_LINES: usize = 5;

/// Something in a dataset's data worth telling the user about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataWarning {
    /// Machine-readable kind: `suspect_encoding` or `daylight_saving`.
    pub kind: &'static str,
    /// How many bytes or values.
    pub count: u64,
    /// The first lines (1-based, physical lines of the file) they are on, at most
    /// [`WARNING_LINES`].
    pub lines: Vec<u64>,
    /// What was found, what cxm did and what to do, in one paragraph (without the
    /// dataset's name).
    pub message: String,
}

/// A count of cases and the first distinct lines they are on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineSample {
    /// Cases.
    pub count: u64,
    /// Distinct lines with a case.
    pub line_count: u64,
    /// The first [`WARNING_LINES`] of those lines, ascending.
    pub lines: Vec<u64>,
    /// The last line with a case.
    last: Option<u64>,
}

impl LineSample {
    /// Counts a case on `line` (lines come in ascending order).
    pub fn add(&mut self, line: u64) {
        self.count += 1;
        if self.last != Some(line) {
            self.line_count += 1;
            self.last = Some(line);
            if self.lines.len() < WARNING_LINES {
                self.lines.push(line);
            }
        }
    }

    /// Adds the cases of `later`, whose lines follow these and are numbered from
    /// `line_base` (see [`crate::ChunkSummary`]).
    pub fn absorb(&mut self, later: &LineSample, line_base: u64) {
        if later.count == 0 {
            return;
        }
        self.count += later.count;
        self.line_count += later.line_count;
        let mut lines = later.lines.iter().map(|l| l + line_base).peekable();
        if self.last.is_some() && lines.peek().copied() == self.last {
            self.line_count -= 1;
            lines.next();
        }
        let room = WARNING_LINES.saturating_sub(self.lines.len());
        self.lines.extend(lines.take(room));
        self.last = later.last.map(|l| l + line_base);
    }

    /// `lines 3, 7, 9` or `line 3`, with `and N more` when there are more.
    pub fn describe_lines(&self) -> String {
        let shown: Vec<String> = self.lines.iter().map(u64::to_string).collect();
        let word = if self.line_count == 1 {
            "line"
        } else {
            "lines"
        };
        let more = self.line_count.saturating_sub(self.lines.len() as u64);
        match more {
            0 => format!("{word} {}", shown.join(", ")),
            _ => format!("{word} {} and {more} more", shown.join(", ")),
        }
    }
}

/// The datetime values of a dataset (or of part of it) that were resolved by the
/// daylight-saving rule.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResolvedTimes {
    /// Every resolved value, by line.
    pub all: LineSample,
    /// Of those, in the repeated hour (the earlier instant was taken).
    pub ambiguous: u64,
    /// Of those, in the skipped hour (shifted forward by the gap).
    pub skipped: u64,
}

impl ResolvedTimes {
    /// Counts the resolved values of one batch (lines as the batch numbers them).
    pub fn add_batch(&mut self, resolved: &[ResolvedTime]) {
        for r in resolved {
            self.all.add(r.line);
            match r.kind {
                LocalTime::Ambiguous => self.ambiguous += 1,
                LocalTime::Skipped => self.skipped += 1,
                LocalTime::Unique => {}
            }
        }
    }

    /// Adds the values of `later`, numbered from `line_base`.
    pub fn absorb(&mut self, later: &ResolvedTimes, line_base: u64) {
        self.all.absorb(&later.all, line_base);
        self.ambiguous += later.ambiguous;
        self.skipped += later.skipped;
    }

    /// The warning, when any value was resolved; `zone` is the zone they were read in.
    pub fn warning(&self, zone: &Zone) -> Option<DataWarning> {
        if self.all.count == 0 {
            return None;
        }
        let mut kinds = Vec::new();
        if self.ambiguous > 0 {
            kinds.push(format!(
                "{} ambiguous (in the hour repeated when clocks go back: read as the earlier \
                 instant, at the offset before the change)",
                self.ambiguous
            ));
        }
        if self.skipped > 0 {
            kinds.push(format!(
                "{} nonexistent (in the hour skipped when clocks go forward: moved forward \
                 by the length of the gap)",
                self.skipped
            ));
        }
        let (values, were) = if self.all.count == 1 {
            ("timestamp", "was")
        } else {
            ("timestamps", "were")
        };
        Some(DataWarning {
            kind: "daylight_saving",
            count: self.all.count,
            lines: self.all.lines.clone(),
            message: format!(
                "{} {values} without a UTC offset fell on a daylight-saving change in {zone} \
                 and {were} resolved by rule: {}; {}. Their period or duration may be off by \
                 the change; export timestamps with their offset (e.g. +01:00) or in UTC to be \
                 exact",
                self.all.count,
                kinds.join(", "),
                self.all.describe_lines()
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(lines: &[u64]) -> LineSample {
        let mut s = LineSample::default();
        for &l in lines {
            s.add(l);
        }
        s
    }

    #[test]
    fn samples_count_cases_and_keep_the_first_lines() {
        let s = sample(&[2, 2, 5, 9, 11, 12, 30, 30, 31]);
        assert_eq!((s.count, s.line_count), (9, 7));
        assert_eq!(s.lines, [2, 5, 9, 11, 12]);
        assert_eq!(s.describe_lines(), "lines 2, 5, 9, 11, 12 and 2 more");
        assert_eq!(sample(&[4, 4]).describe_lines(), "line 4");
        assert_eq!(sample(&[4, 6]).describe_lines(), "lines 4, 6");
    }

    #[test]
    fn absorbing_chunks_equals_one_pass() {
        let whole = sample(&[3, 3, 8, 20, 20, 21, 21, 40, 41, 42]);
        // Three parts numbered from 0, 10 and 20; the third starts on line 21 where the
        // second ended (one line counted once).
        let mut merged = sample(&[3, 3, 8]);
        merged.absorb(&sample(&[10, 10, 11]), 10);
        merged.absorb(&sample(&[1, 20, 21, 22]), 20);
        assert_eq!(merged.count, whole.count);
        assert_eq!(merged.line_count, whole.line_count);
        assert_eq!(merged.lines, whole.lines);
        merged.absorb(&LineSample::default(), 100);
        assert_eq!(merged.lines, whole.lines);
    }

    #[test]
    fn the_daylight_saving_warning() {
        let berlin = cxm_period::parse_zone("Europe/Berlin").expect("zone");
        let mut r = ResolvedTimes::default();
        assert_eq!(r.warning(&berlin), None);
        r.add_batch(&[
            ResolvedTime {
                field: 0,
                line: 4,
                kind: LocalTime::Skipped,
            },
            ResolvedTime {
                field: 0,
                line: 9,
                kind: LocalTime::Ambiguous,
            },
            ResolvedTime {
                field: 1,
                line: 9,
                kind: LocalTime::Ambiguous,
            },
        ]);
        let w = r.warning(&berlin).expect("warning");
        assert_eq!(
            (w.kind, w.count, w.lines.as_slice()),
            ("daylight_saving", 3, &[4, 9][..])
        );
        assert!(
            w.message.starts_with(
                "3 timestamps without a UTC offset fell on a daylight-saving change in \
                 Europe/Berlin"
            ),
            "{}",
            w.message
        );
        assert!(w.message.contains("2 ambiguous ("), "{}", w.message);
        assert!(w.message.contains("earlier instant"), "{}", w.message);
        assert!(w.message.contains("1 nonexistent ("), "{}", w.message);
        assert!(w.message.contains("; lines 4, 9."), "{}", w.message);
        let mut one = ResolvedTimes::default();
        one.add_batch(&[ResolvedTime {
            field: 0,
            line: 7,
            kind: LocalTime::Ambiguous,
        }]);
        let w = one.warning(&berlin).expect("warning");
        assert!(
            w.message.starts_with("1 timestamp without"),
            "{}",
            w.message
        );
        assert!(w
            .message
            .contains(" and was resolved by rule: 1 ambiguous ("));
        assert!(!w.message.contains("nonexistent"), "{}", w.message);
        assert!(w.message.contains("; line 7."), "{}", w.message);
    }
}
