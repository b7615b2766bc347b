//! Lookups (joins) at run time: before a dataset is streamed, each dataset it looks up is
//! read once into an in-memory table by key ([`table`]); then every parsed batch gets the
//! looked-up columns appended (after its parsed fields, before its derived fields), taken
//! from the table by each row's key. Rows whose key has no match are counted per lookup and
//! either kept with empty looked-up fields or given an `unmatched_key` cell error on the key,
//! which the key field's place among every metric's dependent fields turns into a rejection.
//!
//! The config side (syntax and the meaning of each reduction) is in `cxm_config::lookup`.

mod key;
mod table;

use crate::error::EngineError;
use arrow_array::{Array, UInt32Array};
use cxm_config::{ClientConfig, DatasetConfig, LookupConfig, Reduce, Unmatched};
use cxm_ingest::{Batch, CellError, CellErrorReason, FieldSpec, FieldType};
use cxm_period::Zone;
use cxm_report::DataNotice;

pub(crate) use key::text as cell_text;
pub(crate) use table::LookupTable;

/// How many lines of unmatched rows a notice lists.
const EXAMPLE_LINES: usize = 10;

/// One lookup of a dataset plan: what is read from the dataset looked up, and where the
/// looked-up columns go.
#[derive(Debug, Clone)]
pub(crate) struct LookupPlan {
    pub(crate) config: LookupConfig,
    /// The dataset that looks up.
    pub(crate) owner: String,
    /// The dataset looked up.
    pub(crate) dataset: DatasetConfig,
    /// The key field's index among this dataset's fields.
    pub(crate) key_field: usize,
    /// The fields read from the dataset looked up: its key first.
    pub(crate) specs: Vec<FieldSpec>,
    /// The looked-up fields this run uses, in field order.
    pub(crate) outputs: Vec<PlannedOutput>,
}

/// A looked-up field of a plan.
#[derive(Debug, Clone)]
pub(crate) struct PlannedOutput {
    /// Its index among this dataset's fields.
    pub(crate) field: usize,
    /// Its name.
    pub(crate) name: String,
    pub(crate) reduce: Reduce,
    /// Its type.
    pub(crate) ty: FieldType,
    /// The index among [`LookupPlan::specs`] of the field whose values it reads.
    pub(crate) value: Option<usize>,
    /// The index among [`LookupPlan::specs`] of the `by` field of `latest` and `first`.
    pub(crate) by: Option<usize>,
}

impl LookupPlan {
    /// Whether unmatched rows are rejected.
    pub(crate) fn rejects(&self) -> bool {
        self.config.unmatched == Unmatched::Reject
    }
}

/// Plans the lookups of `ds` whose fields the run uses (or that reject unmatched rows):
/// `fields` are the dataset plan's fields with settled types. Checks the columns of each
/// dataset looked up.
pub(crate) fn plan_lookups(
    config: &ClientConfig,
    ds: &DatasetConfig,
    fields: &[FieldSpec],
    zone: Zone,
) -> Result<Vec<LookupPlan>, EngineError> {
    let mut plans = Vec::new();
    for (i, l) in ds.lookups.iter().enumerate() {
        let used: Vec<(usize, &cxm_config::LookupOutput)> = l
            .outputs
            .iter()
            .filter_map(|o| Some((fields.iter().position(|f| f.name == o.name)?, o)))
            .collect();
        if used.is_empty() && l.unmatched == Unmatched::Keep {
            continue;
        }
        let (Some(other), Some(key_field)) = (
            config.dataset(&l.dataset),
            fields.iter().position(|f| f.name == l.key),
        ) else {
            return Err(EngineError::Internal(format!(
                "lookup {i} of dataset \"{}\" was not linked",
                ds.name
            )));
        };
        let source = |name: &str| other.field(name);
        let spec_of = |name: &str, ty: FieldType| {
            let f = source(name);
            let mut spec = FieldSpec::new(
                name,
                f.map_or(name, |f| f.column.as_str()),
                f.and_then(|f| f.ty.as_deref())
                    .and_then(FieldType::parse)
                    .unwrap_or(ty),
            );
            spec.format = f.and_then(|f| f.format.clone());
            spec
        };
        let mut specs = vec![spec_of(&l.lookup_key, fields[key_field].ty)];
        let slot = |name: &str, ty: FieldType, specs: &mut Vec<FieldSpec>| {
            if let Some(at) = specs.iter().position(|s| s.name == name) {
                return at;
            }
            specs.push(spec_of(name, ty));
            specs.len() - 1
        };
        let mut outputs = Vec::new();
        for (field, o) in used {
            let ty = fields[field].ty;
            let value = o.reduce.field().map(|name| {
                let wanted = match o.reduce {
                    Reduce::Sum(_) | Reduce::Mean(_) => FieldType::Number,
                    _ => ty,
                };
                slot(name, wanted, &mut specs)
            });
            let by = o
                .reduce
                .by()
                .map(|name| slot(name, FieldType::Datetime, &mut specs));
            if let (Reduce::Value(_) | Reduce::Latest { .. } | Reduce::First { .. }, Some(v)) =
                (&o.reduce, value)
            {
                if specs[v].ty != ty {
                    return Err(config
                        .error_at(
                            o.location,
                            format!(
                                "dataset \"{}\", lookup of \"{}\": field \"{}\" is used here as {} but read from dataset \"{}\" as {}; declare its type in dataset \"{}\"",
                                ds.name, l.dataset, o.name, ty.name(), l.dataset, specs[v].ty.name(), l.dataset
                            ),
                        )
                        .into());
                }
            }
            if let (Some(b), Some(_)) = (by, o.reduce.by()) {
                if !matches!(specs[b].ty, FieldType::Date | FieldType::Datetime) {
                    return Err(config
                        .error_at(
                            o.location,
                            format!(
                                "dataset \"{}\", lookup of \"{}\": by field \"{}\" is read as {}; it must be a date or datetime",
                                ds.name,
                                l.dataset,
                                specs[b].name,
                                specs[b].ty.name()
                            ),
                        )
                        .into());
                }
            }
            outputs.push(PlannedOutput {
                field,
                name: o.name.clone(),
                reduce: o.reduce.clone(),
                ty,
                value,
                by,
            });
        }
        crate::sources::check_columns(other, &specs, zone)?;
        plans.push(LookupPlan {
            config: l.clone(),
            owner: ds.name.clone(),
            dataset: other.clone(),
            key_field,
            specs,
            outputs,
        });
    }
    Ok(plans)
}

/// A lookup ready to join batches: its table and the count of rows without a match.
#[derive(Debug)]
pub(crate) struct Join {
    pub(crate) plan: LookupPlan,
    pub(crate) table: LookupTable,
}

/// Rows of a lookup without a match: their number and the first lines (relative to a
/// chunk's line base in a chunk's state, absolute once merged).
#[derive(Debug, Default, Clone)]
pub(crate) struct Misses {
    rows: u64,
    lines: Vec<u64>,
}

impl Misses {
    fn add(&mut self, rows: u64, lines: impl Iterator<Item = u64>) {
        self.rows += rows;
        self.lines.extend(lines);
        self.lines.sort_unstable();
        self.lines.truncate(EXAMPLE_LINES);
    }

    /// Adds a chunk's misses, whose lines are relative to `line_base`.
    pub(crate) fn absorb(&mut self, chunk: &Misses, line_base: u64) {
        self.add(chunk.rows, chunk.lines.iter().map(|l| l + line_base));
    }
}

impl Join {
    /// Reads the dataset looked up into its table.
    pub(crate) fn load(
        plan: LookupPlan,
        zone: Zone,
        batch_rows: Option<usize>,
    ) -> Result<Join, EngineError> {
        let table = table::load(&plan, zone, batch_rows)?;
        Ok(Join { plan, table })
    }

    /// What a run reports about the lookup: unmatched rows (`misses`, merged over the
    /// run), and rows of the dataset looked up that could not be used.
    pub(crate) fn notices(&self, misses: &Misses) -> Vec<DataNotice> {
        let l = &self.plan.config;
        let mut out = self.table.notices(&self.plan);
        let (rows, lines) = (misses.rows, &misses.lines);
        if rows > 0 {
            let fields: Vec<&str> = self.plan.outputs.iter().map(|o| o.name.as_str()).collect();
            let what = match l.unmatched {
                Unmatched::Keep if fields.is_empty() => "kept".to_string(),
                Unmatched::Keep => format!(
                    "kept with empty {} (unmatched = \"keep\"{})",
                    fields.join(", "),
                    if self.plan.outputs.iter().any(|o| o.reduce == Reduce::Count) {
                        "; counts are 0"
                    } else {
                        ""
                    }
                ),
                Unmatched::Reject => {
                    "rejected for every metric with reason unmatched_key (unmatched = \"reject\")"
                        .to_string()
                }
            };
            out.push(DataNotice {
                kind: "unmatched".into(),
                count: rows,
                lines: lines.clone(),
                message: format!(
                    "{rows} rows have a {} with no match in dataset \"{}\" ({}), or none at all; they were {what}. First lines: {}",
                    l.key,
                    l.dataset,
                    if l.key == l.lookup_key { format!("by {}", l.key) } else { format!("by {} = {}", l.key, l.lookup_key) },
                    lines.iter().map(u64::to_string).collect::<Vec<_>>().join(", ")
                ),
            });
        }
        out
    }

    /// Appends the looked-up columns to a freshly parsed batch.
    fn apply(&self, batch: &mut Batch, misses: &mut Misses) {
        let rows = batch.num_rows();
        let key = self.plan.key_field;
        let column = batch.columns[key].clone();
        let mut buf = String::new();
        let mut indices = Vec::with_capacity(rows);
        let mut unmatched = Vec::new();
        let key_errors: Vec<usize> = batch
            .cell_errors
            .iter()
            .filter(|e| e.field == key)
            .map(|e| e.row)
            .collect();
        for row in 0..rows {
            let found = key::text(&column, row, &mut buf).and_then(|k| self.table.find(k));
            match found {
                Some(i) => indices.push(i),
                None => {
                    indices.push(self.table.no_match());
                    unmatched.push(row);
                }
            }
        }
        let indices = UInt32Array::from(indices);
        for (o, values) in self.plan.outputs.iter().zip(self.table.columns()) {
            debug_assert_eq!(o.field, batch.columns.len());
            let taken = match arrow_select::take::take(values.as_ref(), &indices, None) {
                Ok(col) => col,
                // The indices are all within the table (the no-match row included).
                Err(_) => arrow_array::new_null_array(values.data_type(), rows),
            };
            batch.push_derived(taken, key);
        }
        if unmatched.is_empty() {
            return;
        }
        let missed: u64 = match &batch.row_counts {
            Some(counts) => unmatched.iter().filter_map(|&r| counts.get(r)).sum(),
            None => unmatched.len() as u64,
        };
        misses.add(
            missed,
            unmatched
                .iter()
                .take(EXAMPLE_LINES)
                .map(|&r| batch.lines[r]),
        );
        if self.plan.rejects() {
            let errors: Vec<CellError> = unmatched
                .iter()
                .filter(|r| !key_errors.contains(r))
                .map(|&row| CellError {
                    row,
                    field: key,
                    line: batch.lines[row],
                    value: batch.raw_value(row, key),
                    reason: CellErrorReason::UnmatchedKey,
                })
                .collect();
            if !errors.is_empty() {
                batch.cell_errors.extend(errors);
                batch.cell_errors.sort_by_key(|e| (e.row, e.field));
            }
        }
    }
}

/// Appends every lookup's columns to a freshly parsed batch (a batch that already has them
/// is left alone), counting its unmatched rows into `misses` (one per lookup).
pub(crate) fn apply(joins: &[std::sync::Arc<Join>], batch: &mut Batch, misses: &mut Vec<Misses>) {
    if joins.is_empty() || batch.columns.len() != batch.num_parsed_fields() {
        return;
    }
    misses.resize_with(joins.len(), Misses::default);
    for (j, m) in joins.iter().zip(misses.iter_mut()) {
        j.apply(batch, m);
    }
}
