//! The event queue against a bare binary-heap loop of the same event size (DESIGN §6: within 2x).

use criterion::{black_box, criterion_group, criterion_main, BatchSize, Criterion};
use offersim::internals::Event;
use offersim::policy::FrameworkId;
use offersim::sim::queue::EventQueue;
use offersim::sim::SimTime;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

const N: usize = 100_000;

/// The bare heap's element: the same payload, ordered by (time, seq) and nothing else.
struct Bare(i64, u64, Event);
impl PartialEq for Bare {
    fn eq(&self, o: &Self) -> bool {
        (self.0, self.1) == (o.0, o.1)
    }
}
impl Eq for Bare {}
impl PartialOrd for Bare {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Bare {
    fn cmp(&self, o: &Self) -> std::cmp::Ordering {
        (self.0, self.1).cmp(&(o.0, o.1))
    }
}

fn times() -> Vec<i64> {
    let mut x: u64 = 0x2545F4914F6CDD1D;
    (0..N)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x % 10_000_000) as i64
        })
        .collect()
}

/// A hold-model workload: pop one, push one a little later; the steady state of a simulation.
fn bench(c: &mut Criterion) {
    let ts = times();
    let mut g = c.benchmark_group("queue");
    g.throughput(criterion::Throughput::Elements(N as u64));
    g.bench_function("event_queue_hold", |b| {
        b.iter_batched(
            || {
                let mut q = EventQueue::with_capacity(N);
                for (i, &t) in ts.iter().enumerate() {
                    q.push(
                        SimTime::from_us(t),
                        Event::Answer {
                            fw: FrameworkId::new(i as u32),
                        },
                    );
                }
                q
            },
            |mut q| {
                for &dt in &ts {
                    let (t, ev) = q.pop().unwrap();
                    q.push(SimTime::from_us(t.us() + dt), black_box(ev));
                }
                q
            },
            BatchSize::LargeInput,
        )
    });
    g.bench_function("bare_binary_heap_hold", |b| {
        b.iter_batched(
            || {
                let mut h = BinaryHeap::with_capacity(N);
                for (i, &t) in ts.iter().enumerate() {
                    h.push(Reverse(Bare(
                        t,
                        i as u64,
                        Event::Answer {
                            fw: FrameworkId::new(i as u32),
                        },
                    )));
                }
                h
            },
            |mut h| {
                let mut seq = N as u64;
                for &dt in &ts {
                    let Reverse(Bare(t, _, ev)) = h.pop().unwrap();
                    seq += 1;
                    h.push(Reverse(Bare(t + dt, seq, black_box(ev))));
                }
                h
            },
            BatchSize::LargeInput,
        )
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
