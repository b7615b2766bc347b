//! Checking a workbook's parts before calamine reads them: each part calamine may parse is
//! decompressed once and measured ([`crate::xmlscan`]), so its size, its longest token and
//! value, its nesting and the number of shared strings it announces are known to be within
//! [`XlsxLimits`] before anything is allocated for them.

use std::io::{Cursor, Read};
use std::path::Path;

use cxm_ingest::IngestError;

use crate::limits::{show_bytes, XlsxLimits, MAX_XML_DEPTH};
use crate::workbook::source_error;
use crate::xmlscan::{ScanError, ScanLimits, XmlScan};

/// The parts calamine reads, by their name lowercased with `/` separators (as calamine
/// finds them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    /// `xl/sharedStrings.xml`: held whole in memory.
    SharedStrings,
    /// The workbook, its relationships and the styles: held whole in memory.
    Whole,
    /// A worksheet (or chart or dialog sheet): streamed.
    Sheet,
}

fn classify(name: &str) -> Option<Part> {
    let name = name.replace('\\', "/").to_ascii_lowercase();
    match name.as_str() {
        "xl/sharedstrings.xml" => Some(Part::SharedStrings),
        "xl/styles.xml" | "xl/workbook.xml" | "xl/_rels/workbook.xml.rels" => Some(Part::Whole),
        _ if ["xl/worksheets/", "xl/chartsheets/", "xl/dialogsheets/"]
            .iter()
            .any(|p| name.starts_with(p)) =>
        {
            Some(Part::Sheet)
        }
        _ => None,
    }
}

/// Bytes of XML per shared string at the least (`<si/>`).
const MIN_SHARED_STRING_BYTES: u64 = 5;
/// Shared strings calamine may reserve room for beyond what the part could hold.
const SHARED_STRING_SLACK: u64 = 1_000_000;

/// Which parts [`audit`] measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Parts {
    /// Those calamine reads whole when it opens the workbook.
    Whole,
    /// The worksheets.
    Sheets,
}

/// Measures the `parts` of the workbook in `bytes` that calamine reads. A file that is not
/// a zip archive passes: calamine then reports it. An entry that cannot be decompressed is
/// measured as far as it can be, which is as far as calamine could read it.
pub(crate) fn audit(
    path: &Path,
    bytes: &[u8],
    limits: &XlsxLimits,
    parts: Parts,
) -> Result<(), IngestError> {
    let Ok(mut zip) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        return Ok(());
    };
    let scan_limits = ScanLimits {
        max_span: limits.max_record_bytes,
        max_depth: MAX_XML_DEPTH,
    };
    let mut buf = vec![0u8; 64 * 1024];
    for i in 0..zip.len() {
        let Some(name) = zip.name_for_index(i).map(str::to_owned) else {
            continue;
        };
        let Some(part) = classify(&name) else {
            continue;
        };
        if (part == Part::Sheet) != (parts == Parts::Sheets) {
            continue;
        }
        let cap = match part {
            Part::SharedStrings => Some(limits.max_shared_strings_bytes),
            Part::Whole => Some(limits.max_part_bytes),
            Part::Sheet => None,
        };
        let Ok(mut entry) = zip.by_index(i) else {
            continue;
        };
        let mut scan = XmlScan::new(scan_limits);
        if part == Part::SharedStrings {
            scan = scan.capture(b"sst");
        }
        let fail = |e: ScanError| source_error(path, None, scan_message(&name, &e, limits));
        loop {
            let n = match entry.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            scan.feed(&buf[..n]).map_err(fail)?;
            if let Some(cap) = cap.filter(|&cap| scan.bytes() > cap) {
                let knob = if part == Part::SharedStrings {
                    "the limit on shared strings"
                } else {
                    "the limit on a part read whole"
                };
                let message = format!(
                    "{name} is larger than {} once decompressed ({knob})",
                    show_bytes(cap)
                );
                return Err(source_error(path, None, message));
            }
        }
        scan.finish().map_err(fail)?;
        if part == Part::SharedStrings {
            check_unique_count(path, &name, &scan)?;
        }
    }
    Ok(())
}

/// calamine reserves room for as many strings as `<sst uniqueCount="…">` says: refuses
/// a count the part cannot hold.
fn check_unique_count(path: &Path, name: &str, scan: &XmlScan) -> Result<(), IngestError> {
    let Some((tag, cut)) = scan.captured() else {
        return Ok(());
    };
    if cut {
        let message = format!("{name}: the <sst> tag is longer than 64 KiB");
        return Err(source_error(path, None, message));
    }
    let most = scan.bytes() / MIN_SHARED_STRING_BYTES + SHARED_STRING_SLACK;
    match unique_count(tag) {
        Some(count) if count > u128::from(most) => {
            let message = format!(
                "{name} announces {count} shared strings (uniqueCount), more than its {} \
                 could hold",
                show_bytes(scan.bytes())
            );
            Err(source_error(path, None, message))
        }
        _ => Ok(()),
    }
}

/// The largest number given to a `uniqueCount` attribute in a tag's content (every
/// occurrence is read: an overestimate is safe).
fn unique_count(tag: &[u8]) -> Option<u128> {
    let mut best = None;
    let mut rest = tag;
    while let Some(i) = memchr::memmem::find(rest, b"uniqueCount") {
        rest = &rest[i + b"uniqueCount".len()..];
        let after = rest.trim_ascii_start();
        let Some(after) = after.strip_prefix(b"=") else {
            continue;
        };
        let after = after.trim_ascii_start();
        let Some((&quote, value)) = after.split_first() else {
            continue;
        };
        if quote != b'"' && quote != b'\'' {
            continue;
        }
        let value = &value[..memchr::memchr(quote, value).unwrap_or(value.len())];
        let digits = value.strip_prefix(b"+").unwrap_or(value);
        if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
            continue;
        }
        let n = digits.iter().fold(0u128, |n, d| {
            n.saturating_mul(10).saturating_add(u128::from(d - b'0'))
        });
        best = best.max(Some(n));
    }
    best
}

/// The message for a part refused by the measure.
fn scan_message(part: &str, error: &ScanError, limits: &XlsxLimits) -> String {
    let max = show_bytes(limits.max_record_bytes);
    match error {
        ScanError::Token { at } => {
            format!("{part}: an XML token at byte {at} is longer than {max} (max_record_bytes)")
        }
        ScanError::Value {
            cell: Some(cell),
            name,
            ..
        } if name == "v" || name == "is" || name == "t" => {
            format!("{part}: cell {cell} holds more than {max} of XML (max_record_bytes)")
        }
        ScanError::Value { name, at, .. } => format!(
            "{part}: the <{name}> element at byte {at} holds more than {max} of XML \
             (max_record_bytes)"
        ),
        ScanError::Depth { at } => format!(
            "{part}: elements nested more than {MAX_XML_DEPTH} deep, or with names longer \
             than {max} together, at byte {at}"
        ),
        ScanError::Declaration { at } => {
            format!("{part}: a <!DOCTYPE> or other declaration at byte {at}, which no workbook has")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_are_classified_as_calamine_finds_them() {
        assert_eq!(classify("xl/sharedStrings.xml"), Some(Part::SharedStrings));
        assert_eq!(classify("XL\\SharedStrings.XML"), Some(Part::SharedStrings));
        assert_eq!(classify("xl/_rels/workbook.xml.rels"), Some(Part::Whole));
        assert_eq!(classify("xl/worksheets/sheet1.xml"), Some(Part::Sheet));
        assert_eq!(classify("xl/Worksheets/../x.xml"), Some(Part::Sheet));
        assert_eq!(classify("docProps/app.xml"), None);
        assert_eq!(classify("xl/media/image1.png"), None);
    }

    #[test]
    fn unique_counts_are_read_generously() {
        assert_eq!(unique_count(b"sst count=\"5\" uniqueCount=\"3\""), Some(3));
        assert_eq!(unique_count(b"sst uniqueCount = '+12'"), Some(12));
        assert_eq!(
            unique_count(b"sst uniqueCount=\"1\" uniqueCount=\"99999999999999999999999\""),
            Some(99_999_999_999_999_999_999_999)
        );
        assert_eq!(unique_count(b"sst uniqueCount=\"x\""), None);
        assert_eq!(unique_count(b"sst"), None);
    }
}
