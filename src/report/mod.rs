//! Output: CSV writers for the per-run files and the summary, number formatting that is exact
//! and stable, and the terminal table.

pub mod compare;
pub mod csv_out;
pub(crate) mod html;
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

/// Derives everything that is computed from a results folder's CSV files: `compare.csv`, the
/// SVG plots and `report.html`. `offersim run` calls it before publishing the folder;
/// `offersim plot DIR` calls it on an existing one.
pub fn finish(dir: &Path) -> Result<compare::Comparison> {
    let summary = compare::read_table(&dir.join("summary.csv"))?;
    let c = compare::compare(&summary);
    compare::write_csv(&dir.join("compare.csv"), &c)?;
    let plots = plots::draw_all(dir, &c.policies)?;

    let mut inputs: Vec<(String, String)> = Vec::new();
    let idir = dir.join(INPUTS_DIR);
    let mut files: Vec<String> = std::fs::read_dir(&idir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().to_string())
        .collect();
    // The scenario first, then policy files by name.
    files.sort_by_key(|f| (f != "scenario.toml", f.clone()));
    for f in files {
        let p = idir.join(&f);
        let text = std::fs::read_to_string(&p).map_err(|e| Error::read(&p, e))?;
        inputs.push((f, text));
    }
    let name = inputs
        .first()
        .and_then(|(_, t)| toml::from_str::<toml::Value>(t).ok())
        .and_then(|v| v.get("name").and_then(|n| n.as_str()).map(str::to_string))
        .or_else(|| {
            dir.canonicalize()
                .ok()
                .and_then(|d| d.file_name().map(|n| n.to_string_lossy().to_string()))
        })
        .unwrap_or_else(|| "results".into());
    let seed = summary
        .rows
        .iter()
        .find(|r| summary.get(r, "replication") == Some("0"))
        .and_then(|r| summary.get(r, "seed"))
        .map(str::to_string);
    let mut frameworks = Vec::new();
    for p in &c.policies {
        let f = dir.join(p).join("0").join("frameworks.csv");
        if f.is_file() {
            frameworks.push((p.clone(), compare::read_table(&f)?));
        }
    }
    let page = html::Page {
        name: &name,
        seed: seed.as_deref(),
        version: env!("CARGO_PKG_VERSION"),
        inputs: &inputs,
        frameworks: &frameworks,
    };
    let out = dir.join("report.html");
    std::fs::write(&out, html::render(&page, &c, &plots)).map_err(|e| Error::write(&out, e))?;
    Ok(c)
}
