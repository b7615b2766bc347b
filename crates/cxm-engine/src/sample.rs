//! The first rows of each dataset, read by `cxm validate`. A mapped field whose values
//! mostly cannot be read as the type the metrics need (a text column mapped to a numeric
//! input, say) would make `cxm run` reject nearly every row of those metrics; validate
//! reads a sample and reports it as a config error, located at the field's mapping, before
//! a run does (issue 14, sharp edge 2).

use crate::error::EngineError;
use crate::plan::{DatasetPlan, Plan};
use crate::RunOptions;
use cxm_ingest::Batch;

/// Rows read from the start of each dataset (at least; the first chunk is read whole).
pub const SAMPLE_ROWS: usize = 1000;

/// What the sample of one field showed.
#[derive(Debug, Default, Clone)]
struct FieldSample {
    /// Non-empty values seen.
    values: u64,
    /// Of those, values that could not be read as the field's type.
    unreadable: u64,
    /// The first unreadable values, with their lines.
    examples: Vec<(u64, String)>,
}

/// Reads the first rows of every dataset the plan reads and fails on the first field that
/// its metrics need as a number, boolean or date but whose sampled values mostly are not.
pub fn check_sample(plan: &Plan) -> Result<(), EngineError> {
    for ds in &plan.datasets {
        let samples = sample(ds)?;
        for (index, s) in samples.iter().enumerate() {
            // Most values unreadable: a wrong column or a wrong type, not a few bad cells.
            if s.unreadable == 0 || 2 * s.unreadable <= s.values {
                continue;
            }
            let field = &ds.fields[index];
            let users: Vec<String> = ds
                .metrics
                .iter()
                .filter(|m| m.inputs.iter().any(|(_, f, _)| *f == index))
                .map(|m| format!("\"{}\"", m.config.id))
                .collect();
            let by = if users.is_empty() {
                String::new()
            } else {
                format!(" by metric {}", users.join(", "))
            };
            let examples: Vec<String> = s
                .examples
                .iter()
                .map(|(line, value)| format!("line {line}: {value:?}"))
                .collect();
            let at = ds
                .config
                .field(&field.name)
                .map_or(ds.config.location, |f| f.location);
            return Err(plan
                .config
                .error_at(
                    at,
                    format!(
                        "dataset \"{}\": field \"{}\" (column \"{}\") is read as {}{by}, but {} of the first {} non-empty values are not ({}); `cxm run` would reject those rows. Map a column that holds {} values, or fix the export",
                        ds.config.name,
                        field.name,
                        field.column,
                        field.ty.name(),
                        s.unreadable,
                        s.values,
                        examples.join(", "),
                        field.ty.name(),
                    ),
                )
                .into());
        }
    }
    Ok(())
}

/// Per field of the dataset: values and unreadable values in its first rows.
fn sample(ds: &DatasetPlan) -> Result<Vec<FieldSample>, EngineError> {
    let mut source = crate::sources::open_chunked(
        &ds.config,
        ds.parsed_fields(),
        ds.zone,
        &RunOptions::default(),
        crate::sources::Mode::Limit(SAMPLE_ROWS as u64),
    )?;
    let data_error = |source| EngineError::Data {
        dataset: ds.config.name.clone(),
        source,
    };
    let mut samples = vec![FieldSample::default(); ds.fields.len()];
    let mut rows = 0usize;
    let mut line_base = source.first_line();
    while rows < SAMPLE_ROWS {
        let Some(chunk) = source.next_chunk().map_err(data_error)? else {
            break;
        };
        let base = line_base;
        let summary = chunk
            .parse(&mut |batch: Batch| {
                rows += batch.num_rows();
                tally(&batch, base, &mut samples);
            })
            .map_err(data_error)?;
        line_base += summary.lines;
    }
    Ok(samples)
}

fn tally(batch: &Batch, line_base: u64, samples: &mut [FieldSample]) {
    use arrow_array::Array;
    for (column, s) in batch.columns.iter().zip(samples.iter_mut()) {
        s.values += (column.len() - column.null_count()) as u64;
    }
    for e in &batch.cell_errors {
        let Some(s) = samples.get_mut(e.field) else {
            continue;
        };
        s.values += 1;
        s.unreadable += 1;
        if s.examples.len() < 3 {
            s.examples.push((line_base + e.line, e.value.clone()));
        }
    }
}
