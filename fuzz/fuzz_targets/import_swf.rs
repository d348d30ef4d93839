//! Fuzz target: the swf importer must turn any input file (first line: its name) into a trace
//! or an input error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    offersim::workload::fuzz::import_bytes("swf", data);
});
