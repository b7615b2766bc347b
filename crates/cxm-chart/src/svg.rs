//! SVG text building blocks shared by every chart: XML escaping, fixed one-decimal number
//! formatting for coordinates, text width estimates and truncation with an ellipsis, colour
//! validation, the `<svg>` wrapper with its accessible title, and the empty-state chart.

use crate::palette;
use std::fmt::Write as _;

/// Width of every chart, in user units (pixels at 100%).
pub(crate) const WIDTH: f64 = 640.0;
/// Approximate advance of one character, as a fraction of the font size.
const CHAR_WIDTH: f64 = 0.6;

/// Escapes text for XML content and attribute values; control characters (which XML 1.0
/// forbids, or which would break a one-line label) become spaces.
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\u{FFFE}' | '\u{FFFF}' => {}
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Rounds to one decimal (the precision of every printed coordinate).
pub(crate) fn r1(v: f64) -> f64 {
    if v.is_finite() {
        (v.clamp(-1e6, 1e6) * 10.0).round() / 10.0
    } else {
        0.0
    }
}

/// Formats a coordinate: at most one decimal, no trailing ".0", no "-0", never NaN.
pub(crate) fn num(v: f64) -> String {
    let r = r1(v);
    if r == 0.0 {
        return "0".to_owned();
    }
    let s = format!("{r:.1}");
    match s.strip_suffix(".0") {
        Some(int) => int.to_owned(),
        None => s,
    }
}

/// Estimated rendered width of `s` at `size`.
pub(crate) fn text_width(s: &str, size: f64) -> f64 {
    s.chars().count() as f64 * CHAR_WIDTH * size
}

/// Cuts `s` to fit `max_width` at `size`, ending it with "…" when cut. Returns the text
/// and whether it was cut.
pub(crate) fn truncate(s: &str, max_width: f64, size: f64) -> (String, bool) {
    let s = s.trim();
    let count = s.chars().count();
    let fit = if max_width.is_finite() {
        (max_width.max(0.0) / (CHAR_WIDTH * size)).floor() as usize
    } else {
        usize::MAX
    };
    if count <= fit {
        return (s.to_owned(), false);
    }
    if fit == 0 {
        return (String::new(), true);
    }
    let mut cut: String = s.chars().take(fit - 1).collect();
    cut.truncate(cut.trim_end().len());
    cut.push('…');
    (cut, true)
}

/// Horizontal text alignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Anchor {
    Start,
    Middle,
    End,
}

/// How a piece of text is drawn.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Style {
    pub size: f64,
    pub anchor: Anchor,
    pub fill: &'static str,
    pub bold: bool,
}

impl Style {
    pub(crate) fn new(size: f64, anchor: Anchor, fill: &'static str) -> Self {
        Style {
            size,
            anchor,
            fill,
            bold: false,
        }
    }

    pub(crate) fn bold(self) -> Self {
        Style { bold: true, ..self }
    }

    /// The opening tag's attributes after `x` and `y`.
    fn attrs(&self) -> String {
        let anchor = match self.anchor {
            Anchor::Start => "",
            Anchor::Middle => " text-anchor=\"middle\"",
            Anchor::End => " text-anchor=\"end\"",
        };
        let weight = if self.bold {
            " font-weight=\"600\""
        } else {
            ""
        };
        format!(
            " font-size=\"{}\" fill=\"{}\"{anchor}{weight}",
            num(self.size),
            self.fill
        )
    }
}

/// The body of one chart being drawn, plus its size.
pub(crate) struct Doc {
    body: String,
    pub height: f64,
}

impl Doc {
    pub(crate) fn new(height: f64) -> Self {
        Doc {
            body: String::new(),
            height,
        }
    }

    /// Appends trusted markup (built by this crate, with every text escaped).
    pub(crate) fn raw(&mut self, markup: &str) {
        self.body.push_str(markup);
        self.body.push('\n');
    }

    /// A rectangle from its corner coordinates; `extra` holds further trusted attributes.
    /// Corners are rounded first, so adjoining rectangles share edges exactly.
    pub(crate) fn rect(&mut self, x0: f64, y0: f64, x1: f64, y1: f64, fill: &str, extra: &str) {
        self.rect_tip(x0, y0, x1, y1, fill, extra, "");
    }

    /// [`Doc::rect`] with a hover text (a `<title>` child) unless `tip` is empty.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn rect_tip(
        &mut self,
        x0: f64,
        y0: f64,
        x1: f64,
        y1: f64,
        fill: &str,
        extra: &str,
        tip: &str,
    ) {
        let (a, b) = (r1(x0.min(x1)), r1(x0.max(x1)));
        let (c, d) = (r1(y0.min(y1)), r1(y0.max(y1)));
        let _ = write!(
            self.body,
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{fill}\"{extra}",
            num(a),
            num(c),
            num(b - a),
            num(d - c)
        );
        if tip.trim().is_empty() {
            self.body.push_str("/>\n");
        } else {
            let _ = writeln!(self.body, "><title>{}</title></rect>", escape(tip.trim()));
        }
    }

    /// A line segment; `extra` holds further trusted attributes (dashes, width).
    pub(crate) fn line(&mut self, x1: f64, y1: f64, x2: f64, y2: f64, stroke: &str, extra: &str) {
        let _ = writeln!(
            self.body,
            "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{stroke}\"{extra}/>",
            num(x1),
            num(y1),
            num(x2),
            num(y2)
        );
    }

    /// Text cut to `max_width` (the full text then becomes a `<title>` child, shown on
    /// hover). Returns the estimated width drawn.
    pub(crate) fn text(&mut self, x: f64, y: f64, style: Style, s: &str, max_width: f64) -> f64 {
        let (shown, cut) = truncate(s, max_width, style.size);
        if shown.is_empty() && !cut {
            return 0.0;
        }
        let tip = if cut {
            format!("<title>{}</title>", escape(s.trim()))
        } else {
            String::new()
        };
        let _ = writeln!(
            self.body,
            "<text x=\"{}\" y=\"{}\"{}>{tip}{}</text>",
            num(x),
            num(y),
            style.attrs(),
            escape(&shown)
        );
        text_width(&shown, style.size)
    }

    /// Wraps the body into the final `<svg>` element.
    pub(crate) fn finish(self, kind: &str, title: &str) -> String {
        let height = r1(self.height.max(1.0));
        let title = escape(title.trim());
        let id = format!("cxm-{kind}-{:016x}", fnv1a(&[kind, &title, &self.body]));
        format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" \
             height=\"{h}\" role=\"img\" aria-labelledby=\"{id}\" class=\"cxm-chart cxm-chart-{kind}\">\n\
             <title id=\"{id}\">{title}</title>\n{body}</svg>",
            w = num(WIDTH),
            h = num(height),
            body = self.body
        )
    }
}

/// FNV-1a over the parts (with a separator): a stable, dependency-free content hash.
fn fnv1a(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for b in part.bytes().chain(std::iter::once(0xff)) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

/// The "nothing to draw" message, in Russian when any of `texts` is in Cyrillic.
pub(crate) fn no_data_message(texts: &[&str]) -> &'static str {
    let cyrillic = texts
        .iter()
        .any(|t| t.chars().any(|c| ('\u{0400}'..='\u{04FF}').contains(&c)));
    if cyrillic {
        "Нет данных"
    } else {
        "No data"
    }
}

/// An empty-state chart: a light dashed frame with a short centred message.
pub(crate) fn empty(kind: &str, title: &str, texts: &[&str]) -> String {
    let height = 96.0;
    let mut doc = Doc::new(height);
    doc.rect(
        4.0,
        4.0,
        WIDTH - 4.0,
        height - 4.0,
        "#FAFAFA",
        " stroke=\"#CCCCCC\" stroke-dasharray=\"4 3\"",
    );
    let mut all = vec![title];
    all.extend_from_slice(texts);
    let style = Style::new(13.0, Anchor::Middle, palette::MUTED);
    doc.text(
        WIDTH / 2.0,
        height / 2.0 + 4.5,
        style,
        no_data_message(&all),
        WIDTH,
    );
    doc.finish(kind, title)
}

/// A caller's colour if it is a plain hex colour (`#rgb`, `#rrggbb`, with optional alpha)
/// or a CSS colour name; otherwise `fallback`.
pub(crate) fn colour(s: &str, fallback: &'static str) -> String {
    let s = s.trim();
    let ok = match s.strip_prefix('#') {
        Some(hex) => {
            matches!(hex.len(), 3 | 4 | 6 | 8) && hex.chars().all(|c| c.is_ascii_hexdigit())
        }
        None => !s.is_empty() && s.len() <= 24 && s.chars().all(|c| c.is_ascii_alphabetic()),
    };
    if ok {
        s.to_owned()
    } else {
        fallback.to_owned()
    }
}

/// Whether text on `fill` should be white (dark fills) rather than dark (light fills).
pub(crate) fn wants_light_text(fill: &str) -> bool {
    let hex = match fill.strip_prefix('#') {
        Some(h) => h,
        None => return false,
    };
    let channel = |i: usize, len: usize| -> f64 {
        let digits = hex.get(i * len..(i + 1) * len).unwrap_or("0");
        let v = u32::from_str_radix(digits, 16).unwrap_or(0) as f64;
        let v = if len == 1 { v * 17.0 } else { v } / 255.0;
        if v <= 0.039_28 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        }
    };
    let len = if matches!(hex.len(), 3 | 4) { 1 } else { 2 };
    let lum = 0.2126 * channel(0, len) + 0.7152 * channel(1, len) + 0.0722 * channel(2, len);
    // Mid-tones such as vermillion and bluish green (luminance 0.22-0.26) keep white
    // text, as print designers expect; the labels on them are bold.
    lum < 0.3
}
