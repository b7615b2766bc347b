//! [`NumberFormat`]: how numbers are written in a source (decimal comma,
//! thousands separators), and the rewriting of such cells into the plain
//! `1234.5` syntax the integer and number parsers accept.

use crate::types::CellErrorReason;

/// How the numbers of `Integer` and `Number` fields are written. The default
/// (`1234.5`: decimal point, no grouping) leaves cells untouched.
///
/// A grouping separator is only accepted in the integer part, between
/// digits, in groups of three (`1,234,567`); a misplaced one (`4.5` when `.`
/// groups thousands, `12,34`) makes the cell `not_a_number` rather than
/// silently changing its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct NumberFormat {
    /// `,` is the decimal mark (`4,5` is 4.5). Unless `thousands` names
    /// another separator, `.` then groups thousands (`1.234,5` is 1234.5).
    pub decimal_comma: bool,
    /// The byte grouping thousands (`b','`, `b'.'`, `b' '`, `b'\''`), removed
    /// inside numbers: with `Some(b',')`, `1,234` is 1234.
    pub thousands: Option<u8>,
}

impl NumberFormat {
    /// True for the default format, which leaves cells untouched.
    pub fn is_plain(&self) -> bool {
        !self.decimal_comma && self.thousands.is_none()
    }

    /// The decimal mark: `,` or `.`.
    pub fn decimal_mark(&self) -> u8 {
        if self.decimal_comma {
            b','
        } else {
            b'.'
        }
    }

    /// The thousands separator in effect (`.` with a decimal comma when none
    /// is declared).
    pub fn grouping(&self) -> Option<u8> {
        self.thousands
            .or(if self.decimal_comma { Some(b'.') } else { None })
    }

    /// Checks the separator is usable: not a digit, sign or exponent letter,
    /// and not the decimal mark. Returns a message naming the problem.
    pub fn validate(&self) -> Result<(), String> {
        let Some(sep) = self.thousands else {
            return Ok(());
        };
        let shown = char::from(sep).escape_default();
        if sep == self.decimal_mark() {
            return Err(format!(
                "thousands separator '{shown}' is also the decimal mark"
            ));
        }
        if sep.is_ascii_digit() || matches!(sep, b'+' | b'-' | b'e' | b'E') || !sep.is_ascii() {
            return Err(format!("'{shown}' cannot be a thousands separator"));
        }
        Ok(())
    }

    /// Rewrites a trimmed cell into plain syntax (grouping removed, decimal
    /// mark `.`), using `out` as scratch space; returns the cell itself for
    /// the plain format. Misplaced separators are `NotANumber`.
    #[inline(always)]
    pub(crate) fn normalize<'a>(
        &self,
        cell: &'a [u8],
        out: &'a mut Vec<u8>,
    ) -> Result<&'a [u8], CellErrorReason> {
        if self.is_plain() {
            return Ok(cell);
        }
        self.rewrite(cell, out)
    }

    /// [`NumberFormat::normalize`] of a format that is not plain.
    fn rewrite<'a>(
        &self,
        cell: &'a [u8],
        out: &'a mut Vec<u8>,
    ) -> Result<&'a [u8], CellErrorReason> {
        let (mark, group) = (self.decimal_mark(), self.grouping());
        out.clear();
        let mut rest = cell;
        if let Some((&sign @ (b'+' | b'-'), tail)) = rest.split_first() {
            out.push(sign);
            rest = tail;
        }
        // Integer part: digits, optionally grouped by threes.
        let (mut run, mut groups) = (0usize, 0usize);
        while let Some((&b, tail)) = rest.split_first() {
            if b.is_ascii_digit() {
                out.push(b);
                run += 1;
            } else if Some(b) == group {
                let ok = if groups == 0 {
                    (1..=3).contains(&run)
                } else {
                    run == 3
                };
                if !ok {
                    return Err(CellErrorReason::NotANumber);
                }
                groups += 1;
                run = 0;
            } else {
                break;
            }
            rest = tail;
        }
        if groups > 0 && run != 3 {
            return Err(CellErrorReason::NotANumber);
        }
        // Fraction.
        if let Some((&b, tail)) = rest.split_first() {
            if b == mark {
                out.push(b'.');
                rest = tail;
                while let Some((&d @ b'0'..=b'9', tail)) = rest.split_first() {
                    out.push(d);
                    rest = tail;
                }
            }
        }
        // Exponent or anything else, left to the parser; stray separators
        // are errors, not literal text.
        for &b in rest {
            if b == b'.' || b == b',' || Some(b) == group {
                return Err(CellErrorReason::NotANumber);
            }
            out.push(b);
        }
        Ok(out.as_slice())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(format: NumberFormat, cell: &str) -> Result<String, CellErrorReason> {
        let mut out = Vec::new();
        format
            .normalize(cell.as_bytes(), &mut out)
            .map(|b| String::from_utf8_lossy(b).into_owned())
    }

    const COMMA: NumberFormat = NumberFormat {
        decimal_comma: true,
        thousands: None,
    };

    #[test]
    fn decimal_comma_with_dot_grouping() {
        for (cell, want) in [
            ("4,5", "4.5"),
            ("1.234,5", "1234.5"),
            ("-1.234.567,25", "-1234567.25"),
            ("1.234", "1234"),
            (",5", ".5"),
            ("+7", "+7"),
            ("1,5e3", "1.5e3"),
            ("NaN", "NaN"),
        ] {
            assert_eq!(norm(COMMA, cell).as_deref(), Ok(want), "{cell}");
        }
        for bad in [
            "4.5", "12.34,5", "1.2345", "1..234", ".234", "1,2,3", "1.234.",
        ] {
            assert_eq!(norm(COMMA, bad), Err(CellErrorReason::NotANumber), "{bad}");
        }
    }

    #[test]
    fn declared_thousands_separators() {
        let comma = NumberFormat {
            decimal_comma: false,
            thousands: Some(b','),
        };
        assert_eq!(norm(comma, "1,234").as_deref(), Ok("1234"));
        assert_eq!(norm(comma, "1,234,567.5").as_deref(), Ok("1234567.5"));
        assert_eq!(norm(comma, "1.5").as_deref(), Ok("1.5"));
        assert_eq!(norm(comma, "12,34"), Err(CellErrorReason::NotANumber));
        let space = NumberFormat {
            decimal_comma: true,
            thousands: Some(b' '),
        };
        assert_eq!(norm(space, "1 234,5").as_deref(), Ok("1234.5"));
        assert_eq!(norm(space, "1.234,5"), Err(CellErrorReason::NotANumber));
        // The plain format is a no-op.
        assert_eq!(norm(NumberFormat::default(), "1,5").as_deref(), Ok("1,5"));
    }

    #[test]
    fn validation() {
        assert_eq!(COMMA.validate(), Ok(()));
        assert_eq!(COMMA.grouping(), Some(b'.'));
        let clash = NumberFormat {
            decimal_comma: true,
            thousands: Some(b','),
        };
        assert_eq!(
            clash.validate(),
            Err("thousands separator ',' is also the decimal mark".into())
        );
        let dot = NumberFormat {
            decimal_comma: false,
            thousands: Some(b'.'),
        };
        assert!(dot.validate().is_err());
        let digit = NumberFormat {
            decimal_comma: false,
            thousands: Some(b'1'),
        };
        assert_eq!(
            digit.validate(),
            Err("'1' cannot be a thousands separator".into())
        );
    }
}
