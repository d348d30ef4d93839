//! Helpers shared by the integration tests.

use offersim::experiment::RunOptions;
use offersim::scenario;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A fresh, empty temporary folder of its own for every call: the process id and a counter make
/// it unique, so tests running in parallel never share one, even when they pass the same name
/// (the name only helps a reader find it).
pub fn tmp(name: &str) -> PathBuf {
    static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let d = std::env::temp_dir().join(format!("offersim-it-{}-{n}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Run options for every library-driven run in the tests: the invariants are checked after every
/// event (the README's promise that the tests always run with them).
#[allow(dead_code)]
pub fn checked() -> RunOptions {
    RunOptions {
        check_invariants: true,
        ..Default::default()
    }
}

/// Runs policy 0, replication 0 of a scenario file into `dir`, with invariants checked after
/// every event and every output file written (offers.csv included).
pub fn run_into(path: &Path, dir: &Path) -> offersim::experiment::RunOutcome {
    let s = Arc::new(scenario::load(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())));
    offersim::experiment::simulate(
        &s,
        0,
        0,
        Some(dir),
        &RunOptions {
            check_invariants: true,
            outputs: Some(offersim::experiment::Outputs::All),
        },
    )
    .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Reads a CSV into (header, rows).
pub fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let h = r.headers().unwrap().iter().map(str::to_string).collect();
    let rows = r
        .records()
        .map(|x| x.unwrap().iter().map(str::to_string).collect())
        .collect();
    (h, rows)
}

/// Reads a CSV as rows of column name to value.
#[allow(dead_code)]
pub fn read_csv_maps(path: &Path) -> Vec<std::collections::BTreeMap<String, String>> {
    let (h, rows) = read_csv(path);
    rows.into_iter()
        .map(|r| h.iter().cloned().zip(r).collect())
        .collect()
}

/// `offersim run SCENARIO --out OUT --check-invariants --quiet`, which must succeed; returns
/// summary.csv's rows.
#[allow(dead_code)]
pub fn run_checked(scenario: &Path, out: &Path) -> Vec<std::collections::BTreeMap<String, String>> {
    let o = offersim(&[
        "run",
        scenario.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--check-invariants",
        "--quiet",
    ]);
    assert!(
        o.status.success(),
        "offersim run {}: {}",
        scenario.display(),
        String::from_utf8_lossy(&o.stderr)
    );
    read_csv_maps(&out.join("summary.csv"))
}

pub fn col(h: &[String], name: &str) -> usize {
    h.iter()
        .position(|c| c == name)
        .unwrap_or_else(|| panic!("no column {name} in {h:?}"))
}

#[allow(dead_code)]
pub fn write(path: &Path, body: &str) {
    std::fs::write(path, body).unwrap();
}

/// Time-averaged number of running tasks per framework over [from, to].
#[allow(dead_code)]
pub fn mean_running(tasks_csv: &std::path::Path, fw: &str, from: f64, to: f64) -> f64 {
    let (h, rows) = read_csv(tasks_csv);
    let (f, s, e) = (col(&h, "framework"), col(&h, "start_s"), col(&h, "end_s"));
    let mut busy = 0.0;
    for r in rows.iter().filter(|r| r[f] == fw) {
        let (st, en): (f64, f64) = (r[s].parse().unwrap(), r[e].parse().unwrap());
        busy += (en.min(to) - st.max(from)).max(0.0);
    }
    busy / (to - from)
}

/// `args` with `--check-invariants` added when they run a scenario (`run`, `check`): every test
/// that runs a scenario through the binary checks the invariants after every event, so a
/// violation anywhere fails the test (exit 3) even when the test looks at something else.
#[allow(dead_code)]
pub fn checked_args<S: AsRef<str>>(args: &[S]) -> Vec<String> {
    let mut v: Vec<String> = args.iter().map(|a| a.as_ref().to_string()).collect();
    let runs = matches!(v.first().map(String::as_str), Some("run" | "check"));
    if runs && !v.iter().any(|a| a == "--check-invariants") {
        v.push("--check-invariants".into());
    }
    v
}

/// The built binary as a command with `args` (see [`checked_args`]).
#[allow(dead_code)]
pub fn offersim_cmd<S: AsRef<str>>(args: &[S]) -> std::process::Command {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_offersim"));
    c.args(checked_args(args));
    c
}

/// Runs the built binary with `args` (from the current directory; see [`checked_args`]).
#[allow(dead_code)]
pub fn offersim(args: &[&str]) -> std::process::Output {
    offersim_cmd(args).output().unwrap()
}

/// Runs the built binary and fails the test unless it succeeds.
#[allow(dead_code)]
pub fn offersim_ok(args: &[&str]) {
    let o = offersim(args);
    assert!(
        o.status.success(),
        "offersim {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// Every file below `dir` except the wall-clock `perf.csv` files, by relative path, with its bytes.
#[allow(dead_code)]
pub fn result_files(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut out = std::collections::BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            let rel = p.strip_prefix(dir).unwrap().to_string_lossy().to_string();
            if p.is_dir() {
                stack.push(p);
            } else if !rel.ends_with("perf.csv") {
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    out
}
