//! Where importers put their rows: the down-sampling options (time window, job sampling, time
//! scaling) are applied here, once for every format, before the rows go to the sorted writer.

use super::writer::SortedWriter;
use super::{Params, Summary};
use crate::cluster::resources::Resources;
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

    /// Takes one row; skipped rows are counted by reason.
    pub fn push(&mut self, mut row: ImportRow) -> Result<()> {
        if row.tasks == 0 {
            self.summary.skip("zero_tasks");
            return Ok(());
        }
        if Resources::new(row.cpus, row.mem_mb, row.disk_mb, row.gpus).is_zero() {
            self.summary.skip("zero_request");
            return Ok(());
        }
        let Some(t) = self.map_time(row.submit_us) else {
            self.summary.skip("outside_time_window");
            return Ok(());
        };
        if !sampled(self.seed, self.sample_jobs, &row.job_id) {
            self.summary.skip("not_in_job_sample");
            return Ok(());
        }
        if t < 0 {
            self.summary.note("negative_submit_clamped_to_0");
        }
        row.submit_us = t.max(0);
        row.duration_us = row.duration_us.max(0);
        if row.tasks > u32::MAX as u64 {
            self.summary.note("tasks_capped_at_u32_max");
            row.tasks = u32::MAX as u64;
        }
        self.summary.rows += 1;
        self.summary.tasks += row.tasks;
        if !self.jobs.contains(&row.job_id) {
            self.jobs.insert(row.job_id.clone());
        }
        self.writer.push(row)
    }

    /// Sorts, writes and renames the output; returns the summary.
    pub fn finish(mut self) -> Result<Summary> {
        self.writer.finish()?;
        self.summary.jobs = self.jobs.len() as u64;
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
    fn window_rebases_and_scales() {
        assert_eq!(window_time(10_000_000, Some(4_000_000), 0.5), 3_000_000);
        assert_eq!(window_time(10, None, 1.0), 10);
    }
}
