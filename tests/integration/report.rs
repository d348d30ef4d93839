//! Issue 5: the metric definitions on hand-computed cases, and `offersim check` and `plot` as a
//! user runs them (the built binary, real exit codes).

use crate::common::*;
use std::path::Path;
use std::process::Command;

fn offersim(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_offersim"))
        .args(args)
        .current_dir(repo())
        .output()
        .expect("run offersim")
}

fn field(path: &Path, row: usize, name: &str) -> String {
    let (h, rows) = read_csv(path);
    rows[row][col(&h, name)].clone()
}

/// seed_example on one 4-cpu, 4 GB agent: 3 cpus / 3 GB used over [0, 1), everything over
/// [1, 10), 1 cpu / 1 GB over [10, 11); makespan 11, so utilization = (0.75 + 9 + 0.25) / 11.
#[test]
fn utilization_and_framework_shares_match_hand_computation() {
    let dir = tmp("util");
    run_into(&repo().join("tests/conformance/seed_example.toml"), &dir);
    let util: f64 = {
        let s = offersim::report::compare::read_table(&dir.join("utilization.csv")).unwrap();
        assert_eq!(s.header, ["time_s", "util_cpus", "util_mem"]);
        let at = |t: &str| {
            let r = s.rows.iter().find(|r| r[0] == t).unwrap();
            r[1].parse::<f64>().unwrap()
        };
        assert_eq!(
            (at("0"), at("1"), at("9"), at("10"), at("11")),
            (0.75, 1.0, 1.0, 0.25, 0.0)
        );
        10.0 / 11.0
    };
    let out = dir.join("out");
    let o = offersim(&[
        "run",
        "tests/conformance/seed_example.toml",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let summary = out.join("summary.csv");
    for c in ["util_cpus", "util_mem"] {
        let v: f64 = field(&summary, 0, c).parse().unwrap();
        assert!((v - util).abs() < 1e-8, "{c} = {v}");
    }
    // Dominant shares averaged over the 30 s run: fw1 holds 0.75 over [0, 10); fw2 0.25 over
    // [1, 11). Only one framework ever has pending tasks at a time, so Jain's index is empty.
    let fws = dir.join("frameworks.csv");
    assert_eq!(field(&fws, 0, "framework"), "fw1");
    assert_eq!(field(&fws, 0, "share_mean"), "0.25");
    assert_eq!(field(&fws, 1, "share_mean"), "0.083333333");
    assert_eq!(field(&fws, 1, "wait_mean_s"), "1");
    assert_eq!(field(&summary, 0, "jain"), "");
    for f in [
        "report.html",
        "compare.csv",
        "jct-cdf.svg",
        "utilization.svg",
        "shares-drf.svg",
    ] {
        assert!(out.join(f).is_file(), "{f} missing");
    }
}

#[test]
fn jain_index_of_weighted_shares() {
    use offersim::metrics::stats::jain;
    // (1 + 2 + 3)^2 / (3 * (1 + 4 + 9)) = 36 / 42.
    assert!((jain(&[1.0, 2.0, 3.0]) - 36.0 / 42.0).abs() < 1e-12);
    // Shares 0.2 and 0.4 of roles weighted 1 and 2 are equal per unit of weight.
    assert_eq!(jain(&[0.2 / 1.0, 0.4 / 2.0]), 1.0);
    // One framework holding everything among n: 1/n.
    assert!((jain(&[0.9, 0.0, 0.0]) - 1.0 / 3.0).abs() < 1e-12);
}

#[test]
fn confidence_interval_is_student_t() {
    use offersim::metrics::stats::mean_ci;
    // 2, 4, 6: mean 4, sample sd 2, half-width t(0.975, 2) * 2 / sqrt(3).
    let (m, h) = mean_ci(&[2.0, 4.0, 6.0]).unwrap();
    assert_eq!(m, 4.0);
    assert!((h.unwrap() - 4.303 * 2.0 / 3f64.sqrt()).abs() < 1e-12);
    assert_eq!(mean_ci(&[5.0]), Some((5.0, None)));
}

#[test]
fn check_passes_on_the_committed_baseline_and_fails_on_a_perturbed_one() {
    let o = offersim(&["check", "scenarios/ci-fairness.toml", "--quiet"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );

    let dir = tmp("check");
    let base = repo().join("results/ci-fairness/summary.csv");
    let (h, mut rows) = read_csv(&base);
    let j = col(&h, "jain");
    let v: f64 = rows[0][j].parse().unwrap();
    rows[0][j] = format!("{}", v + 0.01);
    let perturbed = dir.join("summary.csv");
    let mut w = csv::Writer::from_path(&perturbed).unwrap();
    w.write_record(&h).unwrap();
    for r in &rows {
        w.write_record(r).unwrap();
    }
    w.flush().unwrap();
    let o = offersim(&[
        "check",
        "scenarios/ci-fairness.toml",
        "--quiet",
        "--baseline",
        perturbed.to_str().unwrap(),
    ]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("jain"), "{out}");

    let missing = dir.join("nope/summary.csv");
    let o = offersim(&[
        "check",
        "scenarios/ci-fairness.toml",
        "--quiet",
        "--baseline",
        missing.to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("--update"), "{err}");
}

#[test]
fn plot_redraws_identical_files_from_the_csvs() {
    let dir = tmp("plot");
    let out = dir.join("r");
    let o = offersim(&[
        "run",
        "scenarios/ci-fairness.toml",
        "--quiet",
        "--policy",
        "drf",
        "--replications",
        "1",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let files = [
        "report.html",
        "compare.csv",
        "shares-drf.svg",
        "jct-cdf.svg",
    ];
    let before: Vec<Vec<u8>> = files
        .iter()
        .map(|f| std::fs::read(out.join(f)).unwrap())
        .collect();
    for f in files {
        std::fs::remove_file(out.join(f)).unwrap();
    }
    let o = offersim(&["plot", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for (f, b) in files.iter().zip(before) {
        assert_eq!(std::fs::read(out.join(f)).unwrap(), b, "{f} differs");
    }
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("<svg") && html.contains("ci-fairness") && html.contains("seed"));
    assert!(!html.contains("<script") && !html.contains("<link"));
}
