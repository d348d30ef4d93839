//! A seeded random order of the members of a bit set in which both directions cost O(1): the
//! member at position p, and the position of member x. Offers of one allocation run to one
//! framework are kept in bulk in such an order; a scheduler that wants only the agents holding
//! its data asks where those are instead of reading the order up to them.
//!
//! The order is a keyed pseudo-random permutation of the members' ranks: a four-round Feistel
//! network over the smallest even number of bits that holds the member count, with cycle walking
//! back into range, its round keys drawn from the run's stream. It is not Fisher–Yates (which
//! cannot say where a member lands without drawing the order up to it); for the sizes a
//! simulation uses it is as good a random order (the tests check first positions and pairs).

use super::bitset::BitSet;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

const ROUNDS: usize = 4;

/// Ranks per entry of [`KeyedOrder`]'s word table.
const RANK_BLOCK: u32 = 16;

/// SplitMix64's finalizer: a fast 64-bit mixer.
#[inline]
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The position of the `k`-th set bit of `x` (k < popcount(x)): halves, quarters and bytes are
/// skipped by their popcounts, so at most seven bits are cleared one by one (the replay of a
/// whole-agent run calls this for every agent it walks).
#[inline]
fn select_in_word(mut x: u64, mut k: u32) -> u32 {
    let mut base = 0u32;
    for width in [32u32, 16, 8] {
        let low = (x & ((1u64 << width) - 1)).count_ones();
        if k >= low {
            k -= low;
            x >>= width;
            base += width;
        }
    }
    for _ in 0..k {
        x &= x - 1;
    }
    base + x.trailing_zeros()
}

/// The members of a set in a keyed random order.
#[derive(Clone, Debug)]
pub struct KeyedOrder {
    words: Vec<u64>,
    /// Members before each word.
    before: Vec<u32>,
    /// By block of [`RANK_BLOCK`] ranks: the word holding the block's first rank, so that
    /// `select` searches only the words between two blocks (usually one) instead of all.
    block_word: Vec<u32>,
    n: u32,
    half_bits: u32,
    keys: [u64; ROUNDS],
}

impl KeyedOrder {
    /// The members of `set` in an order keyed by four draws from `rng`.
    pub fn from_set(set: BitSet, rng: &mut ChaCha8Rng) -> KeyedOrder {
        let words = set.into_words();
        let mut before = Vec::with_capacity(words.len());
        let mut block_word = Vec::new();
        let mut acc = 0u32;
        for (i, w) in words.iter().enumerate() {
            before.push(acc);
            acc += w.count_ones();
            // Every block whose first rank falls in this word.
            while (block_word.len() as u32) * RANK_BLOCK < acc {
                block_word.push(i as u32);
            }
        }
        // The smallest 2h bits that hold n ranks (h >= 1).
        let bits = (32 - acc.saturating_sub(1).leading_zeros()).max(2);
        let half_bits = bits.div_ceil(2);
        let keys = [rng.gen(), rng.gen(), rng.gen(), rng.gen()];
        KeyedOrder {
            words,
            before,
            block_word,
            n: acc,
            half_bits,
            keys,
        }
    }

    /// How many members the order has.
    pub fn len(&self) -> u32 {
        self.n
    }

    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    #[inline]
    fn round(&self, i: usize, r: u32) -> u32 {
        (mix(self.keys[i] ^ r as u64) as u32) & ((1 << self.half_bits) - 1)
    }

    /// One pass of the network over the whole 2h-bit domain.
    #[inline]
    fn encrypt(&self, x: u32) -> u32 {
        let mask = (1u32 << self.half_bits) - 1;
        let (mut l, mut r) = (x >> self.half_bits, x & mask);
        for i in 0..ROUNDS {
            (l, r) = (r, l ^ self.round(i, r));
        }
        (l << self.half_bits) | r
    }

    #[inline]
    fn decrypt(&self, y: u32) -> u32 {
        let mask = (1u32 << self.half_bits) - 1;
        let (mut l, mut r) = (y >> self.half_bits, y & mask);
        for i in (0..ROUNDS).rev() {
            (l, r) = (r ^ self.round(i, l), l);
        }
        (l << self.half_bits) | r
    }

    /// The member at position `p` (None past the end).
    pub fn get(&self, p: u32) -> Option<u32> {
        if p >= self.n {
            return None;
        }
        // Cycle walking: the permutation of the domain, restricted to [0, n).
        let mut r = self.decrypt(p);
        while r >= self.n {
            r = self.decrypt(r);
        }
        Some(self.select(r))
    }

    /// The position of member `x` (None if it is not a member).
    pub fn position(&self, x: u32) -> Option<u32> {
        let r = self.rank(x)?;
        let mut p = self.encrypt(r);
        while p >= self.n {
            p = self.encrypt(p);
        }
        Some(p)
    }

    /// The rank of member `x` (how many members are smaller).
    fn rank(&self, x: u32) -> Option<u32> {
        let w = (x / 64) as usize;
        let word = *self.words.get(w)?;
        let bit = 1u64 << (x % 64);
        (word & bit != 0).then(|| self.before[w] + (word & (bit - 1)).count_ones())
    }

    /// The member of rank `r` (the r-th smallest).
    fn select(&self, r: u32) -> u32 {
        // The last word with at most r members before it, between the words of r's block and of
        // the next one.
        let b = (r / RANK_BLOCK) as usize;
        let lo = self.block_word[b] as usize;
        let hi = self
            .block_word
            .get(b + 1)
            .map_or(self.words.len(), |&w| w as usize + 1);
        let w = lo + self.before[lo..hi].partition_point(|&x| x <= r) - 1;
        w as u32 * 64 + select_in_word(self.words[w], r - self.before[w])
    }

    /// Every member, in order.
    pub fn all(&self) -> Vec<u32> {
        (0..self.n).filter_map(|p| self.get(p)).collect()
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
    fn select_in_word_finds_every_set_bit() {
        let mut rng = indexed_stream(5, Purpose::OfferOrder, 0);
        let words = [1u64, u64::MAX, 1 << 63, 0x8000_0001_0000_0100]
            .into_iter()
            .chain((0..200).map(|_| rng.gen::<u64>()));
        for x in words {
            let bits: Vec<u32> = (0..64).filter(|b| x >> b & 1 == 1).collect();
            for (k, &b) in bits.iter().enumerate() {
                assert_eq!(select_in_word(x, k as u32), b, "bit {k} of {x:#x}");
            }
        }
    }

    /// Dense runs, lone members far apart, empty words between blocks, a block boundary at a
    /// word boundary: every rank selects the member of that rank.
    #[test]
    fn select_finds_every_rank_through_the_block_table() {
        let mut rng = indexed_stream(6, Purpose::OfferOrder, 0);
        let mut sets: Vec<Vec<u32>> = vec![
            (0..64).collect(),
            (0..200).collect(),
            (0..40).map(|i| i * 1000).collect(),
            (0..16).chain(64 * 50..64 * 50 + 17).collect(),
            vec![63, 64, 9_999],
        ];
        for _ in 0..20 {
            let n = rng.gen_range(1..600);
            let spread = rng.gen_range(1..50u32);
            let mut ids: Vec<u32> = (0..n).map(|_| rng.gen_range(0..n * spread)).collect();
            ids.sort_unstable();
            ids.dedup();
            sets.push(ids);
        }
        for ids in sets {
            let o = KeyedOrder::from_set(set(&ids), &mut indexed_stream(3, Purpose::OfferOrder, 2));
            for (r, &x) in ids.iter().enumerate() {
                assert_eq!(o.select(r as u32), x, "rank {r} of {} members", ids.len());
            }
        }
    }

    #[test]
    fn positions_and_members_are_inverse_and_cover_the_set() {
        for n in [0u32, 1, 2, 3, 4, 5, 17, 64, 65, 500, 4097] {
            let ids: Vec<u32> = (0..n).map(|i| i * 7 % 40_009).collect();
            let o = KeyedOrder::from_set(set(&ids), &mut indexed_stream(3, Purpose::OfferOrder, 1));
            assert_eq!(o.len(), n);
            let all = o.all();
            assert_eq!(all.len(), n as usize);
            for (p, &a) in all.iter().enumerate() {
                assert_eq!(o.position(a), Some(p as u32));
            }
            let mut sorted = all.clone();
            sorted.sort_unstable();
            let mut expect = ids.clone();
            expect.sort_unstable();
            assert_eq!(sorted, expect, "a permutation of the set (n = {n})");
            assert_eq!(o.get(n), None);
            assert_eq!(o.position(40_010), None, "not a member");
        }
    }

    #[test]
    fn every_member_is_equally_likely_first() {
        for ids in [&[2u32, 70][..], &[2, 70, 130, 131], &[1, 2, 3, 4, 5, 6, 7]] {
            let s = set(ids);
            let mut first = std::collections::BTreeMap::new();
            let runs = 7000;
            for k in 0..runs {
                let o =
                    KeyedOrder::from_set(s.clone(), &mut indexed_stream(1, Purpose::OfferOrder, k));
                *first.entry(o.get(0).unwrap()).or_insert(0) += 1;
            }
            let expect = runs as f64 / ids.len() as f64;
            assert_eq!(first.len(), ids.len());
            for (_, c) in first {
                assert!((c as f64 - expect).abs() < 0.1 * expect, "{c} vs {expect}");
            }
        }
    }

    /// Every ordering of three members, and every ordered pair of ten, about equally often.
    #[test]
    fn orders_and_pairs_are_about_uniform() {
        let s = set(&[5, 9, 11]);
        let mut orders = std::collections::BTreeMap::new();
        for k in 0..6000 {
            let o = KeyedOrder::from_set(s.clone(), &mut indexed_stream(2, Purpose::OfferOrder, k));
            *orders.entry(o.all()).or_insert(0) += 1;
        }
        assert_eq!(orders.len(), 6);
        for (_, c) in orders {
            assert!((850..1150).contains(&c), "{c}");
        }
        let ids: Vec<u32> = (0..10).collect();
        let s = set(&ids);
        let mut before = [[0u32; 10]; 10];
        let runs = 4000;
        for k in 0..runs {
            let o = KeyedOrder::from_set(s.clone(), &mut indexed_stream(4, Purpose::OfferOrder, k));
            for a in 0..10 {
                for b in 0..10 {
                    if a != b && o.position(a) < o.position(b) {
                        before[a as usize][b as usize] += 1;
                    }
                }
            }
        }
        for (a, row) in before.iter().enumerate() {
            for (b, &c) in row.iter().enumerate() {
                if a != b {
                    assert!((1800..2200).contains(&c), "{a} before {b}: {c} of {runs}");
                }
            }
        }
    }
}
