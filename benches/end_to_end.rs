//! End to end: a whole simulation (DRF, decline filters, delay scheduling, generated Facebook
//! workload) on 1,000 agents, no output files. Reports elements = tasks, so criterion's
//! throughput line reads as tasks per second.

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

criterion_group!(benches, bench);
criterion_main!(benches);
