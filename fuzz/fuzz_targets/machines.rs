//! Fuzz target: the machines-file reader must turn any bytes into agents or an input error,
//! never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    offersim::workload::fuzz::machines_bytes(data);
});
