//! Skipping the offers a scheduler does not want (`Scheduler::wanted`) must change nothing: the
//! built-in delay scheduler, which skips, against the same scheduler behind a wrapper that
//! wants every offer, on the same runs. Every output file, offers.csv included, must be equal.

use crate::common::*;
use offersim::experiment::{Outputs, Plugins, RunOptions};
use offersim::policy::{Decision, FrameworkConfig, JobKey, Locality, OfferView, Scheduler};
use offersim::policy::{SimTime, WorkView};
use std::path::Path;
use std::sync::Arc;

/// A built-in scheduler that is shown every offer of every batch.
struct ShowAll(Box<dyn Scheduler>);

impl Scheduler for ShowAll {
    fn name(&self) -> &str {
        self.0.name()
    }
    fn on_offer(&mut self, offer: &OfferView, work: &WorkView, out: &mut Decision) {
        self.0.on_offer(offer, work, out)
    }
    fn done(&self, work: &WorkView) -> bool {
        self.0.done(work)
    }
    fn on_launch(&mut self, job: JobKey, locality: Locality, now: SimTime) {
        self.0.on_launch(job, locality, now)
    }
    fn on_job_end(&mut self, job: JobKey) {
        self.0.on_job_end(job)
    }
}

fn show_all() -> Plugins {
    Plugins {
        allocator: None,
        scheduler: Some(Box::new(|cfg: &FrameworkConfig| {
            Some(
                Box::new(ShowAll(offersim::scheduler::build(&cfg.scheduler))) as Box<dyn Scheduler>,
            )
        })),
    }
}

/// Runs every (policy, replication) of `path` both ways and compares every file.
fn same_both_ways(path: &Path, name: &str, replications: u32) {
    let s = Arc::new(offersim::scenario::load(path).unwrap());
    let opts = RunOptions {
        check_invariants: true,
        outputs: Some(Outputs::All),
    };
    for p in 0..s.policies.len() {
        for r in 0..replications {
            let a = tmp(&format!("skip-{name}-{p}-{r}-a"));
            let b = tmp(&format!("skip-{name}-{p}-{r}-b"));
            let ra = offersim::experiment::simulate(&s, p, r, Some(&a), &opts).unwrap();
            let rb =
                offersim::experiment::simulate_with(&s, p, r, Some(&b), &opts, show_all()).unwrap();
            let (fa, fb) = (result_files(&a), result_files(&b));
            assert_eq!(
                fa.keys().collect::<Vec<_>>(),
                fb.keys().collect::<Vec<_>>(),
                "{name} policy {p} rep {r}"
            );
            for (k, v) in &fa {
                assert!(
                    v == &fb[k],
                    "{name} policy {p} rep {r}: {k} differs when every offer is shown"
                );
            }
            assert_eq!(ra.summary_row(), rb.summary_row());
            let _ = std::fs::remove_dir_all(&a);
            let _ = std::fs::remove_dir_all(&b);
        }
    }
}

#[test]
fn skipping_unwanted_offers_changes_no_output_of_the_locality_reproductions() {
    same_both_ways(&repo().join("scenarios/mesos-locality.toml"), "locality", 1);
    same_both_ways(&repo().join("scenarios/delay-model.toml"), "delay-model", 3);
}

/// Many delay-scheduling frameworks with per-job inputs on a cluster of racks, filters, rack
/// and any levels reached: the case skipping is for.
#[test]
fn skipping_unwanted_offers_changes_no_output_on_a_loaded_cluster_of_racks() {
    let d = tmp("skip-racks");
    write(
        &d.join("s.toml"),
        r#"name = "skip"
seed = 7
end_s = 400
[cluster]
racks = 8
agents_per_rack = 25
agent = { cpus = 8, mem_mb = 32768 }
[master]
allocation_interval_s = 1.0
refuse_s = 3.0
[workload]
generator = { kind = "poisson", jobs = 600, mean_gap_s = 0.4, frameworks = 6, tasks = 2, tasks_max = 30, cpus = 1, mem_mb = 4096, duration_s = 40, duration = "exponential", inputs = "per_job" }
block_replication = 3
[[policy]]
name = "short-waits"
allocator = "drf"
[policy.framework_defaults]
scheduler = "delay"
node_wait_s = 1
rack_wait_s = 1
[[policy]]
name = "long-node-wait"
allocator = "drf"
[policy.framework_defaults]
scheduler = "delay"
node_wait_s = 8
rack_wait_s = 2
job_order = "fair"
[[policy]]
name = "cell"
allocator = "drf"
[policy.master]
offer_mode = "cell"
[policy.framework_defaults]
scheduler = "delay"
node_wait_s = 3
rack_wait_s = 0
"#,
    );
    same_both_ways(&d.join("s.toml"), "racks", 2);
}
