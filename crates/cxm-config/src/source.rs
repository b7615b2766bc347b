//! Where a dataset's rows come from: the format and its options (CSV dialect and encoding,
//! Excel sheet, PostgreSQL table or query), plus duplicate and rejection limits.

use crate::error::{ConfigError, Location};
use crate::raw::RawDataset;
use crate::validate::{Ctx, DatasetConfig, FieldConfig};
use std::path::{Path, PathBuf};

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
    /// A table or query read from a warehouse: through an ADBC driver or Spark Connect.
    Warehouse {
        /// How the warehouse is reached.
        client: WarehouseClient,
        /// Where the connection URI comes from.
        connection: ConnectionSource,
        /// What to read.
        query: PgQueryConfig,
        /// Pushdown (on unless `pushdown = false`): the warehouse returns the weighted
        /// histogram of the rows instead of the rows.
        pushdown: Option<Pushdown>,
    },
}

/// How a warehouse dataset is reached.
#[derive(Debug, Clone, PartialEq)]
pub enum WarehouseClient {
    /// An ADBC driver (`format = "adbc"`).
    Adbc(AdbcDriver),
    /// Spark Connect (`format = "spark"`), whose URI is `sc://host:port/;…`.
    SparkConnect,
}

/// How a warehouse dataset is pushed down.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pushdown {
    /// The SQL dialect's key (`postgres`, `sqlite`, `duckdb`, `spark`, `trino`, `bigquery`,
    /// `snowflake`, `clickhouse`): `dialect = "…"`, else inferred from the driver's name.
    pub dialect: String,
    /// The most histogram rows the warehouse may return (`pushdown_max_groups`, default
    /// one million): above it the run fails before the histogram is read.
    pub max_groups: u64,
}

/// The SQL dialects pushdown can write.
pub const DIALECTS: [&str; 8] = [
    "postgres",
    "sqlite",
    "duckdb",
    "spark",
    "trino",
    "bigquery",
    "snowflake",
    "clickhouse",
];

/// The dialect a driver's name or library file names (`libadbc_driver_postgresql.so` →
/// `postgres`), if any.
fn dialect_of_driver(driver: &str) -> Option<&'static str> {
    let file = driver.rsplit(['/', '\\']).next().unwrap_or(driver);
    let lower = file.to_ascii_lowercase();
    DIALECTS.into_iter().find(|key| lower.contains(key))
}

impl WarehouseClient {
    /// The prefix of the source's label in reports and errors: `adbc` or `spark`.
    pub fn scheme(&self) -> &'static str {
        match self {
            WarehouseClient::Adbc(_) => "adbc",
            WarehouseClient::SparkConnect => "spark",
        }
    }
}

/// An ADBC driver: a library file, or a name resolved through ADBC driver manifests.
#[derive(Debug, Clone, PartialEq)]
pub enum AdbcDriver {
    /// A name (`postgresql`, `sqlite`, `snowflake`): the driver manager finds the library
    /// through its manifests.
    Name(String),
    /// A library file, resolved relative to the config, with its pinned sha256.
    Path {
        /// The library.
        path: PathBuf,
        /// Lowercase hex sha256 the file must have.
        sha256: Option<String>,
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

/// What to read from PostgreSQL or an ADBC database.
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

/// Whether a connection string carries a password, however it is written: key/value or
/// URI form, any spacing, quoting or percent-encoding (see [`crate::connection_password`]).
pub fn connection_has_password(connection: &str) -> bool {
    crate::connection::connection_password(connection).is_some()
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
        SourceConfig::Warehouse {
            client,
            query: PgQueryConfig::Table(t),
            ..
        } => PathBuf::from(format!("{}:{t}", client.scheme())),
        SourceConfig::Warehouse {
            client,
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
            PathBuf::from(format!("{}:{short}", client.scheme()))
        }
        _ => path.to_path_buf(),
    }
}

/// Whether a URI carries a password in its userinfo (`scheme://user:secret@host`) or as a
/// `password` (or `pwd`) query parameter, whatever the scheme.
fn uri_has_password(uri: &str) -> bool {
    let Some((_, rest)) = uri.split_once("://") else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if let Some((userinfo, _)) = authority.rsplit_once('@') {
        if userinfo.contains(':') {
            return true;
        }
    }
    rest.split_once('?').is_some_and(|(_, query)| {
        query.split('&').any(|kv| {
            let key = kv.split('=').next().unwrap_or("").to_ascii_lowercase();
            key == "password" || key == "pwd"
        })
    })
}

/// The source of a dataset: its format (declared, else from the file extension), the
/// format's options, the file (or a label) and where it is declared.
pub(crate) fn dataset_source(
    ctx: &Ctx<'_>,
    base: &Path,
    name: &str,
    ds: &RawDataset,
) -> Result<(SourceConfig, PathBuf, Location), ConfigError> {
    let declared = ds.format.as_ref().map(|f| (f.get_ref().as_str(), f.span()));
    let known = [
        "csv", "parquet", "ndjson", "xlsx", "postgres", "adbc", "spark",
    ];
    if let Some((f, span)) = &declared {
        if !known.contains(f) {
            return Err(ctx.err(
                span.clone(),
                format!(
                    "dataset \"{name}\": unknown format \"{f}\" (use {})",
                    known.join(", ")
                ),
            ));
        }
    }
    let only = |key: &str,
                present: bool,
                formats: &str,
                span: Option<std::ops::Range<usize>>|
     -> Result<(), ConfigError> {
        match (present, span) {
            (true, Some(span)) => Err(ctx.err(
                span,
                format!("dataset \"{name}\": `{key}` applies to {formats} only"),
            )),
            _ => Ok(()),
        }
    };
    if declared.as_ref().map(|(f, _)| *f) == Some("postgres") {
        let location = ds
            .format
            .as_ref()
            .map_or(Location { line: 1, column: 1 }, |f| ctx.loc(f.span()));
        let connection = connection_of(ctx, ds, |text| {
            crate::connection::connection_password(text).map(|found| format!("dataset \"{name}\": the connection string holds a password ({found}); never store a password in the config: remove it. cxm takes the password from the PGPASSWORD environment variable or from your password file (~/.pgpass, or the file PGPASSFILE names), as libpq does; or put the whole connection string in an environment variable named by connection_env"))
        })?
        .ok_or_else(|| ConfigError::at(ctx.file, Some(location), format!("dataset \"{name}\": a postgres dataset needs exactly one of connection = \"host=… dbname=…\" or connection_env = \"VARIABLE\"")))?;
        let query = match (&ds.table, &ds.query) {
            (Some(t), None) => PgQueryConfig::Table(t.get_ref().clone()),
            (None, Some(q)) => PgQueryConfig::Sql(q.get_ref().clone()),
            _ => return Err(ConfigError::at(ctx.file, Some(location), format!("dataset \"{name}\": a postgres dataset needs exactly one of table = \"…\" or query = \"SELECT …\""))),
        };
        only(
            "path",
            ds.path.is_some(),
            "files",
            ds.path.as_ref().map(|p| p.span()),
        )?;
        let source = SourceConfig::Postgres { connection, query };
        let label = source_label(&source, Path::new(""));
        return Ok((source, label, location));
    }
    if declared.as_ref().map(|(f, _)| *f) == Some("adbc") {
        return adbc_source(ctx, base, name, ds);
    }
    if declared.as_ref().map(|(f, _)| *f) == Some("spark") {
        return spark_source(ctx, name, ds);
    }
    for (key, span) in [
        ("pushdown", ds.pushdown.as_ref().map(|v| v.span())),
        ("dialect", ds.dialect.as_ref().map(|v| v.span())),
        (
            "pushdown_max_groups",
            ds.pushdown_max_groups.as_ref().map(|v| v.span()),
        ),
    ] {
        only(key, span.is_some(), "adbc and spark datasets", span)?;
    }
    for (key, value) in [("driver", &ds.driver), ("driver_sha256", &ds.driver_sha256)] {
        only(
            key,
            value.is_some(),
            "adbc datasets",
            value.as_ref().map(|v| v.span()),
        )?;
    }
    let Some(path_span) = &ds.path else {
        return Err(ConfigError::at(ctx.file, None, format!("dataset \"{name}\": `path` is missing (or set format = \"postgres\" with a table or query)")));
    };
    for (key, value) in [
        ("table", &ds.table),
        ("query", &ds.query),
        ("connection", &ds.connection),
        ("connection_env", &ds.connection_env),
    ] {
        only(
            key,
            value.is_some(),
            "postgres, adbc and spark datasets",
            value.as_ref().map(|v| v.span()),
        )?;
    }
    let path = base.join(path_span.get_ref());
    if !path.is_file() {
        // A missing data file is not a mistake in the config (the export may not have
        // arrived yet): exit code 1, located at the line naming it.
        let problem = if path.is_dir() {
            "is a folder, not a file"
        } else {
            "not found"
        };
        return Err(ConfigError::data_file(
            ctx.file,
            Some(ctx.loc(path_span.span())),
            format!("dataset \"{name}\": file {} {problem}", path.display()),
        ));
    }
    let location = ctx.loc(path_span.span());
    let format = match declared {
        Some((f, _)) => f,
        None => format_of_path(&path).ok_or_else(|| {
            ctx.err(path_span.span(), format!("dataset \"{name}\": cannot tell the format from the file name; add format = \"csv\" (or parquet, ndjson, xlsx)"))
        })?,
    };
    let header_row = match &ds.header_row {
        None => 1,
        Some(h) if *h.get_ref() >= 1 => *h.get_ref() as usize,
        Some(h) => {
            return Err(ctx.err(
                h.span(),
                "header_row is the 1-based row of the column names",
            ))
        }
    };
    let csv_only: [(&str, bool, Option<std::ops::Range<usize>>); 4] = [
        (
            "delimiter",
            ds.delimiter.is_some(),
            ds.delimiter.as_ref().map(|d| d.span()),
        ),
        (
            "encoding",
            ds.encoding.is_some(),
            ds.encoding.as_ref().map(|d| d.span()),
        ),
        (
            "thousands_separator",
            ds.thousands_separator.is_some(),
            ds.thousands_separator.as_ref().map(|d| d.span()),
        ),
        (
            "decimal_comma",
            ds.decimal_comma.is_some(),
            Some(path_span.span()),
        ),
    ];
    let source = match format {
        "csv" => {
            let delimiter = match &ds.delimiter {
                None => None,
                Some(d) => Some(match d.get_ref().as_str() {
                    "\\t" | "\t" | "tab" => b'\t',
                    s if s.len() == 1 => s.as_bytes()[0],
                    _ => {
                        return Err(ctx.err(
                            d.span(),
                            "delimiter must be one ASCII character (or \"\\t\")",
                        ))
                    }
                }),
            };
            let thousands_separator =
                match &ds.thousands_separator {
                    None => None,
                    Some(t) if t.get_ref().len() == 1 => Some(t.get_ref().as_bytes()[0]),
                    Some(t) => return Err(ctx.err(
                        t.span(),
                        "thousands_separator must be one character (\",\", \".\", \" \" or \"'\")",
                    )),
                };
            if ds.decimal_comma == Some(true) && delimiter == Some(b',') {
                return Err(ctx.err(path_span.span(), format!("dataset \"{name}\": decimal_comma needs a delimiter other than \",\" (usually \";\")")));
            }
            only(
                "sheet",
                ds.sheet.is_some(),
                "xlsx datasets",
                ds.sheet.as_ref().map(|s| s.span()),
            )?;
            SourceConfig::Csv(CsvConfig {
                delimiter,
                encoding: ds.encoding.as_ref().map(|e| e.get_ref().clone()),
                header_row,
                decimal_comma: ds.decimal_comma.unwrap_or(false),
                thousands_separator,
                trim: ds.trim.unwrap_or(true),
            })
        }
        other => {
            for (key, present, span) in csv_only {
                only(key, present, "csv datasets", span)?;
            }
            match other {
                "parquet" => SourceConfig::Parquet,
                "ndjson" => SourceConfig::Ndjson,
                _ => {
                    let sheet = match &ds.sheet {
                        None => None,
                        Some(s) => Some(match s.get_ref() {
                            toml::Value::String(n) => SheetSelector::Name(n.clone()),
                            toml::Value::Integer(i) if *i >= 0 => SheetSelector::Index(*i as usize),
                            _ => {
                                return Err(
                                    ctx.err(s.span(), "sheet is a sheet name or a 0-based index")
                                )
                            }
                        }),
                    };
                    SourceConfig::Xlsx { sheet, header_row }
                }
            }
        }
    };
    Ok((source, path, location))
}

/// The source of a `format = "adbc"` dataset.
fn adbc_source(
    ctx: &Ctx<'_>,
    base: &Path,
    name: &str,
    ds: &RawDataset,
) -> Result<(SourceConfig, PathBuf, Location), ConfigError> {
    let location = ds
        .format
        .as_ref()
        .map_or(Location { line: 1, column: 1 }, |f| ctx.loc(f.span()));
    let at = |message: String| ConfigError::at(ctx.file, Some(location), message);
    if let Some(p) = &ds.path {
        return Err(ctx.err(p.span(), format!("dataset \"{name}\": `path` applies to files; an adbc dataset reads a table or query")));
    }
    let Some(driver) = &ds.driver else {
        return Err(at(format!("dataset \"{name}\": an adbc dataset needs driver = \"postgresql\" (a name the ADBC driver manager resolves) or driver = \"path/to/libadbc_driver_….so\"")));
    };
    let text = driver.get_ref();
    let is_path = text.contains('/')
        || text.contains('\\')
        || [".so", ".dylib", ".dll"].iter().any(|e| text.ends_with(e));
    let driver = if is_path {
        let sha256 = match &ds.driver_sha256 {
            None => None,
            Some(s) => {
                let hex = s.get_ref().trim().to_ascii_lowercase();
                if hex.len() != 64 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
                    return Err(ctx.err(
                        s.span(),
                        "driver_sha256 is 64 hexadecimal digits (`sha256sum` of the library)",
                    ));
                }
                Some(hex)
            }
        };
        AdbcDriver::Path {
            path: base.join(text),
            sha256,
        }
    } else {
        if let Some(s) = &ds.driver_sha256 {
            return Err(ctx.err(s.span(), format!("dataset \"{name}\": driver_sha256 pins a library file; give driver as its path to pin it")));
        }
        AdbcDriver::Name(text.clone())
    };
    let connection = connection_of(ctx, ds, |text| {
        let advice = "never store a password in the config: put the whole URI in an environment variable and name it with connection_env = \"VARIABLE\"";
        match crate::connection::connection_password(text) {
            Some(found) => Some(format!("dataset \"{name}\": the connection URI holds a password ({found}); {advice}")),
            None => uri_has_password(text).then(|| format!("dataset \"{name}\": the connection URI holds a password; {advice}")),
        }
    })?
    .ok_or_else(|| at(format!("dataset \"{name}\": an adbc dataset needs exactly one of connection_env = \"VARIABLE\" (the URI, password included, in the environment) or connection = \"…\" (a URI without a password)")))?;
    warehouse(
        ctx,
        name,
        ds,
        WarehouseClient::Adbc(driver),
        connection,
        location,
    )
}

/// A Spark Connect dataset: `connection_env` (or a `connection` without a token) holding
/// `sc://host:port/;…`, a table or a query in Spark SQL, pushed down unless
/// `pushdown = false`.
fn spark_source(
    ctx: &Ctx<'_>,
    name: &str,
    ds: &RawDataset,
) -> Result<(SourceConfig, PathBuf, Location), ConfigError> {
    let location = ds
        .format
        .as_ref()
        .map_or(Location { line: 1, column: 1 }, |f| ctx.loc(f.span()));
    let at = |message: String| ConfigError::at(ctx.file, Some(location), message);
    if let Some(p) = &ds.path {
        return Err(ctx.err(p.span(), format!("dataset \"{name}\": `path` applies to files; a spark dataset reads a table or query")));
    }
    if let Some(value) = [&ds.driver, &ds.driver_sha256].into_iter().flatten().next() {
        return Err(ctx.err(value.span(), format!("dataset \"{name}\": a spark dataset connects through Spark Connect; `driver` and `driver_sha256` apply to adbc datasets")));
    }
    if let Some(d) = &ds.dialect {
        if !d.get_ref().trim().eq_ignore_ascii_case("spark") {
            return Err(ctx.err(d.span(), format!("dataset \"{name}\": a spark dataset speaks Spark SQL; remove dialect (or set it to \"spark\")")));
        }
    }
    let connection = connection_of(ctx, ds, |text| {
        let secret = text.split(';').skip(1).any(|p| {
            let key = p.split('=').next().unwrap_or("").trim().to_ascii_lowercase();
            key == "token" || key == "password"
        });
        if secret || uri_has_password(text) {
            Some(format!("dataset \"{name}\": the connection string holds a token or password; never store a secret in the config: put the whole sc://… string in an environment variable and name it with connection_env = \"VARIABLE\""))
        } else if !text.trim().starts_with("sc://") {
            Some(format!("dataset \"{name}\": a Spark Connect connection string starts with sc:// (sc://host:15002)"))
        } else {
            None
        }
    })?
    .ok_or_else(|| at(format!("dataset \"{name}\": a spark dataset needs exactly one of connection_env = \"VARIABLE\" (sc://host:port/;token=…, in the environment) or connection = \"sc://host:port\" (without a token)")))?;
    warehouse(
        ctx,
        name,
        ds,
        WarehouseClient::SparkConnect,
        connection,
        location,
    )
}

/// Where a database dataset's connection string comes from: `connection` (refused, at its
/// span, with the message `refuse` gives for the text, e.g. when it holds a password) or
/// `connection_env`; `None` when neither or both are given.
fn connection_of(
    ctx: &Ctx<'_>,
    ds: &RawDataset,
    refuse: impl FnOnce(&str) -> Option<String>,
) -> Result<Option<ConnectionSource>, ConfigError> {
    Ok(match (&ds.connection, &ds.connection_env) {
        (Some(c), None) => match refuse(c.get_ref()) {
            Some(message) => return Err(ctx.err(c.span(), message)),
            None => Some(ConnectionSource::Literal(c.get_ref().clone())),
        },
        (None, Some(e)) => Some(ConnectionSource::Env(e.get_ref().clone())),
        _ => None,
    })
}

/// The rest of a warehouse dataset, once its client and connection are known: a table or
/// a query, and pushdown.
fn warehouse(
    ctx: &Ctx<'_>,
    name: &str,
    ds: &RawDataset,
    client: WarehouseClient,
    connection: ConnectionSource,
    location: Location,
) -> Result<(SourceConfig, PathBuf, Location), ConfigError> {
    let query = match (&ds.table, &ds.query) {
        (Some(t), None) => PgQueryConfig::Table(t.get_ref().clone()),
        (None, Some(q)) => PgQueryConfig::Sql(q.get_ref().clone()),
        _ => return Err(ConfigError::at(ctx.file, Some(location), format!("dataset \"{name}\": {} {} dataset needs exactly one of table = \"…\" or query = \"SELECT …\"", if client.scheme() == "adbc" { "an" } else { "a" }, client.scheme()))),
    };
    let pushdown = pushdown_of(ctx, name, ds, &client, location)?;
    let source = SourceConfig::Warehouse {
        client,
        connection,
        query,
        pushdown,
    };
    let label = source_label(&source, Path::new(""));
    Ok((source, label, location))
}

/// The pushdown settings of an adbc or spark dataset: `None` with `pushdown = false`.
fn pushdown_of(
    ctx: &Ctx<'_>,
    name: &str,
    ds: &RawDataset,
    client: &WarehouseClient,
    location: Location,
) -> Result<Option<Pushdown>, ConfigError> {
    if ds.pushdown.as_ref().is_some_and(|p| !*p.get_ref()) {
        return Ok(None);
    }
    let max_groups = match &ds.pushdown_max_groups {
        None => 1_000_000,
        Some(m) => match u64::try_from(*m.get_ref()) {
            Ok(n) if n > 0 => n,
            _ => {
                return Err(ctx.err(
                    m.span(),
                    format!("dataset \"{name}\": pushdown_max_groups is a positive number of histogram rows"),
                ))
            }
        },
    };
    let dialect = match &ds.dialect {
        Some(d) => {
            let key = d.get_ref().trim().to_ascii_lowercase();
            match DIALECTS.iter().find(|k| **k == key) {
                Some(k) => k.to_string(),
                None => {
                    return Err(ctx.err(
                        d.span(),
                        format!(
                            "dataset \"{name}\": unknown dialect \"{}\" (use {})",
                            d.get_ref(),
                            DIALECTS.join(", ")
                        ),
                    ))
                }
            }
        }
        None => {
            let text = match client {
                WarehouseClient::Adbc(AdbcDriver::Name(n)) => n.clone(),
                WarehouseClient::Adbc(AdbcDriver::Path { path, .. }) => {
                    path.to_string_lossy().into_owned()
                }
                WarehouseClient::SparkConnect => "spark".to_string(),
            };
            match dialect_of_driver(&text) {
                Some(k) => k.to_string(),
                None => {
                    return Err(ConfigError::at(
                        ctx.file,
                        Some(location),
                        format!(
                            "dataset \"{name}\": cannot tell the SQL dialect of driver \"{text}\" for pushdown; add dialect = \"…\" ({}) or pushdown = false to stream the rows",
                            DIALECTS.join(", ")
                        ),
                    ))
                }
            }
        }
    };
    Ok(Some(Pushdown {
        dialect,
        max_groups,
    }))
}

/// Errors the readers find that belong to the config: they name the client config, the line
/// and the column.
impl DatasetConfig {
    /// An error located in the client config that defines the dataset.
    pub fn error_at(&self, location: Location, message: impl Into<String>) -> ConfigError {
        ConfigError::at(&self.config_file, Some(location), message)
    }

    /// The dataset's file is missing or cannot be read (`problem` says why): located at the
    /// line naming the file, and of [`ErrorKind::DataFile`](crate::ErrorKind::DataFile)
    /// (not a mistake in the config).
    pub fn data_file_error(&self, problem: impl std::fmt::Display) -> ConfigError {
        ConfigError::data_file(
            &self.config_file,
            Some(self.location),
            format!("dataset \"{}\": {problem}", self.name),
        )
    }

    /// Mapped columns the source does not have are a mistake in the config (a misspelt
    /// column): the error is located at the mapping of the first such field and `detail`
    /// (the reader's message, with the columns the source does have) follows. `None` when no
    /// mapping names one of `missing`.
    pub fn missing_columns_error(
        &self,
        missing: &[String],
        detail: impl std::fmt::Display,
    ) -> Option<ConfigError> {
        let fields: Vec<&FieldConfig> = self
            .fields
            .iter()
            .filter(|f| f.is_column() && missing.contains(&f.column))
            .collect();
        let first = fields.first()?;
        let names: Vec<String> = fields.iter().map(|f| format!("\"{}\"", f.name)).collect();
        let noun = if names.len() == 1 { "field" } else { "fields" };
        Some(self.error_at(
            first.location,
            format!(
                "dataset \"{}\", {noun} {}: {detail}; correct the column name in the mapping",
                self.name,
                names.join(", ")
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_detected() {
        for bypass in [
            "host=127.0.0.1 user=x password = x",
            "host=127.0.0.1 user=x password\t=x",
            "postgres://localhost/db?pass%77ord=x",
        ] {
            assert!(connection_has_password(bypass), "{bypass:?}");
        }
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
