//! `quantize = { relative_error = α }` on a number field of a pushed-down warehouse dataset:
//! the warehouse replaces each value by the representative of its log bucket (the DDSketch
//! mapping, `cxm_sql::quantize`) before grouping, so that continuous inputs (revenue,
//! durations in seconds) compress into few histogram rows while every value, and so every
//! percentile, stays within α of the exact one (relative). Checked here; applied in SQL.

use crate::error::ConfigError;
use crate::raw::RawField;
use crate::source::SourceConfig;
use crate::validate::Ctx;

/// The relative error a field is quantized to, if it asks for it and may be; `derived`
/// says whether the field is computed from another.
pub(crate) fn field_quantize(
    ctx: &Ctx<'_>,
    dataset: &str,
    source: &SourceConfig,
    derived: bool,
    mapping: &mut RawField,
) -> Result<Option<f64>, ConfigError> {
    let Some(q) = mapping.quantize.take() else {
        return Ok(None);
    };
    let span = q.span();
    let alpha = q.get_ref().relative_error;
    let err =
        |message: String| Err(ctx.err(span.clone(), format!("dataset \"{dataset}\": {message}")));
    match source {
        SourceConfig::Warehouse {
            pushdown: Some(_), ..
        } => {}
        SourceConfig::Warehouse { pushdown: None, .. } => {
            return err("quantize applies when the warehouse groups the rows; remove it, or remove pushdown = false".into())
        }
        _ => {
            return err("quantize applies to adbc and spark datasets, where the warehouse groups the rows; a file is read exactly".into())
        }
    }
    if derived {
        return err(
            "quantize applies to a column read from the warehouse, not to a derived field".into(),
        );
    }
    if mapping.ty.as_deref() != Some("number") {
        return err("quantize applies to number fields: add type = \"number\"".into());
    }
    if !(alpha > 0.0 && alpha < 1.0) {
        return err(format!(
            "quantize relative_error is between 0 and 1 (exclusive), e.g. 0.01 for 1%; got {alpha}"
        ));
    }
    Ok(Some(alpha))
}
