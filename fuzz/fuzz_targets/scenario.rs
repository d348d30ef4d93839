//! Fuzz target: the scenario parser must turn any text into a scenario or an input error, never
//! a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    offersim::workload::fuzz::scenario_bytes(data);
});
