//! Named, seeded random streams: one ChaCha stream per purpose, derived from the run's seed, so
//! that adding randomness for one purpose never shifts the draws of another.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// Every consumer of randomness has its own stream id. Never reuse an id for a new purpose.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u64)]
pub enum Purpose {
    AgentShuffle = 1,
    BlockPlacement = 2,
    Workload = 3,
    Failures = 4,
    RandomSorter = 5,
    Scheduler = 6,
    /// `offersim import --sample-jobs/--sample-machines`: one keyed draw per job or machine.
    ImportSample = 7,
    /// The order of the agents an allocation run offers to one framework in bulk.
    OfferOrder = 8,
}

/// SplitMix64 finaliser: spreads nearby seeds far apart before they seed ChaCha.
pub fn mix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// FNV-1a, a stable string hash (std's hasher is not guaranteed stable across releases).
pub fn fnv1a(s: &str) -> u64 {
    fnv1a_parts(&[s.as_bytes()])
}

/// [`fnv1a`] of the concatenation of `parts`, without building the string.
pub fn fnv1a_parts(parts: &[&[u8]]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in parts.iter().flat_map(|p| p.iter()) {
        h ^= *b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// The stream for `purpose` in a run with seed `seed`.
pub fn stream(seed: u64, purpose: Purpose) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(mix64(seed));
    rng.set_stream(purpose as u64);
    rng
}

/// A stream keyed by a number as well: one independent stream per allocation run, say, so that
/// how many draws one run consumes never shifts another's.
pub fn indexed_stream(seed: u64, purpose: Purpose, index: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(mix64(seed ^ mix64(index ^ 0x5851_F42D_4C95_7F2D)));
    rng.set_stream(purpose as u64);
    rng
}

/// A stream keyed by a name as well (block placement: same input name, same placement).
pub fn keyed_stream(seed: u64, purpose: Purpose, key: &str) -> ChaCha8Rng {
    keyed_stream_parts(seed, purpose, &[key.as_bytes()])
}

/// [`keyed_stream`] keyed by the concatenation of `parts` (the same stream as the joined key),
/// for hot paths that would otherwise format a key per draw.
pub fn keyed_stream_parts(seed: u64, purpose: Purpose, parts: &[&[u8]]) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(mix64(seed ^ mix64(fnv1a_parts(parts))));
    rng.set_stream(purpose as u64);
    rng
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    #[test]
    fn keyed_parts_are_the_joined_key() {
        let mut a = keyed_stream(3, Purpose::BlockPlacement, "in\u{1f}42");
        let mut b = keyed_stream_parts(
            3,
            Purpose::BlockPlacement,
            &[b"in", "\u{1f}".as_bytes(), b"42"],
        );
        assert_eq!(a.gen::<u64>(), b.gen::<u64>());
    }

    #[test]
    fn streams_are_reproducible_and_independent() {
        let a: Vec<u32> = (0..8)
            .map(|_| 0)
            .scan(stream(7, Purpose::AgentShuffle), |r, _: u32| Some(r.gen()))
            .collect();
        let b: Vec<u32> = (0..8)
            .map(|_| 0)
            .scan(stream(7, Purpose::AgentShuffle), |r, _: u32| Some(r.gen()))
            .collect();
        let c: Vec<u32> = (0..8)
            .map(|_| 0)
            .scan(stream(7, Purpose::Workload), |r, _: u32| Some(r.gen()))
            .collect();
        let d: Vec<u32> = (0..8)
            .map(|_| 0)
            .scan(stream(8, Purpose::AgentShuffle), |r, _: u32| Some(r.gen()))
            .collect();
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_ne!(a, d);
    }

    #[test]
    fn fnv_is_stable() {
        assert_eq!(fnv1a(""), 0xcbf29ce484222325);
        assert_eq!(fnv1a("a"), 0xaf63dc4c8601ec8c);
    }
}
