//! Field types, cell error reasons, and the allocation-free parsers for
//! integer, number and boolean cells.

use std::fmt;

use arrow_schema::{DataType, TimeUnit};

/// The type a mapped column is parsed into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FieldType {
    /// 64-bit signed integer (`Int64`).
    Integer,
    /// 64-bit float (`Float64`); NaN and infinities are rejected.
    Number,
    /// UTF-8 text, stored trimmed (`Utf8`).
    String,
    /// `Boolean`.
    Boolean,
    /// Calendar date, days since 1970-01-01 (`Date32`).
    Date,
    /// Instant, microseconds since the Unix epoch in UTC
    /// (`Timestamp(Microsecond, "UTC")`).
    Datetime,
}

impl FieldType {
    /// Every field type, in declaration order.
    pub const ALL: [FieldType; 6] = [
        FieldType::Integer,
        FieldType::Number,
        FieldType::String,
        FieldType::Boolean,
        FieldType::Date,
        FieldType::Datetime,
    ];

    /// Parses a type name: `integer`, `number`, `string`, `boolean`, `date`
    /// or `datetime` (exact, lowercase).
    pub fn parse(name: &str) -> Option<FieldType> {
        FieldType::ALL.into_iter().find(|t| t.name() == name)
    }

    /// The type's name as accepted by [`FieldType::parse`].
    pub fn name(&self) -> &'static str {
        match self {
            FieldType::Integer => "integer",
            FieldType::Number => "number",
            FieldType::String => "string",
            FieldType::Boolean => "boolean",
            FieldType::Date => "date",
            FieldType::Datetime => "datetime",
        }
    }

    /// The Arrow data type of the column built for this field type.
    pub fn arrow_type(&self) -> DataType {
        match self {
            FieldType::Integer => DataType::Int64,
            FieldType::Number => DataType::Float64,
            FieldType::String => DataType::Utf8,
            FieldType::Boolean => DataType::Boolean,
            FieldType::Date => DataType::Date32,
            FieldType::Datetime => DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
        }
    }
}

/// Serialized as its name (`"integer"`, `"date"`, ...).
impl serde::Serialize for FieldType {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

impl fmt::Display for FieldType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a cell could not be parsed (the cell becomes null).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CellErrorReason {
    NotANumber,
    NotAnInteger,
    InvalidDate,
    InvalidDatetime,
    InvalidBoolean,
    InvalidUtf8,
    /// A derived field's source value is not in its value map (and the map has no default).
    UnmappedValue,
    /// A derived field's source number is above the last band's bound.
    OutsideBands,
    /// A lookup's key has no match in the dataset looked up (with `unmatched = "reject"`).
    UnmatchedKey,
}

impl CellErrorReason {
    /// Stable snake_case identifier, e.g. `"not_a_number"`.
    pub fn as_str(&self) -> &'static str {
        match self {
            CellErrorReason::NotANumber => "not_a_number",
            CellErrorReason::NotAnInteger => "not_an_integer",
            CellErrorReason::InvalidDate => "invalid_date",
            CellErrorReason::InvalidDatetime => "invalid_datetime",
            CellErrorReason::InvalidBoolean => "invalid_boolean",
            CellErrorReason::InvalidUtf8 => "invalid_utf8",
            CellErrorReason::UnmappedValue => "unmapped_value",
            CellErrorReason::OutsideBands => "outside_bands",
            CellErrorReason::UnmatchedKey => "unmatched_key",
        }
    }

    /// True for the numeric reasons (`NotANumber`, `NotAnInteger`).
    pub fn is_numeric(&self) -> bool {
        matches!(
            self,
            CellErrorReason::NotANumber | CellErrorReason::NotAnInteger
        )
    }
}

impl fmt::Display for CellErrorReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Largest integer magnitude an `f64` represents exactly (2^53).
const MAX_EXACT_F64_INT: f64 = 9_007_199_254_740_992.0;

/// Parses a trimmed cell as `i64`.
///
/// Accepts an optional sign, digits, and an optional fraction made only of
/// zeros (`"7.0"`, `"7."`). Other finite numbers with an integral value that
/// an `f64` holds exactly (`"1e3"`) are accepted too. A finite non-integral
/// number (or one out of `i64` range) is `NotAnInteger`; anything else is
/// `NotANumber`.
#[inline(always)]
pub(crate) fn parse_integer(s: &[u8]) -> Result<i64, CellErrorReason> {
    // Scores and ratings: one or two digits, read in place.
    match *s {
        [d] if d.is_ascii_digit() => Ok(i64::from(d - b'0')),
        [a, b] if a.is_ascii_digit() && b.is_ascii_digit() => {
            Ok(i64::from(a - b'0') * 10 + i64::from(b - b'0'))
        }
        _ => parse_integer_general(s),
    }
}

/// [`parse_integer`] of any cell.
fn parse_integer_general(s: &[u8]) -> Result<i64, CellErrorReason> {
    // Fast path: up to 18 plain digits cannot overflow an i64.
    if (1..=18).contains(&s.len()) && s.iter().all(u8::is_ascii_digit) {
        return Ok(s
            .iter()
            .fold(0i64, |acc, &b| acc * 10 + i64::from(b - b'0')));
    }
    let (negative, digits) = match s.first() {
        Some(b'+') => (false, &s[1..]),
        Some(b'-') => (true, &s[1..]),
        _ => (false, s),
    };
    let (int_part, frac) = match digits.iter().position(|&b| b == b'.') {
        Some(dot) => (&digits[..dot], &digits[dot + 1..]),
        None => (digits, &digits[digits.len()..]),
    };
    if !int_part.is_empty()
        && int_part.iter().all(u8::is_ascii_digit)
        && frac.iter().all(|&b| b == b'0')
    {
        let mut acc: i64 = 0;
        for &b in int_part {
            let d = i64::from(b - b'0');
            let next = acc.checked_mul(10).and_then(|v| {
                if negative {
                    v.checked_sub(d)
                } else {
                    v.checked_add(d)
                }
            });
            match next {
                Some(v) => acc = v,
                None => return Err(CellErrorReason::NotAnInteger),
            }
        }
        return Ok(acc);
    }
    match parse_number(s) {
        Ok(v) if v.fract() == 0.0 && v.abs() <= MAX_EXACT_F64_INT => Ok(v as i64),
        Ok(_) => Err(CellErrorReason::NotAnInteger),
        Err(e) => Err(e),
    }
}

/// Parses a trimmed cell as a finite `f64` (`str::parse` syntax); NaN,
/// infinities and overflowing values are `NotANumber`.
pub(crate) fn parse_number(s: &[u8]) -> Result<f64, CellErrorReason> {
    let text = std::str::from_utf8(s).map_err(|_| CellErrorReason::NotANumber)?;
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        _ => Err(CellErrorReason::NotANumber),
    }
}

/// Parses a trimmed cell as a boolean: true/false, yes/no, y/n, 1/0, t/f
/// (ASCII case-insensitive).
pub(crate) fn parse_boolean(s: &[u8]) -> Result<bool, CellErrorReason> {
    const TRUE: [&[u8]; 5] = [b"true", b"yes", b"y", b"1", b"t"];
    const FALSE: [&[u8]; 5] = [b"false", b"no", b"n", b"0", b"f"];
    if TRUE.iter().any(|t| t.eq_ignore_ascii_case(s)) {
        Ok(true)
    } else if FALSE.iter().any(|f| f.eq_ignore_ascii_case(s)) {
        Ok(false)
    } else {
        Err(CellErrorReason::InvalidBoolean)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use CellErrorReason::*;

    #[test]
    fn field_type_names_round_trip() {
        for t in FieldType::ALL {
            assert_eq!(FieldType::parse(t.name()), Some(t));
        }
        assert_eq!(FieldType::parse("Integer"), None);
        assert_eq!(FieldType::parse("float"), None);
        assert_eq!(FieldType::Date.arrow_type(), DataType::Date32);
        assert_eq!(
            FieldType::Datetime.arrow_type(),
            DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()))
        );
        assert_eq!(FieldType::Integer.arrow_type(), DataType::Int64);
        assert_eq!(FieldType::Number.arrow_type(), DataType::Float64);
        assert_eq!(FieldType::String.arrow_type(), DataType::Utf8);
        assert_eq!(FieldType::Boolean.arrow_type(), DataType::Boolean);
    }

    #[test]
    fn reason_strings() {
        assert_eq!(NotANumber.as_str(), "not_a_number");
        assert_eq!(NotAnInteger.as_str(), "not_an_integer");
        assert_eq!(InvalidDate.as_str(), "invalid_date");
        assert_eq!(InvalidDatetime.as_str(), "invalid_datetime");
        assert_eq!(InvalidBoolean.as_str(), "invalid_boolean");
        assert_eq!(InvalidUtf8.as_str(), "invalid_utf8");
        assert!(NotANumber.is_numeric() && NotAnInteger.is_numeric());
        assert!(!InvalidDate.is_numeric() && !InvalidUtf8.is_numeric());
    }

    #[test]
    fn integers() {
        assert_eq!(parse_integer(b"7"), Ok(7));
        // The one- and two-byte fast path agrees with the general parser on every input.
        for a in 0..=255u8 {
            assert_eq!(parse_integer(&[a]), parse_integer_general(&[a]), "{a}");
            for b in 0..=255u8 {
                let s = [a, b];
                assert_eq!(parse_integer(&s), parse_integer_general(&s), "{s:?}");
            }
        }
        assert_eq!(parse_integer(b"09"), Ok(9));
        assert_eq!(parse_integer(b"10"), Ok(10));
        assert_eq!(parse_integer(b"+7"), Ok(7));
        assert_eq!(parse_integer(b"-12"), Ok(-12));
        assert_eq!(parse_integer(b"7.0"), Ok(7));
        assert_eq!(parse_integer(b"7."), Ok(7));
        assert_eq!(parse_integer(b"-3.000"), Ok(-3));
        assert_eq!(parse_integer(b"1e3"), Ok(1000));
        assert_eq!(parse_integer(b"9223372036854775807"), Ok(i64::MAX));
        assert_eq!(parse_integer(b"-9223372036854775808"), Ok(i64::MIN));
        assert_eq!(parse_integer(b"9223372036854775808"), Err(NotAnInteger));
        assert_eq!(parse_integer(b"7.5"), Err(NotAnInteger));
        assert_eq!(parse_integer(b"abc"), Err(NotANumber));
        assert_eq!(parse_integer(b"NaN"), Err(NotANumber));
        assert_eq!(parse_integer(b"inf"), Err(NotANumber));
        assert_eq!(parse_integer(b"+-5"), Err(NotANumber));
        assert_eq!(parse_integer(b"."), Err(NotANumber));
        assert_eq!(parse_integer(b"\xff\xfe"), Err(NotANumber));
        // Around the 18-digit fast path.
        assert_eq!(parse_integer(b"007"), Ok(7));
        assert_eq!(
            parse_integer(b"999999999999999999"),
            Ok(999_999_999_999_999_999)
        );
        assert_eq!(
            parse_integer(b"1000000000000000000"),
            Ok(1_000_000_000_000_000_000)
        );
        assert_eq!(parse_integer(b"99999999999999999999"), Err(NotAnInteger));
    }

    #[test]
    fn numbers() {
        assert_eq!(parse_number(b"3.25"), Ok(3.25));
        assert_eq!(parse_number(b"-1e2"), Ok(-100.0));
        assert_eq!(parse_number(b"+.5"), Ok(0.5));
        assert_eq!(parse_number(b"7"), Ok(7.0));
        for bad in [
            &b"NaN"[..],
            b"nan",
            b"inf",
            b"-INF",
            b"Infinity",
            b"infinity",
            b"1e999",
            b"abc",
            b"1,5",
            b"\xc3",
        ] {
            assert_eq!(parse_number(bad), Err(NotANumber), "{bad:?}");
        }
    }

    #[test]
    fn booleans() {
        for t in ["true", "TRUE", "Yes", "y", "Y", "1", "t", "T"] {
            assert_eq!(parse_boolean(t.as_bytes()), Ok(true), "{t}");
        }
        for f in ["false", "False", "NO", "n", "0", "f", "F"] {
            assert_eq!(parse_boolean(f.as_bytes()), Ok(false), "{f}");
        }
        for bad in ["2", "maybe", "ye", "tru", ""] {
            assert_eq!(parse_boolean(bad.as_bytes()), Err(InvalidBoolean), "{bad}");
        }
    }
}
