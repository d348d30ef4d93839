//! The discrete-event engine: simulated time, the event queue, seeded random streams, and the
//! main loop that drives the cluster model.

pub mod bitset;
pub mod engine;
pub mod event;
pub mod queue;
pub mod rng;
pub mod time;

pub use time::SimTime;
