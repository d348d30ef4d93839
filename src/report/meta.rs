//! What the report needs to know about each metric besides its values: what it means, which
//! direction is better (so the best value can be marked), and which table group it belongs to.
//! One place, so the comparison tables, the framework tables and the glossary say the same.

/// Which way a metric improves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Better {
    Higher,
    Lower,
    /// Neither: a count of the input (jobs, tasks), or a figure that is not good or bad alone
    /// (rack-local, a framework's share, offers made).
    Neither,
}

impl Better {
    /// The arrow shown after a column's name.
    pub fn arrow(self) -> &'static str {
        match self {
            Better::Higher => "\u{2191}",
            Better::Lower => "\u{2193}",
            Better::Neither => "",
        }
    }

    pub fn words(self) -> &'static str {
        match self {
            Better::Higher => "higher is better",
            Better::Lower => "lower is better",
            Better::Neither => "no better direction",
        }
    }

    /// Whether `a` is strictly better than `b`.
    pub fn beats(self, a: f64, b: f64) -> bool {
        match self {
            Better::Higher => a > b,
            Better::Lower => a < b,
            Better::Neither => false,
        }
    }
}

/// A summary.csv metric: its meaning and direction.
pub fn summary_metric(metric: &str) -> (&'static str, Better) {
    use Better::*;
    match metric {
        "jobs" => ("jobs submitted", Neither),
        "tasks" => ("tasks submitted", Neither),
        "tasks_finished" => ("tasks that ran to completion", Higher),
        "tasks_lost" => ("task runs lost with their agent (resubmitted)", Lower),
        "tasks_unscheduled" => (
            "tasks never launched by the end of the run (includes the dropped tasks of abandoned \
             jobs)",
            Lower,
        ),
        "tasks_preempted" => (
            "tasks killed by the priority allocator's preemption (and resubmitted)",
            Lower,
        ),
        "jobs_abandoned" => (
            "jobs given up after their framework's max_attempts decisions with tasks still \
             pending; their pending tasks are dropped",
            Lower,
        ),
        "makespan_s" => ("end of the last finished task (s)", Lower),
        "jct_mean_s" => (
            "job completion time, mean over finished jobs: end of the job's last task - its \
             submit (s)",
            Lower,
        ),
        "jct_p50_s" => ("job completion time, median (nearest rank, s)", Lower),
        "jct_p95_s" => ("job completion time, 95th percentile (s)", Lower),
        "jct_p99_s" => ("job completion time, 99th percentile (s)", Lower),
        "wait_mean_s" => (
            "job wait, mean over started jobs: first task start - submit (s)",
            Lower,
        ),
        "wait_p95_s" => ("job wait, 95th percentile (s)", Lower),
        "node_local" => (
            "fraction of launched tasks with preferences that ran on a preferred agent",
            Higher,
        ),
        "rack_local" => (
            "fraction that ran on another agent of a preferred agent's rack",
            Neither,
        ),
        "off_rack" => ("fraction that ran elsewhere", Lower),
        "jain" => (
            "Jain's index (sum x)^2 / (n sum x^2) of x = dominant share / weight over the \
             frameworks with pending tasks (n >= 2), time-averaged; 1 = those who want more are \
             held equal",
            Higher,
        ),
        "util_cpus" => (
            "cpus used by tasks and executors / total, time-averaged over [0, makespan]",
            Higher,
        ),
        "util_mem" => (
            "memory used by tasks and executors / total, time-averaged over [0, makespan]",
            Higher,
        ),
        "util_gpus" => (
            "gpus used / total, time-averaged over [0, makespan]; empty without gpus",
            Higher,
        ),
        "offers" => ("offers made", Neither),
        "offers_declined" => (
            "offers declined wholly (a framework's choice, neither good nor bad alone)",
            Neither,
        ),
        "offers_rescinded" => (
            "offers rescinded (offer timeout, agent loss, weight change)",
            Lower,
        ),
        "events" => (
            "events the simulation processed (a measure of simulation work)",
            Neither,
        ),
        _ => ("", Neither),
    }
}

/// A frameworks.csv metric: its meaning and direction.
pub fn framework_metric(metric: &str) -> (&'static str, Better) {
    use Better::*;
    match metric {
        "share_mean" => (
            "dominant share (offered + used), time-averaged over the run",
            Neither,
        ),
        "tasks" => ("tasks the framework launched", Neither),
        "jobs" => ("jobs of the framework that finished", Neither),
        "jct_mean_s" => ("job completion time, mean (s)", Lower),
        "jct_p95_s" => ("job completion time, 95th percentile (s)", Lower),
        "wait_mean_s" => ("job wait to the first task start, mean (s)", Lower),
        "wait_p95_s" => (
            "job wait to the first task start, 95th percentile (s)",
            Lower,
        ),
        "wait_full_mean_s" => (
            "job wait to the last task start (fully scheduled), mean (s)",
            Lower,
        ),
        "busyness" => (
            "fraction of the run the framework's scheduler spent deciding (empty without a \
             decision time)",
            Lower,
        ),
        "jobs_submitted" => ("jobs of the framework that arrived during the run", Neither),
        "jobs_abandoned" => (
            "jobs given up after the framework's max_attempts decisions with tasks still pending",
            Lower,
        ),
        "jobs_unscheduled" => (
            "jobs that still had tasks neither running nor finished when the run ended (never \
             launched: waiting, or dropped when abandoned; or killed)",
            Lower,
        ),
        _ => ("", Neither),
    }
}

/// The groups of the comparison table, in order; a metric in none of them goes to "Other".
pub const GROUPS: [(&str, &[&str]); 5] = [
    (
        "Jobs and tasks",
        &[
            "jobs",
            "tasks",
            "tasks_finished",
            "tasks_lost",
            "tasks_unscheduled",
            "tasks_preempted",
            "jobs_abandoned",
        ],
    ),
    (
        "Completion and wait",
        &[
            "makespan_s",
            "jct_mean_s",
            "jct_p50_s",
            "jct_p95_s",
            "jct_p99_s",
            "wait_mean_s",
            "wait_p95_s",
        ],
    ),
    ("Locality", &["node_local", "rack_local", "off_rack"]),
    (
        "Fairness and utilization",
        &["jain", "util_cpus", "util_mem", "util_gpus"],
    ),
    (
        "Offers and events",
        &["offers", "offers_declined", "offers_rescinded", "events"],
    ),
];

/// Why Jain's index must be read with care: said beside the fairness table and in the glossary.
pub const JAIN_CAVEAT: &str = "Jain's index measures how equal the shares of the frameworks that \
    want more are, not how much they get. A static partition scores about 1 by construction: \
    every framework with pending work has filled its own equal slice, so their shares are equal \
    even while other slices sit idle. Read it together with utilization, wait and completion \
    times.";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::files::{FRAMEWORKS_COLS, SUMMARY_COLS};

    #[test]
    fn every_column_is_explained_and_grouped() {
        for c in &SUMMARY_COLS[3..] {
            assert!(!summary_metric(c).0.is_empty(), "{c} has no meaning");
            assert!(GROUPS.iter().any(|g| g.1.contains(c)), "{c} is in no group");
        }
        for c in &FRAMEWORKS_COLS[1..] {
            assert!(!framework_metric(c).0.is_empty(), "{c} has no meaning");
        }
    }

    #[test]
    fn directions() {
        assert!(Better::Lower.beats(1.0, 2.0));
        assert!(!Better::Lower.beats(2.0, 2.0));
        assert!(Better::Higher.beats(0.9, 0.5));
        assert!(!Better::Neither.beats(3.0, 1.0));
    }
}
