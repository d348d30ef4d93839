//! Byte-level entry points for fuzzing the input readers (fuzz/ targets, and the bounded
//! in-process fuzz loop in tests/integration/fuzzloop.rs). Each accepts any bytes and must
//! return normally: an input error is a fine outcome, a panic is a bug.

use crate::sim::SimDuration;
use std::io::{Cursor, Read};
use std::path::Path;

/// Reads every row of a native trace given as bytes (gzip-compressed when it starts with the
/// gzip magic). Returns the rows read, or None on an input error.
pub fn trace_bytes(data: &[u8]) -> Option<usize> {
    let raw: Box<dyn Read + Send> = Box::new(Cursor::new(data.to_vec()));
    let input: Box<dyn Read + Send> = if data.starts_with(&[0x1f, 0x8b]) {
        Box::new(flate2::read::MultiGzDecoder::new(raw))
    } else {
        raw
    };
    let mut r = super::trace::TraceReader::from_reader(Path::new("fuzz.csv"), input).ok()?;
    let mut n = 0;
    while let Some(row) = r.next_row().ok()? {
        assert!(
            row.tasks >= 1 && row.duration >= SimDuration::ZERO,
            "{row:?}"
        );
        n += 1;
    }
    Some(n)
}

/// Parses and validates a scenario given as bytes. Paths in it resolve against a folder that
/// does not exist, and texts naming absolute paths are skipped, so a fuzz run never reads the
/// machine's files (a `machines = "/dev/zero"` would never end).
pub fn scenario_bytes(data: &[u8]) -> Option<()> {
    let text = std::str::from_utf8(data).ok()?;
    if text.contains("\"/") || text.contains("'/") || text.contains(":\\") {
        return None;
    }
    crate::scenario::load_str(Path::new("/nonexistent-offersim-fuzz/fuzz.toml"), text).ok()?;
    Some(())
}

/// Reads a machines file given as bytes.
pub fn machines_bytes(data: &[u8]) -> Option<usize> {
    let input: Box<dyn Read + Send> = Box::new(Cursor::new(data.to_vec()));
    super::machines::read_machines_from(Path::new("fuzz-machines.csv"), input)
        .ok()
        .map(|v| v.len())
}
