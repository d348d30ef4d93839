//! A seeded random order of the members of a bit set, drawn forward: position i takes the
//! member at a uniform position of [i, n), Fisher–Yates from the front. The allocator's walks
//! over several (framework, agent) pairs use it; a bulk offer, which is read only as far as its
//! framework looks, uses the keyed order of `permutation.rs` instead.

use super::bitset::BitSet;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

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
    fn the_order_is_a_permutation_of_the_set() {
        let ids: Vec<u32> = (0..500).map(|i| i * 7 % 1237).collect();
        let s = set(&ids);
        for k in 0..5 {
            let mut whole = shuffled(&s, &mut indexed_stream(3, Purpose::AgentShuffle, k));
            whole.sort_unstable();
            let mut expect = ids.clone();
            expect.sort_unstable();
            assert_eq!(whole, expect, "a permutation of the set");
        }
    }

    #[test]
    fn every_member_is_equally_likely_first() {
        let s = set(&[2, 70, 130, 131]);
        let mut first = std::collections::BTreeMap::new();
        for k in 0..4000 {
            let o = shuffled(&s, &mut indexed_stream(1, Purpose::AgentShuffle, k));
            *first.entry(o[0]).or_insert(0) += 1;
        }
        for (_, c) in first {
            assert!((800..1200).contains(&c), "{c}");
        }
    }
}
