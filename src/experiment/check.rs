//! The regression guard: runs are deterministic, so a rerun's summary must match the committed
//! baseline exactly, except in the columns the scenario's `[check] tolerance` loosens.

use super::cancel::{Cooperating, Temp};
use super::folder::{execute, Watch};
use super::run::Outputs;
use super::RunPlan;
use crate::error::Error;
use crate::metrics::files::SUMMARY_COLS;
use crate::report::compare::{diff, read_table, Difference, Table};
use std::path::Path;

/// What a check found.
pub struct CheckReport {
    pub runs: usize,
    pub diffs: Vec<Difference>,
}

/// Reruns `p` (summary only, in a temporary folder of its own) and compares it with `baseline`.
pub fn check(p: &mut RunPlan, baseline: &Path, watch: &dyn Watch) -> Result<CheckReport, Error> {
    let file = p.scenario.path.display().to_string();
    if !baseline.is_file() {
        return Err(Error::input(
            baseline.display().to_string(),
            0,
            "",
            format!(
                "no baseline to check against; create it with `offersim check {file} --update`"
            ),
        ));
    }
    let base = read_table(baseline)?;
    p.outputs = Outputs::Summary;
    let _stop_by_itself = Cooperating::new();
    let tmp =
        Temp::register(std::env::temp_dir().join(format!("offersim-check-{}", std::process::id())));
    std::fs::create_dir_all(tmp.path()).map_err(|e| Error::write(tmp.path(), e))?;
    watch.begin(p.items().len(), p.jobs);
    let outcomes = execute(p, tmp.path(), watch);
    watch.end();
    drop(tmp);
    let outcomes = outcomes?;
    let current = Table {
        header: SUMMARY_COLS.iter().map(|s| s.to_string()).collect(),
        rows: outcomes.iter().map(|o| o.summary_row()).collect(),
    };
    Ok(CheckReport {
        runs: current.rows.len(),
        diffs: diff(&base, &current, &p.scenario.tolerance),
    })
}
