//! A streaming measure of the XML inside a workbook, taken before calamine parses it.
//!
//! calamine (through quick-xml) holds in memory at once a whole token (a tag, a comment, a
//! run of text), a whole cell value or shared string (every text event from `<v>`, `<t>`,
//! `<is>`, `<si>` or `<definedName>` to the first closing tag of the same name), and the
//! names of every open element. A zip entry inflates up to ~1000 times, so one huge text or
//! one deep nesting in a small file could take gigabytes. [`XmlScan`] follows the bytes
//! the way quick-xml splits them (tags end at a `>` outside quotes, comments at `-->`,
//! CDATA at `]]>`, processing instructions at `?>`) and fails as soon as one of those
//! quantities passes its limit, in constant memory. A `<!DOCTYPE` is refused: no workbook
//! part has one.

#[path = "xmltag.rs"]
mod tag;

use tag::{cell_reference, is_space, whole_tag, Content, Pending, VALUE_ELEMENTS};

/// What one part may cost while it is parsed.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ScanLimits {
    /// Largest token, value element, and total of open element names, in bytes.
    pub(crate) max_span: u64,
    /// Deepest nesting of elements.
    pub(crate) max_depth: usize,
}

/// Why a part was refused; offsets are in the decompressed part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ScanError {
    /// One tag, comment or run of text longer than the limit, starting at `at`.
    Token { at: u64 },
    /// The text of one value element (`name`) longer than the limit; `cell` is the reference
    /// of the last cell opened before it, when there was one.
    Value {
        name: String,
        at: u64,
        cell: Option<String>,
    },
    /// Elements nested deeper than the limit, or their names too long together.
    Depth { at: u64 },
    /// A `<!` declaration other than a comment or CDATA (a document type, say).
    Declaration { at: u64 },
}

/// Bytes of a tag's content kept to read its name (and a cell's `r`).
const KEEP: usize = 256;
/// Bytes of the captured tag kept (see [`XmlScan::capture`]).
const CAPTURE_MAX: usize = 64 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Text,
    /// Just after `<`.
    Open,
    /// A start tag (`end == false`) or an end tag, until `>` outside quotes.
    Tag {
        end: bool,
        quote: u8,
    },
    /// Just after `<!`.
    Bang,
    Comment,
    CData,
    Pi,
}

/// The measure of one part, fed its decompressed bytes in order.
#[derive(Debug)]
pub(crate) struct XmlScan {
    limits: ScanLimits,
    state: State,
    /// Offset of the next byte.
    pos: u64,
    /// Where the current token started.
    token_start: u64,
    /// The current tag's content (after `<` or `</`): its first [`KEEP`] bytes, or
    /// [`CAPTURE_MAX`] while the captured tag is still to come.
    content: Vec<u8>,
    content_len: u64,
    /// Length of the content up to its last non-whitespace byte.
    content_trimmed: u64,
    /// The content's last byte.
    content_last: u8,
    /// The last two bytes of the current comment, CDATA section or instruction.
    last: [u8; 2],
    /// Name length of every open element.
    open: Vec<u64>,
    open_bytes: u64,
    /// One slot per value element, and a last one for elements whose name is too long to
    /// read (any of them could be a value element).
    pending: [Pending; VALUE_ELEMENTS.len() + 1],
    /// The first [`KEEP`] bytes of the last `c` start tag's content.
    last_cell: Vec<u8>,
    capture_name: Option<&'static [u8]>,
    /// The captured tag's content, and whether it was longer than [`CAPTURE_MAX`].
    captured: Option<(Vec<u8>, bool)>,
}

impl XmlScan {
    pub(crate) fn new(limits: ScanLimits) -> XmlScan {
        XmlScan {
            limits,
            state: State::Text,
            pos: 0,
            token_start: 0,
            content: Vec::with_capacity(KEEP),
            content_len: 0,
            content_trimmed: 0,
            content_last: 0,
            last: [0; 2],
            open: Vec::new(),
            open_bytes: 0,
            pending: Default::default(),
            last_cell: Vec::new(),
            capture_name: None,
            captured: None,
        }
    }

    /// Also keeps the content of the first start tag with this local name (its first
    /// 64 KiB), for [`XmlScan::captured`].
    pub(crate) fn capture(mut self, local_name: &'static [u8]) -> XmlScan {
        self.capture_name = Some(local_name);
        self
    }

    /// The content of the captured start tag, if one was seen, and whether it was cut.
    pub(crate) fn captured(&self) -> Option<(&[u8], bool)> {
        self.captured.as_ref().map(|(c, cut)| (c.as_slice(), *cut))
    }

    /// Bytes fed so far.
    pub(crate) fn bytes(&self) -> u64 {
        self.pos
    }

    /// Measures the next bytes of the part.
    pub(crate) fn feed(&mut self, mut data: &[u8]) -> Result<(), ScanError> {
        while !data.is_empty() {
            let used = self.step(data)?;
            self.pos += used as u64;
            data = &data[used..];
        }
        self.check()
    }

    /// Checks what is still open at the end of the part.
    pub(crate) fn finish(&self) -> Result<(), ScanError> {
        self.check()
    }

    /// The growing token and the open value elements against the limit.
    fn check(&self) -> Result<(), ScanError> {
        let max = self.limits.max_span;
        if self.pos - self.token_start > max {
            return Err(ScanError::Token {
                at: self.token_start,
            });
        }
        for (i, p) in self.pending.iter().enumerate() {
            if p.open && self.pos - p.start > max {
                return Err(self.value_error(i, p.start));
            }
        }
        Ok(())
    }

    fn value_error(&self, element: usize, at: u64) -> ScanError {
        let name = VALUE_ELEMENTS.get(element).copied().unwrap_or_default();
        ScanError::Value {
            name: String::from_utf8_lossy(name).into_owned(),
            at,
            cell: cell_reference(&self.last_cell),
        }
    }

    /// Consumes a prefix of `data` (at least one byte); returns its length.
    fn step(&mut self, data: &[u8]) -> Result<usize, ScanError> {
        match self.state {
            State::Text => self.text(data),
            State::Open => {
                self.content.clear();
                (self.content_len, self.content_trimmed, self.content_last) = (0, 0, 0);
                self.last = [b'<', data[0]];
                let (state, used) = match data[0] {
                    b'/' => (
                        State::Tag {
                            end: true,
                            quote: 0,
                        },
                        1,
                    ),
                    b'!' => (State::Bang, 1),
                    b'?' => (State::Pi, 1),
                    // The byte is the start tag's first: it is read again as content.
                    _ => (
                        State::Tag {
                            end: false,
                            quote: 0,
                        },
                        0,
                    ),
                };
                self.state = state;
                if used == 0 {
                    return self.tag(data, false, 0);
                }
                Ok(used)
            }
            State::Tag { end, quote } => self.tag(data, end, quote),
            State::Bang => {
                self.last = [self.last[1], data[0]];
                self.state = match data[0] {
                    b'[' => State::CData,
                    b'-' => State::Comment,
                    _ => {
                        return Err(ScanError::Declaration {
                            at: self.token_start,
                        })
                    }
                };
                Ok(1)
            }
            State::Comment | State::CData | State::Pi => {
                let Some(i) = memchr::memchr(b'>', data) else {
                    self.remember(data);
                    return Ok(data.len());
                };
                self.remember(&data[..i]);
                let end = match self.state {
                    // quick-xml needs `<!---->` at least: `>` at index 6 or later.
                    State::Comment => {
                        self.pos + i as u64 - self.token_start > 5 && self.last == *b"--"
                    }
                    State::CData => self.last == *b"]]",
                    _ => self.last[1] == b'?',
                };
                self.last = [self.last[1], b'>'];
                if end {
                    self.state = State::Text;
                    self.end_token(self.pos + i as u64 + 1)?;
                }
                Ok(i + 1)
            }
        }
    }

    /// Text and whole tags, as many as `data` holds; stops at its end or at a tag it
    /// does not hold whole (or that is not a start or end tag), leaving it to the states.
    fn text(&mut self, data: &[u8]) -> Result<usize, ScanError> {
        let mut at = 0;
        loop {
            let rest = &data[at..];
            let found = match rest.first() {
                None => return Ok(at),
                Some(b'<') => Some(0),
                Some(_) => memchr::memchr(b'<', rest),
            };
            let Some(i) = found else {
                return Ok(data.len());
            };
            let start = self.pos + (at + i) as u64;
            self.end_token(start)?;
            let Some(len) = whole_tag(&rest[i..]) else {
                self.state = State::Open;
                return Ok(at + i + 1);
            };
            self.end_token(start + len as u64)?;
            let content = &rest[i + 1..i + len - 1];
            match content.split_first() {
                Some((b'/', name)) => self.close_tag(true, start, Content::whole(name))?,
                _ => self.close_tag(false, start, Content::start(content))?,
            }
            at += i + len;
        }
    }

    /// The current token ends (and the next starts) at `end`.
    fn end_token(&mut self, end: u64) -> Result<(), ScanError> {
        if end - self.token_start > self.limits.max_span {
            return Err(ScanError::Token {
                at: self.token_start,
            });
        }
        self.token_start = end;
        Ok(())
    }

    /// Remembers the last two bytes of `bytes` (after those seen before).
    fn remember(&mut self, bytes: &[u8]) {
        match bytes {
            [] => {}
            [b] => self.last = [self.last[1], *b],
            [.., a, b] => self.last = [*a, *b],
        }
    }

    /// Reads tag content up to the `>` that ends it, honouring quotes as quick-xml does
    /// (from the tag's first byte on, in start and end tags alike).
    fn tag(&mut self, data: &[u8], end: bool, mut quote: u8) -> Result<usize, ScanError> {
        let mut at = 0;
        loop {
            let rest = &data[at..];
            let found = if quote == 0 {
                memchr::memchr3(b'>', b'"', b'\'', rest)
            } else {
                memchr::memchr(quote, rest)
            };
            let Some(i) = found else {
                self.add_content(rest);
                self.state = State::Tag { end, quote };
                return Ok(data.len());
            };
            let b = rest[i];
            self.add_content(&rest[..i]);
            if b == b'>' && quote == 0 {
                self.state = State::Text;
                let start = self.token_start;
                self.end_token(self.pos + (at + i) as u64 + 1)?;
                let kept = std::mem::take(&mut self.content);
                let content = Content {
                    kept: &kept,
                    len: self.content_len,
                    trimmed: self.content_trimmed,
                    last: self.content_last,
                };
                let closed = self.close_tag(end, start, content);
                self.content = kept;
                closed?;
                return Ok(at + i + 1);
            }
            self.add_content(&rest[i..=i]);
            quote = if quote == 0 { b } else { 0 };
            at += i + 1;
        }
    }

    fn add_content(&mut self, bytes: &[u8]) {
        let Some(&last) = bytes.last() else { return };
        let keep = if self.capture_name.is_some() && self.captured.is_none() {
            CAPTURE_MAX
        } else {
            KEEP
        };
        let room = keep.saturating_sub(self.content.len());
        self.content
            .extend_from_slice(&bytes[..room.min(bytes.len())]);
        if let Some(i) = bytes.iter().rposition(|&b| !is_space(b)) {
            self.content_trimmed = self.content_len + i as u64 + 1;
        }
        self.content_len += bytes.len() as u64;
        self.content_last = last;
    }
}

#[cfg(test)]
#[path = "xmlscan_tests.rs"]
mod tests;
