//! Reading importer inputs: `.gz` decompression, a progress bar over the bytes read from disk,
//! and field accessors whose errors name file, line and field (exit code 2).

use crate::error::{Error, Result};
use flate2::read::MultiGzDecoder;
use indicatif::{ProgressBar, ProgressStyle};
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

/// The input files of one import and the progress bar that spans all of them.
pub struct Inputs {
    pub paths: Vec<PathBuf>,
    bar: Option<ProgressBar>,
}

impl Inputs {
    pub fn new(paths: &[PathBuf], progress: bool) -> Result<Inputs> {
        let mut total = 0u64;
        for p in paths {
            let m = std::fs::metadata(p).map_err(|e| Error::read(p, e))?;
            total += m.len();
        }
        let bar = progress.then(|| {
            let b = ProgressBar::new(total);
            b.set_style(
                ProgressStyle::with_template(
                    "{spinner} [{elapsed_precise}] {bar:40} {bytes}/{total_bytes} ({eta}) {msg}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            b
        });
        Ok(Inputs {
            paths: paths.to_vec(),
            bar,
        })
    }

    /// Opens one input for buffered reading, decompressing `.gz` (concatenated members too).
    pub fn open(&self, path: &Path) -> Result<Box<dyn BufRead>> {
        let f = File::open(path).map_err(|e| Error::read(path, e))?;
        let raw: Box<dyn Read> = match &self.bar {
            Some(b) => {
                b.set_message(
                    path.file_name()
                        .map(|n| n.to_string_lossy().to_string())
                        .unwrap_or_default(),
                );
                Box::new(b.wrap_read(f))
            }
            None => Box::new(f),
        };
        let raw = BufReader::with_capacity(1 << 16, raw);
        if path.extension().is_some_and(|e| e == "gz") {
            Ok(Box::new(BufReader::with_capacity(
                1 << 16,
                MultiGzDecoder::new(raw),
            )))
        } else {
            Ok(Box::new(raw))
        }
    }

    pub fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }

    /// Calls `f` on every record of a comma-separated input, with its 1-based line.
    pub fn for_each_csv(&self, path: &Path, mut f: impl FnMut(&Line) -> Result<()>) -> Result<()> {
        let file = path.display().to_string();
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(self.open(path)?);
        let mut rec = csv::StringRecord::new();
        loop {
            match rdr.read_record(&mut rec) {
                Ok(false) => return Ok(()),
                Ok(true) => {}
                Err(e) => {
                    let line = e.position().map(|p| p.line() as usize).unwrap_or(0);
                    let msg = match e.kind() {
                        csv::ErrorKind::Utf8 { .. } => "the record is not valid UTF-8".to_string(),
                        csv::ErrorKind::Io(io) => return Err(Error::read(path, clone_io(io))),
                        _ => format!("cannot parse the record: {e}"),
                    };
                    return Err(Error::input(&file, line, "", msg));
                }
            }
            let line = rec.position().map(|p| p.line() as usize).unwrap_or(0);
            // An empty line parses as one empty field; it carries no record.
            if rec.len() == 1 && rec[0].trim().is_empty() {
                continue;
            }
            let fields: Vec<&str> = rec.iter().map(str::trim).collect();
            f(&Line {
                file: &file,
                line,
                fields,
            })?;
        }
    }

    /// Calls `f` on every line of a text input (line end and `\r` removed), with its 1-based number.
    pub fn for_each_line(
        &self,
        path: &Path,
        mut f: impl FnMut(usize, &str) -> Result<()>,
    ) -> Result<()> {
        let file = path.display().to_string();
        let mut r = self.open(path)?;
        let mut buf = Vec::new();
        let mut n = 0usize;
        loop {
            buf.clear();
            let got = r
                .read_until(b'\n', &mut buf)
                .map_err(|e| Error::read(path, e))?;
            if got == 0 {
                return Ok(());
            }
            n += 1;
            let s = std::str::from_utf8(&buf)
                .map_err(|_| Error::input(&file, n, "", "the line is not valid UTF-8"))?;
            f(n, s.trim_end_matches(['\n', '\r']))?;
        }
    }
}

fn clone_io(e: &std::io::Error) -> std::io::Error {
    std::io::Error::new(e.kind(), e.to_string())
}

/// One input record split into fields, for typed access with located errors.
pub struct Line<'a> {
    pub file: &'a str,
    pub line: usize,
    pub fields: Vec<&'a str>,
}

impl<'a> Line<'a> {
    pub fn err(&self, field: &str, msg: impl Into<String>) -> Error {
        Error::input(self.file, self.line, field, msg)
    }

    /// The field at `i` (0-based), or "" when the record is shorter.
    pub fn get(&self, i: usize) -> &'a str {
        self.fields.get(i).copied().unwrap_or("")
    }

    /// Requires at least `n` fields.
    pub fn need(&self, n: usize, what: &str) -> Result<()> {
        if self.fields.len() < n {
            return Err(self.err(
                "",
                format!(
                    "expected at least {n} fields ({what}), got {}",
                    self.fields.len()
                ),
            ));
        }
        Ok(())
    }

    pub fn req_str(&self, i: usize, name: &str) -> Result<&'a str> {
        let s = self.get(i);
        if s.is_empty() {
            return Err(self.err(name, "expected a value, got an empty field"));
        }
        Ok(s)
    }

    /// A finite number, or None when the field is empty.
    pub fn f64(&self, i: usize, name: &str) -> Result<Option<f64>> {
        let s = self.get(i);
        if s.is_empty() {
            return Ok(None);
        }
        match s.parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(Some(v)),
            _ => Err(self.err(name, format!("expected a number, got \"{s}\""))),
        }
    }

    pub fn req_f64(&self, i: usize, name: &str) -> Result<f64> {
        self.f64(i, name)?
            .ok_or_else(|| self.err(name, "expected a number, got an empty field"))
    }

    /// An integer, or None when the field is empty. Accepts a float with no fraction ("12.0"),
    /// which some re-exports of integer columns contain.
    pub fn i64(&self, i: usize, name: &str) -> Result<Option<i64>> {
        let s = self.get(i);
        if s.is_empty() {
            return Ok(None);
        }
        if let Ok(v) = s.parse::<i64>() {
            return Ok(Some(v));
        }
        match s.parse::<f64>() {
            Ok(v) if v.is_finite() && v.fract() == 0.0 && v.abs() < 9.0e18 => Ok(Some(v as i64)),
            _ => Err(self.err(name, format!("expected an integer, got \"{s}\""))),
        }
    }

    pub fn req_i64(&self, i: usize, name: &str) -> Result<i64> {
        self.i64(i, name)?
            .ok_or_else(|| self.err(name, "expected an integer, got an empty field"))
    }

    /// A non-negative integer that may exceed i64 (byte counts).
    pub fn req_u64(&self, i: usize, name: &str) -> Result<u64> {
        let s = self.get(i);
        s.parse::<u64>()
            .map_err(|_| self.err(name, format!("expected an integer >= 0, got \"{s}\"")))
    }
}

/// Which table of a multi-table trace a file holds, from its path: the first of `tables` that
/// occurs in it (upstream shards live in folders named after their table).
pub fn table_of<'t>(path: &Path, tables: &[&'t str]) -> Result<&'t str> {
    let s = path.to_string_lossy();
    tables
        .iter()
        .copied()
        .find(|t| s.contains(t))
        .ok_or_else(|| {
            Error::input(
                s.to_string(),
                0,
                "INPUT",
                format!(
                    "cannot tell which table this file holds: its path must contain one of {}",
                    tables.join(", ")
                ),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_report_location() {
        let l = Line {
            file: "f.csv",
            line: 7,
            fields: vec!["1", "x", "", "2.0"],
        };
        assert_eq!(l.req_i64(0, "a").unwrap(), 1);
        let e = l.req_f64(1, "cpu").unwrap_err().to_string();
        assert!(e.contains("f.csv:7") && e.contains("cpu"), "{e}");
        assert_eq!(l.f64(2, "c").unwrap(), None);
        assert_eq!(l.i64(3, "d").unwrap(), Some(2));
        assert!(l.req_str(9, "z").is_err());
        assert!(l.need(5, "x").is_err());
    }

    #[test]
    fn tables_by_path() {
        let t = ["task_events", "job_events"];
        assert_eq!(
            table_of(Path::new("a/task_events/part-0.csv.gz"), &t).unwrap(),
            "task_events"
        );
        assert!(table_of(Path::new("x.csv"), &t).is_err());
    }
}
