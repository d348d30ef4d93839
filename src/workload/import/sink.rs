//! Where importers put their rows: the down-sampling options (time window, job sampling, time
//! scaling) are applied here, once for every format, before the rows go to the sorted writer.

use super::writer::SortedWriter;
use super::{Params, Summary, ROWS};
use crate::cluster::resources::{Resources, NRES, RES_NAMES};
use crate::error::Result;
use crate::sim::rng::{keyed_stream, Purpose};
use crate::sim::time::secs_to_us;
use rand::Rng;
use std::collections::BTreeSet;
use std::path::Path;

/// One native trace row as an importer produces it, in trace time (before windowing).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ImportRow {
    pub job_id: String,
    pub framework: String,
    pub submit_us: i64,
    pub tasks: u64,
    pub cpus: f64,
    pub mem_mb: f64,
    pub disk_mb: f64,
    pub gpus: f64,
    pub duration_us: i64,
    pub priority: Option<i64>,
    pub input: Option<String>,
    /// Notes on this row (`Summary::notes`), counted only if the row is written.
    pub notes: Vec<&'static str>,
}

impl ImportRow {
    /// The request of one task, at the precision the native reader keeps.
    pub fn request(&self) -> Resources {
        Resources::new(self.cpus, self.mem_mb, self.disk_mb, self.gpus)
    }
}

/// The task shapes that no other written shape contains (the maximal ones): every written task
/// fits some machine exactly when each of these does, so the fit check after an import needs
/// only them. Real traces have few; past `CAP` the set is dropped and the check re-reads the
/// written trace instead.
#[derive(Clone, Debug, Default)]
pub struct Shapes {
    pub maximal: Vec<Resources>,
    pub overflow: bool,
}

impl Shapes {
    const CAP: usize = 4096;

    pub fn add(&mut self, r: Resources) {
        if self.overflow || self.maximal.iter().any(|m| m.contains(&r)) {
            return;
        }
        self.maximal.retain(|m| !r.contains(m));
        self.maximal.push(r);
        if self.maximal.len() > Self::CAP {
            self.overflow = true;
            self.maximal.clear();
        }
    }
}

/// Whether a job (or machine) is in the seeded sample: a draw keyed by its id, so the same id
/// is kept or dropped whatever else the input holds and in whatever order it comes.
pub fn sampled(seed: u64, fraction: f64, key: &str) -> bool {
    fraction >= 1.0 || keyed_stream(seed, Purpose::ImportSample, key).gen::<f64>() < fraction
}

pub struct Sink {
    pub summary: Summary,
    from_us: Option<i64>,
    to_us: Option<i64>,
    sample_jobs: f64,
    scale_time: f64,
    seed: u64,
    writer: SortedWriter,
    /// Job ids written, to count jobs; bounded by the jobs kept, which the trace holds anyway.
    jobs: BTreeSet<String>,
    /// The maximal task shapes written, for the fit check against the machines written.
    pub shapes: Shapes,
}

impl Sink {
    pub fn new(out: &Path, p: &Params) -> Result<Sink> {
        let mut summary = Summary::default();
        summary.param("from_s", p.from_s.map_or("none".into(), |v| v.to_string()));
        summary.param("to_s", p.to_s.map_or("none".into(), |v| v.to_string()));
        summary.param("sample_jobs", p.sample_jobs);
        summary.param("seed", p.seed);
        summary.param("scale_time", p.scale_time);
        Ok(Sink {
            summary,
            from_us: p.from_s.map(secs_to_us),
            to_us: p.to_s.map(secs_to_us),
            sample_jobs: p.sample_jobs,
            scale_time: p.scale_time,
            seed: p.seed,
            writer: SortedWriter::new(out, p.sort_chunk_rows)?,
            jobs: BTreeSet::new(),
            shapes: Shapes::default(),
        })
    }

    /// Maps a trace time to output time: rebased to `--from-s`, then scaled. None when outside
    /// the window.
    pub fn map_time(&self, t_us: i64) -> Option<i64> {
        if self.from_us.is_some_and(|f| t_us < f) || self.to_us.is_some_and(|e| t_us >= e) {
            return None;
        }
        Some(window_time(t_us, self.from_us, self.scale_time))
    }

    /// Takes one row; returns whether it is written. Rows left out are counted by reason (in
    /// rows: one input record may make several), and a row's notes only when it is written.
    pub fn push(&mut self, mut row: ImportRow) -> Result<bool> {
        let req = row.request();
        if row.tasks == 0 {
            self.summary.skip_as(ROWS, "zero_tasks", 1);
            return Ok(false);
        }
        if req.is_zero() {
            self.summary.skip_as(ROWS, "zero_request", 1);
            return Ok(false);
        }
        let Some(t) = self.map_time(row.submit_us) else {
            self.summary.skip_as(ROWS, "outside_time_window", 1);
            return Ok(false);
        };
        if !sampled(self.seed, self.sample_jobs, &row.job_id) {
            self.summary.skip_as(ROWS, "not_in_job_sample", 1);
            return Ok(false);
        }
        if t < 0 {
            self.summary
                .note_as(ROWS, "negative_submit_clamped_to_0", 1);
        }
        row.submit_us = t.max(0);
        row.duration_us = row.duration_us.max(0);
        if row.tasks > u32::MAX as u64 {
            self.summary.note_as(ROWS, "tasks_capped_at_u32_max", 1);
            row.tasks = u32::MAX as u64;
        }
        for n in std::mem::take(&mut row.notes) {
            self.summary.note_as(ROWS, n, 1);
        }
        self.summary.rows += 1;
        self.summary.tasks += row.tasks;
        let r = &mut self.summary.resources;
        for i in 0..NRES {
            r.largest.0[i] = r.largest.0[i].max(req.0[i]);
        }
        self.shapes.add(req);
        if !self.jobs.contains(&row.job_id) {
            self.jobs.insert(row.job_id.clone());
        }
        self.writer.push(row)?;
        Ok(true)
    }

    /// Sorts, writes and renames the output; returns the summary.
    pub fn finish(mut self) -> Result<Summary> {
        self.writer.finish()?;
        self.summary.jobs = self.jobs.len() as u64;
        let r = &mut self.summary.resources;
        r.written = (0..NRES)
            .filter(|&i| r.largest.0[i] > 0)
            .map(|i| RES_NAMES[i])
            .collect();
        Ok(self.summary)
    }
}

/// Rebases to `from` and scales by `k`; shared by jobs and machines so they stay in step.
pub fn window_time(t_us: i64, from_us: Option<i64>, k: f64) -> i64 {
    let t = t_us - from_us.unwrap_or(0);
    if k == 1.0 {
        t
    } else {
        (t as f64 * k).round() as i64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sampling_is_per_id_and_seeded() {
        let kept: Vec<bool> = (0..200)
            .map(|i| sampled(1, 0.3, &format!("j{i}")))
            .collect();
        let again: Vec<bool> = (0..200)
            .map(|i| sampled(1, 0.3, &format!("j{i}")))
            .collect();
        assert_eq!(kept, again);
        let n = kept.iter().filter(|&&k| k).count();
        assert!((30..90).contains(&n), "{n}");
        let other: Vec<bool> = (0..200)
            .map(|i| sampled(2, 0.3, &format!("j{i}")))
            .collect();
        assert_ne!(kept, other);
    }

    #[test]
    fn shapes_keep_only_the_maximal_requests() {
        let mut s = Shapes::default();
        for (c, m) in [(1.0, 10.0), (2.0, 5.0), (0.5, 5.0), (1.0, 20.0), (2.0, 5.0)] {
            s.add(Resources::cpus_mem(c, m));
        }
        let mut got: Vec<(f64, f64)> = s.maximal.iter().map(|r| (r.cpus(), r.mem_mb())).collect();
        got.sort_by(|a, b| a.partial_cmp(b).unwrap());
        assert_eq!(got, [(1.0, 20.0), (2.0, 5.0)]);
        assert!(!s.overflow);
        let mut big = Shapes::default();
        for i in 0..=Shapes::CAP as i64 {
            big.add(Resources([i, Shapes::CAP as i64 - i, 0, 0]));
        }
        assert!(
            big.overflow && big.maximal.is_empty(),
            "past CAP the set is dropped"
        );
    }

    #[test]
    fn notes_and_largest_count_written_rows_only() {
        let dir = std::env::temp_dir().join(format!("offersim-sink-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = Params {
            to_s: Some(10.0),
            ..Params::default()
        };
        let mut sink = Sink::new(&dir.join("t.csv"), &p).unwrap();
        let row = |t: i64, cpus: f64| ImportRow {
            job_id: "j".into(),
            framework: "f".into(),
            submit_us: t,
            tasks: 2,
            cpus,
            mem_mb: 1.0,
            notes: vec!["n"],
            ..ImportRow::default()
        };
        assert!(sink.push(row(1_000_000, 1.0)).unwrap());
        assert!(!sink.push(row(20_000_000, 8.0)).unwrap());
        let s = sink.finish().unwrap();
        assert_eq!(s.notes["n"], 1);
        assert_eq!(s.units["n"], ROWS);
        assert_eq!(s.skipped["outside_time_window"], 1);
        assert_eq!(s.resources.largest.cpus(), 1.0);
        assert_eq!(s.resources.written, ["cpus", "mem_mb"]);
    }

    #[test]
    fn window_rebases_and_scales() {
        assert_eq!(window_time(10_000_000, Some(4_000_000), 0.5), 3_000_000);
        assert_eq!(window_time(10, None, 1.0), 10);
    }
}
