//! Data locality end to end: on a small cluster with racks and a generated workload that reads
//! per-job and shared inputs, delay scheduling must raise node-locality over greedy; and a
//! generator with an unknown key is a bad input.

use crate::common::*;
use offersim::experiment::RunOptions;
use offersim::metrics::files::SUMMARY_COLS;
use offersim::scenario;
use std::sync::Arc;

const SCENARIO: &str = r#"
name = "locality-it"
seed = 3
[cluster]
racks = 4
agents_per_rack = 5
agent = { cpus = 2, mem_mb = 4096 }
[workload]
generator = { kind = "poisson", frameworks = 3, jobs = 60, mean_gap_s = 2, tasks = 2, tasks_max = 40, duration_s = 8, duration = "exponential", inputs = "shared", input_pool = 6 }
[locality]
rack_slowdown = 1.5
off_rack_slowdown = 2.0
[[policy]]
name = "greedy"
[policy.framework_defaults]
scheduler = "greedy"
[[policy]]
name = "delay"
[policy.framework_defaults]
scheduler = "delay"
node_wait_s = 3
rack_wait_s = 3
refuse_s = 1
job_order = "fair"
"#;

fn field(o: &offersim::experiment::RunOutcome, name: &str) -> f64 {
    let i = SUMMARY_COLS.iter().position(|c| *c == name).unwrap() - 3;
    o.fields[i].parse().unwrap()
}

#[test]
fn delay_scheduling_raises_node_locality_over_greedy() {
    let dir = tmp("locality");
    let path = dir.join("s.toml");
    write(&path, SCENARIO);
    let s = Arc::new(scenario::load(&path).unwrap());
    let opts = RunOptions {
        check_invariants: true,
        ..Default::default()
    };
    let greedy = offersim::experiment::simulate(&s, 0, 0, Some(&dir.join("g")), &opts).unwrap();
    let delay = offersim::experiment::simulate(&s, 1, 0, Some(&dir.join("d")), &opts).unwrap();
    let (g, d) = (field(&greedy, "node_local"), field(&delay, "node_local"));
    assert!(d > g + 0.1, "node_local: delay {d} vs greedy {g}");
    assert_eq!(field(&delay, "tasks_finished"), field(&delay, "tasks"));
    // bins.csv sits beside jobs.csv and covers every job.
    let (h, rows) = read_csv(&dir.join("d/bins.csv"));
    assert_eq!(h, ["bin", "jobs", "node_local", "rack_local", "jct_mean_s"]);
    assert_eq!(rows.len(), 9);
    let jobs: u64 = rows.iter().map(|r| r[1].parse::<u64>().unwrap()).sum();
    assert_eq!(jobs, 60);
    // Same seed, same files.
    offersim::experiment::simulate(&s, 1, 0, Some(&dir.join("d2")), &opts).unwrap();
    for f in ["tasks.csv", "jobs.csv", "bins.csv"] {
        assert_eq!(
            std::fs::read(dir.join("d").join(f)).unwrap(),
            std::fs::read(dir.join("d2").join(f)).unwrap(),
            "{f}"
        );
    }
}

#[test]
fn a_generator_with_an_unknown_key_is_a_bad_input() {
    let dir = tmp("gen-bad");
    let path = dir.join("s.toml");
    write(
        &path,
        "name = \"x\"\n[workload]\ngenerator = { kind = \"poisson\", jbos = 3 }\n",
    );
    // The generator table is checked when the scenario loads, before anything runs.
    let e = scenario::load(&path).unwrap_err();
    let m = e.to_string();
    assert!(
        m.contains("s.toml:3") && m.contains("workload.generator.jbos"),
        "{m}"
    );
    assert_eq!(e.exit_code(), 2);
}
