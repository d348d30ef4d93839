//! Same scenario and seed give byte-identical files; another seed changes the offers.

use crate::common::*;
use std::collections::BTreeMap;
use std::path::Path;

/// Every file under `dir`, by relative path, with its bytes.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().to_string_lossy().to_string();
                if !rel.ends_with("perf.csv") {
                    out.insert(rel, std::fs::read(&p).unwrap());
                }
            }
        }
    }
    out
}

fn run_cli(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_offersim"))
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn two_runs_with_one_seed_are_byte_identical() {
    let a = tmp("det-a");
    let b = tmp("det-b");
    let s = repo().join("scenarios/quickstart.toml");
    for d in [&a, &b] {
        let o = run_cli(&[
            "run",
            s.to_str().unwrap(),
            "--out",
            d.join("r").to_str().unwrap(),
            "--quiet",
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let fa = files(&a.join("r"));
    let fb = files(&b.join("r"));
    assert!(
        fa.len() >= 9,
        "expected summary and per-run files, got {:?}",
        fa.keys()
    );
    assert_eq!(fa.keys().collect::<Vec<_>>(), fb.keys().collect::<Vec<_>>());
    for (k, v) in &fa {
        assert!(
            v == &fb[k],
            "{k} differs between two runs with the same seed"
        );
    }
}

#[test]
fn another_seed_changes_the_offers() {
    let a = tmp("seed-a");
    let b = tmp("seed-b");
    let s = repo().join("scenarios/quickstart.toml");
    for (d, seed) in [(&a, "1"), (&b, "2")] {
        let o = run_cli(&[
            "run",
            s.to_str().unwrap(),
            "--out",
            d.to_str().unwrap(),
            "--seed",
            seed,
            "--policy",
            "drf",
            "--quiet",
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let oa = std::fs::read(a.join("drf/0/offers.csv")).unwrap();
    let ob = std::fs::read(b.join("drf/0/offers.csv")).unwrap();
    assert_ne!(
        oa, ob,
        "the agent shuffle is seeded, so another seed must change which agents are offered"
    );
    let (h, rows) = read_csv(&b.join("summary.csv"));
    assert_eq!(rows[0][col(&h, "seed")], "2");
}
