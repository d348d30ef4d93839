//! What perf.csv measures besides wall time: the run thread's own CPU time (robust on a loaded
//! machine, where wall time is not) and a bare binary-heap loop of the run's event count at the
//! run's peak queue depth, timed in the same process right after the run, so that every figure
//! carries its own yardstick (DESIGN §6 compares the engine with such a loop).

use crate::cluster::event::Event;
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::time::Instant;

/// The on-CPU time of the calling thread in seconds, from the scheduler's own accounting
/// (`/proc/thread-self/schedstat`, nanoseconds); None where that file does not exist.
pub fn thread_cpu_s() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: f64 = s.split_whitespace().next()?.parse().ok()?;
    Some(ns / 1e9)
}

/// An element as large as the engine's: (time, seq) keys and an event-sized payload.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
struct Bare(i64, u64, [u8; std::mem::size_of::<Event>()]);

/// Seconds a bare `BinaryHeap` loop takes to pop `events` elements and push one in their place,
/// holding `depth` of them (at least one): the cost of an event queue and nothing else.
/// Times are drawn by a fixed xorshift, so every call does the same work.
pub fn bare_heap_s(events: u64, depth: usize) -> f64 {
    let depth = depth.max(1);
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let started = Instant::now();
    let mut heap = BinaryHeap::with_capacity(depth);
    for seq in 0..depth as u64 {
        heap.push(Reverse(Bare((next() % 1_000_000) as i64, seq, [0; _])));
    }
    for seq in (depth as u64..).take(events as usize) {
        let Some(Reverse(top)) = heap.pop() else {
            break;
        };
        let t = top.0 + (next() % 1_000_000) as i64;
        heap.push(Reverse(Bare(t, seq, top.2)));
    }
    std::hint::black_box(&heap);
    started.elapsed().as_secs_f64()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bare_loop_does_the_work_it_is_asked() {
        // Not a timing assertion: the loop runs and reports a duration.
        assert!(bare_heap_s(1000, 10) >= 0.0);
        assert!(bare_heap_s(0, 0) >= 0.0);
    }

    #[test]
    fn thread_cpu_time_grows_with_work() {
        let Some(a) = thread_cpu_s() else { return };
        let mut v = 0u64;
        for i in 0..20_000_000u64 {
            v = std::hint::black_box(v.wrapping_add(i * i));
        }
        let b = thread_cpu_s().expect("read once, read again");
        assert!(b > a, "cpu time went from {a} to {b}");
    }
}
