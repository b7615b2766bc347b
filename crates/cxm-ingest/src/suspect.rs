//! Spotting DOS code page 850 text in a file read as windows-1252.
//!
//! A file written partly by a DOS program (CP850) and partly by a Windows one
//! (windows-1252) decodes without any error as windows-1252: CP850's `é` (0x82) becomes
//! `‚`, its `â` (0x83) `ƒ`, its `É` (0x90) an invisible control character. Verbatims turn
//! into garbage silently. [`SuspectScanner`] looks at every byte 0x80–0x9F of such a file
//! and counts those that windows-1252 cannot have meant, judging by their neighbours:
//!
//! - a byte windows-1252 leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D): always;
//! - `’` (0x92, the apostrophe of `don’t`, `l’été`) and the lowercase letters `š` `œ` `ž`:
//!   never;
//! - the quotes and marks that cling to one side of a word (`‘` `“` `”` `„` `‹` `›` `…`
//!   `†` `‡` `™`): only between two letters, as in `co‹dium`;
//! - the uppercase letters `Š` `Œ` `Ž` `Ÿ`: after a lowercase letter (`fraŒcheur`);
//! - the rest (`€` `‚` `ƒ` `ˆ` `‰` `•` `–` `—` `˜`): next to a letter on either side
//!   (`d‚veloppe`, `No‰l`, `d–`), not next to digits or spaces (`15€`, `1–2`).
//!
//! Letters are ASCII letters, windows-1252's letters 0xC0–0xFF (not `×` `÷`) and its
//! letters in 0x80–0x9F. On the garden-centre survey (2,470 bytes in 0x80–0x9F, all but
//! three of them CP850 letters) this flags 2,465 bytes; the five it leaves are two `€`
//! after amounts, one `…` at the end of a sentence, and two that are CP850 but stand
//! between a space or a quote and the end of a field. A genuine windows-1252 text (smart
//! quotes, dashes between spaces, `€` after amounts, `œuvre`) gives none.

use crate::warnings::LineSample;

/// Bytes windows-1252 leaves undefined.
const UNDEFINED: [u8; 5] = [0x81, 0x8D, 0x8F, 0x90, 0x9D];
/// Marks that cling to one side of a word.
const CLINGING: [u8; 10] = [0x84, 0x85, 0x86, 0x87, 0x8B, 0x91, 0x93, 0x94, 0x99, 0x9B];
/// windows-1252's uppercase letters in 0x80–0x9F.
const UPPER: [u8; 4] = [0x8A, 0x8C, 0x8E, 0x9F];
/// windows-1252's lowercase letters in 0x80–0x9F (and `ƒ`, which is treated as a mark).
const LOWER: [u8; 3] = [0x9A, 0x9C, 0x9E];
/// The apostrophe.
const APOSTROPHE: u8 = 0x92;

/// Whether `b` is in 0x80–0x9F.
fn is_c1(b: u8) -> bool {
    b & 0xE0 == 0x80
}

/// Whether `b` is a letter in windows-1252.
fn is_letter(b: u8) -> bool {
    b.is_ascii_alphabetic()
        || (b >= 0xC0 && b != 0xD7 && b != 0xF7)
        || UPPER.contains(&b)
        || LOWER.contains(&b)
}

/// Whether `b` is a lowercase letter in windows-1252.
fn is_lower(b: u8) -> bool {
    b.is_ascii_lowercase() || (b >= 0xDF && b != 0xF7) || LOWER.contains(&b)
}

/// Whether the byte `b` (in 0x80–0x9F), between `before` and `after` (`None` at the
/// start or end of the file), is more likely CP850 than windows-1252.
pub(crate) fn is_suspect(before: Option<u8>, b: u8, after: Option<u8>) -> bool {
    let letter = |x: Option<u8>| x.is_some_and(is_letter);
    if UNDEFINED.contains(&b) {
        true
    } else if b == APOSTROPHE || LOWER.contains(&b) {
        false
    } else if CLINGING.contains(&b) {
        letter(before) && letter(after)
    } else if UPPER.contains(&b) {
        before.is_some_and(is_lower)
    } else {
        letter(before) || letter(after)
    }
}

/// Scans a file's bytes in order for [`is_suspect`] bytes, tracking physical lines (a
/// line break is `\n`, `\r\n` or a lone `\r`, as everywhere else in cxm).
#[derive(Debug, Clone)]
pub(crate) struct SuspectScanner {
    /// The line of the next byte.
    line: u64,
    after_cr: bool,
    /// The last byte seen.
    before: Option<u8>,
    /// A byte 0x80–0x9F waiting for the byte after it: (its byte before, it, its line).
    pending: Option<(Option<u8>, u8, u64)>,
    /// Suspect bytes and their lines.
    found: LineSample,
    /// Suspect bytes by value (index `b - 0x80`).
    by_byte: [u64; 32],
}

impl Default for SuspectScanner {
    fn default() -> Self {
        SuspectScanner {
            line: 1,
            after_cr: false,
            before: None,
            pending: None,
            found: LineSample::default(),
            by_byte: [0; 32],
        }
    }
}

impl SuspectScanner {
    /// Looks at the next bytes of the file. Most buffers hold no byte 0x80–0x9F at all
    /// (checked in one vectorizable pass): only their line breaks are counted.
    pub(crate) fn feed(&mut self, data: &[u8]) {
        let Some((&first, _)) = data.split_first() else {
            return;
        };
        if let Some((before, c, line)) = self.pending.take() {
            self.judge(before, c, Some(first), line);
        }
        let mut start = 0;
        if data.iter().fold(false, |any, &b| any | is_c1(b)) {
            for (i, &b) in data.iter().enumerate() {
                if !is_c1(b) {
                    continue;
                }
                self.count_lines(data.get(start..i).unwrap_or_default());
                start = i;
                let before = match i.checked_sub(1) {
                    Some(j) => data.get(j).copied(),
                    None => self.before,
                };
                match data.get(i + 1) {
                    Some(&after) => self.judge(before, b, Some(after), self.line),
                    None => self.pending = Some((before, b, self.line)),
                }
            }
        }
        self.count_lines(data.get(start..).unwrap_or_default());
        self.before = data.last().copied();
    }

    /// Counts the line breaks in `data` (which follows the bytes seen so far).
    fn count_lines(&mut self, data: &[u8]) {
        let Some(&last) = data.last() else {
            return;
        };
        for i in memchr::memchr2_iter(b'\r', b'\n', data) {
            let after_cr = match i.checked_sub(1) {
                Some(j) => data.get(j) == Some(&b'\r'),
                None => self.after_cr,
            };
            if data.get(i) == Some(&b'\r') || !after_cr {
                self.line += 1;
            }
        }
        self.after_cr = last == b'\r';
    }

    /// The end of the file: judges a last byte still waiting for its neighbour.
    pub(crate) fn finish(&mut self) {
        if let Some((before, c, line)) = self.pending.take() {
            self.judge(before, c, None, line);
        }
    }

    fn judge(&mut self, before: Option<u8>, b: u8, after: Option<u8>, line: u64) {
        if is_suspect(before, b, after) {
            self.found.add(line);
            if let Some(n) = self.by_byte.get_mut(usize::from(b - 0x80)) {
                *n += 1;
            }
        }
    }

    /// The suspect bytes found so far and their lines.
    pub(crate) fn found(&self) -> &LineSample {
        &self.found
    }

    /// The most frequent suspect byte (the lowest on ties), if any.
    pub(crate) fn most_frequent(&self) -> Option<u8> {
        let (i, n) = self
            .by_byte
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(&a.0)))?;
        (*n > 0).then(|| 0x80 + i as u8)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(data: &[u8]) -> SuspectScanner {
        let mut s = SuspectScanner::default();
        s.feed(data);
        s.finish();
        // Byte by byte gives the same (neighbours across buffer ends).
        let mut t = SuspectScanner::default();
        for b in data {
            t.feed(std::slice::from_ref(b));
        }
        t.finish();
        assert_eq!(t.found(), s.found());
        s
    }

    #[test]
    fn cp850_letters_in_words_are_suspect() {
        // Lines 2-4 hold CP850: é (0x82) at a word's end, î (0x8C) inside, É (0x90) at the
        // start; line 1 is plain windows-1252. The last 0x82 has no letter beside it.
        let s = scan(b"\"id\",\"text\"\r\n1,\"pr\xe9sent\x82 et achaland\xe9\"\r\n2,fra\x8Ccheur\n3,\x90picerie\x82\x82");
        assert_eq!(s.found().count, 4);
        assert_eq!(s.found().lines, [2, 3, 4]);
        assert_eq!(s.found().line_count, 3);
        assert_eq!(s.most_frequent(), Some(0x82));
    }

    #[test]
    fn windows_1252_punctuation_is_not() {
        let s = scan(
            "l’été, “œuvre” – 15€ … don’t; ŒUVRE; Œuvre; 1–2; ‘quoted’; Brand™ \"„Zitat“\""
                .chars()
                .map(|c| {
                    let mut b = [0u8; 4];
                    let (out, _, _) = encoding_rs::WINDOWS_1252.encode(c.encode_utf8(&mut b));
                    out.into_owned()
                })
                .collect::<Vec<_>>()
                .concat()
                .as_slice(),
        );
        assert_eq!(s.found().count, 0, "{:?}", s.found());
        assert_eq!(s.most_frequent(), None);
    }

    #[test]
    fn neighbours_decide() {
        assert!(is_suspect(Some(b'd'), 0x82, Some(b'v')));
        assert!(is_suspect(Some(b't'), 0x82, Some(b' ')));
        assert!(!is_suspect(Some(b' '), 0x82, Some(b' ')));
        assert!(!is_suspect(Some(b'5'), 0x80, Some(b' ')));
        assert!(is_suspect(Some(b'"'), 0x80, Some(b'A')));
        assert!(is_suspect(None, 0x90, None));
        assert!(!is_suspect(Some(b'e'), 0x85, Some(b'"')));
        assert!(is_suspect(Some(b'a'), 0x8B, Some(b's')));
        assert!(!is_suspect(Some(b'n'), 0x92, Some(b't')));
        assert!(!is_suspect(Some(b'c'), 0x9C, Some(b'u')));
        assert!(is_suspect(Some(b'a'), 0x8C, Some(b'c')));
        assert!(!is_suspect(Some(b' '), 0x8C, Some(b'u')));
    }

    #[test]
    fn lines_count_crlf_and_lone_cr_once() {
        let s = scan(b"a\r\nb\rc\n\nd\x82");
        assert_eq!(s.found().lines, [5]);
        // Cut anywhere (a CRLF or a byte and its neighbour in two buffers), the same.
        let data = b"x\x82\r\n\x90\r\rd\x82v\n\x82\x82a\r\n\re\x96";
        let whole = scan(data);
        assert_eq!(whole.found().lines, [1, 2, 4, 5, 7]);
        assert_eq!(whole.found().count, 5);
        for cut in 0..=data.len() {
            let mut s = SuspectScanner::default();
            s.feed(&data[..cut]);
            s.feed(&data[cut..]);
            s.finish();
            assert_eq!(s.found(), whole.found(), "cut at {cut}");
            assert_eq!(s.line, whole.line, "cut at {cut}");
        }
    }
}
