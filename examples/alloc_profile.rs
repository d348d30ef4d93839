//! Profiling driver for one allocation run (10k agents, 1k frameworks, all agents free), for
//! `perf record`; the criterion bench `allocation` measures the same thing.

use offersim::allocator::fixture::Fixture;

fn main() {
    let changed: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(10_000);
    let fx = Fixture::new(10_000, 1_000, 10, changed);
    let t = std::time::Instant::now();
    let mut n = 0;
    for i in 0..20 {
        let mut f = fx.clone();
        let mut out = Vec::new();
        f.run(i, &mut out);
        n += out.len();
    }
    eprintln!(
        "{} grants, {:.2} ms per run (including the fixture clone)",
        n / 20,
        t.elapsed().as_secs_f64() * 1000.0 / 20.0
    );
}
