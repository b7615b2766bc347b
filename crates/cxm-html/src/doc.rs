//! A small HTML writer: escaping, elements, and the `<data class="fig">` wrapper that ties
//! every number a reader sees to its place in `results.json` (so a test in a real browser
//! can check each one).

use serde_json::{Map, Value};
use std::fmt::Write;

/// Text escaped for HTML content and attribute values.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\n' && c != '\t' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// Where a figure comes from in `results.json`.
pub enum Source<'a> {
    /// A field of a result (`value`, `ci.low`, `details.promoters_pct`, `trend.delta`...).
    Result {
        metric: &'a str,
        group: &'a [(cxm_report::Name, Option<String>)],
        field: &'a str,
    },
    /// A cell of a result's table.
    Table {
        metric: &'a str,
        group: &'a [(cxm_report::Name, Option<String>)],
        table: &'a str,
        row: usize,
        column: &'a str,
    },
    /// A field of a metric's summary (`rows_used`, `rows_rejected.empty`).
    Metric { metric: &'a str, field: &'a str },
    /// A field of a dataset's summary (`rows_read`).
    Dataset { dataset: &'a str, field: &'a str },
}

/// The group as the JSON object `results.json` writes for it.
pub fn group_json(group: &[(cxm_report::Name, Option<String>)]) -> String {
    let map: Map<String, Value> = group
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone().map_or(Value::Null, Value::String)))
        .collect();
    Value::Object(map).to_string()
}

/// `<data class="fig" value="RAW" …>TEXT</data>`: RAW is the number as `results.json` holds
/// it (shortest round-trip form), TEXT its display. A non-finite number gives a dash
/// without the wrapper (JSON has no such number).
pub fn fig(raw: f64, text: &str, source: &Source<'_>) -> String {
    if !raw.is_finite() {
        return "—".to_string();
    }
    let mut s = format!("<data class=\"fig\" value=\"{raw}\"");
    match source {
        Source::Result {
            metric,
            group,
            field,
        } => {
            let _ = write!(
                s,
                " data-scope=\"result\" data-metric=\"{}\" data-group=\"{}\" data-field=\"{}\"",
                esc(metric),
                esc(&group_json(group)),
                esc(field)
            );
        }
        Source::Table {
            metric,
            group,
            table,
            row,
            column,
        } => {
            let _ = write!(
                s,
                " data-scope=\"table\" data-metric=\"{}\" data-group=\"{}\" data-table=\"{}\" data-row=\"{row}\" data-col=\"{}\"",
                esc(metric),
                esc(&group_json(group)),
                esc(table),
                esc(column)
            );
        }
        Source::Metric { metric, field } => {
            let _ = write!(
                s,
                " data-scope=\"metric\" data-metric=\"{}\" data-field=\"{}\"",
                esc(metric),
                esc(field)
            );
        }
        Source::Dataset { dataset, field } => {
            let _ = write!(
                s,
                " data-scope=\"dataset\" data-dataset=\"{}\" data-field=\"{}\"",
                esc(dataset),
                esc(field)
            );
        }
    }
    let _ = write!(s, ">{}</data>", esc(text));
    s
}

/// An HTML fragment being built.
#[derive(Default)]
pub struct Html {
    buf: String,
}

impl Html {
    /// Appends raw HTML.
    pub fn raw(&mut self, html: &str) -> &mut Self {
        self.buf.push_str(html);
        self
    }

    /// Appends escaped text.
    pub fn text(&mut self, text: &str) -> &mut Self {
        self.buf.push_str(&esc(text));
        self
    }

    /// `<tag attrs>escaped text</tag>`.
    pub fn el(&mut self, tag: &str, attrs: &str, text: &str) -> &mut Self {
        let _ = write!(self.buf, "<{tag}{}>{}</{tag}>", space(attrs), esc(text));
        self
    }

    /// Opens `<tag attrs>`.
    pub fn open(&mut self, tag: &str, attrs: &str) -> &mut Self {
        let _ = write!(self.buf, "<{tag}{}>", space(attrs));
        self
    }

    /// Closes `</tag>` and a newline.
    pub fn close(&mut self, tag: &str) -> &mut Self {
        let _ = writeln!(self.buf, "</{tag}>");
        self
    }

    /// A table: header cells (escaped text) and rows of raw HTML cells; `numeric[i]` right-
    /// aligns column i.
    pub fn table(&mut self, class: &str, header: &[&str], numeric: &[bool], rows: &[Vec<String>]) {
        let _ = write!(
            self.buf,
            "<div class=\"table-wrap\"><table class=\"{class}\"><thead><tr>"
        );
        for (i, h) in header.iter().enumerate() {
            let _ = write!(self.buf, "<th{}>{}</th>", num_class(numeric, i), esc(h));
        }
        self.buf.push_str("</tr></thead><tbody>\n");
        for row in rows {
            self.buf.push_str("<tr>");
            for (i, cell) in row.iter().enumerate() {
                let _ = write!(self.buf, "<td{}>{cell}</td>", num_class(numeric, i));
            }
            self.buf.push_str("</tr>\n");
        }
        self.buf.push_str("</tbody></table></div>\n");
    }

    /// A chart: `<figure class="chart" data-chart="kind">svg<figcaption>…</figcaption></figure>`.
    pub fn chart(&mut self, kind: &str, svg: &str, caption: &str) {
        let _ = write!(
            self.buf,
            "<figure class=\"chart\" data-chart=\"{}\">{svg}",
            esc(kind)
        );
        if !caption.is_empty() {
            let _ = write!(self.buf, "<figcaption>{}</figcaption>", esc(caption));
        }
        self.buf.push_str("</figure>\n");
    }

    /// The HTML built so far.
    pub fn finish(self) -> String {
        self.buf
    }
}

fn space(attrs: &str) -> String {
    if attrs.is_empty() {
        String::new()
    } else {
        format!(" {attrs}")
    }
}

fn num_class(numeric: &[bool], i: usize) -> &'static str {
    if numeric.get(i).copied().unwrap_or(false) {
        " class=\"num\""
    } else {
        ""
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(esc("<b>&\"x\"'"), "&lt;b&gt;&amp;&quot;x&quot;&#39;");
        assert_eq!(esc("a\u{1b}[31m"), "a\u{fffd}[31m");
    }

    #[test]
    fn figures_carry_their_source() {
        let group: Vec<(cxm_report::Name, Option<String>)> = vec![
            ("region".into(), Some("North".to_string())),
            ("period".into(), None),
        ];
        let html = fig(
            23.456,
            "23.5",
            &Source::Result {
                metric: "nps",
                group: &group,
                field: "value",
            },
        );
        assert_eq!(
            html,
            "<data class=\"fig\" value=\"23.456\" data-scope=\"result\" data-metric=\"nps\" \
             data-group=\"{&quot;region&quot;:&quot;North&quot;,&quot;period&quot;:null}\" \
             data-field=\"value\">23.5</data>"
        );
        let count = fig(
            2000.0,
            "2,000",
            &Source::Metric {
                metric: "m",
                field: "n",
            },
        );
        assert!(count.contains("value=\"2000\""), "{count}");
        assert_eq!(
            fig(
                f64::NAN,
                "x",
                &Source::Metric {
                    metric: "m",
                    field: "n"
                }
            ),
            "—"
        );
    }
}
