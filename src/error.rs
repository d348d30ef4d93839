//! Typed errors of the library. Input errors carry file, line and field so that the CLI can
//! print a message a user can act on and exit with code 2.

use std::fmt;
use std::path::Path;

/// Where in an input file a problem is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    pub file: String,
    /// 1-based line; 0 when the problem concerns the whole file.
    pub line: usize,
    pub field: String,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line > 0 {
            write!(f, "{}:{}", self.file, self.line)?;
        } else {
            write!(f, "{}", self.file)?;
        }
        if !self.field.is_empty() {
            write!(f, ": field `{}`", self.field)?;
        }
        Ok(())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad input: a malformed trace, scenario or policy. Exit code 2.
    #[error("{loc}: {msg}")]
    Input { loc: Location, msg: String },
    /// An input file could not be read. Exit code 2.
    // The I/O error is part of the message, not a `source`, so that error chains printed with
    // their causes do not repeat it.
    #[error("{path}: cannot read: {err}")]
    Read { path: String, err: std::io::Error },
    /// Results could not be written. Exit code 3.
    #[error("{path}: cannot write: {err}")]
    Write { path: String, err: std::io::Error },
    /// A simulation invariant was violated: a bug in offersim or in a plug-in policy. Exit code 3.
    #[error("invariant violated at t={time_s}s after {event}: {msg}")]
    Invariant {
        time_s: String,
        event: String,
        msg: String,
    },
    /// A policy returned a decision the master cannot apply. Exit code 3.
    #[error("invalid decision by {who}: {msg}")]
    Decision { who: String, msg: String },
    /// The user stopped the run (Ctrl-C, SIGTERM); its temporary files are gone. Exit code 130,
    /// as a shell reports a process ended by SIGINT.
    #[error("interrupted: nothing was written")]
    Interrupted,
}

impl Error {
    pub fn input(
        file: impl Into<String>,
        line: usize,
        field: impl Into<String>,
        msg: impl Into<String>,
    ) -> Error {
        Error::Input {
            loc: Location {
                file: file.into(),
                line,
                field: field.into(),
            },
            msg: msg.into(),
        }
    }

    pub fn read(path: &Path, err: std::io::Error) -> Error {
        Error::Read {
            path: path.display().to_string(),
            err,
        }
    }

    pub fn write(path: &Path, err: std::io::Error) -> Error {
        Error::Write {
            path: path.display().to_string(),
            err,
        }
    }

    /// The process exit code the CLI uses for this error.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Input { .. } | Error::Read { .. } => 2,
            Error::Interrupted => 130,
            _ => 3,
        }
    }
}

pub type Result<T> = std::result::Result<T, Error>;

/// The 1-based line of byte offset `pos` in `src`.
pub fn line_of(src: &str, pos: usize) -> usize {
    let pos = pos.min(src.len());
    src.as_bytes()[..pos]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// Levenshtein distance, for "did you mean" suggestions on unknown keys.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// The candidate nearest to `word`, if it is plausibly a typo of it.
pub fn nearest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        let d = edit_distance(word, c);
        if best.is_none_or(|(bd, bc)| d < bd || (d == bd && c < bc)) {
            best = Some((d, c));
        }
    }
    best.filter(|(d, c)| *d <= (c.len().max(word.len()) / 2).max(2))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_nearest_key() {
        assert_eq!(
            nearest("refuse", ["refuse_s", "end_s", "seed"]),
            Some("refuse_s")
        );
        assert_eq!(nearest("cpu", ["cpus", "mem_mb"]), Some("cpus"));
        assert_eq!(nearest("zzzzzzzz", ["cpus", "mem_mb"]), None);
    }

    #[test]
    fn lines_are_one_based() {
        assert_eq!(line_of("a\nb\nc", 0), 1);
        assert_eq!(line_of("a\nb\nc", 2), 2);
        assert_eq!(line_of("a\nb\nc", 4), 3);
    }
}
