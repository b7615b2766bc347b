//! Mutations inside containers, so cases get past the container's own checks and reach
//! the parsers behind them: an `.xlsx` is unzipped, the XML of a few parts is edited
//! (cell references moved far away or off the grid, types and style indexes changed,
//! elements duplicated, deleted or nested deep, counts falsified) and the parts zipped
//! again; a Parquet file keeps its `PAR1` framing while its pages or its footer change.

use std::io::{Cursor, Read, Write};

use crate::mutate::{mutate, mutate_once};
use crate::rng::Rng;

/// Largest case written (bytes).
pub const MAX_CASE: usize = 512 * 1024;

/// Cell references that stress a sheet reader.
const REFS: &[&str] = &[
    "A1",
    "B2",
    "XFD1048576",
    "XFD1",
    "A1048576",
    "XFE1",
    "A1048577",
    "A0",
    "ZZZZ1",
    "A4294967296",
    "AAAAAAAAAA1",
    "1",
    "A",
    "",
    "$A$1",
    "a1",
    "C3000",
    "IV65536",
];

/// Values for numeric attributes and `<v>` contents.
const NUMBERS: &[&str] = &[
    "0",
    "1",
    "2",
    "7",
    "-1",
    "99999",
    "4294967295",
    "18446744073709551615",
    "1e308",
    "2958466",
    "-693594",
    "45352.5",
    "NaN",
    "",
    "x",
];

/// Values for the `t` (cell type) attribute.
const TYPES: &[&str] = &["s", "n", "b", "e", "str", "inlineStr", "d", "", "z"];

/// A mutated copy of the workbook `seed`.
pub fn mutate_xlsx(rng: &mut Rng, seed: &[u8], others: &[&[u8]]) -> Vec<u8> {
    if rng.chance(1, 6) {
        let mut raw = seed.to_vec();
        mutate(rng, &mut raw, others, MAX_CASE);
        return raw;
    }
    let Some(mut entries) = unzip(seed) else {
        let mut raw = seed.to_vec();
        mutate(rng, &mut raw, others, MAX_CASE);
        return raw;
    };
    if entries.is_empty() {
        return seed.to_vec();
    }
    for _ in 0..rng.range(1, 3) {
        let weights: Vec<usize> = entries.iter().map(|(name, _)| weight(name)).collect();
        let total: usize = weights.iter().sum();
        let mut pick = rng.below(total.max(1));
        let mut index = 0;
        for (i, w) in weights.iter().enumerate() {
            if pick < *w {
                index = i;
                break;
            }
            pick -= w;
        }
        let (_, data) = &mut entries[index];
        if rng.chance(2, 3) {
            for _ in 0..rng.range(1, 6) {
                mutate_xml(rng, data);
            }
        } else {
            mutate(rng, data, others, MAX_CASE);
        }
    }
    if rng.chance(1, 12) {
        // Drop, duplicate or rename a part.
        let i = rng.below(entries.len());
        match rng.below(3) {
            0 => {
                entries.remove(i);
            }
            1 => entries.push(entries[i].clone()),
            _ => {
                let name = entries[i].0.to_ascii_uppercase();
                entries[i].0 = name;
            }
        }
    }
    let stored = rng.chance(1, 3);
    zip_entries(&entries, stored).unwrap_or_else(|| seed.to_vec())
}

/// How often a part is picked for mutation.
fn weight(name: &str) -> usize {
    if name.starts_with("xl/worksheets/") {
        8
    } else if name == "xl/sharedStrings.xml" {
        5
    } else if name == "xl/styles.xml" || name == "xl/workbook.xml" {
        3
    } else {
        1
    }
}

/// The entries (name, bytes) of a zip archive.
pub fn unzip(bytes: &[u8]) -> Option<Vec<(String, Vec<u8>)>> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
    let mut entries = Vec::new();
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).ok()?;
        let name = entry.name().to_owned();
        let mut data = Vec::new();
        entry
            .by_ref()
            .take(MAX_CASE as u64 * 4)
            .read_to_end(&mut data)
            .ok()?;
        entries.push((name, data));
    }
    Some(entries)
}

/// A zip archive of `entries`, deflated or stored.
pub fn zip_entries(entries: &[(String, Vec<u8>)], stored: bool) -> Option<Vec<u8>> {
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let method = if stored {
        zip::CompressionMethod::Stored
    } else {
        zip::CompressionMethod::Deflated
    };
    let options = zip::write::SimpleFileOptions::default().compression_method(method);
    for (name, data) in entries {
        writer.start_file(name.as_str(), options).ok()?;
        writer.write_all(data).ok()?;
    }
    Some(writer.finish().ok()?.into_inner())
}

/// Positions of every occurrence of `needle` in `hay`.
fn find_all(hay: &[u8], needle: &[u8]) -> Vec<usize> {
    if needle.is_empty() || hay.len() < needle.len() {
        return Vec::new();
    }
    (0..=hay.len() - needle.len())
        .filter(|&i| &hay[i..i + needle.len()] == needle)
        .collect()
}

/// Replaces the value of one `name="…"` attribute, if the part has one.
fn set_attribute(rng: &mut Rng, data: &mut Vec<u8>, name: &str, values: &[&str]) -> bool {
    let needle = format!(" {name}=\"");
    let spots = find_all(data, needle.as_bytes());
    if spots.is_empty() {
        return false;
    }
    let start = *rng.pick(&spots) + needle.len();
    let Some(len) = data[start..].iter().position(|&b| b == b'"') else {
        return false;
    };
    let value = rng.pick(values).as_bytes().to_vec();
    data.splice(start..start + len, value);
    true
}

/// The span (start, end) of one element `<tag …>…</tag>` or `<tag …/>` of the part.
fn element(rng: &mut Rng, data: &[u8], tag: &str) -> Option<(usize, usize)> {
    let open = format!("<{tag}");
    let spots: Vec<usize> = find_all(data, open.as_bytes())
        .into_iter()
        .filter(|&i| matches!(data.get(i + open.len()), Some(b' ' | b'>' | b'/')))
        .collect();
    if spots.is_empty() {
        return None;
    }
    let start = *rng.pick(&spots);
    let tag_end = start + data[start..].iter().position(|&b| b == b'>')?;
    if data[tag_end - 1] == b'/' {
        return Some((start, tag_end + 1));
    }
    let close = format!("</{tag}>");
    let end = find_all(&data[tag_end..], close.as_bytes())
        .first()
        .copied()?;
    Some((start, tag_end + end + close.len()))
}

/// One edit of a part's XML.
pub fn mutate_xml(rng: &mut Rng, data: &mut Vec<u8>) {
    let tags = [
        "c", "row", "v", "si", "t", "is", "sheet", "xf", "numFmt", "f",
    ];
    match rng.below(12) {
        0 | 1 => {
            set_attribute(rng, data, "r", REFS);
        }
        2 => {
            set_attribute(rng, data, "s", NUMBERS);
        }
        3 => {
            set_attribute(rng, data, "t", TYPES);
        }
        4 => {
            let name = rng.pick(&["uniqueCount", "count", "numFmtId", "sheetId", "spans"]);
            set_attribute(rng, data, name, NUMBERS);
        }
        5 => {
            let dims = ["A1:XFD1048576", "A1", "B2:A1", "A1:A4294967296", "", "A1:"];
            set_attribute(rng, data, "ref", &dims);
        }
        6 => {
            // The text of a value.
            if let Some((start, end)) = element(rng, data, "v") {
                let inner_start = start + 3;
                let inner_end = end.saturating_sub(4).max(inner_start);
                let value = rng.pick(NUMBERS).as_bytes().to_vec();
                data.splice(inner_start..inner_end, value);
            }
        }
        7 | 8 => {
            // Duplicate an element, once or many times.
            let tag = *rng.pick(&tags);
            if let Some((start, end)) = element(rng, data, tag) {
                let times = *rng.pick(&[1usize, 2, 10, 1000, 20_000]);
                let copy = data[start..end].to_vec();
                let budget = (MAX_CASE / copy.len().max(1)).max(1);
                let repeated: Vec<u8> = copy
                    .iter()
                    .copied()
                    .cycle()
                    .take(copy.len() * times.min(budget))
                    .collect();
                data.splice(end..end, repeated);
            }
        }
        9 => {
            let tag = *rng.pick(&tags);
            if let Some((start, end)) = element(rng, data, tag) {
                data.drain(start..end);
            }
        }
        10 => {
            // Nest an element deep inside copies of a wrapper.
            let tag = *rng.pick(&tags);
            if let Some((start, end)) = element(rng, data, tag) {
                let depth = *rng.pick(&[2usize, 50, 5_000]);
                let wrapper = *rng.pick(&["c", "row", "x", "is"]);
                let open = format!("<{wrapper}>").repeat(depth);
                let close = format!("</{wrapper}>").repeat(depth);
                data.splice(end..end, close.into_bytes());
                data.splice(start..start, open.into_bytes());
            }
        }
        _ => mutate_once(rng, data, &[]),
    }
}

/// A mutated copy of the Parquet file `seed`: its pages (the footer unchanged), its
/// footer (the framing kept), or its raw bytes.
pub fn mutate_parquet(rng: &mut Rng, seed: &[u8], others: &[&[u8]]) -> Vec<u8> {
    let mut data = seed.to_vec();
    let len = data.len();
    let framed = len >= 12 && &data[..4] == b"PAR1" && &data[len - 4..] == b"PAR1";
    if !framed || rng.chance(1, 5) {
        mutate(rng, &mut data, others, MAX_CASE);
        return data;
    }
    let footer_len =
        u32::from_le_bytes([data[len - 8], data[len - 7], data[len - 6], data[len - 5]]) as usize;
    let footer_start = len.saturating_sub(8 + footer_len).max(4);
    let (lo, hi) = if rng.chance(1, 2) {
        (4, footer_start)
    } else {
        (footer_start, len - 8)
    };
    if hi <= lo {
        mutate(rng, &mut data, others, MAX_CASE);
        return data;
    }
    let edits = rng.range(1, 6);
    for _ in 0..edits {
        let i = rng.range(lo, hi - 1);
        match rng.below(4) {
            0 => data[i] ^= 1 << rng.below(8),
            1 => data[i] = rng.next_u64() as u8,
            2 => data[i] = *rng.pick(&[0u8, 0x7F, 0x80, 0xFF, 0x15, 0x18, 0x19, 0x1C]),
            _ => {
                // A varint made huge.
                let n = rng.range(1, 5).min(hi - i);
                for b in &mut data[i..i + n] {
                    *b = 0xFF;
                }
            }
        }
    }
    data
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_edits_and_zips_round_trip() {
        let entries = vec![(
            "xl/worksheets/sheet1.xml".to_owned(),
            b"<sheetData><row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c></row></sheetData>".to_vec(),
        )];
        let zipped = zip_entries(&entries, false).unwrap();
        assert_eq!(unzip(&zipped).unwrap(), entries);
        for s in 0..300 {
            let mut rng = Rng::new(s);
            let mut xml = entries[0].1.clone();
            mutate_xml(&mut rng, &mut xml);
            let mut again = Rng::new(s);
            let mut same = entries[0].1.clone();
            mutate_xml(&mut again, &mut same);
            assert_eq!(xml, same);
        }
        let out = mutate_xlsx(&mut Rng::new(1), &zipped, &[]);
        assert!(!out.is_empty());
    }
}
