//! `offersim merge DIR... --out DIR`: joins the results folders of `offersim run --shard I/N`
//! (the work is `experiment::merge`).

use super::say::sayln;
use anyhow::Context;
use std::path::PathBuf;

#[derive(clap::Args, Debug, Clone)]
pub struct MergeArgs {
    /// The shards' results folders.
    #[arg(required = true)]
    pub dirs: Vec<PathBuf>,
    /// The merged results folder.
    #[arg(long)]
    pub out: PathBuf,
}

pub fn main(a: MergeArgs) -> anyhow::Result<i32> {
    crate::experiment::merge(&a.dirs, &a.out)
        .with_context(|| format!("merging into {}", a.out.display()))?;
    sayln!("merged {} shards into {}", a.dirs.len(), a.out.display());
    Ok(0)
}
