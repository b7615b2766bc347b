//! `cxm validate`: everything `run` checks before data flows, without computing.

use std::io::Write;
use std::path::Path;

/// Loads the config, resolves and binds every plugin, and checks dataset headers.
pub fn validate(config: &Path) -> anyhow::Result<i32> {
    let client = cxm_config::load_client(config)?;
    let plan = cxm_engine::build_plan(client)?;
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
            "  dataset {} ({}): {} mapped field(s) found in the header",
            ds.config.name,
            ds.config.path.display(),
            ds.fields.len()
        )?;
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
