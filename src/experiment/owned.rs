//! Which files of a results folder are offersim's, and replacing only those. A user's file is
//! never deleted, renamed or overwritten: offersim writes into a folder only when it is new,
//! empty, or an offersim results folder, which it recognises by its manifest
//! (`.offersim-manifest`: every file offersim wrote there, one relative path a line). A rerun
//! replaces the files the manifest lists, removes those the new run no longer writes (a policy
//! not run any more) and leaves every other file alone.
//!
//! A run writes into a temporary folder inside the target (`.offersim-tmp-PID`, so that every
//! move is a rename within one file system) and its files move into place only when everything
//! succeeded. The manifest is first rewritten as old plus new, so that an interruption in the
//! middle of the moves still leaves every file of offersim's listed.
//!
//! Folders written before the manifest existed (a `summary.csv` with offersim's header and an
//! `inputs/scenario.toml`) are taken as offersim's: files of the same names are replaced, and
//! nothing is removed.

use super::cancel::Temp;
use crate::error::Error;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The marker and list of a results folder's own files.
pub const MANIFEST: &str = ".offersim-manifest";
const TMP_PREFIX: &str = ".offersim-tmp-";
const MANIFEST_HEAD: &str =
    "# An offersim results folder. offersim wrote the files listed below; a rerun into this\n\
# folder replaces them, removes those it no longer writes, and leaves every other file alone.\n";

/// What a target folder is, as far as offersim may touch it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ownership {
    /// Does not exist yet.
    Missing,
    /// An empty folder.
    Empty,
    /// An offersim results folder with its manifest.
    Listed(BTreeSet<String>),
    /// A results folder of an offersim from before the manifest.
    Legacy,
}

fn refuse(out: &Path, flag: &str, msg: String) -> Error {
    Error::input(format!("{flag} {}", out.display()), 0, "", msg)
}

/// Reads a manifest: relative paths, one a line; `#` lines are comments.
fn read_manifest(path: &Path) -> Result<BTreeSet<String>, Error> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::read(path, e))?;
    Ok(text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        // Only paths below the folder: a manifest naming `../x` or `/x` is not honoured.
        .filter(|l| {
            let p = Path::new(l);
            p.is_relative()
                && p.components()
                    .all(|c| matches!(c, std::path::Component::Normal(_)))
        })
        .map(str::to_string)
        .collect())
}

fn write_manifest(dir: &Path, files: &BTreeSet<String>) -> Result<(), Error> {
    let mut text = MANIFEST_HEAD.to_string();
    for f in files {
        text.push_str(f);
        text.push('\n');
    }
    // Written beside and renamed, so a reader never sees half a list.
    let tmp = dir.join(format!("{MANIFEST}.tmp-{}", std::process::id()));
    std::fs::write(&tmp, text).map_err(|e| Error::write(&tmp, e))?;
    let path = dir.join(MANIFEST);
    std::fs::rename(&tmp, &path).map_err(|e| Error::write(&path, e))
}

/// A folder an older offersim wrote: its summary header and its copy of the scenario.
fn looks_legacy(dir: &Path) -> bool {
    let head = std::fs::read_to_string(dir.join("summary.csv"))
        .ok()
        .and_then(|t| t.lines().next().map(str::to_string));
    head.is_some_and(|h| h.starts_with("policy,replication,seed,"))
        && dir.join("inputs").join("scenario.toml").is_file()
}

/// Decides whether offersim may write a results folder at `out`; the error says why not.
/// `flag` names the option the path came from (`--out`, `--baseline`), `name` the folder a
/// refusal suggests instead.
pub fn ownership(out: &Path, flag: &str, name: &str) -> Result<Ownership, Error> {
    let meta = match std::fs::metadata(out) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            // A dangling symlink is a name the user made: leave it alone.
            if std::fs::symlink_metadata(out).is_ok() {
                return Err(refuse(
                    out,
                    flag,
                    "is a symbolic link to nothing; offersim does not replace it".into(),
                ));
            }
            return Ok(Ownership::Missing);
        }
        Err(e) => return Err(Error::read(out, e)),
    };
    if !meta.is_dir() {
        return Err(refuse(
            out,
            flag,
            format!(
                "is a file, not a folder; offersim writes a results folder there and never \
                 replaces a file it did not write (try {})",
                suggestion(out, name)
            ),
        ));
    }
    let manifest = out.join(MANIFEST);
    if manifest.is_file() {
        return Ok(Ownership::Listed(read_manifest(&manifest)?));
    }
    let mut entries = std::fs::read_dir(out).map_err(|e| Error::read(out, e))?;
    if entries.next().is_none() {
        return Ok(Ownership::Empty);
    }
    if looks_legacy(out) {
        return Ok(Ownership::Legacy);
    }
    Err(refuse(
        out,
        flag,
        format!(
            "the folder is not empty and is not an offersim results folder (it has no \
             {MANIFEST}); offersim never deletes or replaces files it did not write. Choose a \
             new or empty folder, e.g. {}",
            suggestion(out, name)
        ),
    ))
}

fn suggestion(out: &Path, name: &str) -> String {
    if out.is_dir() {
        out.join(name).display().to_string()
    } else {
        let parent = out.parent().filter(|p| !p.as_os_str().is_empty());
        parent
            .map(|p| p.join(name))
            .unwrap_or_else(|| PathBuf::from(name))
            .display()
            .to_string()
    }
}

/// Every file below `dir`, as sorted relative paths with `/` separators.
fn files_below(dir: &Path) -> Result<BTreeSet<String>, Error> {
    let mut out = BTreeSet::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).map_err(|e| Error::read(&d, e))? {
            let e = e.map_err(|e| Error::read(&d, e))?;
            let p = e.path();
            let ft = e.file_type().map_err(|e| Error::read(&p, e))?;
            if ft.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).expect("below dir");
                let parts: Vec<String> = rel
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().to_string())
                    .collect();
                out.insert(parts.join("/"));
            }
        }
    }
    Ok(out)
}

/// Redraws what `offersim plot` derives from a results folder's CSV files, in place, only in a
/// folder offersim wrote (manifest or pre-manifest) and only over its own files; the files it
/// adds join the manifest.
pub fn redraw(dir: &Path, draw: impl FnOnce(&Path) -> Result<(), Error>) -> Result<(), Error> {
    if dir.is_dir() && !dir.join(MANIFEST).is_file() && !looks_legacy(dir) {
        return Err(refuse(
            dir,
            "plot",
            format!(
                "is not an offersim results folder (it has no {MANIFEST}); `offersim plot` \
                 redraws only folders offersim wrote, and never replaces a file it did not write"
            ),
        ));
    }
    let listed = match ownership(dir, "plot", "results")? {
        Ownership::Listed(l) => Some(l),
        Ownership::Legacy => None,
        Ownership::Missing | Ownership::Empty => {
            return Err(refuse(
                dir,
                "plot",
                "is not a results folder (no summary.csv); run a scenario into it first".into(),
            ))
        }
    };
    let before = files_below(dir)?;
    if let Some(l) = &listed {
        // What a redraw writes at the top of the folder: the derived tables, the page, plots.
        let derived = |f: &str| {
            !f.contains('/')
                && (f.ends_with(".svg")
                    || ["compare.csv", "compare_frameworks.csv", "report.html"].contains(&f))
        };
        if let Some(f) = before.iter().find(|f| derived(f) && !l.contains(*f)) {
            return Err(refuse(
                &dir.join(f),
                "plot",
                format!(
                    "a redraw would replace {f}, which offersim did not write (not in \
                     {MANIFEST}); move it away and run again"
                ),
            ));
        }
    }
    draw(dir)?;
    if let Some(l) = listed {
        let after = files_below(dir)?;
        let mut now = l;
        now.extend(
            after
                .difference(&before)
                .filter(|f| f.as_str() != MANIFEST)
                .cloned(),
        );
        write_manifest(dir, &now)?;
    }
    Ok(())
}

/// What a commit did, for the messages after a run.
#[derive(Debug, Default)]
pub struct Committed {
    /// Files offersim had written there before and no longer writes, now removed.
    pub removed: usize,
    /// Files of a pre-manifest folder that this run did not write, kept (they may be the
    /// user's or an older run's).
    pub kept_unlisted: usize,
}

/// A results folder being written: the target, and the temporary folder inside it that the run
/// writes into.
pub struct Staging {
    out: PathBuf,
    flag: String,
    before: Ownership,
    tmp: Option<Temp>,
    /// Folders created for the target (deepest last), removed again if the run fails and they
    /// are still empty.
    created: Vec<PathBuf>,
}

impl Staging {
    /// Checks `out` (see [`ownership`]), creates it if needed and a temporary folder in it.
    pub fn begin(out: &Path, flag: &str, name: &str) -> Result<Staging, Error> {
        let before = ownership(out, flag, name)?;
        let mut created = Vec::new();
        if before == Ownership::Missing {
            let mut missing = Vec::new();
            let mut p = Some(out);
            while let Some(d) = p.filter(|d| !d.as_os_str().is_empty() && !d.exists()) {
                missing.push(d.to_path_buf());
                p = d.parent();
            }
            std::fs::create_dir_all(out).map_err(|e| Error::write(out, e))?;
            missing.reverse();
            created = missing;
        }
        let tmp = out.join(format!("{TMP_PREFIX}{}", std::process::id()));
        let guard = Temp::register(tmp.clone());
        if tmp.exists() {
            // Left by an earlier process with this id: it is offersim's by its name.
            std::fs::remove_dir_all(&tmp).map_err(|e| Error::write(&tmp, e))?;
        }
        std::fs::create_dir(&tmp).map_err(|e| Error::write(&tmp, e))?;
        Ok(Staging {
            out: out.to_path_buf(),
            flag: flag.to_string(),
            before,
            tmp: Some(guard),
            created,
        })
    }

    /// Where the run writes.
    pub fn dir(&self) -> &Path {
        self.tmp.as_ref().expect("not committed yet").path()
    }

    pub fn out(&self) -> &Path {
        &self.out
    }

    /// Moves the run's files into place. Nothing of the user's is touched: a new file whose
    /// name is taken by a file offersim did not write stops the commit before anything moves.
    pub fn commit(mut self) -> Result<Committed, Error> {
        let tmp = self.dir().to_path_buf();
        let new = files_below(&tmp)?;
        let (old, legacy) = match &self.before {
            Ownership::Listed(l) => (l.clone(), false),
            Ownership::Legacy => (BTreeSet::new(), true),
            _ => (BTreeSet::new(), false),
        };
        if !legacy {
            for f in &new {
                let mut p = self.out.clone();
                // Every prefix of the path must be free or offersim's: a user's file named
                // like one of offersim's folders blocks as much as one named like its file.
                let parts: Vec<&str> = f.split('/').collect();
                for (k, part) in parts.iter().enumerate() {
                    p.push(part);
                    let last = k + 1 == parts.len();
                    let Ok(m) = std::fs::symlink_metadata(&p) else {
                        break;
                    };
                    if (last && !old.contains(f)) || (!last && !m.is_dir()) {
                        return Err(refuse(
                            &p,
                            &self.flag,
                            format!(
                                "offersim would write {f} here, but this file is not one it \
                                 wrote (not in {MANIFEST}); move it away and run again (or, if \
                                 an offersim did write it, e.g. results merged from another \
                                 branch, add `{f}` to {MANIFEST})"
                            ),
                        ));
                    }
                }
            }
        }
        let union: BTreeSet<String> = old.union(&new).cloned().collect();
        write_manifest(&self.out, &union)?;
        for f in &new {
            let (from, to) = (tmp.join(f), self.out.join(f));
            if let Some(parent) = to.parent() {
                std::fs::create_dir_all(parent).map_err(|e| Error::write(parent, e))?;
            }
            std::fs::rename(&from, &to).map_err(|e| Error::write(&to, e))?;
        }
        let mut done = Committed::default();
        for f in old.difference(&new) {
            let p = self.out.join(f);
            if std::fs::symlink_metadata(&p).is_ok_and(|m| m.is_file()) {
                std::fs::remove_file(&p).map_err(|e| Error::write(&p, e))?;
                done.removed += 1;
            }
            // Folders that held only offersim's files go with them; `remove_dir` fails on a
            // folder that still holds anything, which keeps the user's files safe.
            let mut d = p.parent();
            while let Some(dir) = d.filter(|d| *d != self.out.as_path()) {
                if std::fs::remove_dir(dir).is_err() {
                    break;
                }
                d = dir.parent();
            }
        }
        write_manifest(&self.out, &new)?;
        if legacy {
            done.kept_unlisted = files_below(&self.out)?
                .iter()
                .filter(|f| !new.contains(*f) && f.as_str() != MANIFEST)
                .filter(|f| !f.starts_with(TMP_PREFIX))
                .count();
        }
        // Only empty folders are left in the temporary folder now.
        let guard = self.tmp.take().expect("not committed yet");
        std::fs::remove_dir_all(&tmp).map_err(|e| Error::write(&tmp, e))?;
        guard.keep();
        self.created.clear();
        Ok(done)
    }
}

impl Drop for Staging {
    /// An uncommitted run leaves nothing: its temporary folder goes, and so do the folders it
    /// created for the target (only while they are empty).
    fn drop(&mut self) {
        drop(self.tmp.take());
        for d in self.created.iter().rev() {
            if std::fs::remove_dir(d).is_err() {
                break;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmp(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("offersim-owned-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    fn stage_with(out: &Path, files: &[&str]) -> Result<Committed, Error> {
        let s = Staging::begin(out, "--out", "x")?;
        for f in files {
            let p = s.dir().join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, "new").unwrap();
        }
        s.commit()
    }

    #[test]
    fn rerun_replaces_its_files_removes_its_stale_ones_and_keeps_the_users() {
        let d = tmp("rerun");
        let out = d.join("r");
        stage_with(&out, &["summary.csv", "a/0/tasks.csv", "b/0/tasks.csv"]).unwrap();
        std::fs::write(out.join("notes.txt"), "mine").unwrap();
        std::fs::write(out.join("b/0/mine.txt"), "mine").unwrap();
        let c = stage_with(&out, &["summary.csv", "a/0/tasks.csv"]).unwrap();
        assert_eq!(c.removed, 1);
        assert_eq!(
            std::fs::read_to_string(out.join("notes.txt")).unwrap(),
            "mine"
        );
        assert_eq!(
            std::fs::read_to_string(out.join("b/0/mine.txt")).unwrap(),
            "mine"
        );
        assert!(!out.join("b/0/tasks.csv").exists());
        let m = read_manifest(&out.join(MANIFEST)).unwrap();
        assert_eq!(
            m.into_iter().collect::<Vec<_>>(),
            ["a/0/tasks.csv", "summary.csv"]
        );
        // No temporary folder is left.
        assert!(std::fs::read_dir(&out).unwrap().all(|e| !e
            .unwrap()
            .file_name()
            .to_string_lossy()
            .starts_with(TMP_PREFIX)));
    }

    #[test]
    fn a_users_file_in_the_way_stops_the_commit_before_anything_moves() {
        let d = tmp("collide");
        let out = d.join("r");
        stage_with(&out, &["summary.csv"]).unwrap();
        std::fs::write(out.join("report.html"), "mine").unwrap();
        let e = stage_with(&out, &["summary.csv", "report.html"]).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert!(e.to_string().contains("report.html"), "{e}");
        assert_eq!(
            std::fs::read_to_string(out.join("report.html")).unwrap(),
            "mine"
        );
        assert_eq!(
            std::fs::read_to_string(out.join("summary.csv")).unwrap(),
            "new"
        );
    }

    #[test]
    fn a_failed_run_removes_the_folders_it_created() {
        let d = tmp("fail");
        let out = d.join("a/b/r");
        let s = Staging::begin(&out, "--out", "x").unwrap();
        std::fs::write(s.dir().join("summary.csv"), "x").unwrap();
        drop(s);
        assert!(!d.join("a").exists());
    }

    #[test]
    fn files_folders_and_foreign_folders_are_refused() {
        let d = tmp("refuse");
        std::fs::write(d.join("afile"), "mine").unwrap();
        assert_eq!(
            ownership(&d.join("afile"), "--out", "x")
                .unwrap_err()
                .exit_code(),
            2
        );
        std::fs::create_dir_all(d.join("proj")).unwrap();
        std::fs::write(d.join("proj/thesis.tex"), "mine").unwrap();
        let e = ownership(&d.join("proj"), "--out", "x").unwrap_err();
        assert!(
            e.to_string().contains("not an offersim results folder"),
            "{e}"
        );
        std::fs::create_dir_all(d.join("empty")).unwrap();
        assert_eq!(
            ownership(&d.join("empty"), "--out", "x").unwrap(),
            Ownership::Empty
        );
        assert_eq!(
            ownership(&d.join("new"), "--out", "x").unwrap(),
            Ownership::Missing
        );
    }
}
