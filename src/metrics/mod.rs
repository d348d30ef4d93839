//! Metrics only observe: the recorder is told what happened and integrates over time; it never
//! influences a decision.

pub mod bins;
pub mod per_run;
pub mod recorder;
pub mod stats;
