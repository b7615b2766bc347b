//! Byte-level mutations of a case: bit flips, special bytes (quotes, delimiters, NUL, CR,
//! LF, 0xFF, markup), inserted and deleted ranges, duplicated ranges and lines, splices
//! from other seeds, interesting tokens (huge numbers, bad dates, BOMs) and very long runs.

use crate::rng::Rng;

/// Bytes that mean something to at least one reader.
pub const SPECIAL: &[u8] = &[
    b'"', b'\'', b',', b';', b'\t', b'|', b'\n', b'\r', 0, 0xFF, 0xFE, 0x80, 0xC3, b'<', b'>',
    b'&', b'/', b'=', b'{', b'}', b'[', b']', b':', b'\\', b'#', b'.', b'-', b'0', b'9', b' ',
];

/// Tokens that stress parsers of numbers, dates, text and structure.
pub const TOKENS: &[&str] = &[
    "0",
    "-1",
    "-0",
    "1e309",
    "-1e309",
    "NaN",
    "inf",
    "99999999999999999999999999",
    "-9223372036854775808",
    "9223372036854775807",
    "18446744073709551616",
    "4294967295",
    "0.1e-400",
    "1,234.5",
    "1.234,5",
    "2024-02-30",
    "2024-13-01T25:61:61Z",
    "31.12.9999",
    "0000-01-01",
    "+275760-09-13",
    "10000-01-01T00:00:00+14:00",
    "true",
    "TRUE",
    "\"\"",
    "\"\"\"",
    "\"a\"b\"",
    "\r\n",
    "\n\n\n",
    "\r\r",
    "\u{feff}",
    "\u{1d11e}",
    "Ω\u{301}",
    "\\u0000",
    "\\ud800",
    "&amp;",
    "&#0;",
    "&#x110000;",
    "]]>",
    "<![CDATA[",
    "<!--",
    "{}",
    "[]",
    "null",
    "{\"a\":{\"b\":[1,{\"c\":null}]}}",
    "=HYPERLINK(\"x\")",
    "%s%n",
];

/// Applies 1 to 8 random mutations to `data`, keeping it at most `max_len` bytes long;
/// `others` are seeds to splice from.
pub fn mutate(rng: &mut Rng, data: &mut Vec<u8>, others: &[&[u8]], max_len: usize) {
    let count = rng.range(1, 8);
    for _ in 0..count {
        mutate_once(rng, data, others);
        if data.len() > max_len {
            data.truncate(max_len);
        }
    }
}

/// One mutation.
pub fn mutate_once(rng: &mut Rng, data: &mut Vec<u8>, others: &[&[u8]]) {
    let len = data.len();
    let at = rng.below(len + 1);
    match rng.below(14) {
        0 if len > 0 => {
            let i = rng.below(len);
            data[i] ^= 1 << rng.below(8);
        }
        1 if len > 0 => {
            let i = rng.below(len);
            data[i] = rng.next_u64() as u8;
        }
        2 if len > 0 => {
            let i = rng.below(len);
            data[i] = *rng.pick(SPECIAL);
        }
        3 => {
            let n = rng.range(1, 4);
            let bytes: Vec<u8> = (0..n).map(|_| *rng.pick(SPECIAL)).collect();
            data.splice(at..at, bytes);
        }
        4 if len > 0 => {
            let n = rng.small_len(len / 4 + 1).min(len - at.min(len));
            data.drain(at.min(len)..at.min(len) + n);
        }
        5 if len > 0 => {
            let start = rng.below(len);
            let n = rng.small_len(len - start).min(len - start);
            let copy = data[start..start + n].to_vec();
            let times = if rng.chance(1, 8) {
                rng.range(2, 200)
            } else {
                1
            };
            let insert_at = rng.below(len + 1);
            let repeated: Vec<u8> = copy.iter().copied().cycle().take(n * times).collect();
            data.splice(insert_at..insert_at, repeated);
        }
        6 => duplicate_line(rng, data),
        7 if !others.is_empty() => {
            let other = *rng.pick(others);
            let from = rng.below(other.len() + 1);
            let n = rng
                .small_len(other.len() - from + 1)
                .min(other.len() - from);
            if rng.chance(1, 2) {
                data.truncate(at);
            }
            data.splice(
                at.min(data.len())..at.min(data.len()),
                other[from..from + n].to_vec(),
            );
        }
        8 => {
            // A very long run: one byte, or a short pattern, many times.
            let pattern: Vec<u8> = if rng.chance(1, 2) {
                vec![*rng.pick(SPECIAL)]
            } else {
                rng.pick(TOKENS).as_bytes().to_vec()
            };
            let total = *rng.pick(&[100usize, 1_000, 10_000, 70_000, 200_000]);
            let run: Vec<u8> = pattern.iter().copied().cycle().take(total).collect();
            data.splice(at..at, run);
        }
        9 => {
            let token = rng.pick(TOKENS).as_bytes().to_vec();
            if rng.chance(1, 2) && len > 0 {
                // Replace a field-like stretch (up to the next delimiter).
                let end = data[at.min(len)..]
                    .iter()
                    .position(|b| b",;\t\n\"<>".contains(b))
                    .map_or(len, |p| at.min(len) + p);
                data.splice(at.min(len)..end, token);
            } else {
                data.splice(at..at, token);
            }
        }
        10 if len > 1 => {
            // Swap two ranges of the same length.
            let n = rng.small_len(len / 2).min(len / 2);
            let a = rng.below(len - n + 1);
            let b = rng.below(len - n + 1);
            if a + n <= b || b + n <= a {
                for i in 0..n {
                    data.swap(a + i, b + i);
                }
            }
        }
        11 if len > 0 => data.truncate(rng.below(len)),
        12 => replace_number(rng, data),
        _ => {
            let n = rng.range(1, 4);
            let bytes: Vec<u8> = (0..n).map(|_| rng.next_u64() as u8).collect();
            data.splice(at..at, bytes);
        }
    }
}

/// Copies one line (to its `\n`) after itself, once or many times.
fn duplicate_line(rng: &mut Rng, data: &mut Vec<u8>) {
    let len = data.len();
    if len == 0 {
        return;
    }
    let at = rng.below(len);
    let start = data[..at]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    let end = data[at..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(len, |p| at + p + 1);
    let line = data[start..end].to_vec();
    let times = if rng.chance(1, 6) {
        rng.range(2, 500)
    } else {
        1
    };
    let copies: Vec<u8> = line
        .iter()
        .copied()
        .cycle()
        .take(line.len() * times)
        .collect();
    data.splice(end..end, copies);
}

/// Replaces a run of digits with an interesting number.
fn replace_number(rng: &mut Rng, data: &mut Vec<u8>) {
    let len = data.len();
    if len == 0 {
        return;
    }
    let from = rng.below(len);
    let Some(start) = data[from..]
        .iter()
        .position(u8::is_ascii_digit)
        .map(|p| from + p)
    else {
        return;
    };
    let end = data[start..]
        .iter()
        .position(|b| !b.is_ascii_digit())
        .map_or(len, |p| start + p);
    let numbers = [
        "0",
        "1",
        "255",
        "256",
        "65535",
        "65536",
        "2147483647",
        "2147483648",
        "4294967295",
        "4294967296",
        "9223372036854775807",
        "99999999999999999999",
        "1048576",
        "1048577",
        "16384",
        "16385",
    ];
    let number = rng.pick(&numbers).as_bytes().to_vec();
    data.splice(start..end, number);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mutations_are_deterministic_and_bounded() {
        let seed = b"id,name\n1,\"a\"\n2,b\n".to_vec();
        let run = |s: u64| {
            let mut rng = Rng::new(s);
            let mut data = seed.clone();
            mutate(&mut rng, &mut data, &[b"x,y\n"], 300_000);
            data
        };
        for s in 0..200 {
            assert_eq!(run(s), run(s));
            assert!(run(s).len() <= 300_000);
        }
        assert!((0..50).any(|s| run(s) != seed));
    }
}
