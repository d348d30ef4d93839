//! One batch decision on the framework side: a delay-scheduling (and a greedy) framework with
//! 1,000 pending jobs that read their own inputs is shown a batch of one offer per agent of a
//! 12,500-agent cell (the scale scenario's cell), and asked once which offers it wants (the
//! question that lets the framework side skip the rest of the batch).

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use offersim::scheduler::fixture::BatchFixture;
use offersim::scheduler::{JobOrder, SchedulerKind, SchedulerSpec};
use offersim::sim::SimDuration;

fn bench(c: &mut Criterion) {
    let fx = BatchFixture::new(250, 50, 1_000, 10);
    let delay = SchedulerSpec {
        kind: SchedulerKind::Delay,
        job_order: JobOrder::Fifo,
        node_wait: SimDuration::from_secs(1),
        rack_wait: SimDuration::from_secs(1),
    };
    let greedy = SchedulerSpec {
        kind: SchedulerKind::Greedy,
        ..delay
    };
    let mut g = c.benchmark_group("batch_decision_12500_offers_1000_jobs");
    g.sample_size(10);
    g.bench_function("delay_every_offer_shown", |b| {
        b.iter_batched(
            || (fx.clone(), BatchFixture::scheduler(&delay)),
            |(mut f, mut s)| f.decide(s.as_mut()),
            BatchSize::LargeInput,
        )
    });
    g.bench_function("greedy_every_offer_shown", |b| {
        b.iter_batched(
            || (fx.clone(), BatchFixture::scheduler(&greedy)),
            |(mut f, mut s)| f.decide(s.as_mut()),
            BatchSize::SmallInput,
        )
    });
    g.bench_function("delay_wanted", |b| {
        b.iter_batched(
            || BatchFixture::scheduler(&delay),
            |mut s| fx.wanted(s.as_mut()),
            BatchSize::SmallInput,
        )
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
