//! Joining the results folders of `offersim run --shard I/N` into the folder an unsharded run
//! writes: the same summary rows in the same order, the same per-run folders, and compare.csv,
//! plots and report.html redrawn from them. A set with a shard missing or twice is refused, and
//! so is one whose shards ran different grids: another effective seed or replication count, or
//! other scenario or trace contents (by the digests each shard records in shard.csv).

use super::folder::SHARD_FILE;
use super::owned::Staging;
use crate::error::Error;
use crate::report::compare::read_table;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn copy_tree(from: &Path, to: &Path) -> Result<(), Error> {
    std::fs::create_dir_all(to).map_err(|e| Error::write(to, e))?;
    let mut entries: Vec<PathBuf> = std::fs::read_dir(from)
        .map_err(|e| Error::read(from, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for p in entries {
        let dest = to.join(p.file_name().expect("entry has a name"));
        if p.is_dir() {
            copy_tree(&p, &dest)?;
        } else {
            std::fs::copy(&p, &dest).map_err(|e| Error::write(&dest, e))?;
        }
    }
    Ok(())
}

/// One shard: its number, the shard count, and its rows by grid index.
struct Shard {
    dir: PathBuf,
    shard: usize,
    shards: usize,
    /// grid index -> (policy, replication)
    items: BTreeMap<usize, (String, String)>,
    /// What every shard of one grid shares, by shard.csv column: seed, replications,
    /// scenario_sha256, trace_sha256.
    grid: Vec<(&'static str, String)>,
}

/// The shard.csv columns that every shard of one grid must agree on.
const GRID_COLS: [&str; 4] = ["seed", "replications", "scenario_sha256", "trace_sha256"];

fn read_shard(dir: &Path) -> Result<Shard, Error> {
    let path = dir.join(SHARD_FILE);
    let t = read_table(&path).map_err(|_| {
        Error::input(
            dir.display().to_string(),
            0,
            SHARD_FILE,
            "not a shard's results folder (no readable shard.csv; run with --shard I/N)",
        )
    })?;
    let file = path.display().to_string();
    let col = |n: &str| {
        t.col(n)
            .ok_or_else(|| Error::input(&file, 1, n, format!("column `{n}` is missing")))
    };
    let (cs, cn, ci, cp, cr) = (
        col("shard")?,
        col("shards")?,
        col("index")?,
        col("policy")?,
        col("replication")?,
    );
    let grid_cols: Vec<usize> = GRID_COLS
        .iter()
        .map(|n| {
            t.col(n).ok_or_else(|| {
                Error::input(
                    &file,
                    1,
                    *n,
                    format!(
                        "column `{n}` is missing: this shard was written by an offersim that did \
                         not record its seed and input digests; run it again"
                    ),
                )
            })
        })
        .collect::<Result<_, _>>()?;
    let mut s = Shard {
        dir: dir.to_path_buf(),
        shard: 0,
        shards: 0,
        items: BTreeMap::new(),
        grid: Vec::new(),
    };
    for (k, row) in t.rows.iter().enumerate() {
        let num = |c: usize, what: &str| -> Result<usize, Error> {
            row[c].parse().map_err(|_| {
                Error::input(
                    &file,
                    k + 2,
                    what,
                    format!("expected an integer, got \"{}\"", row[c]),
                )
            })
        };
        s.shard = num(cs, "shard")?;
        s.shards = num(cn, "shards")?;
        s.items
            .insert(num(ci, "index")?, (row[cp].clone(), row[cr].clone()));
        let grid: Vec<(&'static str, String)> = GRID_COLS
            .iter()
            .zip(&grid_cols)
            .map(|(n, &c)| (*n, row[c].clone()))
            .collect();
        if k > 0 && grid != s.grid {
            return Err(Error::input(
                &file,
                k + 2,
                "seed",
                "the rows of one shard.csv disagree on the grid they belong to",
            ));
        }
        s.grid = grid;
    }
    Ok(s)
}

pub fn merge(dirs: &[PathBuf], out: &Path) -> Result<(), Error> {
    let shards: Vec<Shard> = dirs
        .iter()
        .map(|d| read_shard(d))
        .collect::<Result<_, _>>()?;
    let n = shards.first().map(|s| s.shards).unwrap_or(0);
    let first_grid = shards.first().map(|s| s.grid.clone()).unwrap_or_default();
    let mut seen_shards = std::collections::BTreeSet::new();
    for s in &shards {
        if s.shards != n {
            return Err(Error::input(
                s.dir.display().to_string(),
                0,
                "shards",
                format!(
                    "this folder is shard {} of {}, others are of {n}",
                    s.shard, s.shards
                ),
            ));
        }
        for ((col, mine), (_, first)) in s.grid.iter().zip(&first_grid) {
            if mine != first {
                let what = match *col {
                    "seed" => "were run with different seeds (--seed or the scenario's seed)",
                    "replications" => "were run with different numbers of replications",
                    "scenario_sha256" => {
                        "come from different scenario contents (the scenario, policy or \
                         machines files differ)"
                    }
                    _ => "were run on different trace contents",
                };
                return Err(Error::input(
                    s.dir.join(SHARD_FILE).display().to_string(),
                    2,
                    *col,
                    format!(
                        "the shards {what}: {col} is {mine} here but {first} in {}",
                        shards[0].dir.display()
                    ),
                ));
            }
        }
        if !seen_shards.insert(s.shard) {
            return Err(Error::input(
                s.dir.display().to_string(),
                0,
                "shard",
                format!("shard {}/{n} is given twice", s.shard),
            ));
        }
    }
    if seen_shards.len() != n {
        let missing: Vec<String> = (1..=n)
            .filter(|i| !seen_shards.contains(i))
            .map(|i| format!("{i}/{n}"))
            .collect();
        return Err(Error::input(
            "merge",
            0,
            "dirs",
            format!("shards missing: {}", missing.join(", ")),
        ));
    }
    // Summary and perf rows keyed by grid index, so the merged order is the unsharded one.
    let mut header: Option<Vec<String>> = None;
    let mut perf_header: Option<Vec<String>> = None;
    let mut rows: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    let mut perf_rows: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    for s in &shards {
        for (file, hdr, into) in [
            ("summary.csv", &mut header, &mut rows),
            ("perf.csv", &mut perf_header, &mut perf_rows),
        ] {
            let t = read_table(&s.dir.join(file))?;
            let key: BTreeMap<(String, String), usize> =
                s.items.iter().map(|(k, v)| (v.clone(), *k)).collect();
            let (cp, cr) = (
                t.col("policy").unwrap_or(0),
                t.col("replication").unwrap_or(1),
            );
            for row in &t.rows {
                let k = key
                    .get(&(row[cp].clone(), row[cr].clone()))
                    .ok_or_else(|| {
                        Error::input(
                            s.dir.join(file).display().to_string(),
                            0,
                            "policy",
                            format!(
                                "row {}/{} is not in this shard's shard.csv",
                                row[cp], row[cr]
                            ),
                        )
                    })?;
                into.insert(*k, row.clone());
            }
            *hdr = Some(t.header.clone());
        }
    }
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| "merged".into());
    let stage = Staging::begin(out, "--out", &name)?;
    let tmp = stage.dir().to_path_buf();
    let result = (|| {
        for s in &shards {
            // Only what offersim wrote there: the inputs and the runs' folders.
            let mut entries: Vec<PathBuf> = std::iter::once(crate::report::INPUTS_DIR.to_string())
                .chain(s.items.values().map(|(policy, _)| policy.clone()))
                .collect::<std::collections::BTreeSet<String>>()
                .into_iter()
                .map(|d| s.dir.join(d))
                .filter(|p| p.is_dir())
                .collect();
            entries.sort();
            for p in entries {
                copy_tree(&p, &tmp.join(p.file_name().expect("named")))?;
            }
        }
        for (name, hdr, rs) in [
            ("summary.csv", &header, &rows),
            ("perf.csv", &perf_header, &perf_rows),
        ] {
            let path = tmp.join(name);
            let hdr: Vec<&str> = hdr
                .as_ref()
                .map(|h| h.iter().map(String::as_str).collect())
                .unwrap_or_default();
            let mut w = crate::metrics::files::create(&path, &hdr)?;
            for r in rs.values() {
                w.write_record(r)
                    .map_err(|e| Error::write(&path, e.into()))?;
            }
            w.flush().map_err(|e| Error::write(&path, e))?;
        }
        crate::report::finish(&tmp)?;
        Ok(())
    })();
    result?;
    stage.commit()?;
    Ok(())
}
