//! Per-run files derived from the recorder once the run has ended: `frameworks.csv` (share,
//! tasks, JCT, waits, scheduler busyness, jobs submitted, abandoned and unscheduled per framework) and `utilization.csv` (the timeline).
//! Kept apart from the recorder so that the hot recording path stays small.

use super::files::{create, FRAMEWORKS_COLS, UTILIZATION_COLS};
use super::files::{fmt_f, fmt_opt};
use super::recorder::Recorder;
use super::stats::percentile;
use crate::error::{Error, Result};
use crate::sim::time::{fmt_secs, SimTime};
use std::path::Path;

fn mean_s(v: &[i64]) -> Option<f64> {
    (!v.is_empty()).then(|| v.iter().map(|&x| x as f64 / 1e6).sum::<f64>() / v.len() as f64)
}

fn p95_s(v: &[i64]) -> Option<f64> {
    let mut v = v.to_vec();
    percentile(&mut v, 95.0).map(|x| x as f64 / 1e6)
}

/// One `frameworks.csv` row per framework, in name order. `end` is the end of the run: shares
/// and busyness are averaged over [0, end].
pub fn framework_rows(rec: &Recorder, end: SimTime) -> Vec<Vec<String>> {
    let span = end.us() as f64;
    rec.fw
        .iter()
        .map(|(name, f)| {
            vec![
                name.clone(),
                fmt_opt((span > 0.0).then(|| f.share_int / span)),
                f.tasks.to_string(),
                f.jct_us.len().to_string(),
                fmt_opt(mean_s(&f.jct_us)),
                fmt_opt(p95_s(&f.jct_us)),
                fmt_opt(mean_s(&f.wait_us)),
                fmt_opt(p95_s(&f.wait_us)),
                fmt_opt(mean_s(&f.wait_full_us)),
                fmt_opt((f.decides && span > 0.0).then(|| (f.busy_us as f64 / span).min(1.0))),
                f.jobs_submitted.to_string(),
                f.jobs_abandoned.to_string(),
                f.jobs_unscheduled.to_string(),
            ]
        })
        .collect()
}

/// Writes `frameworks.csv` and `utilization.csv` into `dir`.
pub fn write(rec: &Recorder, dir: &Path, end: SimTime) -> Result<()> {
    let path = dir.join("frameworks.csv");
    let mut w = create(&path, &FRAMEWORKS_COLS)?;
    for r in framework_rows(rec, end) {
        w.write_record(&r)
            .map_err(|e| Error::write(&path, e.into()))?;
    }
    w.flush().map_err(|e| Error::write(&path, e))?;

    let path = dir.join("utilization.csv");
    let mut w = create(&path, &UTILIZATION_COLS)?;
    for (t, [c, m]) in rec.util.rows(end.us()) {
        w.write_record([fmt_secs(t), fmt_f(c), fmt_f(m)])
            .map_err(|e| Error::write(&path, e.into()))?;
    }
    w.flush().map_err(|e| Error::write(&path, e))
}
