//! End to end: a whole simulation (DRF, decline filters, delay scheduling, generated Facebook
//! workload) on 1,000 agents, and the Omega simulator's Mesos day scaled down to its first two
//! hours (10,000 agents, per-agent and whole-cell offers), no output files. Reports elements =
//! tasks, so criterion's throughput line reads as tasks per second.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use offersim::experiment::RunOptions;
use std::sync::Arc;

const SCENARIO: &str = r#"
name = "bench-e2e"
seed = 7
[[policy]]
name = "drf-delay"
allocator = "drf"
[policy.framework_defaults]
scheduler = "delay"
node_wait_s = 1
rack_wait_s = 1
[cluster]
racks = 20
agents_per_rack = 50
agent = { cpus = 16, mem_mb = 65536 }
[workload]
generator = { kind = "facebook2009", jobs = 400, mean_gap_s = 0.3, frameworks = 10, cpus = 1, mem_mb = 4096, duration_s = 30, duration = "exponential", inputs = "shared", input_pool = 50 }
"#;

fn bench(c: &mut Criterion) {
    let s = Arc::new(
        offersim::scenario::load_str(std::path::Path::new("bench-e2e.toml"), SCENARIO)
            .expect("valid scenario"),
    );
    let tasks = offersim::experiment::simulate(&s, 0, 0, None, &RunOptions::default())
        .expect("runs")
        .tasks_finished;
    let mut g = c.benchmark_group("end_to_end");
    g.sample_size(10);
    g.throughput(Throughput::Elements(tasks));
    g.bench_function("drf_delay_1000_agents", |b| {
        b.iter(|| {
            offersim::experiment::simulate(&s, 0, 0, None, &RunOptions::default()).expect("runs")
        })
    });
    g.finish();
}

/// scenarios/omega-mesos.toml's workload and cluster, first two simulated hours, service t_job
/// 10 s in both offer modes.
const OMEGA: &str = r#"
name = "bench-omega-2h"
seed = 1
end_s = 7200
[cluster]
racks = 1
agents_per_rack = 10000
agent = { cpus = 4, mem_mb = 16384 }
[master]
refuse_s = 0
[workload]
trace = "../traces/omega-mesos.csv.gz"
[[frameworks]]
name = "batch"
scheduler = "greedy"
decision_s = 0.1
decision_per_task_s = 0.005
max_attempts = 1000
[[frameworks]]
name = "service"
scheduler = "greedy"
decision_per_task_s = 0.005
max_attempts = 1000
[[policy]]
name = "per-agent-10s"
allocator = "drf"
[policy.master]
offer_mode = "per_agent"
[policy.framework_defaults]
decision_s = 10
[[policy]]
name = "cell-10s"
allocator = "drf"
[policy.master]
offer_mode = "cell"
[policy.framework_defaults]
decision_s = 10
"#;

fn omega(c: &mut Criterion) {
    // Loaded as if it sat in scenarios/, so the trace path resolves as the shipped one's does.
    let s = Arc::new(
        offersim::scenario::load_str(std::path::Path::new("scenarios/bench-omega-2h.toml"), OMEGA)
            .expect("valid scenario"),
    );
    let mut g = c.benchmark_group("omega_day_first_2h");
    g.sample_size(10);
    for (i, name) in ["per_agent_10s", "cell_10s"].into_iter().enumerate() {
        let tasks = offersim::experiment::simulate(&s, i, 0, None, &RunOptions::default())
            .expect("runs")
            .tasks_finished;
        g.throughput(Throughput::Elements(tasks));
        g.bench_function(name, |b| {
            b.iter(|| {
                offersim::experiment::simulate(&s, i, 0, None, &RunOptions::default())
                    .expect("runs")
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench, omega);
criterion_main!(benches);
