//! Job-size bins of the delay-scheduling paper (Zaharia et al., EuroSys'10, Facebook's job mix),
//! and the per-run bins.csv they feed: locality and job completion time by job size, where
//! delay scheduling matters most for small jobs.

use super::files::{fmt_f, fmt_opt};
use crate::cluster::task::Job;
use crate::sim::time::SimTime;

/// The delay-scheduling paper's job-size bins (tasks per job), the last one open-ended.
pub const BINS: [(u32, u32); 9] = [
    (1, 1),
    (2, 2),
    (3, 20),
    (21, 60),
    (61, 150),
    (151, 300),
    (301, 500),
    (501, 1500),
    (1501, u32::MAX),
];

/// The label of a bin, as bins.csv writes it.
pub fn bin_label(i: usize) -> String {
    match BINS[i] {
        (a, b) if a == b => a.to_string(),
        (a, u32::MAX) => format!(">{}", a - 1),
        (a, b) => format!("{a}-{b}"),
    }
}

/// The bin of a job of `tasks` tasks.
pub fn bin_of(tasks: u32) -> usize {
    BINS.iter()
        .position(|&(a, b)| tasks >= a && tasks <= b)
        .unwrap_or(0)
}

/// Per-bin sums over a run's jobs.
#[derive(Clone, Debug, Default)]
pub struct BinStats {
    jobs: [u64; 9],
    node_local: [u64; 9],
    rack_local: [u64; 9],
    with_prefs: [u64; 9],
    jct_us: [i128; 9],
    finished: [u64; 9],
}

impl BinStats {
    pub fn job(&mut self, j: &Job, end: Option<SimTime>) {
        let b = bin_of(j.tasks);
        self.jobs[b] += 1;
        self.node_local[b] += j.node_local as u64;
        self.rack_local[b] += j.rack_local as u64;
        self.with_prefs[b] += (j.node_local + j.rack_local + j.off_rack) as u64;
        if let Some(e) = end {
            self.finished[b] += 1;
            self.jct_us[b] += (e.us() - j.submit.us()) as i128;
        }
    }

    /// The bins.csv rows: `bin,jobs,node_local,rack_local,jct_mean_s`, every bin listed.
    pub fn rows(&self) -> Vec<[String; 5]> {
        (0..BINS.len())
            .map(|b| {
                let frac =
                    |x: u64| (self.with_prefs[b] > 0).then(|| x as f64 / self.with_prefs[b] as f64);
                let jct = (self.finished[b] > 0)
                    .then(|| self.jct_us[b] as f64 / 1e6 / self.finished[b] as f64);
                [
                    bin_label(b),
                    self.jobs[b].to_string(),
                    fmt_opt(frac(self.node_local[b])),
                    fmt_opt(frac(self.rack_local[b])),
                    jct.map(fmt_f).unwrap_or_default(),
                ]
            })
            .collect()
    }
}

pub const BINS_COLS: [&str; 5] = ["bin", "jobs", "node_local", "rack_local", "jct_mean_s"];

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn bins_cover_every_size_once() {
        for n in 1..5000 {
            let b = bin_of(n);
            assert!(n >= BINS[b].0 && n <= BINS[b].1);
        }
        assert_eq!(bin_label(0), "1");
        assert_eq!(bin_label(2), "3-20");
        assert_eq!(bin_label(8), ">1500");
    }

    #[test]
    fn rows_average_locality_over_tasks_and_jct_over_finished_jobs() {
        let job = |tasks: u32, nl: u32, rl: u32, off: u32| Job {
            tasks,
            node_local: nl,
            rack_local: rl,
            off_rack: off,
            complete: true,
            last_end: SimTime::ZERO,
            ..Job::new(
                Arc::from("j"),
                crate::cluster::ids::FrameworkId::new(0),
                SimTime::from_us(1_000_000),
                0,
            )
        };
        let mut s = BinStats::default();
        s.job(&job(10, 5, 5, 0), Some(SimTime::from_us(11_000_000)));
        s.job(&job(12, 12, 0, 0), None);
        s.job(&job(1, 0, 0, 0), Some(SimTime::from_us(3_000_000)));
        let r = s.rows();
        assert_eq!(r[2][..4], ["3-20", "2", "0.772727273", "0.227272727"]);
        assert_eq!(r[2][4], "10");
        // Jobs without preferences leave the locality columns empty.
        assert_eq!(r[0], ["1", "1", "", "", "2"].map(String::from));
        assert_eq!(r[5], ["151-300", "0", "", "", ""].map(String::from));
    }
}
