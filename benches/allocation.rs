//! One allocation run of the DRF allocator over 10,000 agents and 1,000 frameworks, with 1%, 10%
//! and 100% of the agents holding free resources (DESIGN §6: under 5 ms, and proportional to the
//! agents that changed).

use criterion::{criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion};
use offersim::allocator::fixture::Fixture;
use offersim::allocator::RunGrant;

/// Agents a run granted, one by one or in bulk.
fn granted(out: &[RunGrant]) -> usize {
    out.iter()
        .map(|g| match g {
            RunGrant::One(_) => 1,
            RunGrant::All { agents, .. } => agents.len(),
        })
        .sum()
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("allocation_run_10k_agents_1k_frameworks");
    g.sample_size(20);
    for changed in [100usize, 1_000, 10_000] {
        let fx = Fixture::new(10_000, 1_000, 10, changed);
        g.bench_with_input(
            BenchmarkId::from_parameter(format!("{changed}_free_agents")),
            &changed,
            |b, _| {
                b.iter_batched(
                    || (fx.clone(), Vec::new()),
                    |(mut f, mut out)| {
                        f.run(1, &mut out);
                        assert_eq!(granted(&out), changed);
                        out
                    },
                    BatchSize::LargeInput,
                )
            },
        );
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
