//! Configuration errors, located by file and (where known) line and column.

use std::fmt;
use std::path::{Path, PathBuf};

/// A 1-based line and column in a TOML file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Location {
    /// 1-based line.
    pub line: usize,
    /// 1-based column (in characters).
    pub column: usize,
}

impl Location {
    /// The location of byte `offset` in `source`.
    pub fn of_offset(source: &str, offset: usize) -> Location {
        let before = &source[..offset.min(source.len())];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        Location {
            line,
            column: before[line_start..].chars().count() + 1,
        }
    }
}

/// What a [`ConfigError`] is about, which decides the exit code of `cxm`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ErrorKind {
    /// The configuration itself is wrong (exit code 3).
    #[default]
    Config,
    /// A data file the configuration names is missing or cannot be read (exit code 1); the
    /// error is located at the line that names the file.
    DataFile,
}

/// A configuration error: `file:line:column: message`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ConfigError {
    /// The file the error is in.
    pub file: PathBuf,
    /// Where in the file, when known.
    pub location: Option<Location>,
    /// What is wrong and, where possible, how to fix it.
    pub message: String,
    /// Whether the config is wrong or a data file it names is unreadable.
    pub kind: ErrorKind,
}

impl ConfigError {
    /// An error at a location.
    pub fn at(file: &Path, location: Option<Location>, message: impl Into<String>) -> Self {
        ConfigError {
            file: file.to_path_buf(),
            location,
            message: message.into(),
            kind: ErrorKind::Config,
        }
    }

    /// A data file named at `location` of the config `file` is missing or unreadable.
    pub fn data_file(file: &Path, location: Option<Location>, message: impl Into<String>) -> Self {
        ConfigError {
            kind: ErrorKind::DataFile,
            ..ConfigError::at(file, location, message)
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.location {
            Some(l) => write!(
                f,
                "{}:{}:{}: {}",
                self.file.display(),
                l.line,
                l.column,
                self.message
            ),
            None => write!(f, "{}: {}", self.file.display(), self.message),
        }
    }
}

/// Parses TOML into `T`, turning parse and shape errors into located errors.
pub(crate) fn parse_toml<T: serde::de::DeserializeOwned>(
    file: &Path,
    source: &str,
) -> Result<T, ConfigError> {
    toml::from_str(source).map_err(|e| {
        let location = e.span().map(|s| Location::of_offset(source, s.start));
        ConfigError::at(file, location, e.message().trim().to_string())
    })
}

/// Reads a file, naming it in the error.
pub(crate) fn read_file(file: &Path, what: &str) -> Result<String, ConfigError> {
    std::fs::read_to_string(file)
        .map_err(|e| ConfigError::at(file, None, format!("cannot read {what}: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_are_one_based_lines_and_columns() {
        let src = "a = 1\nbb = 2\n";
        assert_eq!(Location::of_offset(src, 0), Location { line: 1, column: 1 });
        assert_eq!(Location::of_offset(src, 6), Location { line: 2, column: 1 });
        assert_eq!(
            Location::of_offset(src, 11),
            Location { line: 2, column: 6 }
        );
    }

    #[test]
    fn display_has_file_line_column() {
        let e = ConfigError::at(
            Path::new("c.toml"),
            Some(Location { line: 3, column: 5 }),
            "bad",
        );
        assert_eq!(e.to_string(), "c.toml:3:5: bad");
    }
}
