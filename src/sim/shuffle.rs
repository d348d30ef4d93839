//! A seeded random order of the members of a bit set, drawn forward: position i takes the
//! member at a uniform position of [i, n), Fisher–Yates from the front. Drawing the whole order
//! at once ([`shuffled`]) and drawing it one position at a time as it is consumed
//! ([`LazyOrder`]) give the same order from the same stream, so a consumer that looks at only
//! the first few members pays for those only.

use super::bitset::BitSet;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rustc_hash::FxHashMap;

/// The one draw of the order's position `i` among `n`: the index in [i, n) it swaps with.
#[inline]
fn draw(rng: &mut ChaCha8Rng, i: u32, n: u32) -> u32 {
    rng.gen_range(i..n)
}

/// The members of `set` in a uniformly random order drawn from `rng`.
pub fn shuffled(set: &BitSet, rng: &mut ChaCha8Rng) -> Vec<u32> {
    let mut v: Vec<u32> = set.iter().collect();
    let n = v.len() as u32;
    for i in 0..n {
        let j = draw(rng, i, n);
        v.swap(i as usize, j as usize);
    }
    v
}

/// The same order as [`shuffled`], drawn as far as it is read. Memory and time follow the
/// positions read, plus one word per 64 ids of the set (to find its k-th member).
#[derive(Clone, Debug)]
pub struct LazyOrder {
    words: Vec<u64>,
    /// Members before each word.
    before: Vec<u32>,
    n: u32,
    /// Positions whose member moved away in a swap (position -> rank of its member now).
    moved: FxHashMap<u32, u32>,
    drawn: Vec<u32>,
    rng: ChaCha8Rng,
}

impl LazyOrder {
    pub fn new(set: &BitSet, rng: ChaCha8Rng) -> LazyOrder {
        Self::from_set(set.clone(), rng)
    }

    /// The same, taking the set.
    pub fn from_set(set: BitSet, rng: ChaCha8Rng) -> LazyOrder {
        let words = set.into_words();
        let mut before = Vec::with_capacity(words.len());
        let mut acc = 0u32;
        for w in &words {
            before.push(acc);
            acc += w.count_ones();
        }
        LazyOrder {
            words,
            before,
            n: acc,
            moved: FxHashMap::default(),
            drawn: Vec::new(),
            rng,
        }
    }

    /// How many members the order has.
    pub fn len(&self) -> u32 {
        self.n
    }

    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// How many positions have been drawn.
    pub fn drawn(&self) -> u32 {
        self.drawn.len() as u32
    }

    /// The member at position `i` (None past the end), drawing the positions before it first.
    pub fn get(&mut self, i: u32) -> Option<u32> {
        while self.drawn.len() as u32 <= i {
            if self.drawn.len() as u32 >= self.n {
                return None;
            }
            self.draw_next();
        }
        Some(self.drawn[i as usize])
    }

    fn draw_next(&mut self) {
        let i = self.drawn.len() as u32;
        let j = draw(&mut self.rng, i, self.n);
        let at_j = self.moved.get(&j).copied().unwrap_or(j);
        if i != j {
            let at_i = self.moved.remove(&i).unwrap_or(i);
            self.moved.insert(j, at_i);
        } else {
            self.moved.remove(&i);
        }
        let id = self.select(at_j);
        self.drawn.push(id);
    }

    /// The member of rank `r` (the r-th smallest).
    fn select(&self, r: u32) -> u32 {
        // The last word with fewer than r+1 members before it.
        let w = self.before.partition_point(|&b| b <= r) - 1;
        let mut x = self.words[w];
        for _ in 0..(r - self.before[w]) {
            x &= x - 1;
        }
        w as u32 * 64 + x.trailing_zeros()
    }

    /// Every member, the drawn ones in their order first.
    pub fn all(&mut self) -> Vec<u32> {
        while self.drawn() < self.n {
            self.draw_next();
        }
        self.drawn.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::rng::{indexed_stream, Purpose};

    fn set(ids: &[u32]) -> BitSet {
        let mut s = BitSet::default();
        for &i in ids {
            s.insert(i);
        }
        s
    }

    #[test]
    fn lazy_and_whole_orders_agree() {
        let ids: Vec<u32> = (0..500).map(|i| i * 7 % 1237).collect();
        let s = set(&ids);
        for k in 0..5 {
            let whole = shuffled(&s, &mut indexed_stream(3, Purpose::AgentShuffle, k));
            let mut lazy = LazyOrder::new(&s, indexed_stream(3, Purpose::AgentShuffle, k));
            assert_eq!(lazy.get(3), Some(whole[3]));
            assert_eq!(lazy.drawn(), 4, "only what was read is drawn");
            assert_eq!(lazy.all(), whole);
            let mut sorted = whole.clone();
            sorted.sort_unstable();
            let mut expect = ids.clone();
            expect.sort_unstable();
            assert_eq!(sorted, expect, "a permutation of the set");
            assert_eq!(lazy.get(500), None);
        }
    }

    #[test]
    fn every_member_is_equally_likely_first() {
        let s = set(&[2, 70, 130, 131]);
        let mut first = std::collections::BTreeMap::new();
        for k in 0..4000 {
            let mut o = LazyOrder::new(&s, indexed_stream(1, Purpose::AgentShuffle, k));
            *first.entry(o.get(0).unwrap()).or_insert(0) += 1;
        }
        for (_, c) in first {
            assert!((800..1200).contains(&c), "{c}");
        }
    }
}
