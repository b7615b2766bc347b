//! `cxm validate`: everything `run` checks before data flows, without computing.

use std::io::Write;
use std::path::Path;

/// Loads the config, resolves and binds every plugin, checks dataset headers, and reads the
/// first rows of each dataset to check that mapped fields hold values of their types.
pub fn validate(config: &Path) -> anyhow::Result<i32> {
    let client = cxm_config::load_client(config)?;
    let mut plan = cxm_engine::build_plan(client)?;
    // A metric whose isolated plugin died while binding fails alone in a run; here it is
    // the error it is.
    if let Some(failed) = plan.datasets.iter_mut().find_map(|d| d.failed.pop()) {
        return Err(failed.error.into());
    }
    // A text column mapped to a numeric input passes every check above and then has every
    // row rejected: the first rows of each dataset show it.
    cxm_engine::check_sample(&plan)?;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "{}: OK — client \"{}\"",
        config.display(),
        plan.config.client
    )?;
    for ds in &plan.datasets {
        writeln!(
            out,
            "  dataset {} ({}): {} mapped field(s) found in the header; their values in the first {} rows are readable as their types",
            ds.config.name,
            ds.config.path.display(),
            ds.fields.len(),
            cxm_engine::SAMPLE_ROWS
        )?;
        if let Some(sampling) = &ds.config.sampling {
            let mut what: Vec<String> = sampling
                .weight
                .iter()
                .map(|w| format!("design weights from {w}"))
                .collect();
            if let Some(r) = &sampling.raking {
                let vars: Vec<String> = r
                    .margins
                    .iter()
                    .map(|(v, cats)| format!("{v} ({} categories)", cats.len()))
                    .collect();
                what.push(format!(
                    "raked to {} when run (a first pass over the data)",
                    vars.join(", ")
                ));
            }
            writeln!(out, "    survey weights: {}", what.join("; "))?;
        }
        for m in &ds.metrics {
            writeln!(
                out,
                "    metric {} → {} from {} {} (ABI {})",
                m.config.id, m.def.name, m.library.name, m.library.version, m.library.abi
            )?;
        }
    }
    Ok(0)
}
