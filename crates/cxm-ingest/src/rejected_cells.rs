//! The mapped cells of a structurally broken record that can still be identified, so that a
//! report can show a rejected row's mapped fields without its unmapped columns (e-mail
//! addresses, phone numbers, names, free text). "Mapped" here means a column of one of the
//! source's field specs, i.e. a column the run reads.
//!
//! A record with the wrong number of fields may have had its columns shifted: an unquoted
//! delimiter inside a cell adds a field and moves every later cell to the right; a line
//! break inside an unquoted cell cuts the record in two, and the second half starts with
//! the cut cell's tail. With `k` fields too many, the text in position `c` can come from
//! any column in `c-k ..= c`; with `k` too few, from any column in `c ..= c+k`. A mapped
//! column's text is therefore identified only when every column in that window is mapped:
//! whatever shifted into it, it is some mapped field's text, never an unmapped column's.
//! A record whose quote is never closed ran to the end of the file in its last field, which
//! is never identified.

use crate::MAX_RAW_CHARS;

/// The identifiable mapped cells of a broken record: `(field spec, text)` in column order.
///
/// `fields` are the record's (unescaped) fields, `columns` the number of columns in the
/// header, `sources` the column of each field spec, and `last_ran_on` whether the last
/// field ran to the end of the file (an unterminated quote). Texts are lossy UTF-8, at most
/// [`MAX_RAW_CHARS`] characters each.
pub(crate) fn identifiable_cells<F: AsRef<[u8]>>(
    fields: &[F],
    columns: usize,
    sources: &[usize],
    last_ran_on: bool,
) -> Vec<(usize, String)> {
    let found = fields.len();
    let usable = found - usize::from(last_ran_on && found > 0);
    let mapped = |c: usize| sources.contains(&c);
    let window_mapped = |c: usize| {
        let (low, high) = if found >= columns {
            (c.saturating_sub(found - columns), c)
        } else {
            (c, (c + (columns - found)).min(columns.saturating_sub(1)))
        };
        (low..=high).all(mapped)
    };
    let mut cells: Vec<(usize, usize)> = sources
        .iter()
        .enumerate()
        .filter(|&(_, &c)| c < usable && window_mapped(c))
        .map(|(spec, &c)| (c, spec))
        .collect();
    cells.sort_unstable();
    cells
        .into_iter()
        .map(|(c, spec)| (spec, cell_text(fields[c].as_ref())))
        .collect()
}

/// A cell as lossy UTF-8, at most [`MAX_RAW_CHARS`] characters.
fn cell_text(bytes: &[u8]) -> String {
    let head = bytes.get(..MAX_RAW_CHARS * 4).unwrap_or(bytes);
    let mut text = String::from_utf8_lossy(head).into_owned();
    if let Some((cut, _)) = text.char_indices().nth(MAX_RAW_CHARS) {
        text.truncate(cut);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cells(
        fields: &[&str],
        columns: usize,
        sources: &[usize],
        ran_on: bool,
    ) -> Vec<(usize, String)> {
        identifiable_cells(fields, columns, sources, ran_on)
    }

    fn pairs(list: &[(usize, &str)]) -> Vec<(usize, String)> {
        list.iter().map(|(i, t)| (*i, t.to_string())).collect()
    }

    #[test]
    fn a_record_of_the_right_length_shows_every_mapped_column() {
        // Field specs map columns 2 and 0 (spec order is not column order).
        assert_eq!(
            cells(&["a", "b", "c"], 3, &[2, 0], false),
            pairs(&[(1, "a"), (0, "c")])
        );
    }

    #[test]
    fn extra_fields_hide_columns_that_may_have_shifted_from_an_unmapped_one() {
        // Header: id, region, score, email, name, comment; id..score mapped; one comma too
        // many in the name. Columns 0-2 cannot hold anything but a mapped column's text.
        let f = ["R3", "West", "10", "c@x", "Carol", " Jones", "great"];
        assert_eq!(
            cells(&f, 6, &[0, 1, 2], false),
            pairs(&[(0, "R3"), (1, "West"), (2, "10")])
        );
        // Mapped column 4 (name) with one extra field may hold column 3's e-mail.
        assert_eq!(cells(&f, 6, &[0, 4], false), pairs(&[(0, "R3")]));
        // Two extra fields: column 2 may come from 0, 1 or 2; column 1 is unmapped.
        let g = ["1", "x", "2", "3", "4"];
        assert_eq!(cells(&g, 3, &[0, 2], false), pairs(&[(0, "1")]));
    }

    #[test]
    fn missing_fields_hide_columns_that_may_have_shifted_from_an_unmapped_one() {
        // The tail of a record cut by a line break in its last (unmapped) column.
        assert_eq!(cells(&["very good service"], 6, &[0, 1, 2], false), []);
        // A record cut short: column 0 may hold column 0..=4's text.
        assert_eq!(cells(&["R5", "e@x"], 6, &[0, 1, 2], false), []);
        // When every column that could shift in is mapped, it is shown.
        assert_eq!(
            cells(&["a", "b"], 3, &[0, 1, 2], false),
            pairs(&[(0, "a"), (1, "b")])
        );
        assert_eq!(cells(&["a", "b"], 3, &[1, 2], false), pairs(&[(0, "b")]));
    }

    #[test]
    fn a_field_that_ran_to_the_end_of_the_file_is_never_shown() {
        assert_eq!(
            cells(
                &["R6", "North", "8", "f@x", "Fay", "open\nR7,..."],
                6,
                &[0, 1, 5],
                true
            ),
            pairs(&[(0, "R6"), (1, "North")])
        );
        assert_eq!(cells(&[], 2, &[0], true), []);
    }

    #[test]
    fn texts_are_capped() {
        let long = "é".repeat(MAX_RAW_CHARS + 10);
        let got = cells(&[long.as_str()], 1, &[0], false);
        assert_eq!(got[0].1.chars().count(), MAX_RAW_CHARS);
    }
}
