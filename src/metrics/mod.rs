//! Metrics only observe: the model reports what happened through [`observe::Observer`]; the
//! recorder counts, integrates over time and writes the per-run files; it never influences a
//! decision.

pub(crate) mod bins;
pub mod files;
pub mod inverse;
pub mod observe;
pub(crate) mod per_run;
pub(crate) mod recorder;
pub mod stats;
pub(crate) mod timeline;
