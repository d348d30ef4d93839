//! offersim: a deterministic discrete-event simulator of a Mesos-style cluster, for research on
//! allocation policies.
//!
//! # Architecture
//! - [`sim`]: the engine. Integer microsecond time ([`sim::SimTime`]), an event queue ordered by
//!   (time, insertion sequence), named seeded random streams, and the event loop.
//! - [`cluster`]: the model. Agents with resource pools, frameworks as the master sees them, the
//!   master (offers, decline filters, the task life cycle, scripted events).
//! - [`allocator`]: master-side policies. They see a read-only view and return grants as data; the
//!   master validates and applies them. The DRF sorter only keeps shares and sorts.
//! - [`scheduler`]: framework-side policies (greedy, delay, hold). They see one offer and their
//!   framework's pending work, and return a decision as data.
//! - [`workload`]: the native trace (streamed), machines files, importers and generators.
//! - [`metrics`] and [`report`]: observers and writers. They never influence a decision.
//!
//! # Determinism contract
//! The same scenario and seed give byte-identical output files on every machine:
//! 1. Time is an integer count of microseconds. Inputs in seconds are converted once.
//! 2. Events run in (time, insertion sequence) order: same-time events run first-in-first-out.
//!    External inputs (scripted events, agent joins/leaves, framework subscriptions, trace rows)
//!    enter the queue when the clock reaches their instant, behind what is already scheduled for
//!    it; so an input at a tick's instant runs after the tick, and all trace rows of one instant
//!    arrive before any framework answers an offer made at that instant. Among inputs of one
//!    instant: agent joins and leaves of the cluster table, framework subscriptions, scripted
//!    events in file order, trace rows in file order.
//! 3. Every random draw comes from a ChaCha stream named by its purpose ([`sim::rng::Purpose`]),
//!    seeded from the run's seed (scenario seed + replication index).
//! 4. No decision iterates a hash map. Ordered maps and vectors are used wherever order matters;
//!    hash maps serve lookups only.
//! 5. Every sort ends in a unique key: sorters break ties by share, then allocation count, then
//!    name; agents are shuffled from the seeded stream; offers are numbered in creation order.
//! 6. Resources are fixed point (thousandths, like Mesos), so accounting never drifts.
//! 7. Wall-clock time never enters an output file, only stderr and `perf.csv`.

pub mod allocator;
pub mod cli;
pub mod cluster;
pub mod error;
pub mod metrics;
pub mod report;
pub mod run;
pub mod scenario;
pub mod scheduler;
pub mod sim;
pub mod workload;

pub use error::{Error, Result};
