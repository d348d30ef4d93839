//! Running a scenario in parallel and in shards gives exactly the files of one sequential run.

use crate::common::*;
use std::path::Path;

fn assert_same(a: &Path, b: &Path) {
    let (fa, fb) = (result_files(a), result_files(b));
    assert_eq!(fa.keys().collect::<Vec<_>>(), fb.keys().collect::<Vec<_>>());
    for (k, v) in &fa {
        assert!(v == &fb[k], "{k} differs");
    }
}

#[test]
fn parallel_and_sharded_runs_equal_a_sequential_run() {
    let d = tmp("shards");
    let s = repo().join("scenarios/quickstart.toml");
    let s = s.to_str().unwrap();
    let seq = d.join("seq");
    offersim_ok(&[
        "run",
        s,
        "--replications",
        "2",
        "--jobs",
        "1",
        "--out",
        seq.to_str().unwrap(),
        "--quiet",
    ]);
    let par = d.join("par");
    offersim_ok(&[
        "run",
        s,
        "--replications",
        "2",
        "--jobs",
        "3",
        "--out",
        par.to_str().unwrap(),
        "--quiet",
    ]);
    assert_same(&seq, &par);
    let mut shard_dirs = Vec::new();
    for i in 1..=3 {
        let sd = d.join(format!("shard{i}"));
        offersim_ok(&[
            "run",
            s,
            "--replications",
            "2",
            "--shard",
            &format!("{i}/3"),
            "--out",
            sd.to_str().unwrap(),
            "--quiet",
        ]);
        shard_dirs.push(sd.to_str().unwrap().to_string());
    }
    let (h, rows) = read_csv(&d.join("shard2/summary.csv"));
    assert_eq!(
        rows.len(),
        1,
        "4 runs over 3 shards: shard 2 holds grid item 1 only"
    );
    assert_eq!(rows[0][col(&h, "policy")], "drf");
    assert_eq!(rows[0][col(&h, "replication")], "1");
    let merged = d.join("merged");
    let mut args = vec!["merge"];
    args.extend(shard_dirs.iter().map(String::as_str));
    args.extend(["--out", merged.to_str().unwrap()]);
    offersim_ok(&args);
    assert_same(&seq, &merged);
}

#[test]
fn merge_refuses_an_incomplete_set_of_shards() {
    let d = tmp("shards-missing");
    let s = repo().join("scenarios/quickstart.toml");
    let sd = d.join("s1");
    offersim_ok(&[
        "run",
        s.to_str().unwrap(),
        "--shard",
        "1/2",
        "--out",
        sd.to_str().unwrap(),
        "--quiet",
    ]);
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_offersim"))
        .args([
            "merge",
            sd.to_str().unwrap(),
            "--out",
            d.join("m").to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("2/2"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}
