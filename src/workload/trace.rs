//! The native trace (DESIGN §4.1): CSV with a header, one row per group of identical tasks,
//! columns found by name, `.gz` read transparently, rows streamed in submit order.

use crate::cluster::resources::Resources;
use crate::error::{Error, Result};
use crate::sim::time::{secs_to_us, SimDuration, SimTime};
use flate2::read::MultiGzDecoder;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

pub const REQUIRED: [&str; 7] = [
    "job_id",
    "framework",
    "submit_s",
    "tasks",
    "cpus",
    "mem_mb",
    "duration_s",
];
pub const OPTIONAL: [&str; 5] = ["disk_mb", "gpus", "priority", "input", "preferred_nodes"];

/// One trace row: `tasks` identical tasks of a job.
#[derive(Clone, Debug, PartialEq)]
pub struct TraceRow {
    pub job_id: String,
    pub framework: String,
    pub submit: SimTime,
    pub tasks: u32,
    pub shape: Resources,
    pub duration: SimDuration,
    pub priority: i64,
    pub input: Option<String>,
    pub preferred_nodes: Option<Vec<String>>,
    /// Line in the source file (0 for generated rows), for error messages.
    pub line: usize,
    /// No later row of the source names this job id: once this row's tasks have ended the job
    /// is over. A source that cannot tell says false; then the job ends when the rows run out.
    pub last_of_job: bool,
}

/// Opens a file, decompressing `.gz`.
pub fn open_maybe_gz(path: &Path) -> Result<Box<dyn Read + Send>> {
    let f = File::open(path).map_err(|e| Error::read(path, e))?;
    let r = BufReader::with_capacity(1 << 16, f);
    if path.extension().is_some_and(|e| e == "gz") {
        Ok(Box::new(BufReader::with_capacity(
            1 << 16,
            MultiGzDecoder::new(r),
        )))
    } else {
        Ok(Box::new(r))
    }
}

struct Cols {
    idx: [usize; 7],
    disk: Option<usize>,
    gpus: Option<usize>,
    priority: Option<usize>,
    input: Option<usize>,
    preferred: Option<usize>,
}

pub struct TraceReader {
    path: PathBuf,
    file: String,
    rdr: csv::Reader<Box<dyn Read + Send>>,
    cols: Cols,
    rec: csv::StringRecord,
    last_submit: SimTime,
}

impl TraceReader {
    pub fn open(path: &Path) -> Result<TraceReader> {
        Self::from_reader(path, open_maybe_gz(path)?)
    }

    /// Reads a trace from any byte stream (already decompressed); `path` names it in errors.
    /// The fuzz targets and tests use this entry point.
    pub fn from_reader(path: &Path, input: Box<dyn Read + Send>) -> Result<TraceReader> {
        let file = path.display().to_string();
        let rdr = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(false)
            .trim(csv::Trim::All)
            .from_reader(input);
        let mut t = TraceReader {
            path: path.to_path_buf(),
            file,
            rdr,
            cols: Cols {
                idx: [0; 7],
                disk: None,
                gpus: None,
                priority: None,
                input: None,
                preferred: None,
            },
            rec: csv::StringRecord::new(),
            last_submit: SimTime::ZERO,
        };
        let headers = t
            .rdr
            .headers()
            .map_err(|e| Error::input(&t.file, 1, "", format!("cannot read the header: {e}")))?
            .clone();
        // A spreadsheet's byte-order mark is not part of the first column's name.
        let find = |name: &str| {
            headers
                .iter()
                .position(|h| h.trim_start_matches('\u{feff}') == name)
        };
        for (k, name) in REQUIRED.iter().enumerate() {
            t.cols.idx[k] = find(name).ok_or_else(|| {
                Error::input(
                    &t.file,
                    1,
                    *name,
                    format!(
                        "required column `{name}` is missing from the header (required: {})",
                        REQUIRED.join(",")
                    ),
                )
            })?;
        }
        t.cols.disk = find("disk_mb");
        t.cols.gpus = find("gpus");
        t.cols.priority = find("priority");
        t.cols.input = find("input");
        t.cols.preferred = find("preferred_nodes");
        let mut seen = std::collections::BTreeSet::new();
        for h in headers.iter().map(|h| h.trim_start_matches('\u{feff}')) {
            if !seen.insert(h) {
                return Err(Error::input(
                    &t.file,
                    1,
                    h,
                    format!("column `{h}` appears twice in the header"),
                ));
            }
            if !REQUIRED.contains(&h) && !OPTIONAL.contains(&h) {
                let all: Vec<&str> = REQUIRED.iter().chain(OPTIONAL.iter()).copied().collect();
                let mut msg = format!("unknown column `{h}`");
                if let Some(n) = crate::error::nearest(h, all.iter().copied()) {
                    msg.push_str(&format!("; did you mean `{n}`?"));
                }
                return Err(Error::input(&t.file, 1, h, msg));
            }
        }
        Ok(t)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn field<'a>(&self, rec: &'a csv::StringRecord, k: usize) -> &'a str {
        rec.get(self.cols.idx[k]).unwrap_or("")
    }

    fn num(&self, line: usize, name: &str, s: &str, what: &str) -> Result<f64> {
        let v: f64 = s.parse().map_err(|_| {
            Error::input(
                &self.file,
                line,
                name,
                format!("expected {what}, got \"{s}\""),
            )
        })?;
        let max = if name.ends_with("_s") {
            crate::scenario::MAX_SECONDS
        } else {
            crate::scenario::MAX_AMOUNT
        };
        if !v.is_finite() || v < 0.0 || v > max {
            return Err(Error::input(
                &self.file,
                line,
                name,
                format!("expected {what} (at most {max:e}), got \"{s}\""),
            ));
        }
        Ok(v)
    }

    fn opt_num(
        &self,
        rec: &csv::StringRecord,
        line: usize,
        col: Option<usize>,
        name: &str,
    ) -> Result<f64> {
        match col.and_then(|c| rec.get(c)) {
            None | Some("") => Ok(0.0),
            Some(s) => self.num(line, name, s, "a number >= 0"),
        }
    }

    /// A reader error as an input error naming the line.
    fn read_error(&self, e: csv::Error) -> Error {
        let line = e.position().map(|p| p.line() as usize).unwrap_or(0);
        let msg = match e.kind() {
            csv::ErrorKind::UnequalLengths {
                expected_len, len, ..
            } => {
                format!("expected {expected_len} fields like the header, got {len}")
            }
            csv::ErrorKind::Utf8 { .. } => "the row is not valid UTF-8".to_string(),
            csv::ErrorKind::Io(io) => {
                format!("cannot read the file (truncated or corrupt?): {io}")
            }
            _ => format!("cannot parse the row: {e}"),
        };
        Error::input(&self.file, line, "", msg)
    }

    /// The next row, or None at the end of the file.
    pub fn next_row(&mut self) -> Result<Option<TraceRow>> {
        let mut rec = std::mem::take(&mut self.rec);
        let more = match self.rdr.read_record(&mut rec) {
            Ok(m) => m,
            Err(e) => return Err(self.read_error(e)),
        };
        if !more {
            self.rec = rec;
            return Ok(None);
        }
        let line = rec.position().map(|p| p.line() as usize).unwrap_or(0);
        let job_id = self.field(&rec, 0).to_string();
        if job_id.is_empty() {
            return Err(Error::input(
                &self.file,
                line,
                "job_id",
                "expected a non-empty job id",
            ));
        }
        let framework = self.field(&rec, 1).to_string();
        if framework.is_empty() {
            return Err(Error::input(
                &self.file,
                line,
                "framework",
                "expected a non-empty framework name",
            ));
        }
        let submit_s = self.num(line, "submit_s", self.field(&rec, 2), "seconds >= 0")?;
        let submit = SimTime::from_us(secs_to_us(submit_s));
        if submit < self.last_submit {
            return Err(Error::input(
                &self.file,
                line,
                "submit_s",
                format!(
                    "rows must be sorted by submit_s: {submit_s} comes after {}",
                    self.last_submit
                ),
            ));
        }
        self.last_submit = submit;
        let tasks_s = self.field(&rec, 3);
        let tasks: u32 = tasks_s.parse().ok().filter(|&n| n >= 1).ok_or_else(|| {
            Error::input(
                &self.file,
                line,
                "tasks",
                format!("expected an integer >= 1, got \"{tasks_s}\""),
            )
        })?;
        let cpus = self.num(line, "cpus", self.field(&rec, 4), "a number >= 0")?;
        let mem = self.num(line, "mem_mb", self.field(&rec, 5), "a number >= 0")?;
        let dur = self.num(line, "duration_s", self.field(&rec, 6), "seconds >= 0")?;
        let disk = self.opt_num(&rec, line, self.cols.disk, "disk_mb")?;
        let gpus = self.opt_num(&rec, line, self.cols.gpus, "gpus")?;
        let priority = match self.cols.priority.and_then(|c| rec.get(c)) {
            None | Some("") => 0,
            Some(s) => s.parse::<i64>().map_err(|_| {
                Error::input(
                    &self.file,
                    line,
                    "priority",
                    format!("expected an integer, got \"{s}\""),
                )
            })?,
        };
        let input = self
            .cols
            .input
            .and_then(|c| rec.get(c))
            .filter(|s| !s.is_empty())
            .map(str::to_string);
        let preferred_nodes = self
            .cols
            .preferred
            .and_then(|c| rec.get(c))
            .filter(|s| !s.is_empty())
            .map(|s| {
                s.split(';')
                    .map(|x| x.trim().to_string())
                    .filter(|x| !x.is_empty())
                    .collect()
            });
        let shape = Resources::new(cpus, mem, disk, gpus);
        if shape.is_zero() {
            return Err(Error::input(
                &self.file,
                line,
                "cpus",
                "a task must ask for some resources (cpus, mem_mb, disk_mb or gpus > 0)",
            ));
        }
        self.rec = rec;
        Ok(Some(TraceRow {
            job_id,
            framework,
            submit,
            tasks,
            shape,
            duration: SimDuration::from_us(secs_to_us(dur)),
            priority,
            input,
            preferred_nodes,
            line,
            // The reader sees one row at a time; `TraceSource` knows from its survey.
            last_of_job: false,
        }))
    }
}

/// A trace file as a job source. A first streaming pass (the survey) finds the framework names
/// and, for every job id, its last row, so that a job whose rows arrive apart (a DAG's later
/// stages, a Google job resubmitting tasks) stays one job until its last row has come.
pub struct TraceSource {
    reader: TraceReader,
    surveyed: Option<Survey>,
    /// Rows read so far (the next row's ordinal).
    ordinal: u64,
}

impl TraceSource {
    pub fn open(path: &Path) -> Result<TraceSource> {
        Ok(TraceSource {
            reader: TraceReader::open(path)?,
            surveyed: None,
            ordinal: 0,
        })
    }

    /// The survey, taken on first use (a separate pass: the main reader stays where it is).
    fn survey(&mut self) -> Result<&Survey> {
        if self.surveyed.is_none() {
            let path = self.reader.path().to_path_buf();
            self.surveyed = Some(survey(&path, &Fit::default())?);
        }
        Ok(self.surveyed.as_ref().expect("just set"))
    }
}

impl super::JobSource for TraceSource {
    fn next_row(&mut self) -> Result<Option<TraceRow>> {
        self.survey()?;
        let Some(mut row) = self.reader.next_row()? else {
            return Ok(None);
        };
        let sv = self.surveyed.as_ref().expect("surveyed");
        row.last_of_job = sv.is_last_of_job(self.ordinal);
        self.ordinal += 1;
        Ok(Some(row))
    }

    fn frameworks(&mut self) -> Result<Vec<String>> {
        Ok(self.survey()?.frameworks.clone())
    }
}

/// What a survey checks tasks against: the shapes of the agents a task may be placed on.
#[derive(Clone, Debug, Default)]
pub struct Fit {
    /// Agent totals offered to frameworks with the GPU capability (every agent).
    pub all: Vec<Resources>,
    /// Agent totals offered to the others (agents without GPUs, as in Mesos).
    pub without_gpus: Vec<Resources>,
    /// Frameworks with the GPU capability.
    pub gpu_frameworks: std::collections::BTreeSet<String>,
    /// False: no agents are known (nothing is checked).
    pub check: bool,
}

impl Fit {
    /// From the agents' totals: only the shapes no other agent contains are kept.
    pub fn new(totals: &[Resources], gpu_frameworks: std::collections::BTreeSet<String>) -> Fit {
        fn maximal(v: Vec<Resources>) -> Vec<Resources> {
            let mut v = v;
            v.sort_by_key(|r| r.0);
            v.dedup();
            let all = v.clone();
            v.retain(|r| !all.iter().any(|o| o != r && o.contains(r)));
            v
        }
        let without: Vec<Resources> = totals
            .iter()
            .filter(|t| t.0[crate::cluster::resources::GPUS] == 0)
            .copied()
            .collect();
        Fit {
            all: maximal(totals.to_vec()),
            without_gpus: maximal(without),
            gpu_frameworks,
            check: true,
        }
    }

    /// The shapes a task of `framework` may be placed on.
    pub fn shapes(&self, framework: &str) -> &[Resources] {
        if self.gpu_frameworks.contains(framework) {
            &self.all
        } else {
            &self.without_gpus
        }
    }
}

/// A trace row whose tasks no agent can ever hold.
#[derive(Clone, Debug, PartialEq)]
pub struct Unfit {
    pub job_id: String,
    pub framework: String,
    pub line: usize,
    pub tasks: u32,
    pub shape: Resources,
}

/// What one streaming pass over a trace finds before anything runs: the frameworks it names,
/// its extent, what it asks for, and the rows no agent can hold. The pass keeps one small
/// record per job id (a hash and its framework), never the rows.
#[derive(Clone, Debug, Default)]
pub struct Survey {
    /// In first-appearance order.
    pub frameworks: Vec<String>,
    pub rows: u64,
    pub tasks: u64,
    pub jobs: u64,
    pub last_submit: SimTime,
    /// Per resource (cpus, mem_mb, disk_mb, gpus): tasks that ask for some of it.
    pub asking: [u64; crate::cluster::resources::NRES],
    pub unfit_tasks: u64,
    pub unfit_rows: u64,
    /// The first few unfit rows, for messages.
    pub unfit: Vec<Unfit>,
    /// By row ordinal (0 = the first row): the rows after which no row names their job id, one
    /// bit a row. Job ids are told apart by a 64-bit hash: two ids with one hash share a last
    /// row, so the earlier one's is missed (never wrongly set), and that job ends when the rows
    /// run out instead (see `FrameworkSide::rows_ended`).
    pub last_rows: Vec<u64>,
}

impl Survey {
    /// Whether row `ordinal` (0-based) is its job's last.
    pub fn is_last_of_job(&self, ordinal: u64) -> bool {
        let w = (ordinal / 64) as usize;
        self.last_rows
            .get(w)
            .is_some_and(|&b| b & (1 << (ordinal % 64)) != 0)
    }
}

/// Reads the trace at `path` once (streamed). Errors: a trace with a header and no rows, and a
/// job id under two frameworks (both with file:line).
pub fn survey(path: &Path, fit: &Fit) -> Result<Survey> {
    use std::hash::{Hash, Hasher};
    let mut r = TraceReader::open(path)?;
    let mut out = Survey::default();
    let mut fw_index: std::collections::BTreeMap<String, u32> = Default::default();
    // job id hash -> (framework index, line of its first row, ordinal of its last row). A hash
    // match with another framework is confirmed against the first row's text before it is
    // called an error.
    let mut jobs: rustc_hash::FxHashMap<u64, (u32, usize, u64)> = Default::default();
    while let Some(row) = r.next_row()? {
        let ordinal = out.rows;
        out.rows += 1;
        out.tasks += row.tasks as u64;
        out.last_submit = row.submit;
        let fw = match fw_index.get(&row.framework) {
            Some(&k) => k,
            None => {
                let k = out.frameworks.len() as u32;
                fw_index.insert(row.framework.clone(), k);
                out.frameworks.push(row.framework.clone());
                k
            }
        };
        let mut h = rustc_hash::FxHasher::default();
        row.job_id.hash(&mut h);
        match jobs.get_mut(&h.finish()) {
            None => {
                jobs.insert(h.finish(), (fw, row.line, ordinal));
                out.jobs += 1;
            }
            Some(&mut (other, line, _)) if other != fw => {
                let first = row_at(path, line)?;
                if first.as_ref().is_some_and(|f| f.job_id == row.job_id) {
                    return Err(Error::input(
                        path.display().to_string(),
                        row.line,
                        "framework",
                        format!(
                            "job \"{}\" is under framework \"{}\" here but under \"{}\" at line \
                             {line}; a job id belongs to one framework",
                            row.job_id, row.framework, out.frameworks[other as usize]
                        ),
                    ));
                }
            }
            Some(j) => j.2 = ordinal,
        }
        for (k, n) in out.asking.iter_mut().enumerate() {
            if row.shape.0[k] > 0 {
                *n += row.tasks as u64;
            }
        }
        if fit.check
            && !fit
                .shapes(&row.framework)
                .iter()
                .any(|a| a.contains(&row.shape))
        {
            out.unfit_tasks += row.tasks as u64;
            out.unfit_rows += 1;
            if out.unfit.len() < 3 {
                out.unfit.push(Unfit {
                    job_id: row.job_id.clone(),
                    framework: row.framework.clone(),
                    line: row.line,
                    tasks: row.tasks,
                    shape: row.shape,
                });
            }
        }
    }
    out.last_rows = vec![0u64; out.rows.div_ceil(64) as usize];
    for &(_, _, last) in jobs.values() {
        out.last_rows[(last / 64) as usize] |= 1 << (last % 64);
    }
    if out.rows == 0 {
        return Err(Error::input(
            path.display().to_string(),
            1,
            "",
            "the trace has a header and no rows: a workload needs at least one job (leave out \
             `[workload] trace` to run scripted events alone)",
        ));
    }
    Ok(out)
}

/// The row at `line` of the trace (None if there is none).
fn row_at(path: &Path, line: usize) -> Result<Option<TraceRow>> {
    let mut r = TraceReader::open(path)?;
    while let Some(row) = r.next_row()? {
        if row.line == line {
            return Ok(Some(row));
        }
        if row.line > line {
            break;
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn write_tmp(name: &str, body: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("offersim-trace-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join(name);
        std::fs::File::create(&p)
            .unwrap()
            .write_all(body.as_bytes())
            .unwrap();
        p
    }

    #[test]
    fn reads_columns_by_name_in_any_order() {
        let p = write_tmp("a.csv", "framework,job_id,tasks,submit_s,cpus,mem_mb,duration_s,input\nfw,j1,2,0.5,1,1024,10,data\n");
        let mut r = TraceReader::open(&p).unwrap();
        let row = r.next_row().unwrap().unwrap();
        assert_eq!(row.job_id, "j1");
        assert_eq!(row.tasks, 2);
        assert_eq!(row.submit, SimTime::from_us(500_000));
        assert_eq!(row.input.as_deref(), Some("data"));
        assert!(r.next_row().unwrap().is_none());
    }

    #[test]
    fn unsorted_rows_are_an_error_with_line_and_field() {
        let p = write_tmp("b.csv", "job_id,framework,submit_s,tasks,cpus,mem_mb,duration_s\nj1,f,5,1,1,1,1\nj2,f,4,1,1,1,1\n");
        let mut r = TraceReader::open(&p).unwrap();
        r.next_row().unwrap();
        let e = r.next_row().unwrap_err().to_string();
        assert!(e.contains(":3"), "{e}");
        assert!(e.contains("submit_s"), "{e}");
    }

    #[test]
    fn bad_numbers_and_missing_columns_are_named() {
        let p = write_tmp(
            "c.csv",
            "job_id,framework,submit_s,tasks,cpus,mem_mb\nj1,f,5,1,1,1\n",
        );
        let e = TraceReader::open(&p).err().unwrap().to_string();
        assert!(e.contains("duration_s"), "{e}");
        let p = write_tmp(
            "d.csv",
            "job_id,framework,submit_s,tasks,cpus,mem_mb,duration_s\nj1,f,5,x,1,1,1\n",
        );
        let e = TraceReader::open(&p)
            .unwrap()
            .next_row()
            .unwrap_err()
            .to_string();
        assert!(e.contains(":2") && e.contains("tasks"), "{e}");
        let p = write_tmp(
            "e.csv",
            "job_id,framework,submit_s,tasks,cpus,mem_mb,duration_s\nj1,f,5,1,1\n",
        );
        let e = TraceReader::open(&p)
            .unwrap()
            .next_row()
            .unwrap_err()
            .to_string();
        assert!(e.contains(":2"), "{e}");
    }

    #[test]
    fn the_source_marks_each_jobs_last_row_from_its_survey() {
        use crate::workload::JobSource;
        let p = write_tmp(
            "last.csv",
            "job_id,framework,submit_s,tasks,cpus,mem_mb,duration_s\n\
             a,f,0,1,1,1,1\nb,f,1,1,1,1,1\na,f,2,1,1,1,1\nc,g,3,1,1,1,1\nb,f,4,1,1,1,1\n",
        );
        let sv = survey(&p, &Fit::default()).unwrap();
        let bits: Vec<bool> = (0..6).map(|i| sv.is_last_of_job(i)).collect();
        assert_eq!(bits, [false, false, true, true, true, false]);
        let mut src = TraceSource::open(&p).unwrap();
        assert_eq!(src.frameworks().unwrap(), ["f", "g"]);
        let mut got = Vec::new();
        while let Some(r) = src.next_row().unwrap() {
            got.push((r.job_id, r.last_of_job));
        }
        let want = [
            ("a", false),
            ("b", false),
            ("a", true),
            ("c", true),
            ("b", true),
        ];
        let want: Vec<(String, bool)> = want.iter().map(|&(j, l)| (j.into(), l)).collect();
        assert_eq!(got, want);
    }

    #[test]
    fn in_memory_rows_know_their_jobs_last_row() {
        use crate::workload::{InMemory, JobSource};
        let p = write_tmp(
            "mem.csv",
            "job_id,framework,submit_s,tasks,cpus,mem_mb,duration_s\n\
             a,f,0,1,1,1,1\nb,f,1,1,1,1,1\na,f,2,1,1,1,1\n",
        );
        let mut r = TraceReader::open(&p).unwrap();
        let mut rows = Vec::new();
        while let Some(row) = r.next_row().unwrap() {
            assert!(!row.last_of_job, "a bare reader cannot tell");
            rows.push(row);
        }
        let mut m = InMemory::new(rows);
        let mut got = Vec::new();
        while let Some(r) = m.next_row().unwrap() {
            got.push(r.last_of_job);
        }
        assert_eq!(got, [false, true, true]);
    }

    #[test]
    fn reads_gzip() {
        let dir = std::env::temp_dir().join(format!("offersim-trace-{}-gz", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("t.csv.gz");
        let f = std::fs::File::create(&p).unwrap();
        let mut gz = flate2::write::GzEncoder::new(f, flate2::Compression::fast());
        gz.write_all(b"job_id,framework,submit_s,tasks,cpus,mem_mb,duration_s\nj1,f,0,3,1,1,1\n")
            .unwrap();
        gz.finish().unwrap();
        let row = TraceReader::open(&p).unwrap().next_row().unwrap().unwrap();
        assert_eq!(row.tasks, 3);
    }
}
