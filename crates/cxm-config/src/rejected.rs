//! `[report] rejected_values`: how much of a rejected row's data `rejected.csv` and the
//! reports' rejection examples may show.

/// What the `value` of a rejection holds (`[report] rejected_values`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RejectedValues {
    /// `"mapped"` (the default): only values of the fields the run reads (mapped and used by
    /// a metric, a grouping, a filter, the weight or the unique key). A rejected value is
    /// shown as it is (it is such a field's); a row rejected whole (wrong number of fields,
    /// unterminated quote, invalid JSON) shows those fields as `field=value; field=value`,
    /// and only those whose column it can still identify: in a row with k fields too many
    /// or too few the columns may have shifted by up to k, so a column is shown only when
    /// the k columns on the side it may have shifted from are read too (and never a field
    /// that ran to the end of the file).
    #[default]
    Mapped,
    /// `"full"`: a row rejected whole is copied whole, unmapped columns included.
    Full,
    /// `"none"`: no values at all (the `value` column is empty); line, field and reason
    /// still say what was rejected and why.
    None,
}

impl RejectedValues {
    /// The setting's names, as written in the config.
    pub const NAMES: [&'static str; 3] = ["mapped", "full", "none"];

    /// Parses the config value.
    pub fn parse(text: &str) -> Option<RejectedValues> {
        match text {
            "mapped" => Some(RejectedValues::Mapped),
            "full" => Some(RejectedValues::Full),
            "none" => Some(RejectedValues::None),
            _ => None,
        }
    }

    /// The name as written in the config.
    pub fn name(self) -> &'static str {
        match self {
            RejectedValues::Mapped => "mapped",
            RejectedValues::Full => "full",
            RejectedValues::None => "none",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for name in RejectedValues::NAMES {
            assert_eq!(
                RejectedValues::parse(name).map(RejectedValues::name),
                Some(name)
            );
        }
        assert_eq!(RejectedValues::parse("Mapped"), None);
        assert_eq!(RejectedValues::default(), RejectedValues::Mapped);
    }
}
