//! Test support: a tiny XML parser and a well-formedness checker for the charts' SVG
//! (balanced tags, escaped text and attributes, one-decimal coordinates, no NaN, text inside
//! the viewBox) and English and Russian number formatters.

mod geometry;
mod render;
mod samples;
mod visual;

pub(crate) use samples::*;

use crate::*;

/// An element of the parsed SVG.
#[derive(Debug, Clone)]
pub(crate) struct El {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub children: Vec<Node>,
}

#[derive(Debug, Clone)]
pub(crate) enum Node {
    El(El),
    Text(String),
}

impl El {
    pub(crate) fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// A numeric attribute (0 when absent).
    pub(crate) fn num(&self, name: &str) -> f64 {
        self.attr(name).map_or(0.0, |v| v.parse().unwrap())
    }

    /// Every element in this subtree named `name`, in document order.
    pub(crate) fn find(&self, name: &str) -> Vec<&El> {
        let mut out = Vec::new();
        if self.name == name {
            out.push(self);
        }
        for child in &self.children {
            if let Node::El(e) = child {
                out.extend(e.find(name));
            }
        }
        out
    }

    /// The text directly inside, and in `<tspan>` children (not in `<title>`).
    pub(crate) fn shown_text(&self) -> String {
        let mut s = String::new();
        for child in &self.children {
            match child {
                Node::Text(t) => s.push_str(t),
                Node::El(e) if e.name == "tspan" => s.push_str(&e.shown_text()),
                Node::El(_) => {}
            }
        }
        s
    }

    /// The `<title>` child's text, if any.
    pub(crate) fn tip(&self) -> Option<String> {
        self.children.iter().find_map(|c| match c {
            Node::El(e) if e.name == "title" => Some(e.shown_text()),
            _ => None,
        })
    }
}

fn unescape(s: &str) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let end = rest[i..].find(';').ok_or(format!("raw & in {s:?}"))?;
        let entity = &rest[i + 1..i + end];
        out.push(match entity {
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "apos" | "#39" => '\'',
            _ => return Err(format!("unknown entity &{entity}; in {s:?}")),
        });
        rest = &rest[i + end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Parses the SVG (elements, attributes in double quotes, text) into its root element.
pub(crate) fn parse(svg: &str) -> Result<El, String> {
    let mut stack: Vec<El> = vec![El {
        name: "#document".into(),
        attrs: vec![],
        children: vec![],
    }];
    let mut rest = svg;
    while !rest.is_empty() {
        let lt = rest.find('<').unwrap_or(rest.len());
        let text = &rest[..lt];
        if text.contains('>') {
            return Err(format!("raw > in text {text:?}"));
        }
        if !text.trim().is_empty() {
            let t = unescape(text)?;
            stack.last_mut().unwrap().children.push(Node::Text(t));
        }
        rest = &rest[lt..];
        if rest.is_empty() {
            break;
        }
        let gt = rest.find('>').ok_or("unclosed tag")?;
        let tag = &rest[1..gt];
        rest = &rest[gt + 1..];
        if let Some(name) = tag.strip_prefix('/') {
            let el = stack.pop().ok_or("too many closing tags")?;
            if el.name != name {
                return Err(format!("</{name}> closes <{}>", el.name));
            }
            stack
                .last_mut()
                .ok_or("closed the document")?
                .children
                .push(Node::El(el));
            continue;
        }
        let (tag, closed) = match tag.strip_suffix('/') {
            Some(t) => (t, true),
            None => (tag, false),
        };
        let name_end = tag.find(' ').unwrap_or(tag.len());
        let mut el = El {
            name: tag[..name_end].to_owned(),
            attrs: vec![],
            children: vec![],
        };
        let mut a = tag[name_end..].trim();
        while !a.is_empty() {
            let eq = a.find("=\"").ok_or(format!("bad attribute in <{tag}>"))?;
            let name = a[..eq].trim().to_owned();
            let end = a[eq + 2..].find('"').ok_or("unterminated attribute")? + eq + 2;
            let raw = &a[eq + 2..end];
            if raw.contains('<') {
                return Err(format!("raw < in attribute {name}={raw:?}"));
            }
            el.attrs.push((name, unescape(raw)?));
            a = a[end + 1..].trim_start();
        }
        if closed {
            stack.last_mut().unwrap().children.push(Node::El(el));
        } else {
            stack.push(el);
        }
    }
    if stack.len() != 1 {
        return Err(format!("{} unclosed elements", stack.len() - 1));
    }
    let mut doc = stack.pop().unwrap();
    match (doc.children.len(), doc.children.pop()) {
        (1, Some(Node::El(root))) if root.name == "svg" => Ok(root),
        _ => Err("not exactly one <svg> root".into()),
    }
}

const NUMERIC: [&str; 12] = [
    "x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "width", "height", "dx",
];

fn one_decimal(v: &str) -> bool {
    let v = v.strip_prefix('-').unwrap_or(v);
    let mut parts = v.split('.');
    let int = parts.next().unwrap_or("");
    let frac = parts.next().unwrap_or("");
    !int.is_empty()
        && int.chars().all(|c| c.is_ascii_digit())
        && frac.len() <= 1
        && frac.chars().all(|c| c.is_ascii_digit())
        && parts.next().is_none()
}

/// Checks everything every chart must satisfy, returning the parsed root.
pub(crate) fn check(svg: &str) -> El {
    assert!(
        !svg.contains("NaN") && !svg.contains("inf"),
        "NaN/inf in {svg}"
    );
    assert!(
        svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 "),
        "{svg}"
    );
    let root = parse(svg).unwrap_or_else(|e| panic!("{e}\n{svg}"));
    assert_eq!(root.attr("role"), Some("img"));
    assert!(root.attr("class").unwrap().starts_with("cxm-chart"));
    let id = root.attr("aria-labelledby").unwrap();
    let title = root.find("title")[0];
    assert_eq!(title.attr("id"), Some(id));
    let (w, h) = (root.num("width"), root.num("height"));
    assert_eq!(
        root.attr("viewBox").unwrap(),
        format!("0 0 {} {}", crate::svg::num(w), crate::svg::num(h))
    );
    for el in all(&root) {
        for (name, v) in &el.attrs {
            if NUMERIC.contains(&name.as_str()) {
                assert!(one_decimal(v), "{name}={v:?} in <{}>", el.name);
            }
            if name == "d" {
                for n in v.split(|c: char| c.is_ascii_alphabetic() || c == ' ') {
                    assert!(n.is_empty() || one_decimal(n), "d={v:?}");
                }
            }
        }
    }
    for t in root.find("text") {
        let (left, right) = text_extent(t);
        let y = t.num("y");
        let size = t.num("font-size");
        assert!(
            left >= -0.5 && right <= w + 0.5 && y - 0.8 * size >= -0.5 && y <= h + 0.5,
            "text {:?} at ({left}..{right}, {y}) outside 0 0 {w} {h}",
            t.shown_text()
        );
    }
    root
}

/// Every element of the tree.
pub(crate) fn all(root: &El) -> Vec<&El> {
    let mut out = vec![root];
    for child in &root.children {
        if let Node::El(e) = child {
            out.extend(all(e));
        }
    }
    out
}

/// Estimated left and right ends of a `<text>` (0.6 em per character, tspans with their
/// own size and `dx`).
pub(crate) fn text_extent(t: &El) -> (f64, f64) {
    let size = t.num("font-size");
    let mut width = 0.0;
    for child in &t.children {
        match child {
            Node::Text(s) => width += s.chars().count() as f64 * 0.6 * size,
            Node::El(e) if e.name == "tspan" => {
                let s = e.attr("font-size").map_or(size, |v| v.parse().unwrap());
                width += e.num("dx") + e.shown_text().chars().count() as f64 * 0.6 * s;
            }
            Node::El(_) => {}
        }
    }
    let x = t.num("x");
    match t.attr("text-anchor") {
        Some("middle") => (x - width / 2.0, x + width / 2.0),
        Some("end") => (x - width, x),
        _ => (x, x + width),
    }
}

pub(crate) fn fmt_en(v: f64, d: usize) -> String {
    format!("{v:.d$}")
}

pub(crate) fn fmt_ru(v: f64, d: usize) -> String {
    format!("{v:.d$}").replace('.', ",").replace('-', "−")
}

pub(crate) const EN: NumFmt<'static> = &fmt_en;
pub(crate) const RU: NumFmt<'static> = &fmt_ru;
