//! The CSV files derived from a results folder (`compare.csv`). The per-run files and the
//! summary columns are written by the recorder (`metrics::files`).

/// `compare.csv`: per policy and summary metric, the mean over replications and its 95%
/// confidence interval (Student t; empty with a single replication).
pub const COMPARE_COLS: [&str; 7] = [
    "policy",
    "metric",
    "replications",
    "mean",
    "ci95",
    "ci95_low",
    "ci95_high",
];
/// `compare_frameworks.csv`: the same statistics as compare.csv, per policy, framework and
/// frameworks.csv metric.
pub const COMPARE_FRAMEWORKS_COLS: [&str; 8] = [
    "policy",
    "framework",
    "metric",
    "replications",
    "mean",
    "ci95",
    "ci95_low",
    "ci95_high",
];
