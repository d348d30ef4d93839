//! Fuzz target: a scenario that loads must run (a bounded run, invariants on) without a panic
//! or an error other than an input error.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    offersim::workload::fuzz::run_bytes(data);
});
