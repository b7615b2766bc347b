//! Where a dataset's rows come from: the format and its options (CSV dialect and encoding,
//! Excel sheet, PostgreSQL table or query), plus duplicate and rejection limits.

use std::path::PathBuf;

/// A dataset's source.
#[derive(Debug, Clone, PartialEq)]
pub enum SourceConfig {
    /// A delimited text file.
    Csv(CsvConfig),
    /// An Apache Parquet file.
    Parquet,
    /// Newline-delimited JSON: one object per line.
    Ndjson,
    /// An Excel workbook (.xlsx).
    Xlsx {
        /// Sheet by name or 0-based index; `None` = the first.
        sheet: Option<SheetSelector>,
        /// 1-based row of the column names.
        header_row: usize,
    },
    /// A PostgreSQL table or query.
    Postgres {
        /// Where the connection string comes from.
        connection: ConnectionSource,
        /// What to read.
        query: PgQueryConfig,
    },
}

/// CSV dialect and encoding.
#[derive(Debug, Clone, PartialEq)]
pub struct CsvConfig {
    /// Field delimiter; `None` = detect among `,` `;` tab `|`.
    pub delimiter: Option<u8>,
    /// Declared encoding; `None` = detect (BOM, UTF-8, else the most likely single-byte one).
    pub encoding: Option<String>,
    /// 1-based line of the header.
    pub header_row: usize,
    /// Numbers use a decimal comma (`4,5`).
    pub decimal_comma: bool,
    /// Thousands separator inside numbers.
    pub thousands_separator: Option<u8>,
    /// Trim spaces around cells.
    pub trim: bool,
}

/// An Excel sheet.
#[derive(Debug, Clone, PartialEq)]
pub enum SheetSelector {
    /// By name.
    Name(String),
    /// By 0-based position.
    Index(usize),
}

/// Where a PostgreSQL connection string comes from (never a password in the TOML).
#[derive(Debug, Clone, PartialEq)]
pub enum ConnectionSource {
    /// Written in the config (without a password: PGPASSWORD or ~/.pgpass supply it).
    Literal(String),
    /// The named environment variable holds it.
    Env(String),
}

/// What to read from PostgreSQL.
#[derive(Debug, Clone, PartialEq)]
pub enum PgQueryConfig {
    /// A table (`schema.table` or `table`).
    Table(String),
    /// A SQL query.
    Sql(String),
}

/// A cap on rejected rows, beyond which the run fails.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum MaxRejected {
    /// At most this many rows.
    Count(u64),
    /// At most this percentage of the rows read.
    Percent(f64),
}

/// The format a file path implies by its extension.
pub fn format_of_path(path: &std::path::Path) -> Option<&'static str> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    Some(match ext.as_str() {
        "csv" | "tsv" | "txt" => "csv",
        "parquet" | "pq" => "parquet",
        "ndjson" | "jsonl" => "ndjson",
        "xlsx" | "xlsm" => "xlsx",
        _ => return None,
    })
}

/// Whether a connection string carries a password (`password=` or `user:pass@`).
pub fn connection_has_password(connection: &str) -> bool {
    let lower = connection.to_ascii_lowercase();
    if lower.contains("password=") {
        return true;
    }
    if let Some(rest) = lower
        .strip_prefix("postgres://")
        .or_else(|| lower.strip_prefix("postgresql://"))
    {
        if let Some(userinfo) = rest.split('@').next().filter(|_| rest.contains('@')) {
            return userinfo.contains(':');
        }
    }
    false
}

/// The label of a source in reports: a file path, or `postgres:<table or query>`.
pub fn source_label(source: &SourceConfig, path: &std::path::Path) -> PathBuf {
    match source {
        SourceConfig::Postgres {
            query: PgQueryConfig::Table(t),
            ..
        } => PathBuf::from(format!("postgres:{t}")),
        SourceConfig::Postgres {
            query: PgQueryConfig::Sql(q),
            ..
        } => {
            let short: String = q
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .chars()
                .take(60)
                .collect();
            PathBuf::from(format!("postgres:{short}"))
        }
        _ => path.to_path_buf(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_detected() {
        assert!(connection_has_password("host=db user=x password=secret"));
        assert!(connection_has_password("postgres://u:p@localhost/db"));
        assert!(!connection_has_password("postgres://u@localhost/db"));
        assert!(!connection_has_password(
            "host=127.0.0.1 port=5432 user=postgres dbname=x"
        ));
    }

    #[test]
    fn formats_follow_extensions() {
        assert_eq!(
            format_of_path(std::path::Path::new("a/b.PARQUET")),
            Some("parquet")
        );
        assert_eq!(
            format_of_path(std::path::Path::new("a.jsonl")),
            Some("ndjson")
        );
        assert_eq!(format_of_path(std::path::Path::new("a.xls")), None);
    }
}
