//! Figures of the HTML report checked against results.json, shared by the browser test and
//! the static one: each `<data class="fig">` names its place in results.json (`data-scope`
//! and its keys, see crates/cxm-html/src/doc.rs); its `value` attribute must equal that
//! number exactly and its text must show it in the report's number format.
#![allow(dead_code)]

use serde_json::Value;

/// A report language, as the checker reads numbers in it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Lang {
    En,
    Ru,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ru => "ru",
        }
    }
    pub fn decimal_mark(self) -> char {
        match self {
            Lang::En => '.',
            Lang::Ru => ',',
        }
    }
    pub fn is_thousands_separator(self, c: char) -> bool {
        match self {
            Lang::En => c == ',',
            Lang::Ru => c == '\u{a0}' || c == '\u{202f}',
        }
    }
}

/// A figure's display, parsed.
#[derive(Debug, PartialEq)]
pub enum Shown {
    /// A number with this many decimals.
    Number(f64, usize),
    /// `<X`: the value is below X.
    Below(f64),
}

/// Parses a figure's text by the report's rules for `lang`: optional sign (`+`, `-`, `−`),
/// digits grouped in threes by the locale's thousands separator, the locale's decimal mark;
/// or `<` and such a number.
pub fn parse_shown(text: &str, lang: Lang) -> Result<Shown, String> {
    if let Some(rest) = text.strip_prefix('<') {
        return match parse_shown(rest, lang)? {
            Shown::Number(x, _) if !rest.starts_with(['+', '-', '\u{2212}']) => Ok(Shown::Below(x)),
            _ => Err(format!(
                "{text:?}: `<` must be followed by an unsigned number"
            )),
        };
    }
    let (negative, body) = match text.chars().next() {
        Some('-' | '\u{2212}') => (true, &text[text.chars().next().unwrap().len_utf8()..]),
        Some('+') => (false, &text[1..]),
        _ => (false, text),
    };
    let (int, frac) = match body.split_once(lang.decimal_mark()) {
        Some((i, f)) => (i, Some(f)),
        None => (body, None),
    };
    let groups: Vec<&str> = int.split(|c| lang.is_thousands_separator(c)).collect();
    let digits_only = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    if !groups.iter().all(|g| digits_only(g)) || frac.is_some_and(|f| !digits_only(f)) {
        return Err(format!(
            "{text:?} is not a number in the {} format",
            lang.code()
        ));
    }
    let int_digits: String = groups.concat();
    if groups.len() > 1 && (groups[0].len() > 3 || groups[1..].iter().any(|g| g.len() != 3)) {
        return Err(format!("{text:?}: thousands are not grouped by three"));
    }
    // English groups from 1,000; Russian may leave four-digit numbers ungrouped (1000).
    let must_group = match lang {
        Lang::En => 4,
        Lang::Ru => 5,
    };
    if groups.len() == 1 && int_digits.len() >= must_group {
        return Err(format!("{text:?}: thousands are not separated"));
    }
    let plain = format!("{int_digits}.{}", frac.unwrap_or("0"));
    let x: f64 = plain.parse().map_err(|e| format!("{text:?}: {e}"))?;
    Ok(Shown::Number(
        if negative { -x } else { x },
        frac.map_or(0, str::len),
    ))
}

/// Follows a dotted path (object keys; array indices) into `v`.
pub fn at_path<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(v, |v, key| match v {
        Value::Array(a) => a.get(key.parse::<usize>().ok()?),
        _ => v.get(key),
    })
}

/// The entry of `results[list]` whose `key` equals `want`.
fn entry<'a>(results: &'a Value, list: &str, key: &str, want: &str) -> Result<&'a Value, String> {
    results[list]
        .as_array()
        .into_iter()
        .flatten()
        .find(|e| e[key].as_str() == Some(want))
        .ok_or_else(|| format!("no {list} entry with {key} {want:?}"))
}

/// The value in results.json a figure's attributes point to.
fn lookup<'a>(attrs: &Value, results: &'a Value) -> Result<&'a Value, String> {
    let attr = |name: &str| {
        attrs[name]
            .as_str()
            .ok_or_else(|| format!("no {name} attribute"))
    };
    let result = || -> Result<&'a Value, String> {
        let metric = attr("data-metric")?;
        let group: Value = serde_json::from_str(attr("data-group")?)
            .map_err(|e| format!("data-group is not JSON: {e}"))?;
        results["results"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|r| r["metric"].as_str() == Some(metric) && r["group"] == group)
            .ok_or_else(|| format!("no result for metric {metric:?} and group {group}"))
    };
    let field = |v: &'a Value| -> Result<&'a Value, String> {
        let path = attr("data-field")?;
        at_path(v, path).ok_or_else(|| format!("no field {path:?}"))
    };
    match attr("data-scope")? {
        "result" => field(result()?),
        "table" => {
            let r = result()?;
            let name = attr("data-table")?;
            let table = r["tables"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|t| t["name"].as_str() == Some(name))
                .ok_or_else(|| format!("no table {name:?}"))?;
            let col = attr("data-col")?;
            let c = table["columns"]
                .as_array()
                .and_then(|cols| cols.iter().position(|c| c.as_str() == Some(col)))
                .ok_or_else(|| format!("no column {col:?} in table {name:?}"))?;
            let row = attr("data-row")?;
            let i: usize = row.parse().map_err(|_| format!("bad data-row {row:?}"))?;
            table["rows"][i]
                .get(c)
                .ok_or_else(|| format!("no row {i} in table {name:?}"))
        }
        "metric" => field(entry(results, "metrics", "metric", attr("data-metric")?)?),
        "dataset" => field(entry(results, "datasets", "name", attr("data-dataset")?)?),
        other => Err(format!("unknown data-scope {other:?}")),
    }
}

/// Checks one figure against results.json.
pub fn check_figure(fig: &Value, results: &Value, lang: Lang) -> Result<(), String> {
    let raw_text = fig["attrs"]["value"].as_str().ok_or("no value attribute")?;
    let raw: f64 = raw_text
        .parse()
        .map_err(|_| format!("value {raw_text:?} is not a number"))?;
    let expected = lookup(&fig["attrs"], results)?;
    match expected.as_f64() {
        Some(x) if x == raw => {}
        _ => return Err(format!("value {raw_text} but results.json has {expected}")),
    }
    let text = fig["text"].as_str().unwrap_or_default();
    match parse_shown(text, lang)? {
        Shown::Below(limit) if raw < limit => Ok(()),
        Shown::Below(_) => Err(format!("shows {text:?} for {raw_text}")),
        Shown::Number(shown, d) => {
            let tolerance = 0.5 * 10f64.powi(-(d as i32)) + 1e-9 * raw.abs().max(1.0);
            if (shown - raw).abs() <= tolerance {
                Ok(())
            } else {
                Err(format!("shows {text:?} for {raw_text}"))
            }
        }
    }
}

/// Checks every figure; fewer than `min` figures, or none with a decimal mark, fails too.
pub fn check_figures(figs: &[Value], results: &Value, lang: Lang, min: usize) -> Vec<String> {
    let mut failures = Vec::new();
    for fig in figs {
        if let Err(e) = check_figure(fig, results, lang) {
            let attrs: Vec<String> = fig["attrs"]
                .as_object()
                .into_iter()
                .flatten()
                .map(|(k, v)| {
                    format!(
                        "{k}={}",
                        v.as_str()
                            .map_or_else(|| v.to_string(), |s| format!("{s:?}"))
                    )
                })
                .collect();
            failures.push(format!(
                "figure <data {}>{}</data>: {e}",
                attrs.join(" "),
                fig["text"].as_str().unwrap_or_default()
            ));
        }
    }
    if figs.len() < min {
        failures.push(format!(
            "{} figures (<data class=\"fig\">), expected at least {min}",
            figs.len()
        ));
    }
    let decimals = figs
        .iter()
        .filter(|f| {
            f["text"]
                .as_str()
                .is_some_and(|t| t.contains(lang.decimal_mark()))
        })
        .count();
    if !figs.is_empty() && decimals == 0 {
        failures.push(format!(
            "no figure shows a decimal mark {:?}",
            lang.decimal_mark()
        ));
    }
    failures
}

/// The figures of an HTML page as the browser test gathers them (`{"attrs": {...}, "text":
/// "..."}`), read from the HTML text itself: every `<data class="fig" ...>TEXT</data>`.
pub fn figures_in_html(html: &str) -> Vec<Value> {
    let unescape = |s: &str| {
        s.replace("&quot;", "\"")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&#39;", "'")
            .replace("&amp;", "&")
    };
    let mut figs = Vec::new();
    for piece in html.split("<data ").skip(1) {
        let Some(end) = piece.find('>') else { continue };
        let (tag, rest) = piece.split_at(end);
        let text = rest[1..].split("</data>").next().unwrap_or_default();
        let mut attrs = serde_json::Map::new();
        let mut t = tag.trim();
        while let Some(eq) = t.find("=\"") {
            let name = t[..eq].trim().to_string();
            let after = &t[eq + 2..];
            let close = after.find('"').unwrap_or(after.len());
            attrs.insert(name, Value::String(unescape(&after[..close])));
            t = after.get(close + 1..).unwrap_or("").trim_start();
        }
        if attrs.get("class").and_then(Value::as_str) == Some("fig") {
            figs.push(serde_json::json!({"attrs": attrs, "text": unescape(text)}));
        }
    }
    figs
}
