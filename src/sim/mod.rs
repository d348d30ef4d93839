//! The generic discrete-event engine: simulated time ([`SimTime`], [`SimDuration`]), the event
//! queue ordered by (time, insertion sequence), named seeded random streams, a dense bit set, and
//! a loop over any [`engine::Model`]. Nothing here knows about clusters: the model lives in
//! `crate::cluster`.

pub mod bitset;
pub mod engine;
pub mod permutation;
pub mod queue;
pub mod rng;
pub mod shuffle;
pub mod time;

pub use time::{SimDuration, SimTime};
