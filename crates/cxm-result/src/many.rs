//! The results of many groups in one binary block: what `finish_many` (ABI 1.1) returns
//! instead of one JSON document per group. Writing and reading it costs a small fraction of
//! formatting and parsing JSON (no number is printed or parsed, every text is written once),
//! and it reads back into exactly the [`MetricResult`] the JSON of each result would give.
//!
//! Layout (all integers little-endian, `f64` as IEEE 754 binary64 bits):
//! ```text
//! block   := "CXMR" u32:version(=1) u32:count u32:num_strings string* result{count}
//! string  := u32:len byte{len}                  (UTF-8; referred to by index below)
//! result  := u8:flags u32:unit f64:n
//!            [f64:value]                         (flags & 1)
//!            [f64:low f64:high f64:level u32:method]   (flags & 2: the interval)
//!            [u8:kind f64{2 or 3}]               (flags & 4: the basis; kind 0 nps:
//!                                                 promoters detractors n, 1 proportion:
//!                                                 successes n, 2 mean: mean variance n)
//!            u32:num_details (u32:key value)*
//!            u32:num_warnings u32:warning*
//!            u32:num_tables (u32:name u32:num_columns u32:column* u32:num_rows
//!                            (u32:len value{len})*)*
//! value   := u8:tag, then: 0 null | 1 false | 2 true | 3 u64 | 4 i64 | 5 f64
//!            | 6 u32:string | 7 u32:len value{len} (array) | 8 u32:len (u32:key value)*
//!            (object)
//! ```
//! Numbers follow the JSON rules: a `value` that is not finite reads as none (JSON writes it
//! as `null`); an `n`, interval or basis figure that is not finite, or a non-finite number in
//! `details`, reads as JSON would read its `null` (an error for the interval and basis, `null`
//! in `details`; `n` is left to the host's check).

use crate::details::Keys;
use crate::{Detail, Details, Interval, MetricResult, Table, TestBasis};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;

/// The first four bytes of a block.
pub const MAGIC: &[u8; 4] = b"CXMR";
/// The version of the layout this crate writes and reads.
pub const VERSION: u32 = 1;

const HAS_VALUE: u8 = 1;
const HAS_CI: u8 = 2;
const HAS_BASIS: u8 = 4;

/// FNV-1a for the writer's table of strings: a dozen short texts (units, detail keys,
/// bands) are looked up per result, and SipHash cost more than the rest of writing them.
/// Plugin-chosen texts only, so no adversary to resist.
#[derive(Debug)]
struct TextHasher(u64);

impl Default for TextHasher {
    fn default() -> Self {
        TextHasher(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for TextHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// Writes the results of many groups into one block.
#[derive(Debug, Default)]
pub struct ManyWriter {
    count: u32,
    strings: Vec<u8>,
    num_strings: u32,
    index: HashMap<String, u32, BuildHasherDefault<TextHasher>>,
    body: Vec<u8>,
    /// The id of the `k`-th text of the last result. The results of a metric's groups
    /// nearly always have the same texts in the same places (the unit, the keys, the
    /// interval's method), which are then found by comparing with that one text instead
    /// of by hashing.
    recent: Vec<u32>,
    /// Where the bytes of each text are in `strings`.
    positions: Vec<usize>,
    /// Texts of the current result so far.
    call: usize,
}

impl ManyWriter {
    /// A writer with room for about `results` results.
    pub fn with_capacity(results: usize) -> Self {
        ManyWriter {
            body: Vec::with_capacity(results.saturating_mul(160)),
            ..Default::default()
        }
    }

    /// Appends one result.
    pub fn push(&mut self, r: &MetricResult) {
        self.count += 1;
        self.call = 0;
        r.details.remember_keys();
        let flags = u8::from(r.value.is_some()) * HAS_VALUE
            + u8::from(r.ci.is_some()) * HAS_CI
            + u8::from(r.basis.is_some()) * HAS_BASIS;
        self.body.push(flags);
        self.string(&r.unit);
        self.f64(r.n);
        if let Some(v) = r.value {
            self.f64(v);
        }
        if let Some(ci) = &r.ci {
            self.f64(ci.low);
            self.f64(ci.high);
            self.f64(ci.level);
            self.string(&ci.method);
        }
        match r.basis {
            None => {}
            Some(TestBasis::Nps {
                promoters,
                detractors,
                n,
            }) => {
                self.body.push(0);
                [promoters, detractors, n]
                    .into_iter()
                    .for_each(|x| self.f64(x));
            }
            Some(TestBasis::Proportion { successes, n }) => {
                self.body.push(1);
                [successes, n].into_iter().for_each(|x| self.f64(x));
            }
            Some(TestBasis::Mean { mean, variance, n }) => {
                self.body.push(2);
                [mean, variance, n].into_iter().for_each(|x| self.f64(x));
            }
        }
        self.len(r.details.len());
        for (key, value) in &r.details {
            self.string(key);
            self.detail(value);
        }
        self.len(r.warnings.len());
        for w in &r.warnings {
            self.string(w);
        }
        self.len(r.tables.len());
        for t in &r.tables {
            self.string(&t.name);
            self.len(t.columns.len());
            for c in &t.columns {
                self.string(c);
            }
            self.len(t.rows.len());
            for row in &t.rows {
                self.len(row.len());
                for v in row {
                    self.detail(&Detail::from(v.clone()));
                }
            }
        }
    }

    /// The block.
    pub fn finish(self) -> Vec<u8> {
        let mut out = Vec::with_capacity(16 + self.strings.len() + self.body.len());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&VERSION.to_le_bytes());
        out.extend_from_slice(&self.count.to_le_bytes());
        out.extend_from_slice(&self.num_strings.to_le_bytes());
        out.extend_from_slice(&self.strings);
        out.extend_from_slice(&self.body);
        out
    }

    fn f64(&mut self, x: f64) {
        self.body.extend_from_slice(&x.to_le_bytes());
    }

    fn len(&mut self, n: usize) {
        let n = u32::try_from(n).unwrap_or(u32::MAX);
        self.body.extend_from_slice(&n.to_le_bytes());
    }

    fn string(&mut self, s: &str) {
        let k = self.call;
        self.call += 1;
        let same_as_last = self.recent.get(k).copied().filter(|&id| {
            let at = self.positions[id as usize];
            self.strings.get(at..at + s.len()) == Some(s.as_bytes())
                && self.strings.get(at - 4..at) == Some(&(s.len() as u32).to_le_bytes()[..])
        });
        if let Some(id) = same_as_last {
            self.body.extend_from_slice(&id.to_le_bytes());
            return;
        }
        let id = match self.index.get(s) {
            Some(&id) => id,
            None => {
                let id = self.num_strings;
                self.num_strings += 1;
                let len = u32::try_from(s.len()).unwrap_or(u32::MAX);
                self.strings.extend_from_slice(&len.to_le_bytes());
                self.positions.push(self.strings.len());
                self.strings.extend_from_slice(s.as_bytes());
                self.index.insert(s.to_string(), id);
                id
            }
        };
        match self.recent.get_mut(k) {
            Some(slot) => *slot = id,
            None => self.recent.push(id),
        }
        self.body.extend_from_slice(&id.to_le_bytes());
    }

    /// A detail (or a table cell, as the detail of the same JSON value).
    fn detail(&mut self, d: &Detail) {
        match d {
            Detail::Null => self.body.push(0),
            Detail::Bool(b) => self.body.push(1 + u8::from(*b)),
            Detail::U64(u) => {
                self.body.push(3);
                self.body.extend_from_slice(&u.to_le_bytes());
            }
            Detail::I64(i) => {
                self.body.push(4);
                self.body.extend_from_slice(&i.to_le_bytes());
            }
            Detail::F64(x) => {
                self.body.push(5);
                self.f64(*x);
            }
            Detail::Text(s) => {
                self.body.push(6);
                self.string(s);
            }
            Detail::List(items) => {
                self.body.push(7);
                self.len(items.len());
                items.iter().for_each(|i| self.detail(i));
            }
            Detail::Map(map) => {
                self.body.push(8);
                self.len(map.len());
                for (k, v) in map.iter() {
                    self.string(k);
                    self.detail(v);
                }
            }
        }
    }
}

/// Reads a block of exactly `expected` results; the error says what is wrong and where.
pub fn read_many(bytes: &[u8], expected: usize) -> Result<Vec<MetricResult>, String> {
    let mut r = Reader { bytes, at: 0 };
    if r.take(4)? != MAGIC {
        return Err("the block does not start with \"CXMR\"".into());
    }
    let version = r.u32()?;
    if version != VERSION {
        return Err(format!(
            "the block is of version {version}; this host reads version {VERSION}"
        ));
    }
    let count = r.u32()? as usize;
    if count != expected {
        return Err(format!(
            "the block holds {count} results for {expected} groups"
        ));
    }
    let num_strings = r.u32()? as usize;
    let mut strings: Vec<&str> = Vec::with_capacity(num_strings.min(bytes.len() / 4));
    for i in 0..num_strings {
        let len = r.u32()? as usize;
        let text = std::str::from_utf8(r.take(len)?)
            .map_err(|e| format!("string {i} is not UTF-8 ({e})"))?;
        strings.push(text);
    }
    let mut results = Vec::with_capacity(count);
    let shared = vec![None; strings.len()];
    let mut reader = Strings {
        r,
        strings,
        shared,
        last_keys: (Vec::new(), Arc::default()),
        lists: HashMap::new(),
    };
    for i in 0..count {
        let result = reader
            .result()
            .map_err(|e| format!("result {i} (at byte {}): {e}", reader.r.at))?;
        results.push(result);
    }
    if reader.r.at != bytes.len() {
        return Err(format!(
            "{} bytes follow the last result",
            bytes.len() - reader.r.at
        ));
    }
    Ok(results)
}

/// A position in a block.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let end = self.at.checked_add(n).filter(|&e| e <= self.bytes.len());
        let Some(end) = end else {
            return Err("the block ends too early".into());
        };
        let out = &self.bytes[self.at..end];
        self.at = end;
        Ok(out)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], String> {
        let mut out = [0; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    fn u8(&mut self) -> Result<u8, String> {
        Ok(self.array::<1>()?[0])
    }

    fn u32(&mut self) -> Result<u32, String> {
        self.array().map(u32::from_le_bytes)
    }

    fn f64(&mut self) -> Result<f64, String> {
        self.array().map(f64::from_le_bytes)
    }

    /// A count of items of at least `min_bytes` each: never more than the bytes left could
    /// hold, so a corrupt count cannot make a huge allocation.
    fn count(&mut self, min_bytes: usize) -> Result<usize, String> {
        let n = self.u32()? as usize;
        if n.saturating_mul(min_bytes) > self.bytes.len() - self.at {
            return Err(format!("a count of {n} exceeds what the block holds"));
        }
        Ok(n)
    }
}

/// A reader with the block's table of strings.
struct Strings<'a> {
    r: Reader<'a>,
    strings: Vec<&'a str>,
    /// The strings used as detail keys, made once and shared by every result.
    shared: Vec<Option<Arc<str>>>,
    /// The keys of the last details read (their strings' numbers, and the list): the next
    /// details with the same keys in the same order share the list.
    last_keys: (Vec<usize>, Keys),
    /// The lists read so far, by their bytes in the block.
    lists: HashMap<&'a [u8], Arc<[Detail]>>,
}

impl<'a> Strings<'a> {
    fn index(&mut self) -> Result<usize, String> {
        let i = self.r.u32()? as usize;
        if i < self.strings.len() {
            Ok(i)
        } else {
            Err(format!("string {i} is not in the table"))
        }
    }

    fn string(&mut self) -> Result<String, String> {
        let i = self.index()?;
        Ok(self.strings[i].to_string())
    }

    /// `count` strings.
    fn strings(&mut self, count: usize) -> Result<Vec<String>, String> {
        let mut out = Vec::with_capacity(count);
        for _ in 0..count {
            out.push(self.string()?);
        }
        Ok(out)
    }

    /// A detail key or text, shared with every other use of it in the block.
    fn key(&mut self) -> Result<Arc<str>, String> {
        let i = self.index()?;
        Ok(self.shared_key(i))
    }

    /// String `i` (in the table) as a shared text.
    fn shared_key(&mut self, i: usize) -> Arc<str> {
        self.shared[i]
            .get_or_insert_with(|| Arc::from(self.strings[i]))
            .clone()
    }

    fn finite(&mut self, what: &str) -> Result<f64, String> {
        let x = self.r.f64()?;
        if x.is_finite() {
            Ok(x)
        } else {
            Err(format!("{what} is {x} (JSON would have null here)"))
        }
    }

    fn result(&mut self) -> Result<MetricResult, String> {
        let flags = self.r.u8()?;
        if flags & !(HAS_VALUE | HAS_CI | HAS_BASIS) != 0 {
            return Err(format!("unknown flags {flags:#04x}"));
        }
        let unit = self.string()?;
        let n = self.r.f64()?;
        let value = if flags & HAS_VALUE != 0 {
            Some(self.r.f64()?).filter(|v| v.is_finite())
        } else {
            None
        };
        let ci = if flags & HAS_CI != 0 {
            Some(Interval {
                low: self.finite("the interval's low end")?,
                high: self.finite("the interval's high end")?,
                level: self.finite("the interval's level")?,
                method: self.string()?,
            })
        } else {
            None
        };
        let basis = if flags & HAS_BASIS != 0 {
            Some(match self.r.u8()? {
                0 => TestBasis::Nps {
                    promoters: self.finite("basis promoters")?,
                    detractors: self.finite("basis detractors")?,
                    n: self.finite("basis n")?,
                },
                1 => TestBasis::Proportion {
                    successes: self.finite("basis successes")?,
                    n: self.finite("basis n")?,
                },
                2 => TestBasis::Mean {
                    mean: self.finite("basis mean")?,
                    variance: self.finite("basis variance")?,
                    n: self.finite("basis n")?,
                },
                other => return Err(format!("unknown basis kind {other}")),
            })
        } else {
            None
        };
        let details = self.details(0)?;
        // Lists are read into exactly their room: collecting a fallible iterator would
        // start at four (its size hint says nothing), 72 bytes wasted per result's
        // one warning, which with many groups is kept until the report is written.
        let count = self.r.count(4)?;
        let warnings = self.strings(count)?;
        let num_tables = self.r.count(12)?;
        let mut tables = Vec::with_capacity(num_tables);
        for _ in 0..num_tables {
            let name = self.string()?;
            let count = self.r.count(4)?;
            let columns = self.strings(count)?;
            let num_rows = self.r.count(4)?;
            let mut rows = Vec::with_capacity(num_rows);
            for _ in 0..num_rows {
                let len = self.r.count(1)?;
                let mut row = Vec::with_capacity(len);
                for _ in 0..len {
                    row.push(self.detail(0)?.to_value());
                }
                rows.push(row);
            }
            tables.push(Table {
                name,
                columns,
                rows,
            });
        }
        Ok(MetricResult {
            value,
            unit,
            n,
            ci,
            details,
            warnings,
            tables,
            basis,
        })
    }

    /// A result's details (a later duplicate key replaces the value in the first one's
    /// place, as reading JSON does), with room for exactly them.
    /// Details with the same keys as the last ones read share their list of keys.
    fn details(&mut self, depth: usize) -> Result<Details, String> {
        let len = self.r.count(5)?;
        let mut ids: Vec<usize> = Vec::with_capacity(len);
        let mut values: Vec<Detail> = Vec::with_capacity(len);
        for _ in 0..len {
            let id = self.index()?;
            let value = self.detail(depth)?;
            match ids.iter().position(|&k| k == id) {
                Some(i) => values[i] = value,
                None => {
                    ids.push(id);
                    values.push(value);
                }
            }
        }
        values.shrink_to_fit();
        // A result's own details share; a map nested in one has its keys to itself.
        if depth > 0 {
            return Ok(Details::with_keys(self.keys_of(&ids), values));
        }
        if ids != self.last_keys.0 {
            let keys = self.keys_of(&ids);
            self.last_keys = (ids, keys);
        }
        Ok(Details::with_keys(Arc::clone(&self.last_keys.1), values))
    }

    /// The list written as `encoded` (its bytes in the block), read as `items`: the list
    /// read before from the same bytes, when there is one. Equal bytes are equal lists (a
    /// text is written as its number in the block's table), and groups with few answers
    /// repeat theirs: NPS per customer, five answers each, gives one distinct list of
    /// score counts for every few customers.
    fn shared_list(&mut self, encoded: &'a [u8], items: Vec<Detail>) -> Arc<[Detail]> {
        if let Some(list) = self.lists.get(encoded) {
            return Arc::clone(list);
        }
        let list: Arc<[Detail]> = items.into();
        self.lists.insert(encoded, Arc::clone(&list));
        list
    }

    /// A list of keys: the strings of `ids`, each shared.
    fn keys_of(&mut self, ids: &[usize]) -> Keys {
        Arc::new(ids.iter().map(|&id| self.shared_key(id)).collect())
    }

    /// A detail (or a table cell): a JSON value, texts shared with every other use
    /// of them in the block.
    fn detail(&mut self, depth: usize) -> Result<Detail, String> {
        // serde_json refuses JSON nested deeper than 128; so does this.
        if depth > 127 {
            return Err("values nested deeper than 128".into());
        }
        Ok(match self.r.u8()? {
            0 => Detail::Null,
            1 => Detail::Bool(false),
            2 => Detail::Bool(true),
            3 => Detail::U64(u64::from_le_bytes(self.r.array()?)),
            4 => Detail::from(i64::from_le_bytes(self.r.array()?)),
            5 => Detail::float(self.r.f64()?),
            6 => Detail::Text(self.key()?),
            7 => {
                let (bytes, start) = (self.r.bytes, self.r.at);
                let len = self.r.count(1)?;
                let mut items = Vec::with_capacity(len);
                for _ in 0..len {
                    items.push(self.detail(depth + 1)?);
                }
                Detail::List(self.shared_list(&bytes[start..self.r.at], items))
            }
            8 => Detail::Map(Box::new(self.details(depth + 1)?)),
            other => return Err(format!("unknown value tag {other}")),
        })
    }
}

#[cfg(test)]
mod tests;
