//! Sheet names that Excel accepts: at most 31 characters (UTF-16 units, as Excel counts),
//! none of `[ ] : * ? / \`, not starting or ending with `'`, not blank, not the reserved
//! `History`, and unique within the workbook ignoring case.

use std::collections::HashSet;

/// Excel's longest sheet name, in UTF-16 code units.
const MAX_LEN: usize = 31;

/// Characters Excel refuses in a sheet name; each becomes `_`.
const FORBIDDEN: [char; 7] = ['[', ']', ':', '*', '?', '/', '\\'];

/// The names given so far in one workbook.
#[derive(Default)]
pub(crate) struct SheetNames {
    taken: HashSet<String>,
}

impl SheetNames {
    /// A valid name for `wanted`, unique among the names given so far (a clash gets `~2`,
    /// `~3`, … with the stem shortened to fit), and reserves it.
    pub(crate) fn unique(&mut self, wanted: &str) -> String {
        let base = sanitise(wanted);
        let mut name = base.clone();
        let mut k = 2usize;
        while !self.free(&name) {
            let suffix = format!("~{k}");
            name = format!("{}{suffix}", truncate(&base, MAX_LEN - suffix.len()));
            k += 1;
        }
        self.taken.insert(key(&name));
        name
    }

    fn free(&self, name: &str) -> bool {
        let k = key(name);
        k != "history" && !self.taken.contains(&k)
    }
}

/// Excel compares sheet names ignoring case.
fn key(name: &str) -> String {
    name.to_lowercase()
}

/// `wanted` with forbidden characters replaced, outer apostrophes and whitespace removed,
/// and cut to [`MAX_LEN`]; `_` when nothing is left.
pub(crate) fn sanitise(wanted: &str) -> String {
    let replaced: String = wanted
        .chars()
        .map(|c| {
            if FORBIDDEN.contains(&c) || c.is_control() {
                '_'
            } else {
                c
            }
        })
        .collect();
    let trimmed = replaced.trim().trim_matches('\'');
    let cut = truncate(trimmed, MAX_LEN);
    let cut = cut.trim_end().trim_end_matches('\'');
    if cut.is_empty() {
        "_".to_string()
    } else {
        cut.to_string()
    }
}

/// The longest prefix of `s` of at most `max` UTF-16 units.
fn truncate(s: &str, max: usize) -> &str {
    let mut units = 0;
    for (i, c) in s.char_indices() {
        units += c.len_utf16();
        if units > max {
            return &s[..i];
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forbidden_characters_and_length() {
        assert_eq!(sanitise("a/b"), "a_b");
        assert_eq!(sanitise("[x]:*?\\"), "_x_____");
        assert_eq!(sanitise("'quoted'"), "quoted");
        assert_eq!(sanitise("   "), "_");
        let long = "x".repeat(40);
        assert_eq!(sanitise(&long).len(), 31);
        // Cyrillic letters are one UTF-16 unit each; an emoji is two.
        assert_eq!(sanitise(&"щ".repeat(40)).chars().count(), 31);
        assert_eq!(sanitise(&"😀".repeat(20)).chars().count(), 15);
    }

    #[test]
    fn unique_ignoring_case() {
        let mut names = SheetNames::default();
        assert_eq!(names.unique("Summary"), "Summary");
        assert_eq!(names.unique("summary"), "summary~2");
        assert_eq!(names.unique("a/b"), "a_b");
        assert_eq!(names.unique("A?b"), "A_b~2");
        assert_eq!(names.unique("a_B"), "a_B~3");
        assert_eq!(names.unique("History"), "History~2");
        let long = "m".repeat(40);
        assert_eq!(names.unique(&long), "m".repeat(31));
        assert_eq!(names.unique(&long), format!("{}~2", "m".repeat(29)));
    }
}
