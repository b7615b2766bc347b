//! Checking field specs (unique names, valid date/time formats) and mapping
//! their columns onto a header.

use std::path::Path;

use crate::datetime::DateFormat;
use crate::types::FieldType;
use crate::{FieldSpec, IngestError};

/// Checks canonical names are unique and date/time formats are valid; returns
/// each field's parsed format.
pub(crate) fn validate_fields(
    path: &Path,
    fields: &[FieldSpec],
) -> Result<Vec<Option<DateFormat>>, IngestError> {
    let mut formats = Vec::with_capacity(fields.len());
    for (i, f) in fields.iter().enumerate() {
        if fields[..i].iter().any(|g| g.name == f.name) {
            return Err(IngestError::DuplicateField {
                path: path.to_path_buf(),
                field: f.name.clone(),
            });
        }
        let format = match (&f.format, f.ty) {
            (Some(fmt), FieldType::Date | FieldType::Datetime) => Some(
                DateFormat::new(fmt).ok_or_else(|| IngestError::InvalidFormat {
                    path: path.to_path_buf(),
                    field: f.name.clone(),
                    format: fmt.clone(),
                })?,
            ),
            _ => None,
        };
        formats.push(format);
    }
    Ok(formats)
}

/// Maps each requested column name (trimmed) to its index in the header.
pub(crate) fn resolve_columns<'a>(
    path: &Path,
    header: &[String],
    columns: impl Iterator<Item = &'a str> + Clone,
) -> Result<Vec<usize>, IngestError> {
    let mut missing: Vec<String> = Vec::new();
    for col in columns.clone().map(str::trim) {
        if !header.iter().any(|h| h == col) && !missing.iter().any(|m| m == col) {
            missing.push(col.to_owned());
        }
    }
    if !missing.is_empty() {
        return Err(IngestError::MissingColumns {
            path: path.to_path_buf(),
            missing,
            available: header.to_vec(),
        });
    }
    let mut indices = Vec::new();
    for col in columns.map(str::trim) {
        let mut found = header.iter().enumerate().filter(|(_, h)| *h == col);
        match (found.next(), found.next()) {
            (Some((i, _)), None) => indices.push(i),
            _ => {
                return Err(IngestError::DuplicateColumn {
                    path: path.to_path_buf(),
                    column: col.to_owned(),
                })
            }
        }
    }
    Ok(indices)
}
