//! Opening a dataset's source by its format: CSV (any dialect and encoding), Parquet,
//! NDJSON, Excel and PostgreSQL all yield the same typed batches.

use crate::error::EngineError;
use cxm_config::{
    ConnectionSource, CsvConfig, DatasetConfig, PgQueryConfig, SheetSelector, SourceConfig,
};
use cxm_ingest::{
    ChunkedSource, CsvOptions, CsvSource, FieldSpec, IngestError, RecordSource, SequentialChunks,
};
use cxm_period::Zone;

/// CSV options of a dataset's CSV source.
pub(crate) fn csv_options(
    ds: &DatasetConfig,
    csv: &CsvConfig,
    zone: Zone,
    batch_rows: Option<usize>,
) -> CsvOptions {
    let mut options = CsvOptions {
        delimiter: csv.delimiter.unwrap_or(b','),
        sniff_delimiter: csv.delimiter.is_none(),
        encoding: csv.encoding.clone(),
        header_row: csv.header_row,
        decimal_comma: csv.decimal_comma,
        thousands_separator: csv.thousands_separator,
        trim: csv.trim,
        null_values: ds.null_values.clone(),
        timezone: Some(zone),
        ..CsvOptions::default()
    };
    if let Some(rows) = batch_rows {
        options.batch_rows = rows;
    }
    if let Some(max) = ds.max_record_bytes {
        options.max_record_bytes = max;
    }
    options
}

fn data_error(ds: &DatasetConfig, source: IngestError) -> EngineError {
    // A misspelt column is a mistake in the config, located at its mapping (exit code 3); a
    // file that cannot be opened or read as text is located at the line naming it (exit 1).
    match &source {
        IngestError::MissingColumns { missing, .. } => {
            if let Some(e) = ds.missing_columns_error(missing, &source) {
                return EngineError::Config(e);
            }
        }
        IngestError::Io { .. } | IngestError::NoHeader { .. } | IngestError::NotText { .. } => {
            return EngineError::Config(ds.data_file_error(&source))
        }
        _ => {}
    }
    EngineError::Data {
        dataset: ds.name.clone(),
        source,
    }
}

/// The connection string of a PostgreSQL source.
fn connection(ds: &DatasetConfig, c: &ConnectionSource) -> Result<String, EngineError> {
    match c {
        ConnectionSource::Literal(s) => Ok(s.clone()),
        ConnectionSource::Env(var) => std::env::var(var).map_err(|_| {
            EngineError::Config(cxm_config::ConfigError::at(
                &ds.config_file,
                Some(ds.location),
                format!(
                    "dataset \"{}\": environment variable {var} (connection_env) is not set",
                    ds.name
                ),
            ))
        }),
    }
}

fn pg_query(q: &PgQueryConfig) -> cxm_postgres::PgQuery {
    match q {
        PgQueryConfig::Table(t) => cxm_postgres::PgQuery::Table(t.clone()),
        PgQueryConfig::Sql(s) => cxm_postgres::PgQuery::Sql(s.clone()),
    }
}

/// Opens a dataset for reading `fields`.
pub(crate) fn open_source(
    ds: &DatasetConfig,
    fields: Vec<FieldSpec>,
    zone: Zone,
    batch_rows: Option<usize>,
) -> Result<Box<dyn RecordSource>, EngineError> {
    open_source_with(ds, fields, zone, batch_rows, Mode::Stream)
}

/// How a warehouse (`adbc`, `spark`) dataset is read; files are always read whole.
#[derive(Clone, Copy)]
pub(crate) enum Mode<'a> {
    /// Every row.
    Stream,
    /// Pushed down when the dataset is configured so, with the plan's cuts of period
    /// timestamps (see [`crate::plan::DatasetPlan`]).
    Pushdown(&'a [Option<cxm_sql::Cut>]),
    /// At most this many rows (`LIMIT`): checks and samples.
    Limit(u64),
}

/// Opens a dataset for reading `fields`, a warehouse dataset as `mode` says.
fn open_source_with(
    ds: &DatasetConfig,
    fields: Vec<FieldSpec>,
    zone: Zone,
    batch_rows: Option<usize>,
    mode: Mode<'_>,
) -> Result<Box<dyn RecordSource>, EngineError> {
    let rows = batch_rows.unwrap_or(cxm_ingest::DEFAULT_BATCH_ROWS);
    let err = |e| data_error(ds, e);
    Ok(match &ds.source {
        SourceConfig::Csv(csv) => Box::new(
            CsvSource::open(&ds.path, fields, csv_options(ds, csv, zone, batch_rows))
                .map_err(err)?,
        ),
        SourceConfig::Parquet => Box::new(
            cxm_parquet::ParquetSource::open(&ds.path, fields, &ds.null_values, zone, rows)
                .map_err(err)?,
        ),
        SourceConfig::Ndjson => {
            let limit = ds
                .max_record_bytes
                .unwrap_or(cxm_ingest::DEFAULT_MAX_RECORD_BYTES);
            let limit = usize::try_from(limit).unwrap_or(usize::MAX);
            Box::new(
                cxm_ndjson::NdjsonSource::open_with_limit(
                    &ds.path,
                    fields,
                    &ds.null_values,
                    zone,
                    rows,
                    limit,
                )
                .map_err(err)?,
            )
        }
        SourceConfig::Xlsx { sheet, header_row } => {
            let sheet = sheet.as_ref().map(|s| match s {
                SheetSelector::Name(n) => cxm_xlsx::SheetRef::Name(n.clone()),
                SheetSelector::Index(i) => cxm_xlsx::SheetRef::Index(*i),
            });
            let mut limits = cxm_xlsx::XlsxLimits::default();
            if let Some(max) = ds.max_record_bytes {
                limits.max_record_bytes = max;
            }
            Box::new(
                cxm_xlsx::XlsxSource::open_with_limits(
                    &ds.path,
                    sheet,
                    *header_row,
                    fields,
                    &ds.null_values,
                    zone,
                    rows,
                    &limits,
                )
                .map_err(err)?,
            )
        }
        SourceConfig::Postgres {
            connection: c,
            query,
        } => {
            let conn = connection(ds, c)?;
            Box::new(
                cxm_postgres::PgSource::open(
                    &conn,
                    &pg_query(query),
                    fields,
                    &ds.null_values,
                    zone,
                    rows,
                )
                .map_err(err)?,
            )
        }
        SourceConfig::Warehouse {
            client,
            connection: c,
            query,
            pushdown,
        } => {
            let uri = connection(ds, c)?;
            let client = match client {
                cxm_config::WarehouseClient::Adbc(cxm_config::AdbcDriver::Name(n)) => {
                    cxm_adbc::Client::Adbc(cxm_adbc::DriverRef::Name(n.clone()))
                }
                cxm_config::WarehouseClient::Adbc(cxm_config::AdbcDriver::Path {
                    path,
                    sha256,
                }) => cxm_adbc::Client::Adbc(cxm_adbc::DriverRef::Path {
                    path: path.clone(),
                    sha256: sha256.clone(),
                }),
                cxm_config::WarehouseClient::SparkConnect => cxm_adbc::Client::SparkConnect,
            };
            let query = match query {
                PgQueryConfig::Table(t) => cxm_adbc::AdbcQuery::Table(t.clone()),
                PgQueryConfig::Sql(s) => cxm_adbc::AdbcQuery::Sql(s.clone()),
            };
            let read = match (pushdown, mode) {
                (_, Mode::Limit(limit)) => cxm_adbc::Read::Limit(limit),
                (Some(p), Mode::Pushdown(cuts)) => {
                    cxm_adbc::Read::Pushdown(cxm_adbc::pushdown::Pushdown {
                        dialect: p.dialect.clone(),
                        max_groups: p.max_groups,
                        cuts: cuts.to_vec(),
                        quantize: fields
                            .iter()
                            .map(|f| {
                                ds.fields
                                    .iter()
                                    .find(|c| c.name == f.name)
                                    .and_then(|c| c.quantize)
                            })
                            .collect(),
                    })
                }
                _ => cxm_adbc::Read::All,
            };
            let options = cxm_adbc::Options {
                null_values: &ds.null_values,
                zone,
                batch_rows: rows,
            };
            let source =
                cxm_adbc::AdbcSource::open_with(&client, &uri, &query, fields, options, &read);
            Box::new(source.map_err(err)?)
        }
    })
}

/// Opens a dataset as chunks that workers parse in parallel where the format allows it;
/// other sources are read in order on one thread; `mode` says how a warehouse dataset is.
pub(crate) fn open_chunked(
    ds: &DatasetConfig,
    fields: Vec<FieldSpec>,
    zone: Zone,
    options: &crate::RunOptions,
    mode: Mode<'_>,
) -> Result<Box<dyn ChunkedSource>, EngineError> {
    if let SourceConfig::Csv(csv) = &ds.source {
        let csv_options = csv_options(ds, csv, zone, options.batch_rows);
        let chunk_bytes = options
            .chunk_bytes
            .unwrap_or(cxm_ingest::DEFAULT_CHUNK_BYTES);
        return cxm_ingest::open_csv_chunks(&ds.path, fields, csv_options, chunk_bytes)
            .map_err(|e| data_error(ds, e));
    }
    if let SourceConfig::Parquet = &ds.source {
        let rows = options.batch_rows.unwrap_or(cxm_ingest::DEFAULT_BATCH_ROWS);
        return cxm_parquet::ParquetChunks::open(&ds.path, fields, &ds.null_values, zone, rows)
            .map(|chunks| Box::new(chunks) as Box<dyn ChunkedSource>)
            .map_err(|e| data_error(ds, e));
    }
    let source = open_source_with(ds, fields, zone, options.batch_rows, mode)?;
    Ok(Box::new(SequentialChunks::new(source)))
}

/// Checks that every mapped column exists in the source, without reading the data.
pub(crate) fn check_columns(
    ds: &DatasetConfig,
    fields: &[FieldSpec],
    zone: Zone,
) -> Result<(), EngineError> {
    match &ds.source {
        SourceConfig::Csv(csv) => {
            let columns: Vec<String> = fields.iter().map(|f| f.column.clone()).collect();
            CsvSource::check_header(&ds.path, &columns, &csv_options(ds, csv, zone, None))
                .map(|_| ())
                .map_err(|e| data_error(ds, e))
        }
        // Opening reads only metadata (Parquet), a sample (NDJSON), the sheet (Excel) or the
        // result's columns (PostgreSQL), and checks the mapping.
        _ => open_source_with(ds, fields.to_vec(), zone, Some(1), Mode::Limit(1)).map(|_| ()),
    }
}
