//! The section "Changes since the baseline", written when the run was compared with an
//! earlier one (`cxm run --baseline OLD_DIR`, or `cxm report` with a `diff.json` beside
//! `results.json`). It is rendered from the comparison as `cxm diff --format json` writes
//! it (schema `cxm.diff/1`): restated history first, then the other changed figures,
//! figures only in one run, and drift of cxm, config, data and plugins.
//!
//! The figures here are plain text, not `<data class="fig">` elements: they come from the
//! comparison, not from this run's `results.json`.

use crate::doc::{esc, Html};
use crate::i18n::{ChangeLabels, Locale};
use crate::view::{count_decimals, decimals, View, PERIOD};
use serde_json::Value;

/// Rows listed per table, at most (the rest is counted; diff.json has them all).
const MAX_ROWS: usize = 200;

/// The anchor of the section.
pub const ANCHOR: &str = "changes";

/// Writes the section from the comparison `diff` (a `cxm.diff/1` document).
pub fn changes(v: &View<'_>, h: &mut Html, diff: &Value) {
    let c = v.lang.change_labels();
    h.open("section", &format!("class=\"changes\" id=\"{ANCHOR}\""));
    h.el("h2", "", c.title);
    let s = &diff["summary"];
    let count = |key: &str| s[key].as_u64().unwrap_or(0).to_string();
    let old = &diff["old"];
    let when = old["generated_at"].as_str().unwrap_or("?");
    let intro = c
        .intro
        .replace("{dir}", &folder_name(old["dir"].as_str().unwrap_or("?")))
        .replace("{date}", when)
        .replace("{restated}", &count("restated"))
        .replace("{changed}", &count("changed"))
        .replace("{unchanged}", &count("unchanged"))
        .replace("{only_new}", &count("only_new"))
        .replace("{only_old}", &count("only_old"));
    h.el("p", "", &intro);

    let list = |key: &str| diff[key].as_array().cloned().unwrap_or_default();
    let restated = list("restated");
    h.raw(&format!(
        "<h3 class=\"restated\" data-count=\"{}\">{}</h3>",
        restated.len(),
        esc(c.restated)
    ));
    if restated.is_empty() {
        h.el("p", "class=\"muted\"", c.no_restated);
    } else {
        h.el("p", "", c.restated_intro);
        change_table(v, h, c, &restated);
    }
    let changed = list("changed");
    h.raw(&format!(
        "<h3 class=\"changed\" data-count=\"{}\">{}</h3>",
        changed.len(),
        esc(c.changed)
    ));
    if changed.is_empty() {
        h.el("p", "class=\"muted\"", c.no_changed);
    } else {
        change_table(v, h, c, &changed);
    }
    for (key, title) in [("only_new", c.only_new), ("only_old", c.only_old)] {
        let figures = list(key);
        h.raw(&format!(
            "<h3 class=\"{key}\" data-count=\"{}\">{}</h3>",
            figures.len(),
            esc(title)
        ));
        if figures.is_empty() {
            h.el("p", "class=\"muted\"", c.none);
        } else {
            figure_table(v, h, c, &figures);
        }
    }
    drift(h, c, &diff["drift"]);
    h.raw(&format!(
        "<p class=\"small muted\">{}</p>",
        esc(&c.tests_note.replace(
            "{alpha}",
            &v.lang.number(diff["alpha"].as_f64().unwrap_or(0.05), 2)
        ))
    ));
    h.close("section");
}

/// The last component of a folder path: the directories of the consultant's machine stay
/// out of the client's report, as dataset paths do.
fn folder_name(dir: &str) -> String {
    dir.trim_end_matches(['/', '\\'])
        .rsplit(['/', '\\'])
        .next()
        .filter(|name| !name.is_empty())
        .unwrap_or(dir)
        .to_string()
}

/// A config value as TOML text with every quoted path cut to its file name
/// (`"../../data/survey.csv"` → `"survey.csv"`), for the same reason.
fn file_names(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut parts = value.split('"');
    if let Some(first) = parts.next() {
        out.push_str(first);
    }
    for (i, part) in parts.enumerate() {
        out.push('"');
        // Odd pieces (0, 2, …) are inside quotes.
        if i % 2 == 0 && part.contains(['/', '\\']) {
            out.push_str(&folder_name(part));
        } else {
            out.push_str(part);
        }
    }
    out
}

/// The metric's display name in this report, else its id.
fn metric_name(v: &View<'_>, id: &str) -> String {
    v.summary(id).map_or_else(|| id.to_string(), |m| v.name(m))
}

/// The group without its period in words; "Overall" for none.
fn segment(v: &View<'_>, group: &Value) -> String {
    let parts: Vec<String> = group
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(k, _)| k.as_str() != PERIOD)
        .map(|(_, value)| {
            value
                .as_str()
                .map_or_else(|| v.l.missing.to_string(), str::to_string)
        })
        .collect();
    if parts.is_empty() {
        v.l.overall.to_string()
    } else {
        parts.join(" · ")
    }
}

fn period(v: &View<'_>, f: &Value) -> String {
    f["period"]
        .as_str()
        .map_or_else(|| "—".to_string(), |p| v.lang.period(p))
}

fn value(v: &View<'_>, x: &Value, unit: &str) -> String {
    x.as_f64()
        .map_or_else(|| "—".to_string(), |x| v.lang.number(x, decimals(unit, x)))
}

fn count(v: &View<'_>, n: &Value) -> String {
    n.as_f64()
        .map_or_else(|| "—".to_string(), |n| v.lang.number(n, count_decimals(n)))
}

fn truncated(h: &mut Html, c: &ChangeLabels, total: usize) {
    if total > MAX_ROWS {
        h.el(
            "p",
            "class=\"small muted\"",
            &c.more.replace("{n}", &(total - MAX_ROWS).to_string()),
        );
    }
}

fn change_table(v: &View<'_>, h: &mut Html, c: &ChangeLabels, figures: &[Value]) {
    let l = v.l;
    let header = [
        l.metric,
        l.segment,
        l.period,
        c.baseline,
        c.this_run,
        l.change,
        c.n_baseline,
        c.n_this_run,
        l.p_adjusted,
        l.unit,
    ];
    let numeric = [
        false, false, false, true, true, true, true, true, true, false,
    ];
    let rows: Vec<Vec<String>> = figures
        .iter()
        .take(MAX_ROWS)
        .map(|f| {
            let unit = f["unit"].as_str().unwrap_or_default();
            let delta = f["delta"]
                .as_f64()
                .map_or_else(|| "—".to_string(), |d| v.lang.signed(d, decimals(unit, d)));
            let p = match (f["p_adjusted"].as_f64(), f["significant"].as_bool()) {
                (Some(p), Some(true)) => format!("{} *", v.lang.p_value(p)),
                (Some(p), _) => v.lang.p_value(p),
                _ => "—".to_string(),
            };
            vec![
                esc(&metric_name(v, f["metric"].as_str().unwrap_or("?"))),
                esc(&segment(v, &f["group"])),
                esc(&period(v, f)),
                value(v, &f["old"]["value"], unit),
                value(v, &f["new"]["value"], unit),
                delta,
                count(v, &f["old"]["n"]),
                count(v, &f["new"]["n"]),
                esc(&p),
                esc(&crate::names::unit(v.lang, unit)),
            ]
        })
        .collect();
    h.table("changes", &header, &numeric, &rows);
    truncated(h, c, figures.len());
}

fn figure_table(v: &View<'_>, h: &mut Html, c: &ChangeLabels, figures: &[Value]) {
    let l = v.l;
    let header = [l.metric, l.segment, l.period, l.value, l.n, l.unit];
    let numeric = [false, false, false, true, true, false];
    let rows: Vec<Vec<String>> = figures
        .iter()
        .take(MAX_ROWS)
        .map(|f| {
            let unit = f["unit"].as_str().unwrap_or_default();
            vec![
                esc(&metric_name(v, f["metric"].as_str().unwrap_or("?"))),
                esc(&segment(v, &f["group"])),
                esc(&period(v, f)),
                value(v, &f["value"], unit),
                count(v, &f["n"]),
                esc(&crate::names::unit(v.lang, unit)),
            ]
        })
        .collect();
    h.table("changes", &header, &numeric, &rows);
    truncated(h, c, figures.len());
}

/// One `name: old → new` item per change.
fn change_items(h: &mut Html, c: &ChangeLabels, changes: &[Value]) {
    h.open("ul", "");
    for ch in changes {
        let side = |x: &Value| x.as_str().map_or_else(|| c.absent.to_string(), file_names);
        h.el(
            "li",
            "",
            &format!(
                "{}: {} → {}",
                ch["name"].as_str().unwrap_or("?"),
                side(&ch["old"]),
                side(&ch["new"])
            ),
        );
    }
    h.close("ul");
}

fn drift(h: &mut Html, c: &ChangeLabels, d: &Value) {
    h.el("h3", "class=\"drift\"", c.drift);
    let list = |key: &str| d[key].as_array().cloned().unwrap_or_default();
    let config = &d["config"];
    let any = !d["cxm_version"].is_null()
        || config["changed"] == Value::Bool(true)
        || ["registries", "datasets", "plugins"]
            .iter()
            .any(|k| !list(k).is_empty());
    if !any {
        h.el("p", "class=\"muted\"", c.no_drift);
        return;
    }
    if !d["cxm_version"].is_null() {
        h.el("p", "", c.cxm_version_changed);
        change_items(h, c, std::slice::from_ref(&d["cxm_version"]));
    }
    if config["changed"] == Value::Bool(true) {
        h.el("p", "", c.config_changed);
        match config["keys"].as_array() {
            Some(keys) if keys.is_empty() => {
                h.el("p", "class=\"muted\"", c.no_key_changed);
            }
            Some(keys) => change_items(h, c, keys),
            None => {
                h.el(
                    "p",
                    "class=\"muted\"",
                    &format!(
                        "{}: {}",
                        c.keys_unavailable,
                        config["keys_unavailable"].as_str().unwrap_or("?")
                    ),
                );
            }
        }
    }
    for (key, title) in [
        ("registries", c.registries_changed),
        ("datasets", c.datasets_changed),
        ("plugins", c.plugins_changed),
    ] {
        let changes = list(key);
        if !changes.is_empty() {
            h.el("p", "", title);
            change_items(h, c, &changes);
        }
    }
}
