//! The character sets a CSV file can be read in: every encoding of the WHATWG Encoding
//! Standard (decoded by `encoding_rs`: UTF-8, UTF-16, windows-1252, windows-1251, …), and
//! two that the standard leaves out but real exports need:
//!
//! - `cp850` (also `ibm850`, `850`): IBM code page 850, "DOS Latin 1", which DOS programs
//!   and many older Windows console tools write for Western European text;
//! - `windows-1252+cp850`: windows-1252, except that the bytes 0x80–0x9F (punctuation
//!   such as `‚` `„` `–` in windows-1252) are read as the CP850 letters they are there
//!   (`é` `â` `î` `É` `û`, …). This is for files assembled from both sources, row by row or
//!   within a row, such as the garden-centre NPS survey: most accents there are
//!   windows-1252 (`é` = 0xE9) but about 2,500 bytes are CP850 (`é` = 0x82). Read as
//!   windows-1252, those bytes are wrong punctuation or control characters; read as CP850
//!   the windows-1252 letters would be wrong instead. Two characters cannot be told apart
//!   this way: 0x80 is `€` in windows-1252 but `Ç` in CP850, and 0x85 is `…` but `à`; the
//!   mixed set reads them as CP850.
//!
//! Both are single-byte sets decoded with a table of their 128 upper code points (bytes
//! below 0x80 are ASCII).

use std::borrow::Cow;

use encoding_rs::{Encoding, UTF_8, WINDOWS_1252};

/// A character set cxm reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Charset {
    /// An encoding of the WHATWG Encoding Standard, decoded by `encoding_rs`.
    Standard(&'static Encoding),
    /// IBM code page 850.
    Cp850,
    /// windows-1252 with the bytes 0x80–0x9F read as CP850.
    Windows1252Cp850,
}

/// The labels of [`Charset::Cp850`] (ASCII case-insensitive): the IANA names of IBM850
/// (`IBM850`, `cp850`, `850`, `csPC850Multilingual`) and common spellings.
const CP850_LABELS: [&str; 6] = [
    "cp850",
    "ibm850",
    "850",
    "ibm-850",
    "cp-850",
    "cspc850multilingual",
];

/// The labels of [`Charset::Windows1252Cp850`] (ASCII case-insensitive).
const MIXED_LABELS: [&str; 3] = ["windows-1252+cp850", "cp1252+cp850", "latin1+cp850"];

/// The label of [`Charset::Windows1252Cp850`] as cxm writes it.
pub(crate) const MIXED_NAME: &str = "windows-1252+cp850";

impl Charset {
    /// UTF-8.
    pub(crate) const UTF8: Charset = Charset::Standard(UTF_8);

    /// The character set a label names: any `encoding_rs` label (`utf-8`, `latin1`,
    /// `windows-1251`, …), or one of cxm's own (`cp850`, `windows-1252+cp850`).
    pub(crate) fn for_label(label: &str) -> Option<Charset> {
        let label = label.trim();
        let is = |labels: &[&str]| labels.iter().any(|l| l.eq_ignore_ascii_case(label));
        if is(&CP850_LABELS) {
            Some(Charset::Cp850)
        } else if is(&MIXED_LABELS) {
            Some(Charset::Windows1252Cp850)
        } else {
            Encoding::for_label(label.as_bytes()).map(Charset::Standard)
        }
    }

    /// The canonical name, lowercase: `utf-8`, `windows-1252`, `cp850`,
    /// `windows-1252+cp850`.
    pub(crate) fn name(self) -> String {
        match self {
            Charset::Standard(e) => e.name().to_ascii_lowercase(),
            Charset::Cp850 => "cp850".to_owned(),
            Charset::Windows1252Cp850 => MIXED_NAME.to_owned(),
        }
    }

    /// Whether the text is UTF-8 (passed through, not decoded).
    pub(crate) fn is_utf8(self) -> bool {
        self == Charset::UTF8
    }

    /// Whether this is windows-1252 as the WHATWG standard defines it (what `latin1` and
    /// `iso-8859-1` also name), whose bytes 0x80–0x9F are checked for CP850 letters.
    pub(crate) fn is_windows_1252(self) -> bool {
        self == Charset::Standard(WINDOWS_1252)
    }

    /// The decoder of a single-byte table set; `None` for a standard encoding.
    pub(crate) fn table(self) -> Option<fn(u8) -> char> {
        match self {
            Charset::Standard(_) => None,
            Charset::Cp850 => Some(cp850_char),
            Charset::Windows1252Cp850 => Some(mixed_char),
        }
    }

    /// `bytes` decoded (malformed sequences as U+FFFD), for sniffing.
    pub(crate) fn decode_lossy(self, bytes: &[u8]) -> Cow<'_, str> {
        match (self, self.table()) {
            (Charset::Standard(e), _) => e.decode_without_bom_handling(bytes).0,
            (_, Some(char_of)) => Cow::Owned(bytes.iter().map(|&b| char_of(b)).collect()),
            (_, None) => Cow::Borrowed(""),
        }
    }
}

/// Decodes `src` into `dst` as UTF-8 with the single-byte table `char_of`, stopping when
/// `dst` might not hold the next character; returns the bytes read and written.
pub(crate) fn decode_table(src: &[u8], dst: &mut [u8], char_of: fn(u8) -> char) -> (usize, usize) {
    let (mut read, mut written) = (0, 0);
    for &b in src {
        let Some(room) = dst.get_mut(written..) else {
            break;
        };
        if room.len() < 4 {
            break;
        }
        written += char_of(b).encode_utf8(room).len();
        read += 1;
    }
    (read, written)
}

/// A CP850 byte as a character.
pub(crate) fn cp850_char(b: u8) -> char {
    match b.checked_sub(0x80) {
        Some(i) => CP850_HIGH[usize::from(i)],
        None => char::from(b),
    }
}

/// A `windows-1252+cp850` byte as a character: CP850 for 0x80–0x9F, else windows-1252
/// (whose bytes 0xA0–0xFF are U+00A0–U+00FF, as in ISO 8859-1).
fn mixed_char(b: u8) -> char {
    if (0x80..0xA0).contains(&b) {
        cp850_char(b)
    } else {
        char::from(b)
    }
}

/// The characters of the CP850 bytes 0x80–0xFF, from the Unicode Consortium's mapping
/// table for Microsoft's code page 850,
/// <https://www.unicode.org/Public/MAPPINGS/VENDORS/MICSFT/PC/CP850.TXT> (the table
/// Python's `cp850` codec is generated from; checked against it).
static CP850_HIGH: [char; 128] = [
    '\u{00C7}', '\u{00FC}', '\u{00E9}', '\u{00E2}', '\u{00E4}', '\u{00E0}', '\u{00E5}',
    '\u{00E7}', // 80-87
    '\u{00EA}', '\u{00EB}', '\u{00E8}', '\u{00EF}', '\u{00EE}', '\u{00EC}', '\u{00C4}',
    '\u{00C5}', // 88-8F
    '\u{00C9}', '\u{00E6}', '\u{00C6}', '\u{00F4}', '\u{00F6}', '\u{00F2}', '\u{00FB}',
    '\u{00F9}', // 90-97
    '\u{00FF}', '\u{00D6}', '\u{00DC}', '\u{00F8}', '\u{00A3}', '\u{00D8}', '\u{00D7}',
    '\u{0192}', // 98-9F
    '\u{00E1}', '\u{00ED}', '\u{00F3}', '\u{00FA}', '\u{00F1}', '\u{00D1}', '\u{00AA}',
    '\u{00BA}', // A0-A7
    '\u{00BF}', '\u{00AE}', '\u{00AC}', '\u{00BD}', '\u{00BC}', '\u{00A1}', '\u{00AB}',
    '\u{00BB}', // A8-AF
    '\u{2591}', '\u{2592}', '\u{2593}', '\u{2502}', '\u{2524}', '\u{00C1}', '\u{00C2}',
    '\u{00C0}', // B0-B7
    '\u{00A9}', '\u{2563}', '\u{2551}', '\u{2557}', '\u{255D}', '\u{00A2}', '\u{00A5}',
    '\u{2510}', // B8-BF
    '\u{2514}', '\u{2534}', '\u{252C}', '\u{251C}', '\u{2500}', '\u{253C}', '\u{00E3}',
    '\u{00C3}', // C0-C7
    '\u{255A}', '\u{2554}', '\u{2569}', '\u{2566}', '\u{2560}', '\u{2550}', '\u{256C}',
    '\u{00A4}', // C8-CF
    '\u{00F0}', '\u{00D0}', '\u{00CA}', '\u{00CB}', '\u{00C8}', '\u{0131}', '\u{00CD}',
    '\u{00CE}', // D0-D7
    '\u{00CF}', '\u{2518}', '\u{250C}', '\u{2588}', '\u{2584}', '\u{00A6}', '\u{00CC}',
    '\u{2580}', // D8-DF
    '\u{00D3}', '\u{00DF}', '\u{00D4}', '\u{00D2}', '\u{00F5}', '\u{00D5}', '\u{00B5}',
    '\u{00FE}', // E0-E7
    '\u{00DE}', '\u{00DA}', '\u{00DB}', '\u{00D9}', '\u{00FD}', '\u{00DD}', '\u{00AF}',
    '\u{00B4}', // E8-EF
    '\u{00AD}', '\u{00B1}', '\u{2017}', '\u{00BE}', '\u{00B6}', '\u{00A7}', '\u{00F7}',
    '\u{00B8}', // F0-F7
    '\u{00B0}', '\u{00A8}', '\u{00B7}', '\u{00B9}', '\u{00B3}', '\u{00B2}', '\u{25A0}',
    '\u{00A0}', // F8-FF
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels() {
        assert_eq!(Charset::for_label("CP850"), Some(Charset::Cp850));
        assert_eq!(Charset::for_label(" ibm850 "), Some(Charset::Cp850));
        assert_eq!(Charset::for_label("850"), Some(Charset::Cp850));
        assert_eq!(
            Charset::for_label("Windows-1252+CP850"),
            Some(Charset::Windows1252Cp850)
        );
        assert_eq!(
            Charset::for_label("latin1"),
            Some(Charset::Standard(WINDOWS_1252))
        );
        assert_eq!(Charset::for_label("utf8"), Some(Charset::UTF8));
        assert_eq!(Charset::for_label("klingon"), None);
        assert_eq!(Charset::Cp850.name(), "cp850");
        assert_eq!(Charset::Windows1252Cp850.name(), "windows-1252+cp850");
        assert_eq!(Charset::Standard(WINDOWS_1252).name(), "windows-1252");
        assert!(Charset::Standard(WINDOWS_1252).is_windows_1252());
        assert!(!Charset::Cp850.is_windows_1252());
    }

    #[test]
    fn cp850_table() {
        // Spot checks against CP850.TXT.
        for (byte, ch) in [
            (0x41, 'A'),
            (0x80, 'Ç'),
            (0x82, 'é'),
            (0x83, 'â'),
            (0x85, 'à'),
            (0x8C, 'î'),
            (0x90, 'É'),
            (0x96, 'û'),
            (0x9C, '£'),
            (0xB0, '░'),
            (0xD5, 'ı'),
            (0xE1, 'ß'),
            (0xF2, '‗'),
            (0xFE, '■'),
            (0xFF, '\u{A0}'),
        ] {
            assert_eq!(cp850_char(byte), ch, "{byte:#x}");
        }
        // A one-to-one table: 128 distinct characters, none of them ASCII.
        let distinct: std::collections::BTreeSet<char> = CP850_HIGH.iter().copied().collect();
        assert_eq!(distinct.len(), 128);
        assert!(CP850_HIGH.iter().all(|c| !c.is_ascii()));
    }

    #[test]
    fn the_mixed_set_reads_c1_bytes_as_cp850_and_the_rest_as_windows_1252() {
        // "développé à l'été" with é as CP850 0x82 and as windows-1252 0xE9 in one line.
        let bytes = b"d\x82velopp\xe9 \xe0 l'\x82t\xe9, \x90T\x90";
        assert_eq!(
            Charset::Windows1252Cp850.decode_lossy(bytes),
            "développé à l'été, ÉTÉ"
        );
        assert_eq!(Charset::Cp850.decode_lossy(b"\x82t\x82"), "été");
        assert_eq!(
            Charset::Standard(WINDOWS_1252).decode_lossy(b"\x82t\xe9"),
            "‚té"
        );
    }

    #[test]
    fn table_decoding_stops_before_the_output_is_full() {
        let mut out = [0u8; 9];
        // Box-drawing characters take 3 bytes: two fit with room to spare, not a third.
        let (read, written) = decode_table(b"\xb0\xb1\xb2", &mut out, cp850_char);
        assert_eq!((read, written), (2, 6));
        assert_eq!(std::str::from_utf8(&out[..written]), Ok("░▒"));
    }
}
