//! Declared date/time formats ([`DateFormat`]): raw chrono strftime strings
//! or friendly names such as `dd.mm.yyyy`, mapped to strftime.

use chrono::format::{Item, StrftimeItems};

/// The friendly format names accepted in `FieldSpec::format` besides raw
/// chrono strftime strings, with the strftime each stands for (`iso` stands
/// for the built-in ISO 8601 / RFC 3339 parsing).
const FRIENDLY: [(&str, &str); 9] = [
    ("iso", ""),
    ("dd.mm.yyyy", "%d.%m.%Y"),
    ("dd/mm/yyyy", "%d/%m/%Y"),
    ("mm/dd/yyyy", "%m/%d/%Y"),
    ("yyyy-mm-dd hh:mm:ss", "%Y-%m-%d %H:%M:%S"),
    ("dd.mm.yyyy hh:mm", "%d.%m.%Y %H:%M"),
    ("dd.mm.yyyy hh:mm:ss", "%d.%m.%Y %H:%M:%S"),
    ("dd/mm/yyyy hh:mm", "%d/%m/%Y %H:%M"),
    ("dd/mm/yyyy hh:mm:ss", "%d/%m/%Y %H:%M:%S"),
];

/// The friendly format names, in the order they are documented.
pub const DATE_FORMAT_NAMES: [&str; 9] = {
    let mut names = [""; 9];
    let mut i = 0;
    while i < FRIENDLY.len() {
        names[i] = FRIENDLY[i].0;
        i += 1;
    }
    names
};

/// A validated format for a `Date` / `Datetime` field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum DateFormat {
    /// The ISO 8601 / RFC 3339 parsing used without a format, but without
    /// the auto-accepted `dd.mm.yyyy` form.
    Iso,
    /// A chrono strftime format.
    Strftime {
        fmt: String,
        /// The format parses a UTC offset (`%z`, `%:z`, `%#z`, `%+`, ...).
        has_offset: bool,
    },
}

impl DateFormat {
    /// A friendly name (ASCII case-insensitive, surrounding whitespace
    /// ignored) or a chrono strftime format. Returns `None` for an unknown
    /// name (text without any `%`) and for a strftime string chrono cannot
    /// interpret.
    pub(crate) fn new(fmt: &str) -> Option<DateFormat> {
        let name = fmt.trim();
        let fmt = match FRIENDLY.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)) {
            Some((_, "")) => return Some(DateFormat::Iso),
            Some((_, strftime)) => *strftime,
            None if !fmt.contains('%') => return None,
            None => fmt,
        };
        if StrftimeItems::new(fmt).any(|item| matches!(item, Item::Error)) {
            return None;
        }
        Some(DateFormat::Strftime {
            fmt: fmt.to_owned(),
            has_offset: format_has_offset(fmt),
        })
    }
}

/// True if the strftime format contains an offset specifier.
pub(crate) fn format_has_offset(fmt: &str) -> bool {
    let b = fmt.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'%' {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        while j < b.len() && matches!(b[j], b':' | b'#' | b'-' | b'_' | b'0' | b'^') {
            j += 1;
        }
        if j < b.len() && matches!(b[j], b'z' | b'+') {
            return true;
        }
        i = j + 1;
    }
    false
}
