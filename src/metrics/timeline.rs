//! A bounded timeline of time averages (utilization.csv): buckets of equal width, each holding
//! the mean of a value over its stretch of simulated time. The width starts at one second and
//! doubles (adjacent buckets merged, which keeps every mean exact) whenever the run grows past
//! [`MAX_BUCKETS`] of them, so the file stays small however long the run, and memory with it.

/// The most buckets a timeline holds: about 150 KB of CSV.
pub const MAX_BUCKETS: usize = 4096;

#[derive(Clone, Debug)]
pub struct Timeline {
    /// Bucket width in microseconds.
    width: i64,
    cap: usize,
    /// Per bucket, the integrals of the values over it (value x microseconds).
    sums: Vec<[f64; 2]>,
}

impl Default for Timeline {
    fn default() -> Self {
        Timeline::new(1_000_000, MAX_BUCKETS)
    }
}

impl Timeline {
    pub fn new(width_us: i64, cap: usize) -> Timeline {
        Timeline {
            width: width_us.max(1),
            cap: cap.max(2),
            sums: Vec::new(),
        }
    }

    /// The values `v` held over `[from, to)` (microseconds).
    pub fn add(&mut self, from: i64, to: i64, v: [f64; 2]) {
        if to <= from || from < 0 {
            return;
        }
        while to > self.width.saturating_mul(self.cap as i64) {
            self.coarsen();
        }
        let mut t = from;
        while t < to {
            let k = (t / self.width) as usize;
            let e = to.min((k as i64 + 1) * self.width);
            if self.sums.len() <= k {
                self.sums.resize(k + 1, [0.0; 2]);
            }
            let dt = (e - t) as f64;
            self.sums[k][0] += v[0] * dt;
            self.sums[k][1] += v[1] * dt;
            t = e;
        }
    }

    fn coarsen(&mut self) {
        self.width *= 2;
        self.sums = self
            .sums
            .chunks(2)
            .map(|c| {
                let b = c.get(1).copied().unwrap_or([0.0; 2]);
                [c[0][0] + b[0], c[0][1] + b[1]]
            })
            .collect();
    }

    /// Bucket width in microseconds (the timeline's resolution).
    #[cfg(test)]
    pub fn width_us(&self) -> i64 {
        self.width
    }

    /// (bucket start, mean of each value) for every bucket up to `end`; the last bucket's mean
    /// is over the part before `end`.
    pub fn rows(&self, end: i64) -> Vec<(i64, [f64; 2])> {
        self.sums
            .iter()
            .enumerate()
            .filter_map(|(k, s)| {
                let start = k as i64 * self.width;
                let covered = (start + self.width).min(end) - start;
                (covered > 0).then(|| {
                    let c = covered as f64;
                    (start, [s[0] / c, s[1] / c])
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_hold_time_averages() {
        let mut t = Timeline::new(10, 100);
        t.add(0, 5, [1.0, 0.0]);
        t.add(5, 25, [0.5, 1.0]);
        let r = t.rows(25);
        assert_eq!(r, [(0, [0.75, 0.5]), (10, [0.5, 1.0]), (20, [0.5, 1.0])]);
    }

    #[test]
    fn a_long_run_doubles_the_width_and_stays_bounded_and_exact() {
        let mut t = Timeline::new(1, 8);
        for s in 0..100 {
            t.add(s, s + 1, [if s % 2 == 0 { 1.0 } else { 0.0 }, 1.0]);
        }
        let r = t.rows(100);
        assert!(r.len() <= 8, "{}", r.len());
        assert_eq!(t.width_us(), 16);
        // Each full bucket of 16 holds 8 ones and 8 zeros.
        assert!(
            r[..r.len() - 1].iter().all(|(_, v)| *v == [0.5, 1.0]),
            "{r:?}"
        );
        // A jump far ahead coarsens first, without a bucket per old width.
        t.add(100, 1_000_000, [1.0, 1.0]);
        assert!(t.rows(1_000_000).len() <= 8);
    }
}
