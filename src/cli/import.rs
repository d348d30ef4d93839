//! `offersim import FORMAT INPUT... --out TRACE.csv`: converts a public trace to the native
//! trace (and optionally a machines file), then prints what was kept and skipped, by reason.

use crate::workload::import::{self, Format, Params, Request};
use anyhow::Context;
use std::io::IsTerminal;
use std::path::PathBuf;

#[derive(clap::Args, Debug, Clone)]
pub struct ImportArgs {
    /// The input format.
    #[arg(value_parser = Format::NAMES)]
    pub format: String,
    /// Input files (`.gz` is decompressed). Multi-table formats tell tables apart by file name
    /// (google2011: task_events, job_events, machine_events; alibaba2018: batch_task,
    /// batch_instance, machine_meta; alibaba2017: batch_task, batch_instance, server_event,
    /// server_usage) or, for alibaba-gpu2023, by header.
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    /// The native trace to write.
    #[arg(long)]
    pub out: PathBuf,
    /// Also write a machines file (`cluster.machines = "..."` in a scenario).
    #[arg(long)]
    pub machines_out: Option<PathBuf>,
    /// No progress bar and no summary (warnings are still printed).
    #[arg(long, short)]
    pub quiet: bool,
    #[command(flatten)]
    pub params: Params,
}

pub fn main(a: ImportArgs) -> anyhow::Result<i32> {
    let format = Format::parse(&a.format)
        .ok_or_else(|| import::bad_param("format", format!("unknown format {}", a.format)))?;
    let req = Request {
        format,
        inputs: &a.inputs,
        out: &a.out,
        machines_out: a.machines_out.as_deref(),
        params: &a.params,
        progress: !a.quiet && std::io::stderr().is_terminal(),
    };
    let summary = import::run(&req)
        .with_context(|| format!("importing {} file(s) as {}", a.inputs.len(), a.format))?;
    if !a.quiet {
        eprint!("{summary}");
        eprintln!("trace: {}", a.out.display());
        if let Some(m) = &a.machines_out {
            eprintln!("machines: {}", m.display());
        }
    }
    // A replay would otherwise hit these silently, so --quiet does not hide them.
    for w in &summary.warnings {
        eprintln!("warning: {w}");
    }
    Ok(0)
}
