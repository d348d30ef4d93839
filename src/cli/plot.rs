//! `offersim plot DIR`: redraws a results folder's plots, compare.csv and report.html from its
//! CSV files alone (after editing them, or with a newer offersim), without running anything;
//! only in a folder offersim wrote, and only over its own files.

use super::say::sayln;
use anyhow::Context;
use std::path::PathBuf;

#[derive(clap::Args, Debug, Clone)]
pub struct PlotArgs {
    /// A results folder (with summary.csv), e.g. results/quickstart.
    pub dir: PathBuf,
}

pub fn main(a: PlotArgs) -> anyhow::Result<i32> {
    crate::experiment::owned::redraw(&a.dir, |d| crate::report::finish(d).map(|_| ()))
        .with_context(|| format!("plotting {}", a.dir.display()))?;
    sayln!("report: {}", a.dir.join("report.html").display());
    Ok(0)
}
