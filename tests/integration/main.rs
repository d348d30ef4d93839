//! The integration test binary: conformance scenarios restated from Mesos, determinism, the DRF
//! paper's example, paper reproductions, and command-line behaviour.

mod badinput;
mod browser;
mod claims;
mod cli;
mod common;
mod conformance;
mod determinism;
mod drf_example;
mod faults;
mod features;
mod fuzzloop;
mod gpus;
mod import;
mod import_replay;
mod invariants;
mod jobs;
mod locality;
mod names;
mod outputs;
mod policies;
mod props;
mod report;
mod reproductions;
mod rerun;
mod reserve_decision;
mod safety;
mod scale;
mod skipping;
mod sums;
