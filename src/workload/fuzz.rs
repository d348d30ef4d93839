//! Byte-level entry points for fuzzing the input readers (fuzz/ targets, and the bounded
//! in-process fuzz loop in tests/integration/fuzzloop.rs). Each accepts any bytes and must
//! return normally: an input error is a fine outcome, a panic is a bug.

use crate::sim::SimDuration;
use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};

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

/// Engine steps a fuzzed run may take: enough to reach offers, launches, faults and scripted
/// events, few enough that 10,000 cases fit in CI's fuzz step.
pub const RUN_EVENTS: u64 = 20_000;

/// Runs the first policy of a scenario given as bytes (generated workloads and scripted events;
/// a trace file cannot be found, see [`scenario_bytes`]) for at most 60 simulated seconds and
/// about [`RUN_EVENTS`] steps, with the invariants checked after every event. A scenario that
/// loads must run: an error other than an input error (exit code 3, an invariant included) is a
/// bug, so it panics. Scenarios too large for a fuzz case (over 256 agents, 64 frameworks, or a
/// generated job of over 1,000 tasks) are skipped. Returns the engine steps run, None when the
/// scenario did not load, was skipped or was an input error at run time.
pub fn run_bytes(data: &[u8]) -> Option<u64> {
    use crate::experiment::{simulate_full, Plugins, Progress, RunOptions};
    use std::ops::ControlFlow;
    let text = std::str::from_utf8(data).ok()?;
    if text.contains("\"/") || text.contains("'/") || text.contains(":\\") {
        return None;
    }
    let mut s =
        crate::scenario::load_str(Path::new("/nonexistent-offersim-fuzz/fuzz.toml"), text).ok()?;
    let too_big = match &s.workload {
        crate::scenario::WorkloadSource::Generator(g) => g.largest_job() > 1_000,
        _ => false,
    };
    if too_big || s.agents.len() > 256 || s.frameworks.len() > 64 || s.policies.is_empty() {
        return None;
    }
    let end = crate::sim::SimTime::from_us(60_000_000);
    s.end = Some(s.end.map_or(end, |e| e.min(end)));
    let s = std::sync::Arc::new(s);
    let opts = RunOptions {
        check_invariants: true,
        outputs: None,
    };
    let mut steps = 0;
    let mut budget = |p: &Progress| {
        steps = p.events;
        if p.events > RUN_EVENTS {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    };
    match simulate_full(&s, 0, 0, None, &opts, Plugins::default(), Some(&mut budget)) {
        Ok(o) => Some(o.events),
        Err(crate::Error::Interrupted) => Some(steps),
        Err(e) if e.exit_code() == 2 => None,
        Err(e) => panic!(
            "a scenario that loads failed its run with exit code {}: {e}",
            e.exit_code()
        ),
    }
}

/// Runs importer `format` (a name of `Format::NAMES`) on one input file given as bytes: the
/// first line is the file's name (which tells the importers which table it holds; a plain
/// name, `.gz` for gzip), the rest its contents. The file and the outputs (a trace and a
/// machines file) go into a folder of this process and thread under the system's temporary
/// folder. Returns the rows written, or None on an input error.
pub fn import_bytes(format: &str, data: &[u8]) -> Option<u64> {
    use super::import::{run, Format, Params, Request};
    let format = Format::parse(format)?;
    let nl = data.iter().position(|b| *b == b'\n')?;
    let name = std::str::from_utf8(&data[..nl])
        .ok()?
        .trim_end_matches('\r');
    let plain = |c: char| c.is_ascii_alphanumeric() || "-_.".contains(c);
    if name.is_empty() || name.starts_with('.') || !name.chars().all(plain) {
        return None;
    }
    let dir = std::env::temp_dir().join(format!(
        "offersim-fuzz-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    let dir = PathBuf::from(dir.to_string_lossy().replace(['(', ')'], ""));
    std::fs::create_dir_all(&dir).ok()?;
    let input = dir.join(name);
    std::fs::write(&input, &data[nl + 1..]).ok()?;
    let (out, machines) = (dir.join("out-trace.csv"), dir.join("out-machines.csv"));
    // Machines are written when the file can hold them (an import that writes none is an
    // error), so that the machines writer and the fit check are fuzzed too.
    let with_machines = format == Format::Swf
        || ["machine", "server", "node"]
            .iter()
            .any(|k| name.contains(k));
    let params = Params::default();
    let summary = run(&Request {
        format,
        inputs: std::slice::from_ref(&input),
        out: &out,
        machines_out: with_machines.then_some(machines.as_path()),
        params: &params,
        progress: false,
    });
    let _ = std::fs::remove_file(&input);
    summary.ok().map(|s| s.rows)
}
