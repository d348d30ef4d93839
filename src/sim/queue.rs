//! The event queue: a binary heap ordered by (time, insertion sequence), so that same-time events
//! run first-in-first-out in the order they were scheduled.

use super::time::SimTime;
use std::cmp::Ordering;
use std::collections::BinaryHeap;

struct Entry<E> {
    time: SimTime,
    seq: u64,
    ev: E,
}

impl<E> PartialEq for Entry<E> {
    fn eq(&self, o: &Self) -> bool {
        self.time == o.time && self.seq == o.seq
    }
}
impl<E> Eq for Entry<E> {}
impl<E> PartialOrd for Entry<E> {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl<E> Ord for Entry<E> {
    // Reversed: BinaryHeap is a max-heap and we want the earliest (time, seq) on top.
    fn cmp(&self, o: &Self) -> Ordering {
        o.time.cmp(&self.time).then_with(|| o.seq.cmp(&self.seq))
    }
}

/// A deterministic priority queue of events. `seq` is unique, so the order is total.
pub struct EventQueue<E> {
    heap: BinaryHeap<Entry<E>>,
    next_seq: u64,
    /// The most events ever pending at once (perf.csv's yardstick loop holds as many).
    peak: usize,
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E> EventQueue<E> {
    pub fn new() -> Self {
        EventQueue {
            heap: BinaryHeap::new(),
            next_seq: 0,
            peak: 0,
        }
    }

    pub fn with_capacity(n: usize) -> Self {
        EventQueue {
            heap: BinaryHeap::with_capacity(n),
            next_seq: 0,
            peak: 0,
        }
    }

    /// Schedules `ev` at `time`; among events of one instant it runs after all earlier pushes.
    pub fn push(&mut self, time: SimTime, ev: E) {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.heap.push(Entry { time, seq, ev });
        self.peak = self.peak.max(self.heap.len());
    }

    pub fn pop(&mut self) -> Option<(SimTime, E)> {
        self.heap.pop().map(|e| (e.time, e.ev))
    }

    /// Pops the next event with its insertion sequence number.
    pub fn pop_with_seq(&mut self) -> Option<(SimTime, u64, E)> {
        self.heap.pop().map(|e| (e.time, e.seq, e.ev))
    }

    /// Takes a sequence number without scheduling anything: a timer that is checked lazily
    /// (a decline filter's expiry) orders against events exactly as if it had been pushed.
    pub fn reserve_seq(&mut self) -> u64 {
        let seq = self.next_seq;
        self.next_seq += 1;
        seq
    }

    pub fn peek_time(&self) -> Option<SimTime> {
        self.heap.peek().map(|e| e.time)
    }

    pub fn len(&self) -> usize {
        self.heap.len()
    }

    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }

    /// The most events pending at once so far.
    pub fn peak_len(&self) -> usize {
        self.peak
    }

    /// How many events were ever scheduled.
    pub fn scheduled(&self) -> u64 {
        self.next_seq
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_by_time_then_insertion() {
        let mut q = EventQueue::new();
        q.push(SimTime::from_us(5), "c");
        q.push(SimTime::from_us(1), "a");
        q.push(SimTime::from_us(5), "d");
        q.push(SimTime::from_us(1), "b");
        q.push(SimTime::from_us(0), "first");
        q.push(SimTime::from_us(5), "e");
        let got: Vec<_> = std::iter::from_fn(|| q.pop()).map(|(_, e)| e).collect();
        assert_eq!(got, ["first", "a", "b", "c", "d", "e"]);
    }

    #[test]
    fn same_instant_events_pushed_while_draining_run_last() {
        let mut q = EventQueue::new();
        q.push(SimTime::from_us(1), 1);
        q.push(SimTime::from_us(1), 2);
        let (_, first) = q.pop().unwrap();
        assert_eq!(first, 1);
        q.push(SimTime::from_us(1), 3);
        assert_eq!(q.pop().unwrap().1, 2);
        assert_eq!(q.pop().unwrap().1, 3);
        assert!(q.pop().is_none());
    }

    #[test]
    fn large_random_order_is_total_and_fifo() {
        let mut q = EventQueue::new();
        // Times from a simple LCG; the payload is the insertion index.
        let mut x: u64 = 12345;
        let mut expect = Vec::new();
        for i in 0..10_000u64 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let t = (x >> 50) as i64; // few distinct times: many ties
            q.push(SimTime::from_us(t), i);
            expect.push((t, i));
        }
        expect.sort();
        let got: Vec<_> = std::iter::from_fn(|| q.pop())
            .map(|(t, i)| (t.us(), i))
            .collect();
        assert_eq!(got, expect);
    }
}
