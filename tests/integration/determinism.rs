//! Same scenario and seed give byte-identical files; another seed changes the offers.

use crate::common::*;

#[test]
fn two_runs_with_one_seed_are_byte_identical() {
    let a = tmp("det-a");
    let b = tmp("det-b");
    let s = repo().join("scenarios/quickstart.toml");
    for d in [&a, &b] {
        let o = offersim(&[
            "run",
            s.to_str().unwrap(),
            "--out",
            d.join("r").to_str().unwrap(),
            "--quiet",
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let fa = result_files(&a.join("r"));
    let fb = result_files(&b.join("r"));
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
        let o = offersim(&[
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
