//! One output file that the user names (`gen --out`, `import --out`, `--machines-out`). offersim
//! writes through symbolic links (into the file the link points at; the link stays), streams to
//! devices and pipes (`/dev/stdout` or `-`, `/dev/null`), and never replaces a file it did not write:
//! an existing regular file is replaced only when it is empty or already a file of the kind
//! offersim writes there (its first line is a native trace's or a machines file's header).
//!
//! A regular file is written to a temporary name beside it and renamed over it at the end, so a
//! failed or interrupted command leaves the earlier file as it was; the temporary file is
//! registered with `experiment::cancel`, so Ctrl-C removes it.

use crate::error::Error;
use crate::experiment::cancel::Temp;
use std::fs::File;
use std::io::{BufWriter, Read};
use std::path::{Path, PathBuf};

/// What the file holds, which decides what counts as offersim's own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A native trace (DESIGN §4.1).
    Trace,
    /// A machines file (`cluster.machines`).
    Machines,
}

impl Kind {
    /// Whether `header` (a file's first line) is one offersim writes for this kind: every
    /// column is one of the kind's and the required ones are there.
    fn is_ours(self, header: &str) -> bool {
        let cols: Vec<&str> = header
            .trim_start_matches('\u{feff}')
            .trim_end()
            .split(',')
            .map(str::trim)
            .collect();
        let (required, optional): (&[&str], &[&str]) = match self {
            Kind::Trace => (
                &crate::workload::trace::REQUIRED,
                &crate::workload::trace::OPTIONAL,
            ),
            Kind::Machines => (
                &crate::workload::machines::COLUMNS[..4],
                &crate::workload::machines::COLUMNS[4..],
            ),
        };
        required.iter().all(|r| cols.contains(r))
            && cols
                .iter()
                .all(|c| required.contains(c) || optional.contains(c))
    }

    fn what(self) -> &'static str {
        match self {
            Kind::Trace => "trace",
            Kind::Machines => "machines file",
        }
    }
}

enum Mode {
    /// A regular file (or a new one): written beside, renamed over it.
    Replace,
    /// A device, pipe or socket, or the process's own streams: written as it is.
    Stream,
}

/// An output file checked and ready to be written.
pub struct OutFile {
    /// The path as the user gave it, for messages.
    shown: PathBuf,
    /// Where the bytes go: the path with symbolic links followed.
    target: PathBuf,
    mode: Mode,
    temp: Option<Temp>,
}

/// Follows symbolic links by hand (up to a device's or the process's streams' name), so that a link to a file that does not exist yet still
/// names where to write.
fn follow_links(path: &Path) -> Result<PathBuf, Error> {
    let mut p = path.to_path_buf();
    for _ in 0..40 {
        // The kernel resolves the streams' own links (to `pipe:[N]` and the like).
        if is_stream_name(&p) {
            return Ok(p);
        }
        match std::fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_symlink() => {
                let to = std::fs::read_link(&p).map_err(|e| Error::read(&p, e))?;
                p = if to.is_absolute() {
                    to
                } else {
                    p.parent().unwrap_or(Path::new(".")).join(to)
                };
            }
            _ => return Ok(p),
        }
    }
    Err(Error::input(
        path.display().to_string(),
        0,
        "",
        "too many levels of symbolic links",
    ))
}

/// The process's own streams under any of their names: `/dev/stdout` may lead to a regular
/// file the shell redirected, which must be written where the shell put it, not replaced.
fn is_stream_name(path: &Path) -> bool {
    let s = path.to_string_lossy();
    s == "-" || ["/dev/", "/proc/self/fd/"].iter().any(|p| s.starts_with(p))
}

/// Standard output or error when `path` names them (`-` is standard output): a duplicate of
/// the process's own descriptor.
fn std_stream(path: &Path) -> Option<std::io::Result<File>> {
    use std::os::fd::AsFd;
    let s = path.to_string_lossy();
    let out = ["-", "/dev/stdout", "/dev/fd/1", "/proc/self/fd/1"].contains(&s.as_ref());
    let err = ["/dev/stderr", "/dev/fd/2", "/proc/self/fd/2"].contains(&s.as_ref());
    if out {
        Some(
            std::io::stdout()
                .as_fd()
                .try_clone_to_owned()
                .map(File::from),
        )
    } else if err {
        Some(
            std::io::stderr()
                .as_fd()
                .try_clone_to_owned()
                .map(File::from),
        )
    } else {
        None
    }
}

fn first_line(path: &Path) -> std::io::Result<String> {
    let mut buf = vec![0u8; 4096];
    let mut f = File::open(path)?;
    let n = f.read(&mut buf)?;
    buf.truncate(n);
    let text = String::from_utf8_lossy(&buf);
    Ok(text.lines().next().unwrap_or("").to_string())
}

impl OutFile {
    /// Checks that `path` may be written; nothing is created yet. `flag` names the option the
    /// path came from, for messages.
    pub fn prepare(path: &Path, flag: &str, kind: Kind) -> Result<OutFile, Error> {
        let refuse = |msg: String| Error::input(format!("{flag} {}", path.display()), 0, "", msg);
        let target = follow_links(path)?;
        if std_stream(&target).is_some() {
            return Ok(OutFile {
                shown: path.to_path_buf(),
                target,
                mode: Mode::Stream,
                temp: None,
            });
        }
        let mode = match std::fs::metadata(&target) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if is_stream_name(path) {
                    return Err(refuse("no such device".into()));
                }
                Mode::Replace
            }
            Err(e) => return Err(Error::read(&target, e)),
            Ok(m) if m.is_dir() => {
                return Err(refuse(format!(
                    "is a folder; give the {} file's name",
                    kind.what()
                )))
            }
            Ok(_) if is_stream_name(path) || is_stream_name(&target) => Mode::Stream,
            Ok(m) if !m.is_file() => Mode::Stream,
            Ok(m) => {
                let head = first_line(&target).map_err(|e| Error::read(&target, e))?;
                if m.len() > 0 && !kind.is_ours(&head) {
                    return Err(refuse(format!(
                        "the file exists and is not a {} offersim wrote (its first line is \
                         \"{}\"); offersim never replaces a file it did not write. Choose \
                         another name, or remove the file first",
                        kind.what(),
                        head.chars().take(60).collect::<String>()
                    )));
                }
                Mode::Replace
            }
        };
        Ok(OutFile {
            shown: path.to_path_buf(),
            target,
            mode,
            temp: None,
        })
    }

    /// The path as given.
    pub fn path(&self) -> &Path {
        &self.shown
    }

    /// A fresh folder for scratch files (an external sort's chunks): beside the target when it
    /// is a regular file, in the system's temporary folder otherwise. Removed when dropped, and
    /// on Ctrl-C.
    pub fn scratch_dir(&self) -> Result<Temp, Error> {
        let base = match self.mode {
            Mode::Replace => self
                .target
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .map(Path::to_path_buf)
                .unwrap_or_else(|| PathBuf::from(".")),
            Mode::Stream => std::env::temp_dir(),
        };
        std::fs::create_dir_all(&base).map_err(|e| Error::write(&base, e))?;
        let dir = base.join(format!(".{}.scratch-{}", self.name(), std::process::id()));
        let t = Temp::register(dir.clone());
        std::fs::create_dir_all(&dir).map_err(|e| Error::write(&dir, e))?;
        Ok(t)
    }

    fn name(&self) -> String {
        self.target
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_else(|| "out".into())
    }

    /// Opens the file for writing (a temporary file beside a regular target).
    pub fn create(&mut self) -> Result<BufWriter<File>, Error> {
        let f = match self.mode {
            Mode::Stream => match std_stream(&self.target) {
                // The process's own stream, shared with the shell (same file offset), so that
                // output redirected to a file lands where the shell expects it.
                Some(fd) => fd.map_err(|e| Error::write(&self.shown, e))?,
                None => std::fs::OpenOptions::new()
                    .append(true)
                    .open(&self.target)
                    .map_err(|e| Error::write(&self.shown, e))?,
            },
            Mode::Replace => {
                if let Some(dir) = self.target.parent().filter(|p| !p.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir).map_err(|e| Error::write(dir, e))?;
                }
                let tmp = self.target.with_file_name(format!(
                    ".{}.tmp-{}",
                    self.name(),
                    std::process::id()
                ));
                let guard = Temp::register(tmp.clone());
                let f = File::create(&tmp).map_err(|e| Error::write(&tmp, e))?;
                self.temp = Some(guard);
                f
            }
        };
        Ok(BufWriter::with_capacity(1 << 16, f))
    }

    /// Puts the written file in place (after the writer was flushed and dropped).
    pub fn commit(mut self) -> Result<(), Error> {
        if let Some(t) = self.temp.take() {
            // The replaced file's permissions carry over to its successor.
            if let Ok(m) = std::fs::metadata(&self.target) {
                let _ = std::fs::set_permissions(t.path(), m.permissions());
            }
            std::fs::rename(t.path(), &self.target).map_err(|e| Error::write(&self.shown, e))?;
            t.keep();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_offersim_writes_are_its_own() {
        assert!(Kind::Trace.is_ours("job_id,framework,submit_s,tasks,cpus,mem_mb,duration_s"));
        assert!(Kind::Trace.is_ours(
            "job_id,framework,submit_s,tasks,cpus,mem_mb,duration_s,disk_mb,gpus,priority,input"
        ));
        assert!(!Kind::Trace.is_ours("\\documentclass{article}"));
        assert!(!Kind::Trace.is_ours("job_id,framework"));
        assert!(Kind::Machines.is_ours("name,rack,cpus,mem_mb,disk_mb,gpus,add_s,remove_s"));
        assert!(!Kind::Machines.is_ours("job_id,framework,submit_s,tasks,cpus,mem_mb,duration_s"));
    }
}
