//! The one rule every CSV file cxm writes follows so that opening it in a spreadsheet cannot
//! run anything: a cell that a spreadsheet would read as a formula is written as text.
//!
//! Excel, LibreOffice Calc and Google Sheets evaluate a CSV cell that begins with `=`, `+`,
//! `-` or `@` (and some also after a leading tab or carriage return) as a formula, which can
//! fetch URLs (`=HYPERLINK(…)`, `=WEBSERVICE(…)`) or, through DDE, start programs. As OWASP's
//! "CSV Injection" page recommends, such a cell gets a single quote in front (`'=1+2`), which
//! spreadsheets show as text; the `csv` crate's quoting does the rest (a quote, delimiter or
//! line break inside a cell can never end it early).
//!
//! Numbers stay numbers: a cell that is entirely a plain decimal number (`-12.5`, `-3`,
//! `+4`, `-1e-5`) is not a formula, whoever wrote it: the numbers cxm formats, and an
//! original value such as `-5` in `rejected.csv`. Anything else beginning with a trigger
//! character (`-2+3`, `-inf`, `@SUM(A1)`) is text and is neutralised.

use std::borrow::Cow;
use std::io::Write;

/// Characters that make a spreadsheet read a cell as a formula when they come first.
const FORMULA_TRIGGERS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// The cell as it is safe to write to a CSV file: unchanged, unless a spreadsheet would read
/// it as a formula; then with a `'` in front. Plain numbers are never changed.
pub fn csv_safe_cell(text: &str) -> Cow<'_, str> {
    if text.starts_with(FORMULA_TRIGGERS) && !is_plain_number(text) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

/// Whether `text` is a plain decimal number: an optional sign, digits with an optional
/// fraction (or a fraction alone), and an optional exponent. No spaces, no `inf`/`nan`, no
/// thousands separators: exactly what spreadsheets read as a number constant.
fn is_plain_number(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut i = usize::from(matches!(bytes.first(), Some(b'+' | b'-')));
    let digits = |i: &mut usize| {
        let start = *i;
        while bytes.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i - start
    };
    let mut mantissa = digits(&mut i);
    if bytes.get(i) == Some(&b'.') {
        i += 1;
        mantissa += digits(&mut i);
    }
    if mantissa == 0 {
        return false;
    }
    if matches!(bytes.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(bytes.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == bytes.len()
}

/// Writes one record, every cell through [`csv_safe_cell`]: how every CSV writer of cxm
/// writes a row (header included).
pub(crate) fn write_safe_record<W: Write, I, S>(
    writer: &mut csv::Writer<W>,
    cells: I,
) -> Result<(), csv::Error>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    for cell in cells {
        writer.write_field(csv_safe_cell(cell.as_ref()).as_bytes())?;
    }
    writer.write_record(None::<&[u8]>)
}

/// Bytes of written records kept before they go to the output.
const BUFFER: usize = 64 * 1024;

/// Writes records exactly as [`write_safe_record`] does through the `csv` crate's default
/// writer (the same bytes: `,` between cells, `\n` after each record, a cell with a `,`,
/// `"`, `\r` or `\n` quoted with its quotes doubled, a record of one empty cell as `""`),
/// a whole record at a time into a buffer, without the crate's per-cell state machine,
/// which was most of the cost of writing a `results.csv` of many groups. Every record must
/// have as many cells as the first (the `csv` crate would refuse another count).
pub(crate) struct SafeRecords<W: Write> {
    out: W,
    buffer: Vec<u8>,
}

impl<W: Write> SafeRecords<W> {
    /// A writer of records to `out`.
    pub(crate) fn new(out: W) -> Self {
        SafeRecords {
            out,
            buffer: Vec::with_capacity(BUFFER),
        }
    }

    /// Writes one record, every cell through [`csv_safe_cell`].
    pub(crate) fn write<I, S>(&mut self, cells: I) -> Result<(), csv::Error>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let start = self.buffer.len();
        for (i, cell) in cells.into_iter().enumerate() {
            if i > 0 {
                self.buffer.push(b',');
            }
            let cell = csv_safe_cell(cell.as_ref());
            let bytes = cell.as_bytes();
            if bytes
                .iter()
                .any(|b| matches!(b, b',' | b'"' | b'\r' | b'\n'))
            {
                self.buffer.push(b'"');
                for &b in bytes {
                    if b == b'"' {
                        self.buffer.push(b'"');
                    }
                    self.buffer.push(b);
                }
                self.buffer.push(b'"');
            } else {
                self.buffer.extend_from_slice(bytes);
            }
        }
        if self.buffer.len() == start {
            // No cell, or one empty cell: `""`, so that the line is not empty.
            self.buffer.extend_from_slice(b"\"\"");
        }
        self.buffer.push(b'\n');
        if self.buffer.len() >= BUFFER {
            self.out.write_all(&self.buffer)?;
            self.buffer.clear();
        }
        Ok(())
    }

    /// Writes records that another `SafeRecords` wrote (into a buffer), after the ones
    /// written here so far.
    pub(crate) fn write_bytes(&mut self, records: &[u8]) -> Result<(), csv::Error> {
        self.out.write_all(&self.buffer)?;
        self.buffer.clear();
        self.out.write_all(records)?;
        Ok(())
    }

    /// Writes what is buffered and flushes the output.
    pub(crate) fn flush(&mut self) -> Result<(), csv::Error> {
        self.out.write_all(&self.buffer)?;
        self.buffer.clear();
        self.out.flush()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_are_the_bytes_the_csv_crate_writes() {
        let records: Vec<Vec<&str>> = vec![
            vec!["metric", "plugin", "value"],
            vec!["a,b", "say \"hi\"", "line\nbreak"],
            vec!["cr\r", "", "=1+2"],
            vec!["-4.5", "-x", "\"=quoted"],
            vec!["", "", ""],
            vec!["Größe", "naïve, café", "'"],
            vec!["\t=1", " ", "\"\""],
            vec![""],
            vec!["only"],
            vec![],
            vec![",", "\n"],
        ];
        let mut expected = csv::WriterBuilder::new()
            .flexible(true)
            .from_writer(Vec::new());
        let mut got = SafeRecords::new(Vec::new());
        for record in &records {
            write_safe_record(&mut expected, record).unwrap();
            got.write(record).unwrap();
        }
        // Past the buffer's size too.
        let long = "x".repeat(100);
        for _ in 0..1000 {
            write_safe_record(&mut expected, [&long, "a\"b"]).unwrap();
            got.write([&long, "a\"b"]).unwrap();
        }
        got.flush().unwrap();
        let expected = expected.into_inner().unwrap();
        assert_eq!(
            String::from_utf8(got.out).unwrap(),
            String::from_utf8(expected).unwrap()
        );
    }

    #[test]
    fn formulas_get_a_quote() {
        for (text, safe) in [
            ("=1+2", "'=1+2"),
            ("-2+3", "'-2+3"),
            ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
            ("@SUM(A1)", "'@SUM(A1)"),
            (
                "=HYPERLINK(\"http://x\",\"y\")",
                "'=HYPERLINK(\"http://x\",\"y\")",
            ),
            ("\t=1", "'\t=1"),
            ("\r=1", "'\r=1"),
            ("-", "'-"),
            ("-inf", "'-inf"),
            ("-1,234.5", "'-1,234.5"),
            ("- 5", "'- 5"),
            ("-5-", "'-5-"),
            ("1e5", "1e5"),
            ("-e5", "'-e5"),
            ("-.", "'-."),
            ("-1e", "'-1e"),
        ] {
            assert_eq!(csv_safe_cell(text), safe, "{text:?}");
        }
    }

    #[test]
    fn numbers_and_plain_text_stay_as_they_are() {
        for text in [
            "-12.5",
            "-3",
            "+4",
            "-0",
            "-1e-5",
            "-1E+10",
            "-.5",
            "-5.",
            "1e-5",
            "0.25",
            "NaN",
            "",
            "North",
            "a=b",
            " =1",
            "(all)",
            "'=already",
        ] {
            assert_eq!(csv_safe_cell(text), text, "{text:?}");
            assert!(matches!(csv_safe_cell(text), Cow::Borrowed(_)));
        }
    }

    #[test]
    fn records_are_written_safely_and_quoted() {
        let mut w = csv::Writer::from_writer(Vec::new());
        write_safe_record(&mut w, ["=1+2", "-4.5", "a,\"b\""]).unwrap();
        let out = String::from_utf8(w.into_inner().unwrap()).unwrap();
        assert_eq!(out, "'=1+2,-4.5,\"a,\"\"b\"\"\"\n");
    }
}
