//! offersim: a deterministic discrete-event simulator of a Mesos-style cluster, for research on
//! allocation policies.
//!
//! # Architecture
//! - [`sim`]: the generic engine. Integer microsecond time ([`sim::SimTime`],
//!   [`sim::SimDuration`]), an event queue ordered by (time, insertion sequence), named seeded
//!   random streams, and a loop over any [`sim::engine::Model`]. It imports nothing of the
//!   domain.
//! - `cluster`: the model, as owned parts behind private fields (the master, the framework
//!   side, the task life cycle, the inputs, faults) and one dispatcher that routes every event;
//!   its module docs list who owns what.
//! - [`policy`]: the stable plug-in surface: the [`policy::Allocator`] and
//!   [`policy::Scheduler`] traits, their read-only views, typed ids. The built-in allocators
//!   ([`allocator`]) and schedulers ([`scheduler`]) use it too: they return decisions as data;
//!   the master and the framework side validate and apply them. The DRF sorter only keeps
//!   shares and sorts.
//! - [`scenario`]: TOML into a typed configuration; nothing reads a string of it afterwards.
//! - [`workload`]: the native trace (streamed), machines files, importers and generators.
//! - [`metrics`]: the observer. The model reports what happened through one interface
//!   ([`metrics::observe::Observer`]) and never reads anything back; the recorder writes the
//!   per-run files.
//! - [`experiment`]: the results folder: plan the grid of runs, run it (threads, shards),
//!   temporary folder, commit, merge, check against a baseline.
//! - [`report`]: what is derived from a results folder's CSV files (compare.csv, plots, HTML).
//! - `cli`: one file per subcommand; arguments become typed options before anything runs.
//!
//! # Determinism contract
//! The same scenario and seed give byte-identical output files on every machine:
//! 1. Time is an integer count of microseconds. Inputs in seconds are converted once, at load.
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
//!    name; agents are shuffled from the seeded stream; offers are numbered in creation order;
//!    task and job keys order by slot.
//! 6. Resources are fixed point (thousandths, like Mesos), so accounting never drifts.
//! 7. Wall-clock time never enters an output file, only stderr and `perf.csv`.

pub mod allocator;
#[doc(hidden)]
pub mod cli;
pub(crate) mod cluster;
pub mod error;
pub mod experiment;
pub mod metrics;
pub mod outfile;
pub mod policy;
pub mod report;
pub mod scenario;
pub mod scheduler;
pub mod sim;
pub mod workload;

pub use error::{Error, Result};

/// Internals that benchmarks measure and tests drive directly; not part of the stable surface
/// (see [`policy`]).
#[doc(hidden)]
pub mod internals {
    pub use crate::allocator::drf::DrfSorter;
    pub use crate::cluster::event::Event;
}
