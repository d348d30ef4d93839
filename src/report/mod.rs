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

/// The folder of a results folder that keeps copies of the inputs (scenario, policy files,
/// small traces and machines files), so that the report shows what produced the numbers and
/// `offersim run inputs/scenario.toml` reruns it.
pub const INPUTS_DIR: &str = "inputs";

/// Traces and machines files up to this size are copied into `inputs/`; larger ones are named
/// by their path relative to `inputs/` (and a trace by its sha256, which a rerun checks).
pub const COPY_MAX_BYTES: u64 = 16 << 20;

/// The sha256 of a file's bytes, as lowercase hex (streamed).
pub fn sha256_file(path: &Path) -> Result<String> {
    use sha2::Digest;
    let mut f = std::fs::File::open(path).map_err(|e| Error::read(path, e))?;
    let mut h = sha2::Sha256::new();
    std::io::copy(&mut f, &mut h).map_err(|e| Error::read(path, e))?;
    Ok(format!("{:x}", h.finalize()))
}

/// What a run's numbers depend on besides its seed and replications, as two sha256 digests
/// (lowercase hex): the scenario's own contents (its file, then each policy file it lists, then
/// its machines file) and its trace's bytes (empty for a generated or scripted workload).
/// Shards record them (shard.csv) so that `merge` can refuse shards of different inputs.
pub fn inputs_sha256(s: &Scenario) -> Result<(String, String)> {
    use sha2::Digest;
    let mut h = sha2::Sha256::new();
    let mut feed = |path: &Path| -> Result<()> {
        let bytes = std::fs::read(path).map_err(|e| Error::read(path, e))?;
        // Each file's length first, so that moving bytes between files changes the digest.
        h.update((bytes.len() as u64).to_le_bytes());
        h.update(&bytes);
        Ok(())
    };
    feed(&s.path)?;
    for p in &s.policies {
        let path = Path::new(&p.source);
        if p.source != "inline" && p.source != "default" && path.is_file() {
            feed(path)?;
        }
    }
    let text = std::fs::read_to_string(&s.path).map_err(|e| Error::read(&s.path, e))?;
    if let Ok(doc) = text
        .trim_start_matches('\u{feff}')
        .parse::<toml_edit::DocumentMut>()
    {
        if let Some(m) = doc
            .get("cluster")
            .and_then(|c| c.get("machines"))
            .and_then(|m| m.as_str())
        {
            feed(&s.dir.join(m))?;
        }
    }
    let scenario = format!("{:x}", h.finalize());
    let trace = match &s.workload {
        crate::scenario::WorkloadSource::Trace(t) => sha256_file(t)?,
        _ => String::new(),
    };
    Ok((scenario, trace))
}

/// `to` relative to the folder `from` (both made absolute), with `/` separators.
fn relative(from: &Path, to: &Path) -> String {
    let from = from.canonicalize().unwrap_or_else(|_| from.to_path_buf());
    let to = to.canonicalize().unwrap_or_else(|_| to.to_path_buf());
    let a: Vec<_> = from.components().collect();
    let b: Vec<_> = to.components().collect();
    let common = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let mut parts: Vec<String> = vec!["..".to_string(); a.len() - common];
    parts.extend(
        b[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().to_string()),
    );
    parts.join("/")
}

const INPUTS_HEAD: &str =
    "# offersim's copy of the scenario that made these results. Its policy files, and its trace\n\
# and machines file when small, are copied beside it and named here; a large one is named by its\n\
# path from this folder (the trace with its sha256, checked when this file runs), so\n\
# `offersim run inputs/scenario.toml` reruns the scenario as it was.\n";

/// Copies the scenario into `dir/inputs/` so that it can be rerun from there: the policy files
/// it lists, and its trace and machines file (copied when small; otherwise named by their path
/// from `final_dir/inputs/`, where the folder ends up). The scenario's own text is kept, with
/// only those paths rewritten and the trace's sha256 recorded (`[workload] trace_sha256`).
pub fn save_inputs(s: &Scenario, dir: &Path, final_dir: &Path) -> Result<()> {
    let inputs = dir.join(INPUTS_DIR);
    std::fs::create_dir_all(&inputs).map_err(|e| Error::write(&inputs, e))?;
    let final_inputs = final_dir.join(INPUTS_DIR);
    let text = std::fs::read_to_string(&s.path).map_err(|e| Error::read(&s.path, e))?;
    let file = s.path.display().to_string();
    let mut doc: toml_edit::DocumentMut = text
        .trim_start_matches('\u{feff}')
        .parse()
        .map_err(|e| Error::input(&file, 0, "", format!("cannot read it again: {e}")))?;
    let mut taken: std::collections::BTreeSet<String> = Default::default();
    // Two files of one name from different folders get `prefix-2-name`, `prefix-3-name`.
    let mut unique = |prefix: &str, name: String| {
        let mut out = format!("{prefix}{name}");
        let mut k = 2;
        while !taken.insert(out.clone()) {
            out = format!("{prefix}{k}-{name}");
            k += 1;
        }
        out
    };
    // A small file is copied; a large one is named by its path from the final inputs/.
    let place = |src: &Path, prefix: &str, unique: &mut dyn FnMut(&str, String) -> String| {
        let name = src
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_else(|| "file".into());
        let size = std::fs::metadata(src)
            .map_err(|e| Error::read(src, e))?
            .len();
        if size <= COPY_MAX_BYTES {
            let copy = unique(prefix, name);
            let out = inputs.join(&copy);
            std::fs::copy(src, &out).map_err(|e| Error::write(&out, e))?;
            Ok::<String, Error>(copy)
        } else {
            Ok(relative(&final_inputs, src))
        }
    };
    // Policy files, by the names the scenario lists.
    if let Some(list) = doc.get_mut("policies").and_then(|p| p.as_array_mut()) {
        for v in list.iter_mut() {
            let Some(p) = v.as_str() else { continue };
            let src = s.dir.join(p);
            let name = src
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_else(|| "policy.toml".into());
            let copy = unique("policy-", name);
            let out = inputs.join(&copy);
            std::fs::copy(&src, &out).map_err(|e| Error::write(&out, e))?;
            let decor = v.decor().clone();
            *v = toml_edit::Value::from(copy);
            *v.decor_mut() = decor;
        }
    }
    if let crate::scenario::WorkloadSource::Trace(trace) = &s.workload {
        let sha = sha256_file(trace)?;
        let named = place(trace, "trace-", &mut unique)?;
        if let Some(w) = doc.get_mut("workload").and_then(|w| w.as_table_like_mut()) {
            set_keeping_decor(w, "trace", named);
            set_keeping_decor(w, "trace_sha256", sha);
        }
    }
    if let Some(c) = doc.get_mut("cluster").and_then(|c| c.as_table_like_mut()) {
        if let Some(m) = c
            .get("machines")
            .and_then(|m| m.as_str())
            .map(str::to_string)
        {
            let src = s.dir.join(m);
            let named = place(&src, "machines-", &mut unique)?;
            set_keeping_decor(c, "machines", named);
        }
    }
    let out = inputs.join("scenario.toml");
    std::fs::write(&out, format!("{INPUTS_HEAD}{doc}")).map_err(|e| Error::write(&out, e))?;
    Ok(())
}

/// Sets `key` to a string, keeping the comments around an existing value.
fn set_keeping_decor(t: &mut dyn toml_edit::TableLike, key: &str, value: String) {
    match t.get_mut(key).and_then(|i| i.as_value_mut()) {
        Some(v) => {
            let decor = v.decor().clone();
            *v = toml_edit::Value::from(value);
            *v.decor_mut() = decor;
        }
        None => {
            t.insert(key, toml_edit::value(value));
        }
    }
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
