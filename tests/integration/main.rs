//! The integration test binary: conformance scenarios restated from Mesos, determinism, the DRF
//! paper's example, paper reproductions, and command-line behaviour.

mod cli;
mod common;
mod conformance;
mod determinism;
mod drf_example;
mod import;
mod locality;
mod policies;
mod report;
mod reproductions;
mod scale;
