//! `offersim check SCENARIO [--baseline FILE] [--update]`: the regression guard. Runs are
//! deterministic, so a scenario's summary must match its committed baseline exactly, except in
//! the columns its `[check] tolerance` loosens. Exit 0 when it matches, 1 on a regression, 2 on
//! bad input (including a missing baseline). `--update` rewrites the whole results folder.

use super::run::{execute, plan, run_plan, summary_row, RunArgs};
use crate::error::Error;
use crate::report::compare::{diff, read_table, Difference, Table};
use crate::report::csv_out::SUMMARY_COLS;
use crate::run::Outputs;
use std::path::{Path, PathBuf};

#[derive(clap::Args, Debug, Clone)]
pub struct CheckArgs {
    /// Runs at once (default: the number of cores).
    #[arg(long, short = 'j')]
    pub jobs: Option<usize>,
    /// The scenario file (TOML).
    pub scenario: PathBuf,
    /// The baseline summary.csv (default: results/<scenario name>/summary.csv).
    #[arg(long)]
    pub baseline: Option<PathBuf>,
    /// Rerun the scenario and replace the baseline's results folder with the new results.
    #[arg(long)]
    pub update: bool,
    /// No progress output.
    #[arg(long, short)]
    pub quiet: bool,
}

fn render(diffs: &[Difference]) -> String {
    let mut rows = vec![[
        "policy".to_string(),
        "replication".into(),
        "column".into(),
        "baseline".into(),
        "current".into(),
        "difference".into(),
        "tolerance".into(),
    ]];
    for d in diffs {
        rows.push([
            d.policy.clone(),
            d.replication.clone(),
            d.column.clone(),
            d.baseline.clone(),
            d.current.clone(),
            d.delta()
                .map(|x| {
                    format!(
                        "{}{}",
                        if x > 0.0 { "+" } else { "" },
                        crate::report::fmt_f(x)
                    )
                })
                .unwrap_or_default(),
            format!("{}", d.tolerance),
        ]);
    }
    let widths: Vec<usize> = (0..7)
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for (k, r) in rows.iter().enumerate() {
        let cells: Vec<String> = r
            .iter()
            .zip(&widths)
            .map(|(v, w)| format!("{v:<w$}"))
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
        if k == 0 {
            out.push_str(&"-".repeat(widths.iter().sum::<usize>() + 12));
            out.push('\n');
        }
    }
    out
}

pub fn main(a: CheckArgs) -> anyhow::Result<i32> {
    let mut p = plan(&RunArgs {
        scenario: a.scenario.clone(),
        out: None,
        seed: None,
        replications: None,
        policies: Vec::new(),
        check_invariants: false,
        outputs: "all".into(),
        quiet: a.quiet,
        jobs: a.jobs,
        shard: None,
    })?;
    let file = a.scenario.display().to_string();
    for k in p.scenario.tolerance.keys() {
        if !SUMMARY_COLS.contains(&k.as_str()) {
            return Err(Error::input(
                &file,
                0,
                "check.tolerance",
                format!(
                    "\"{k}\" is not a summary column (expected one of: {})",
                    SUMMARY_COLS[3..].join(", ")
                ),
            )
            .into());
        }
    }
    let baseline = a
        .baseline
        .clone()
        .unwrap_or_else(|| p.out.join("summary.csv"));
    if a.update {
        p.out = baseline
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_path_buf();
        run_plan(&p, a.quiet)?;
        println!("baseline updated: {}", p.out.display());
        return Ok(0);
    }
    if !baseline.is_file() {
        return Err(Error::input(
            baseline.display().to_string(),
            0,
            "",
            format!(
                "no baseline to check against; create it with `offersim check {file} --update`"
            ),
        )
        .into());
    }
    let base = read_table(&baseline)?;

    // Only the summary is compared: run without per-run files, in a folder of our own.
    p.outputs = Outputs::Summary;
    let tmp = std::env::temp_dir().join(format!("offersim-check-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).map_err(|e| Error::write(&tmp, e))?;
    let outcomes = execute(&p, &tmp, a.quiet);
    let _ = std::fs::remove_dir_all(&tmp);
    let outcomes = outcomes?;
    let current = Table {
        header: SUMMARY_COLS.iter().map(|s| s.to_string()).collect(),
        rows: outcomes.iter().map(summary_row).collect(),
    };
    let diffs = diff(&base, &current, &p.scenario.tolerance);
    if diffs.is_empty() {
        println!(
            "check passed: {} ({} runs) matches {}",
            file,
            current.rows.len(),
            baseline.display()
        );
        return Ok(0);
    }
    print!("{}", render(&diffs));
    println!(
        "check FAILED: {} difference(s) from {}.\nIf the change is intended, update the \
         baseline with `offersim check {file} --update` and commit it.",
        diffs.len(),
        baseline.display()
    );
    Ok(1)
}
