//! The pieces of XML [`super::XmlScan`] looks at: a tag found whole, a tag's content and
//! name, a value element waiting for its closing tag, a cell's reference; and what a whole
//! tag changes (open elements, value elements, the last cell, the captured tag).

use super::{ScanError, XmlScan, CAPTURE_MAX, KEEP};

/// Local names of the elements whose whole text calamine gathers before using it.
pub(super) const VALUE_ELEMENTS: [&[u8]; 5] = [b"v", b"t", b"is", b"si", b"definedName"];

/// The opening of a value element not closed yet (its buffer is reused).
#[derive(Debug, Default)]
pub(super) struct Pending {
    pub(super) open: bool,
    pub(super) start: u64,
    /// Its qualified name; none when longer than 256 bytes (then no closing tag is taken
    /// to match, so the span is measured to the end of the part: an overestimate).
    name: Vec<u8>,
    long: bool,
}

impl Pending {
    /// Whether this is open and named `name`.
    pub(super) fn named(&self, name: &[u8]) -> bool {
        self.open && !self.long && self.name == name
    }

    pub(super) fn open(&mut self, start: u64, name: Option<&[u8]>) {
        self.open = true;
        self.start = start;
        self.name.clear();
        self.name.extend_from_slice(name.unwrap_or_default());
        self.long = name.is_none();
    }
}

/// A whole tag's content (between `<` and `>`), or what was kept of it.
pub(super) struct Content<'a> {
    /// The content, or its first bytes.
    pub(super) kept: &'a [u8],
    /// Its full length.
    pub(super) len: u64,
    /// Its length up to its last non-whitespace byte.
    pub(super) trimmed: u64,
    /// Its last byte.
    pub(super) last: u8,
}

impl<'a> Content<'a> {
    /// A start tag's content seen whole (`trimmed` is not used for those).
    pub(super) fn start(content: &'a [u8]) -> Content<'a> {
        Content {
            kept: content,
            len: content.len() as u64,
            trimmed: content.len() as u64,
            last: content.last().copied().unwrap_or(0),
        }
    }

    /// A content seen whole.
    pub(super) fn whole(content: &'a [u8]) -> Content<'a> {
        Content {
            kept: content,
            len: content.len() as u64,
            trimmed: content
                .iter()
                .rposition(|&b| !is_space(b))
                .map_or(0, |i| i as u64 + 1),
            last: content.last().copied().unwrap_or(0),
        }
    }
}

pub(super) fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\r' | b'\n' | b'\t')
}

/// The index in [`VALUE_ELEMENTS`] of a local name.
pub(super) fn value_element(local_name: &[u8]) -> Option<usize> {
    // Most tags are `c` and `row`: ruled out by their first byte.
    if !matches!(local_name.first(), Some(b'v' | b't' | b'i' | b's' | b'd')) {
        return None;
    }
    VALUE_ELEMENTS.iter().position(|e| *e == local_name)
}

/// The local part of a qualified name (after its first `:`), as quick-xml defines it.
pub(super) fn local(name: &[u8]) -> &[u8] {
    match name.iter().position(|&b| b == b':') {
        Some(i) => &name[i + 1..],
        None => name,
    }
}

/// The value of the `r` attribute in a cell tag's content (`c r="B7" s="1"`), if it is there
/// and short.
pub(super) fn cell_reference(content: &[u8]) -> Option<String> {
    let mut rest = content;
    while let Some(i) = memchr::memmem::find(rest, b"r=") {
        let before = i.checked_sub(1).and_then(|j| rest.get(j)).copied();
        let value = &rest[i + 2..];
        rest = value;
        if !before.is_some_and(is_space) {
            continue;
        }
        let (&q, value) = value.split_first()?;
        if q != b'"' && q != b'\'' {
            continue;
        }
        let end = memchr::memchr(q, value)?;
        let reference = &value[..end.min(32)];
        return Some(String::from_utf8_lossy(reference).into_owned());
    }
    None
}

/// The length of the tag at the start of `data` (from its `<` to its `>`) when it is a
/// start or end tag that ends within `data`, honouring quotes as quick-xml does.
pub(super) fn whole_tag(data: &[u8]) -> Option<usize> {
    if matches!(data.get(1), None | Some(b'!' | b'?')) {
        return None;
    }
    // Tags are short: a plain loop beats a vectorised search started for every quote.
    let mut quote = 0u8;
    for (i, &b) in data.iter().enumerate().skip(1) {
        match b {
            b'>' if quote == 0 => return Some(i + 1),
            b'"' | b'\'' if quote == 0 => quote = b,
            _ if b == quote => quote = 0,
            _ => {}
        }
    }
    None
}

impl XmlScan {
    /// A whole tag, starting at `start`, was read: updates the open elements and the value
    /// elements. For an end tag, `content` is what follows its `/`.
    pub(super) fn close_tag(
        &mut self,
        end: bool,
        start: u64,
        content: Content<'_>,
    ) -> Result<(), ScanError> {
        let kept = content.kept.len() as u64;
        if end {
            if let Some(len) = self.open.pop() {
                self.open_bytes -= len;
            }
            // The name is the content without trailing whitespace.
            if content.trimmed <= kept {
                self.close_value(&content.kept[..content.trimmed as usize])?;
            }
            return Ok(());
        }
        // A start tag: `<a/>` opens and closes at once; the name ends at whitespace.
        let empty = content.last == b'/';
        let body_len = content.len - u64::from(empty);
        let name_len = content
            .kept
            .iter()
            .take(body_len.min(kept) as usize)
            .position(|&b| is_space(b))
            .map_or(body_len, |i| i as u64);
        if !empty {
            self.open.push(name_len);
            self.open_bytes += name_len;
            if self.open.len() > self.limits.max_depth || self.open_bytes > self.limits.max_span {
                return Err(ScanError::Depth { at: start });
            }
        }
        if name_len > KEEP as u64 || name_len > kept {
            let slot = VALUE_ELEMENTS.len();
            if !empty && !self.pending[slot].open {
                self.pending[slot].open(start, None);
            }
            return Ok(());
        }
        let name = &content.kept[..name_len as usize];
        let local_name = local(name);
        if self.capture_name == Some(local_name) && self.captured.is_none() {
            let n = content.kept.len().min(CAPTURE_MAX);
            let cut = content.len > n as u64;
            self.captured = Some((content.kept[..n].to_vec(), cut));
        }
        if local_name == b"c" {
            self.last_cell.clear();
            let n = content.kept.len().min(KEEP);
            self.last_cell.extend_from_slice(&content.kept[..n]);
        }
        if !empty {
            if let Some(i) = value_element(local_name) {
                if !self.pending[i].open {
                    self.pending[i].open(start, Some(name));
                }
            }
        }
        Ok(())
    }

    /// An end tag named `name` closes the pending value element of the same qualified
    /// name, if any.
    fn close_value(&mut self, name: &[u8]) -> Result<(), ScanError> {
        let Some(i) = value_element(local(name)) else {
            return Ok(());
        };
        if !self.pending[i].named(name) {
            return Ok(());
        }
        self.pending[i].open = false;
        // The tag just read ended the token: `token_start` is its end.
        let start = self.pending[i].start;
        if self.token_start - start > self.limits.max_span {
            return Err(self.value_error(i, start));
        }
        Ok(())
    }
}
