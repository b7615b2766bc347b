//! The streaming writer of `rejected.csv`: one line per rejected row or value, with the
//! columns `dataset,line,scope,field,value,reason,detail`. Every cell goes through
//! [`crate::csv_safe_cell`]: an original value such as `=1+2` is written `'=1+2`.

use crate::csv_cell::write_safe_record;
use crate::error::RenderError;
use crate::model::Rejection;
use std::io::Write;

/// Writes [`Rejection`]s as CSV, quoting values as needed (they may hold commas, quotes and
/// line breaks, since whole-row rejections carry the raw record).
pub struct RejectionWriter<W: Write> {
    writer: csv::Writer<W>,
    count: u64,
}

impl<W: Write> RejectionWriter<W> {
    /// The CSV header.
    pub const HEADER: [&'static str; 7] = [
        "dataset", "line", "scope", "field", "value", "reason", "detail",
    ];

    /// Starts the file: writes the header to `w`.
    pub fn new(w: W) -> Result<Self, RenderError> {
        let mut writer = csv::Writer::from_writer(w);
        write_safe_record(&mut writer, Self::HEADER)?;
        Ok(RejectionWriter { writer, count: 0 })
    }

    /// Writes one rejection.
    pub fn write(&mut self, r: &Rejection) -> Result<(), RenderError> {
        let line = r.line.to_string();
        write_safe_record(
            &mut self.writer,
            [
                r.dataset.as_str(),
                line.as_str(),
                r.scope.as_str(),
                r.field.as_str(),
                r.value.as_str(),
                r.reason.as_str(),
                r.detail.as_str(),
            ],
        )?;
        self.count += 1;
        Ok(())
    }

    /// Number of rejections written so far.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Flushes everything and returns the underlying writer.
    pub fn finish(self) -> Result<W, RenderError> {
        self.writer
            .into_inner()
            .map_err(|e| RenderError::Io(e.into_error()))
    }
}

impl<W: Write> std::fmt::Debug for RejectionWriter<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RejectionWriter")
            .field("count", &self.count)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejections_are_quoted() {
        let mut w = RejectionWriter::new(Vec::new()).unwrap();
        assert_eq!(w.count(), 0);
        w.write(&Rejection {
            dataset: "survey".into(),
            line: 17,
            scope: "row".into(),
            field: String::new(),
            value: "a,\"b\"\nc".into(),
            reason: "wrong_field_count".into(),
            detail: "expected 5 fields, found 3".into(),
        })
        .unwrap();
        w.write(&Rejection {
            dataset: "survey".into(),
            line: 18,
            scope: "nps;csat".into(),
            field: "score".into(),
            value: "11".into(),
            reason: "out_of_scale".into(),
            detail: "outside 0-10".into(),
        })
        .unwrap();
        assert_eq!(w.count(), 2);
        let out = String::from_utf8(w.finish().unwrap()).unwrap();
        assert_eq!(
            out,
            "dataset,line,scope,field,value,reason,detail\n\
             survey,17,row,,\"a,\"\"b\"\"\nc\",wrong_field_count,\"expected 5 fields, found 3\"\n\
             survey,18,nps;csat,score,11,out_of_scale,outside 0-10\n"
        );
        let mut reader = csv::Reader::from_reader(out.as_bytes());
        let first = reader.records().next().unwrap().unwrap();
        assert_eq!(&first[4], "a,\"b\"\nc");
    }
}
