//! What is derived from a results folder's CSV files alone, so that `offersim plot` can redraw
//! it: compare.csv and compare_frameworks.csv, the plots and the paper figures, report.html; also
//! the inputs snapshot it reads, and the terminal table.

pub(crate) mod chart;
pub mod compare;
pub mod csv_out;
pub(crate) mod figures;
pub(crate) mod html;
pub(crate) mod inputs;
pub(crate) mod meta;
pub(crate) mod plots;
pub(crate) mod table;

pub use crate::metrics::files::{fmt_f, fmt_opt};

use crate::error::{Error, Result};
use crate::scenario::Scenario;
use std::path::Path;

/// The folder of a results folder that keeps copies of the inputs (scenario and policy files),
/// so that the report shows what produced the numbers.
pub const INPUTS_DIR: &str = "inputs";

/// Copies the scenario file and the policy files it lists into `dir/inputs/`.
pub fn save_inputs(s: &Scenario, dir: &Path) -> Result<()> {
    let inputs = dir.join(INPUTS_DIR);
    std::fs::create_dir_all(&inputs).map_err(|e| Error::write(&inputs, e))?;
    let text = std::fs::read_to_string(&s.path).map_err(|e| Error::read(&s.path, e))?;
    let out = inputs.join("scenario.toml");
    std::fs::write(&out, &text).map_err(|e| Error::write(&out, e))?;
    // Policy files are named by path in the scenario; inline [[policy]] tables are in its text.
    let listed: Vec<String> = toml::from_str::<toml::Value>(&text)
        .ok()
        .and_then(|v| v.get("policies").and_then(|p| p.as_array()).cloned())
        .unwrap_or_default()
        .iter()
        .filter_map(|p| p.as_str().map(str::to_string))
        .collect();
    for p in listed {
        let src = s.dir.join(&p);
        let Some(file) = src.file_name() else {
            continue;
        };
        let body = std::fs::read_to_string(&src).map_err(|e| Error::read(&src, e))?;
        let out = inputs.join(format!("policy-{}", file.to_string_lossy()));
        std::fs::write(&out, body).map_err(|e| Error::write(&out, e))?;
    }
    Ok(())
}

/// Derives everything that is computed from a results folder's CSV files: `compare.csv`,
/// `compare_frameworks.csv`, the SVG plots (and the paper figure of a reproduction) and
/// `report.html`. `offersim run` and `offersim merge` call it before publishing the folder;
/// `offersim plot DIR` calls it on an existing one.
pub fn finish(dir: &Path) -> Result<compare::Comparison> {
    let summary = compare::read_table(&dir.join("summary.csv"))?;
    let c = compare::compare(&summary);
    compare::write_csv(&dir.join("compare.csv"), &c)?;
    let fws = compare::compare_frameworks(dir, &summary)?;
    compare::write_frameworks_csv(&dir.join("compare_frameworks.csv"), &fws)?;

    let inputs = inputs::Inputs::read(dir)?;
    // One look per framework and per policy for the whole report.
    let mut fw_names = fws.frameworks.clone();
    if fw_names.is_empty() {
        fw_names = shares_frameworks(dir, &c.policies)?;
    }
    let palette = chart::Palette {
        frameworks: chart::Looks::new(fw_names),
        policies: chart::Looks::new(c.policies.clone()),
    };
    let reproduction = figures::draw(&figures::Data {
        dir,
        inputs: &inputs,
        summary: &summary,
        cmp: &c,
        fws: &fws,
        pal: &palette,
    })?;
    let with_shares = !reproduction.as_ref().is_some_and(|r| r.replaces_shares);
    let plots = plots::draw_all(dir, &c.policies, &palette, with_shares)?;

    let name = inputs
        .name()
        .or_else(|| {
            dir.canonicalize()
                .ok()
                .and_then(|d| d.file_name().map(|n| n.to_string_lossy().to_string()))
        })
        .unwrap_or_else(|| "results".into());
    let description = inputs.description();
    let seed = summary
        .rows
        .iter()
        .find(|r| summary.get(r, "replication") == Some("0"))
        .and_then(|r| summary.get(r, "seed"))
        .map(str::to_string);
    let page = html::Page {
        name: &name,
        description: description.as_deref(),
        seed: seed.as_deref(),
        version: env!("CARGO_PKG_VERSION"),
        inputs: &inputs.files,
        frameworks: &fws,
        palette: &palette,
        reproduction: reproduction.as_ref(),
    };
    let out = dir.join("report.html");
    std::fs::write(&out, html::render(&page, &c, &plots)).map_err(|e| Error::write(&out, e))?;
    Ok(c)
}

/// The frameworks named in replication 0's shares.csv files, by name (for folders without
/// frameworks.csv, written by an older offersim).
fn shares_frameworks(dir: &Path, policies: &[String]) -> Result<Vec<String>> {
    let mut names = std::collections::BTreeSet::new();
    for p in policies {
        if let Some(t) = plots::read_opt(&dir.join(p).join("0").join("shares.csv"))? {
            for r in &t.rows {
                if let Some(f) = t.get(r, "framework") {
                    names.insert(f.to_string());
                }
            }
        }
    }
    Ok(names.into_iter().collect())
}
