//! `offersim check SCENARIO [--baseline FILE] [--update] [--check-invariants]`: the regression guard. Runs are
//! deterministic, so a scenario's summary must match its committed baseline exactly, except in
//! the columns its `[check] tolerance` loosens. Exit 0 when it matches, 1 on a regression, 2 on
//! bad input (including a missing baseline). `--update` rewrites the whole results folder.

use super::say::sayln;
use crate::experiment::{self, PlanOptions};
use crate::report::compare::Difference;
use std::path::{Path, PathBuf};

#[derive(clap::Args, Debug, Clone)]
pub struct CheckArgs {
    /// Runs at once (default: the number of cores).
    #[arg(long, short = 'j')]
    pub jobs: Option<usize>,
    /// The scenario file (TOML).
    pub scenario: PathBuf,
    /// The baseline summary.csv (default: results/NAME/summary.csv, NAME the scenario's name).
    #[arg(long)]
    pub baseline: Option<PathBuf>,
    /// Rerun the scenario and replace the baseline's results folder with the new results.
    #[arg(long)]
    pub update: bool,
    /// Check the simulation invariants after every event (as `run --check-invariants`).
    #[arg(long)]
    pub check_invariants: bool,
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
    let mut p = experiment::plan(
        &a.scenario,
        &PlanOptions {
            jobs: a.jobs,
            check_invariants: a.check_invariants,
            ..Default::default()
        },
    )?;
    super::run::warn(&p.warnings);
    let file = a.scenario.display().to_string();
    let baseline = a
        .baseline
        .clone()
        .unwrap_or_else(|| p.out.join("summary.csv"));
    let watch = super::progress::Terminal::new(a.quiet);
    if a.update {
        p.out = baseline
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_path_buf();
        if a.baseline.is_some() {
            p.out_flag = "--baseline".into();
        }
        experiment::run_plan(&p, &watch)?;
        sayln!("baseline updated: {}", p.out.display());
        return Ok(0);
    }
    let report = experiment::check(&mut p, &baseline, &watch)?;
    if report.diffs.is_empty() {
        sayln!(
            "check passed: {} ({} runs) matches {}",
            file,
            report.runs,
            baseline.display()
        );
        return Ok(0);
    }
    super::say::say(format_args!("{}", render(&report.diffs)));
    sayln!(
        "check FAILED: {} difference(s) from {}.\nIf the change is intended, update the \
         baseline with `offersim check {file} --update` and commit it.",
        report.diffs.len(),
        baseline.display()
    );
    Ok(1)
}
