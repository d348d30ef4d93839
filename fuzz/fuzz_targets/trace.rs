//! Fuzz target: the native trace reader must turn any bytes into rows or an input error, never
//! a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    offersim::workload::fuzz::trace_bytes(data);
});
