//! A bounded, in-process fuzz loop over the input readers, for machines without a nightly
//! toolchain and for CI: seeded mutations of the corpus in fuzz/corpus/ go through the same entry
//! points as the cargo-fuzz targets (`offersim::workload::fuzz`). A quick run is part of
//! `cargo test`; the long one (docs/fuzzing.md) is
//! `FUZZ_CASES=100000 cargo test --release --test integration fuzzloop -- --ignored`.

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;

/// Fragments that readers treat specially: numbers at and past the bounds, line ends, quotes,
/// TOML structure, the scenario's own keys and actions.
const TOKENS: &[&str] = &[
    "NaN",
    "nan",
    "inf",
    "-inf",
    "-1",
    "-0",
    "0",
    "1e400",
    "1e308",
    "1e9",
    "1e12",
    "4294967295",
    "4294967296",
    "18446744073709551616",
    "0x1f",
    "1_000",
    "\r\n",
    "\n",
    "\u{feff}",
    ",",
    ";",
    "\"",
    "'",
    "=",
    "[",
    "]",
    "[[",
    "]]",
    "{",
    "}",
    "\n[[events]]\nat_s = 1\naction = \"",
    "fail_framework",
    "reregister_framework",
    "disconnect_agent",
    "reconnect_agent",
    "add_agent",
    "remove_agent",
    "decline",
    "set_quota",
    "\n[faults]\nagent_mtbf_s = ",
    "agent_mttr_s = ",
    "\n[master]\nagent_ping_timeout_s = ",
    "max_agent_ping_timeouts = ",
    "failover_timeout_s = ",
    "\n[cluster]\nracks = ",
    "agents_per_rack = ",
    "agent = { cpus = ",
    "reserved = [{ role = \"",
    "\n[[frameworks]]\nname = \"",
    "roles = [\"a/b\"]",
    "\n[roles.",
    "quota = {",
    "gpus",
    "preferred_nodes",
    "input",
    "priority",
    "job_id",
    "duration_s",
    "\u{0}",
    "\u{ff}",
    "é",
];

fn corpus(kind: &str) -> Vec<Vec<u8>> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(kind);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files.iter().map(|p| std::fs::read(p).unwrap()).collect()
}

fn mutate(rng: &mut ChaCha8Rng, seeds: &[Vec<u8>]) -> Vec<u8> {
    let mut v = seeds.choose(rng).unwrap().clone();
    for _ in 0..rng.gen_range(1..=8) {
        let at = if v.is_empty() {
            0
        } else {
            rng.gen_range(0..=v.len())
        };
        match rng.gen_range(0..8) {
            0 if !v.is_empty() => {
                let i = rng.gen_range(0..v.len());
                v[i] ^= 1 << rng.gen_range(0..8);
            }
            1 => v.insert(at, rng.gen()),
            2 if !v.is_empty() => {
                let end = (at + rng.gen_range(1..32)).min(v.len());
                v.drain(at.min(end)..end);
            }
            3 | 4 => {
                let t = TOKENS.choose(rng).unwrap().as_bytes();
                v.splice(at..at, t.iter().copied());
            }
            5 if !v.is_empty() => {
                // Replace a run of digits-or-letters with a token: numbers become extreme ones.
                let start = at.min(v.len() - 1);
                let end = v[start..]
                    .iter()
                    .position(|b| !b.is_ascii_alphanumeric() && *b != b'.')
                    .map_or(v.len(), |p| start + p);
                let t = TOKENS.choose(rng).unwrap().as_bytes();
                v.splice(start..end, t.iter().copied());
            }
            6 => {
                let other = seeds.choose(rng).unwrap();
                if !other.is_empty() {
                    let from = rng.gen_range(0..other.len());
                    let to = (from + rng.gen_range(1..256)).min(other.len());
                    v.splice(at..at, other[from..to].iter().copied());
                }
            }
            _ => v.truncate(at),
        }
    }
    v.truncate(8192);
    v
}

/// Feeds `cases` mutated inputs to `target`; returns (cases, inputs that panicked), saving the
/// latter under target/fuzz-crashes/.
/// `quiet` silences panic messages meanwhile: the hook is process-wide, so only the long run,
/// which runs alone, uses it.
fn fuzz(kind: &str, cases: usize, seed: u64, target: Target, quiet: bool) -> (usize, usize) {
    let seeds = corpus(kind);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let crash_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/fuzz-crashes");
    let hook = std::panic::take_hook();
    if quiet {
        std::panic::set_hook(Box::new(|_| {}));
    }
    let mut crashes = 0;
    for i in 0..cases {
        let input = mutate(&mut rng, &seeds);
        if catch_unwind(AssertUnwindSafe(|| target(&input))).is_err() {
            crashes += 1;
            std::fs::create_dir_all(&crash_dir).unwrap();
            std::fs::write(crash_dir.join(format!("{kind}-{seed}-{i}")), &input).unwrap();
        }
    }
    std::panic::set_hook(hook);
    (cases, crashes)
}

fn trace(d: &[u8]) {
    offersim::workload::fuzz::trace_bytes(d);
}
fn scenario(d: &[u8]) {
    offersim::workload::fuzz::scenario_bytes(d);
}
fn machines(d: &[u8]) {
    offersim::workload::fuzz::machines_bytes(d);
}

/// A reader under test: takes any bytes, must not panic.
type Target = fn(&[u8]);

const TARGETS: [(&str, Target); 3] = [
    ("trace", trace),
    ("scenario", scenario),
    ("machines", machines),
];

#[test]
fn readers_survive_a_quick_fuzz() {
    for (kind, f) in TARGETS {
        let (_, crashes) = fuzz(kind, 1_000, 1, f, false);
        assert_eq!(crashes, 0, "{kind}: inputs saved in target/fuzz-crashes/");
    }
}

#[test]
#[ignore = "long: FUZZ_CASES=100000 cargo test --release --test integration fuzzloop -- --ignored"]
fn readers_survive_a_long_fuzz() {
    let cases: usize = std::env::var("FUZZ_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    let seed: u64 = std::env::var("FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(7);
    for (kind, f) in TARGETS {
        let (n, crashes) = fuzz(kind, cases, seed, f, true);
        eprintln!("fuzz {kind}: {n} cases, {crashes} panics (seed {seed})");
        assert_eq!(crashes, 0, "{kind}: inputs saved in target/fuzz-crashes/");
    }
}
