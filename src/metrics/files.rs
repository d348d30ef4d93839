//! The per-run CSV files of DESIGN §4.4 (tasks, jobs, shares, offers, frameworks, utilization),
//! the summary columns, and the number formats every output file uses. The recorder writes
//! through these; `report` reads what they wrote.

use crate::error::{Error, Result};
use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

pub const TASKS_COLS: [&str; 10] = [
    "job_id",
    "task",
    "framework",
    "agent",
    "submit_s",
    "start_s",
    "end_s",
    "locality",
    "state",
    "attempt",
];
pub const JOBS_COLS: [&str; 9] = [
    "job_id",
    "framework",
    "submit_s",
    "first_start_s",
    "end_s",
    "tasks",
    "node_local",
    "rack_local",
    "off_rack",
];
pub const SHARES_COLS: [&str; 6] = [
    "time_s",
    "framework",
    "role",
    "cpus",
    "mem_mb",
    "dominant_share",
];
pub const OFFERS_COLS: [&str; 10] = [
    "time_s",
    "offer_id",
    "framework",
    "role",
    "agent",
    "cpus",
    "mem_mb",
    "disk_mb",
    "gpus",
    "outcome",
];
/// Appended to offers.csv after `outcome` only when the scenario uses revocable resources (an
/// extension), so that every other offers.csv keeps DESIGN's columns byte for byte.
pub const OFFERS_REVOCABLE_COLS: [&str; 2] = ["revocable_cpus", "revocable_mem_mb"];
/// DESIGN §4.4's columns, then extensions (`tasks_preempted`, `jobs_abandoned`, `util_gpus`),
/// each new one appended: other tools read the columns by position too.
pub const SUMMARY_COLS: [&str; 28] = [
    "policy",
    "replication",
    "seed",
    "jobs",
    "tasks",
    "tasks_finished",
    "tasks_lost",
    "tasks_unscheduled",
    "makespan_s",
    "jct_mean_s",
    "jct_p50_s",
    "jct_p95_s",
    "jct_p99_s",
    "wait_mean_s",
    "wait_p95_s",
    "node_local",
    "rack_local",
    "off_rack",
    "jain",
    "util_cpus",
    "util_mem",
    "offers",
    "offers_declined",
    "offers_rescinded",
    "events",
    "tasks_preempted",
    "jobs_abandoned",
    "util_gpus",
];

pub type Writer = csv::Writer<BufWriter<File>>;

pub fn create(path: &Path, header: &[&str]) -> Result<Writer> {
    let f = File::create(path).map_err(|e| Error::write(path, e))?;
    let mut w = csv::WriterBuilder::new().from_writer(BufWriter::with_capacity(1 << 16, f));
    w.write_record(header)
        .map_err(|e| Error::write(path, e.into()))?;
    Ok(w)
}

/// The per-task per-run files: tasks, jobs, shares, and offers when asked for (a row per
/// offer grows with offers x agents, so it is written only on request).
pub struct RunFiles {
    pub dir: PathBuf,
    pub tasks: Writer,
    pub jobs: Writer,
    pub shares: Writer,
    pub offers: Option<Writer>,
    /// Write inverse_offers.csv at the end (the scenario schedules maintenance).
    pub inverse_offers: bool,
    /// offers.csv has the revocable columns (the scenario uses revocable resources).
    pub revocable_cols: bool,
}

impl RunFiles {
    /// `revocable`: offers.csv gets [`OFFERS_REVOCABLE_COLS`] after `outcome`.
    pub fn create(dir: &Path, offers: bool, revocable: bool) -> Result<RunFiles> {
        std::fs::create_dir_all(dir).map_err(|e| Error::write(dir, e))?;
        Ok(RunFiles {
            dir: dir.to_path_buf(),
            tasks: create(&dir.join("tasks.csv"), &TASKS_COLS)?,
            jobs: create(&dir.join("jobs.csv"), &JOBS_COLS)?,
            shares: create(&dir.join("shares.csv"), &SHARES_COLS)?,
            offers: if offers {
                let mut cols = OFFERS_COLS.to_vec();
                if revocable {
                    cols.extend(OFFERS_REVOCABLE_COLS);
                }
                Some(create(&dir.join("offers.csv"), &cols)?)
            } else {
                None
            },
            inverse_offers: false,
            revocable_cols: revocable,
        })
    }

    pub fn flush(&mut self) -> Result<()> {
        for (w, name) in [
            (Some(&mut self.tasks), "tasks.csv"),
            (Some(&mut self.jobs), "jobs.csv"),
            (Some(&mut self.shares), "shares.csv"),
            (self.offers.as_mut(), "offers.csv"),
        ] {
            if let Some(w) = w {
                w.flush()
                    .map_err(|e| Error::write(&self.dir.join(name), e))?;
            }
        }
        Ok(())
    }
}

/// Writes a record, mapping the error to the file it concerns.
pub fn put<I, T>(w: &mut Writer, dir: &Path, name: &str, rec: I) -> Result<()>
where
    I: IntoIterator<Item = T>,
    T: AsRef<[u8]>,
{
    w.write_record(rec)
        .map_err(|e| Error::write(&dir.join(name), e.into()))
}

/// `frameworks.csv`, one row per framework of a run (issue 5). `busyness` is empty for
/// frameworks without a decision time. The job counts after it were appended for the Omega
/// study's "unscheduled jobs" (issue 17).
pub const FRAMEWORKS_COLS: [&str; 13] = [
    "framework",
    "share_mean",
    "tasks",
    "jobs",
    "jct_mean_s",
    "jct_p95_s",
    "wait_mean_s",
    "wait_p95_s",
    "wait_full_mean_s",
    "busyness",
    "jobs_submitted",
    "jobs_abandoned",
    "jobs_unscheduled",
];
/// `utilization.csv`: the used fraction of the cluster's cpus and memory, time-averaged per
/// bucket (`time_s` is the bucket's start; buckets are 1 s wide and widen so that a run has at
/// most 4,096 of them).
pub const UTILIZATION_COLS: [&str; 3] = ["time_s", "util_cpus", "util_mem"];
/// Formats a float for output files: shortest round-trip form, rounded to 9 decimals so that
/// arithmetic noise does not show, and "" for NaN/None.
pub fn fmt_f(x: f64) -> String {
    if !x.is_finite() {
        return String::new();
    }
    let r = (x * 1e9).round() / 1e9;
    let r = if r == 0.0 { 0.0 } else { r };
    format!("{r}")
}

pub fn fmt_opt(x: Option<f64>) -> String {
    x.map(fmt_f).unwrap_or_default()
}
