//! The config text: datasets with their dialect and fields, metrics for confident
//! matches, and the rest as commented-out suggestions.

use super::recognise::{Mapping, Role};
use super::sample::Dialect;
use std::fmt::Write;

/// One dataset to write.
pub struct Dataset {
    pub name: String,
    /// The path as written in the config.
    pub path: String,
    pub dialect: Dialect,
    pub fields: Vec<Mapping>,
    /// Columns without a usable name.
    pub left_out: Vec<String>,
    pub rows: usize,
}

/// A TOML basic string.
pub fn quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A TOML key: bare when it can be.
fn key(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        s.to_string()
    } else {
        quote(s)
    }
}

fn field_line(m: &Mapping) -> String {
    if m.ty.is_none() && m.format.is_none() {
        return format!("{} = {}", key(&m.field), quote(&m.column));
    }
    let mut parts = vec![format!("column = {}", quote(&m.column))];
    if let Some(ty) = m.ty {
        parts.push(format!("type = \"{}\"", ty.name()));
    }
    if let Some(f) = &m.format {
        parts.push(format!("format = {}", quote(f)));
    }
    format!("{} = {{ {} }}", key(&m.field), parts.join(", "))
}

fn dataset_block(out: &mut String, d: &Dataset) {
    let dl = &d.dialect;
    let _ = writeln!(out, "\n[datasets.{}]", key(&d.name));
    let _ = writeln!(
        out,
        "path = {}    # {}, {} rows sampled",
        quote(&d.path),
        dl.format,
        d.rows
    );
    if let Some(e) = &dl.encoding {
        let note = dl
            .encoding_note
            .unwrap_or("detected: check accented text in the output");
        let _ = writeln!(out, "encoding = {}    # {note}", quote(e));
    }
    if let Some(c) = dl.delimiter {
        let _ = writeln!(out, "delimiter = {}", quote(&c.to_string()));
    }
    if let Some(s) = &dl.sheet {
        let _ = writeln!(out, "sheet = {}", quote(s));
    }
    if let Some(h) = dl.header_row {
        let _ = writeln!(out, "header_row = {h}");
    }
    if dl.decimal_comma {
        let _ = writeln!(out, "decimal_comma = true");
    }
    if let Some(t) = &dl.thousands_separator {
        let _ = writeln!(out, "thousands_separator = {}", quote(t));
    }
    if !dl.null_values.is_empty() {
        let list: Vec<String> = std::iter::once("")
            .chain(dl.null_values.iter().map(String::as_str))
            .map(quote)
            .collect();
        let _ = writeln!(out, "null_values = [{}]", list.join(", "));
    }
    let _ = writeln!(out, "[datasets.{}.fields]", key(&d.name));
    for m in &d.fields {
        let note = match m.role {
            Role::Candidate(_) => "    # a score column: see the suggested metrics below",
            _ => "",
        };
        let _ = writeln!(out, "{}{note}", field_line(m));
    }
    for c in &d.left_out {
        let _ = writeln!(
            out,
            "# left out: column {} (no name to make a field of)",
            quote(c)
        );
    }
}

/// A metric entry, commented out or not.
fn metric(out: &mut String, comment: bool, lines: &[String]) {
    let prefix = if comment { "# " } else { "" };
    let _ = writeln!(out, "\n{prefix}[[metrics]]");
    for l in lines {
        let _ = writeln!(out, "{prefix}{l}");
    }
}

/// The metric lines for a score field: plugin, params.
fn score_metric(id: &str, dataset: &str, m: &Mapping, role: &Role) -> Vec<String> {
    let (plugin, params) = match role {
        Role::Nps => ("nps", None),
        Role::Csat(max) => (
            "csat",
            Some(format!(
                "params = {{ scale = [1, {max}], satisfied = [{}, {max}] }}",
                max - 1
            )),
        ),
        Role::Ces(max) => (
            "ces",
            Some(format!(
                "params = {{ scale = [1, {max}], easy = [{}, {max}] }}",
                if *max == 7 { 5 } else { 4 }
            )),
        ),
        _ => ("", None),
    };
    let mut lines = vec![
        format!("id = {}", quote(id)),
        format!("plugin = \"{plugin}\""),
        format!("dataset = {}", quote(dataset)),
        format!("inputs = {{ score = {} }}", quote(&m.field)),
    ];
    lines.extend(params);
    lines
}

/// The whole config.
pub fn render(client: &str, plugins: &str, sources: &[String], datasets: &[Dataset]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Starter config written by `cxm init` from {}.",
        sources.join(", ")
    );
    let _ = writeln!(
        out,
        "# Field names and metrics were guessed from column names and the first rows: check\n# them, uncomment the suggestions that fit, then `cxm validate` and `cxm run` this file."
    );
    let _ = writeln!(out, "client = {}", quote(client));
    let _ = writeln!(out, "plugins = {}", quote(plugins));
    for d in datasets {
        dataset_block(&mut out, d);
    }
    let mut ids: Vec<String> = Vec::new();
    let mut unique = |base: &str, dataset: &str| {
        let id = if ids.iter().any(|i| i == base) {
            format!("{dataset}_{base}")
        } else {
            base.to_string()
        };
        ids.push(id.clone());
        id
    };
    let mut suggestions: Vec<Vec<String>> = Vec::new();
    for d in datasets {
        let scored = d
            .fields
            .iter()
            .any(|m| matches!(m.role, Role::Nps | Role::Csat(_) | Role::Ces(_)));
        if !scored {
            // No score recognised: count the rows, so the config runs; the rest is yours.
            let id = unique(&format!("{}_rows", d.name), &d.name);
            metric(
                &mut out,
                false,
                &[
                    format!("id = {}", quote(&id)),
                    "plugin = \"basic/count\"".into(),
                    format!("dataset = {}", quote(&d.name)),
                ],
            );
        }
        for m in &d.fields {
            match &m.role {
                Role::Nps | Role::Csat(_) | Role::Ces(_) => {
                    let id = unique(&m.field, &d.name);
                    metric(&mut out, false, &score_metric(&id, &d.name, m, &m.role));
                }
                Role::Candidate(max) => {
                    let role = if *max == 10 {
                        Role::Nps
                    } else {
                        Role::Csat(*max)
                    };
                    let mut lines = vec![format!(
                        "{} ({}) holds scores: as NPS (0-10), CSAT or CES? For example:",
                        m.field,
                        quote(&m.column)
                    )];
                    let id = format!("{}_{}", d.name, m.field);
                    lines.extend(score_metric(&id, &d.name, m, &role));
                    suggestions.push(lines);
                }
                Role::Plain => {}
            }
        }
        // A yes/no churn flag (one row per customer, as in a snapshot export): churn rate.
        let flag = d.fields.iter().find(|m| {
            m.ty == Some(cxm_ingest::FieldType::Boolean)
                && (m.field.contains("churn") || m.column.to_lowercase().contains("churn"))
        });
        if let Some(flag) = flag {
            let mut inputs = format!("inputs = {{ churned = {}", quote(&flag.field));
            if let Some(id) = d.fields.iter().find(|m| m.field == "customer_id") {
                let _ = write!(inputs, ", customer_id = {}", quote(&id.field));
            }
            inputs.push_str(" }");
            suggestions.push(vec![
                format!(
                    "{} ({}) is a yes/no flag: the share churned (one row per customer)?",
                    flag.field,
                    quote(&flag.column)
                ),
                format!("id = {}", quote(&format!("{}_churn", d.name))),
                "plugin = \"retention/snapshot_churn\"".into(),
                format!("dataset = {}", quote(&d.name)),
                inputs,
            ]);
        }
    }
    if !suggestions.is_empty() {
        let _ = writeln!(
            out,
            "\n# Suggested metrics (uncomment and adjust the ones that fit):"
        );
        for s in &suggestions {
            let _ = writeln!(out, "\n# {}", s[0]);
            metric(&mut out, true, &s[1..]);
        }
    }
    let segments: Vec<&str> = datasets
        .iter()
        .flat_map(|d| d.fields.iter().filter(|m| m.segment))
        .map(|m| m.field.as_str())
        .collect();
    let dates: Vec<&str> = datasets
        .iter()
        .flat_map(|d| d.fields.iter())
        .filter(|m| {
            matches!(
                m.ty,
                Some(cxm_ingest::FieldType::Date | cxm_ingest::FieldType::Datetime)
            )
        })
        .map(|m| m.field.as_str())
        .collect();
    let _ = writeln!(out, "\n# [report]");
    if !segments.is_empty() {
        let list: Vec<String> = segments.iter().map(|s| quote(s)).collect();
        let _ = writeln!(
            out,
            "# group_by = [{}]    # columns with few distinct values",
            list.join(", ")
        );
    }
    if let Some(d) = dates.first() {
        let _ = writeln!(
            out,
            "# period = {{ field = {}, grain = \"month\" }}",
            quote(d)
        );
    }
    let _ = writeln!(out, "# min_n = 30");
    out
}
