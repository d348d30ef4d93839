//! Features that had no test of their own (issue 19, point 10), each checked against what the
//! README says it does: executors, message latency, suppressed roles, a sweep end to end,
//! `check --update`, `gen`, `--shard` parse errors, exit code 3 from the binary, `set_weight`
//! rescinding offers, and `merge` refusing shards of different grids.

use crate::common::*;
use std::path::{Path, PathBuf};

/// Column `name` of every row of a CSV file.
fn column(path: &Path, name: &str) -> Vec<String> {
    let (h, rows) = read_csv(path);
    let c = col(&h, name);
    rows.into_iter().map(|r| r[c].clone()).collect()
}

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

const TRACE_HDR: &str = "job_id,framework,submit_s,tasks,cpus,mem_mb,duration_s\n";

/// One agent of 4 cpus, a framework `f` whose tasks (1 cpu, 10 s) arrive at 0, 12 and 40 s.
fn one_agent(d: &Path, name: &str, extra: &str) -> PathBuf {
    write(
        &d.join("t.csv"),
        &format!("{TRACE_HDR}j1,f,0,1,1,512,10\nj2,f,12,1,1,512,10\nj3,f,40,1,1,512,10\n"),
    );
    let s = d.join(format!("{name}.toml"));
    write(
        &s,
        &format!(
            "name = \"{name}\"\n[cluster]\nracks = 1\nagents_per_rack = 1\n\
             agent = {{ cpus = 4, mem_mb = 4096 }}\n[workload]\ntrace = \"t.csv\"\n{extra}"
        ),
    );
    s
}

/// An executor (1 cpu) starts with the first task and takes `executor_start_s` = 2 s to come
/// up; a task that finds it running starts at once; idle for `executor_idle_s` = 5 s it goes,
/// and the next task waits for a new one. Its resources count as used while it lives.
#[test]
fn executors_start_late_are_shared_and_go_when_idle() {
    let d = tmp("executors");
    let s = one_agent(
        &d,
        "ex",
        "[master]\nexecutor_idle_s = 5\n[[frameworks]]\nname = \"f\"\n\
         executor = { cpus = 1, mem_mb = 512 }\nexecutor_start_s = 2\n",
    );
    let out = d.join("r");
    run_into(&s, &out);
    // j1 waits for the executor (0 + 2); j2 arrives as j1 ends at 12, the executor is up; j3
    // comes 18 s after j2 ended at 22, long after the executor left at 27.
    assert_eq!(column(&out.join("tasks.csv"), "start_s"), ["2", "12", "42"]);
    let util = offersim::report::compare::read_table(&out.join("utilization.csv")).unwrap();
    let at = |t: &str| -> f64 {
        let r = util.rows.iter().find(|r| r[0] == t).unwrap();
        r[1].parse().unwrap()
    };
    // Task and executor: 2 of 4 cpus; the executor alone after j2 until 27; nothing after.
    assert_eq!(
        (at("5"), at("24"), at("26"), at("27"), at("35")),
        (0.5, 0.25, 0.25, 0.0, 0.0)
    );

    // Without an executor every task starts as it is offered.
    let plain = one_agent(&d, "plain", "");
    let out = d.join("p");
    run_into(&plain, &out);
    assert_eq!(column(&out.join("tasks.csv"), "start_s"), ["0", "12", "40"]);
}

/// `latency_s` delays each message between master, framework and agent: the offer reaches the
/// framework, its answer the master, the launch the agent, one latency each.
#[test]
fn latency_delays_offers_answers_and_launches() {
    let d = tmp("latency");
    let s = one_agent(&d, "lat", "[master]\nlatency_s = 0.5\n");
    let out = d.join("r");
    run_into(&s, &out);
    assert_eq!(
        column(&out.join("tasks.csv"), "start_s"),
        ["1.5", "13.5", "41.5"]
    );
}

/// A hold framework of roles r1 and r2 that subscribes with r1 suppressed is offered the agent
/// under r2 only (unsuppressed, r1 would sort first by name); once r2 is suppressed and r1
/// revived, it gets the agent under r1.
#[test]
fn suppressed_roles_get_no_offers_until_revived() {
    let d = tmp("suppressed-roles");
    let s = d.join("s.toml");
    write(
        &s,
        "name = \"sr\"\nend_s = 4\n\
         [[events]]\nat_s = 0\naction = \"add_framework\"\nname = \"f\"\nroles = [\"r1\", \"r2\"]\n\
         scheduler = \"hold\"\nsuppressed_roles = [\"r1\"]\n\
         [[events]]\nat_s = 0\naction = \"add_agent\"\nname = \"a1\"\ncpus = 2\nmem_mb = 1024\n\
         [[events]]\nat_s = 1\naction = \"suppress\"\nframework = \"f\"\nroles = [\"r2\"]\n\
         [[events]]\nat_s = 1\naction = \"decline\"\nframework = \"f\"\nrefuse_s = 0\n\
         [[events]]\nat_s = 2.5\naction = \"revive\"\nframework = \"f\"\nroles = [\"r1\"]\n",
    );
    let out = d.join("r");
    run_into(&s, &out);
    let offers = out.join("offers.csv");
    let got: Vec<(String, String)> = column(&offers, "time_s")
        .into_iter()
        .zip(column(&offers, "role"))
        .collect();
    assert_eq!(
        got,
        [("0".into(), "r2".into()), ("2.5".into(), "r1".into())]
    );
}

/// A `[sweep]` runs every combination of values as its own policy, named as the README says
/// (keys in name order, the first varying slowest), and the values reach the runs.
#[test]
fn a_sweep_runs_every_combination_under_its_documented_name() {
    let d = tmp("sweep");
    let s = one_agent(
        &d,
        "sw",
        "[[frameworks]]\nname = \"f\"\nexecutor = { cpus = 1, mem_mb = 512 }\n\
         [sweep]\nlatency_s = [0, 0.5]\nexecutor_start_s = [0, 2]\n",
    );
    let out = d.join("r");
    let rows = run_checked(&s, &out);
    let names: Vec<&str> = rows.iter().map(|r| r["policy"].as_str()).collect();
    assert_eq!(
        names,
        [
            "drf@executor_start_s=0+latency_s=0",
            "drf@executor_start_s=0+latency_s=0.5",
            "drf@executor_start_s=2+latency_s=0",
            "drf@executor_start_s=2+latency_s=0.5",
        ]
    );
    // j1's start: the executor's start-up plus three latencies.
    let start = |p: &str| column(&out.join(p).join("0/tasks.csv"), "start_s")[0].clone();
    assert_eq!(start(names[0]), "0");
    assert_eq!(start(names[1]), "1.5");
    assert_eq!(start(names[2]), "2");
    assert_eq!(start(names[3]), "3.5");
}

/// `check --update` writes a baseline where there was none, a check against it passes, a
/// perturbed baseline fails (exit 1), and `--update` puts it right again.
#[test]
fn check_update_writes_a_baseline_that_then_passes() {
    let d = tmp("check-update");
    let s = one_agent(&d, "cu", "");
    let base = d.join("base");
    let summary = base.join("summary.csv");
    let b = summary.to_str().unwrap();
    let sc = s.to_str().unwrap();
    let o = offersim(&["check", sc, "--baseline", b, "--update", "--quiet"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(summary.is_file() && base.join("report.html").is_file());
    let o = offersim(&["check", sc, "--baseline", b, "--quiet"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = std::fs::read_to_string(&summary).unwrap();
    let (h, rows) = read_csv(&summary);
    let c = col(&h, "tasks_finished");
    let mut bad = rows[0].clone();
    bad[c] = "999".into();
    write(&summary, &format!("{}\n{}\n", h.join(","), bad.join(",")));
    let o = offersim(&["check", sc, "--baseline", b, "--quiet"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("tasks_finished"));
    let o = offersim(&["check", sc, "--baseline", b, "--update", "--quiet"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&summary).unwrap(), text);
}

/// `offersim gen` writes a native trace: the contract's header, rows sorted by submit, the
/// number of jobs asked for, the same bytes for the same seed, other bytes for another, and a
/// scenario replays it.
#[test]
fn gen_writes_a_seeded_native_trace_that_replays() {
    let d = tmp("gen");
    let gen = |seed: &str, file: &str| {
        let p = d.join(file);
        let o = offersim(&[
            "gen",
            "poisson",
            "--out",
            p.to_str().unwrap(),
            "--seed",
            seed,
            "--set",
            "jobs=40",
            "--set",
            "frameworks=2",
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        std::fs::read_to_string(p).unwrap()
    };
    let a = gen("1", "a.csv");
    assert_eq!(a, gen("1", "b.csv"));
    assert_ne!(a, gen("2", "c.csv"));
    assert!(
        a.starts_with("job_id,framework,submit_s,tasks,cpus,mem_mb,duration_s"),
        "{a}"
    );
    let submits: Vec<f64> = column(&d.join("a.csv"), "submit_s")
        .iter()
        .map(|s| s.parse().unwrap())
        .collect();
    assert!(submits.windows(2).all(|w| w[0] <= w[1]));
    let mut jobs = column(&d.join("a.csv"), "job_id");
    jobs.dedup();
    assert_eq!(jobs.len(), 40);
    let s = d.join("g.toml");
    write(
        &s,
        "name = \"g\"\n[cluster]\nracks = 2\nagents_per_rack = 4\nagent = { cpus = 8, mem_mb = 16384 }\n\
         [workload]\ntrace = \"a.csv\"\n",
    );
    let rows = run_checked(&s, &d.join("r"));
    let tasks: u64 = column(&d.join("a.csv"), "tasks")
        .iter()
        .map(|t| t.parse::<u64>().unwrap())
        .sum();
    assert_eq!(rows[0]["tasks_finished"], tasks.to_string());
}

/// `--shard` takes I/N with 1 <= I <= N; anything else is an input error (exit 2) that names
/// the option and says what was expected.
#[test]
fn bad_shard_specs_are_input_errors() {
    let d = tmp("shard-parse");
    let s = one_agent(&d, "sp", "");
    for bad in ["0/2", "3/2", "1/0", "a/b", "1-2", "2", "/2", ""] {
        let o = offersim(&[
            "run",
            s.to_str().unwrap(),
            "--shard",
            bad,
            "--out",
            d.join("r").to_str().unwrap(),
            "--quiet",
        ]);
        assert_eq!(o.status.code(), Some(2), "--shard {bad:?}: {}", stderr(&o));
        let e = stderr(&o);
        assert!(
            e.contains("--shard") && e.contains("expected I/N with 1 <= I <= N"),
            "--shard {bad:?}: {e}"
        );
        assert!(!d.join("r").exists(), "--shard {bad:?} wrote a folder");
    }
}

/// A run that cannot write its outputs fails with exit code 3 (not an input error), naming the
/// file, and leaves no temporary folder. The files are made unwritable by a file-size limit
/// (`ulimit -f`), which holds even for root; SIGXFSZ is ignored so the write fails instead.
#[test]
fn a_run_that_cannot_write_its_outputs_exits_3() {
    if std::process::Command::new("bash")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("skipped: no bash for ulimit");
        return;
    }
    let d = tmp("exit3");
    let out = d.join("r");
    let cmd = format!(
        "trap '' XFSZ; ulimit -f 4; exec {} run {} --out {} --check-invariants --quiet",
        env!("CARGO_BIN_EXE_offersim"),
        repo().join("scenarios/quickstart.toml").display(),
        out.display()
    );
    let o = std::process::Command::new("bash")
        .args(["-c", &cmd])
        .output()
        .unwrap();
    let e = stderr(&o);
    assert_eq!(o.status.code(), Some(3), "{e}");
    assert!(e.contains(".csv"), "the message names the file: {e}");
    let left: Vec<String> = result_files(&d).into_keys().collect();
    assert!(left.is_empty(), "a failed run leaves no file: {left:?}");
}

/// `set_weight` rescinds every outstanding offer of a role that has frameworks (as the Mesos
/// master does); the resources are offered again at the next allocation run. `set_quota`
/// rescinds nothing.
#[test]
fn set_weight_rescinds_outstanding_offers_and_set_quota_does_not() {
    let d = tmp("set-weight");
    let body = |action: &str| {
        format!(
            "name = \"w\"\nend_s = 3\n[roles.r1]\nweight = 1\n\
             [[events]]\nat_s = 0\naction = \"add_framework\"\nname = \"f\"\nroles = [\"r1\"]\n\
             scheduler = \"hold\"\n\
             [[events]]\nat_s = 0\naction = \"add_agent\"\nname = \"a1\"\ncpus = 2\nmem_mb = 1024\n\
             [[events]]\nat_s = 1.5\naction = \"{action}\"\nrole = \"r1\"\n{}",
            if action == "set_weight" {
                "weight = 2\n"
            } else {
                "guarantees = { cpus = 1 }\n"
            }
        )
    };
    let outcomes = |action: &str| {
        let s = d.join(format!("{action}.toml"));
        write(&s, &body(action));
        let out = d.join(action);
        run_into(&s, &out);
        let offers = out.join("offers.csv");
        column(&offers, "time_s")
            .into_iter()
            .zip(column(&offers, "outcome"))
            .collect::<Vec<(String, String)>>()
    };
    // Rescinded at 1.5, offered again at the tick of 2 s and held to the end.
    assert_eq!(
        outcomes("set_weight"),
        [
            ("0".into(), "rescinded".into()),
            ("2".into(), "held".into())
        ]
    );
    assert_eq!(outcomes("set_quota"), [("0".into(), "held".into())]);
}

/// Two shards of a two-replication grid, the second run with `extra` flags or from `scenario2`:
/// `merge` must refuse them with exit 2, naming the column that differs.
fn refused_merge(
    d: &Path,
    s1: &Path,
    s2: &Path,
    extra: &[&str],
    column: &str,
    words: &str,
) -> String {
    let run = |s: &Path, shard: &str, out: &Path, extra: &[&str]| {
        let mut a = vec![
            "run",
            s.to_str().unwrap(),
            "--shard",
            shard,
            "--out",
            out.to_str().unwrap(),
            "--quiet",
        ];
        a.extend_from_slice(extra);
        offersim_ok(&a);
    };
    let (a, b) = (d.join("s1"), d.join("s2"));
    run(s1, "1/2", &a, &[]);
    run(s2, "2/2", &b, extra);
    let m = d.join("m");
    let o = offersim(&[
        "merge",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        "--out",
        m.to_str().unwrap(),
    ]);
    let e = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{e}");
    assert!(e.contains(column) && e.contains(words), "{e}");
    assert!(!m.exists(), "a refused merge writes nothing");
    e
}

fn shard_scenario(d: &Path, trace_end: &str, refuse: &str) -> PathBuf {
    std::fs::create_dir_all(d).unwrap();
    write(
        &d.join("t.csv"),
        &format!("{TRACE_HDR}j1,f,0,2,1,512,10\nj2,g,0,2,1,512,{trace_end}\n"),
    );
    let s = d.join("s.toml");
    write(
        &s,
        &format!(
            "name = \"sh\"\nreplications = 2\n[cluster]\nracks = 1\nagents_per_rack = 2\n\
             agent = {{ cpus = 4, mem_mb = 4096 }}\n[master]\nrefuse_s = {refuse}\n\
             [workload]\ntrace = \"t.csv\"\n"
        ),
    );
    s
}

#[test]
fn merge_refuses_shards_run_with_different_seeds() {
    let d = tmp("merge-seed");
    let s = shard_scenario(&d.join("in"), "10", "5");
    refused_merge(&d, &s, &s, &["--seed", "7"], "seed", "different seeds");
}

#[test]
fn merge_refuses_shards_run_with_different_replications() {
    let d = tmp("merge-reps");
    let s = shard_scenario(&d.join("in"), "10", "5");
    refused_merge(
        &d,
        &s,
        &s,
        &["--replications", "3"],
        "replications",
        "different numbers of replications",
    );
}

#[test]
fn merge_refuses_shards_of_different_scenario_contents() {
    let d = tmp("merge-scenario");
    let s1 = shard_scenario(&d.join("in1"), "10", "5");
    let s2 = shard_scenario(&d.join("in2"), "10", "3");
    refused_merge(
        &d,
        &s1,
        &s2,
        &[],
        "scenario_sha256",
        "different scenario contents",
    );
}

/// The same scenario text beside a trace with one duration changed.
#[test]
fn merge_refuses_shards_of_different_trace_contents() {
    let d = tmp("merge-trace");
    let s1 = shard_scenario(&d.join("in1"), "10", "5");
    let s2 = shard_scenario(&d.join("in2"), "11", "5");
    assert_eq!(
        std::fs::read(&s1).unwrap(),
        std::fs::read(&s2).unwrap(),
        "only the traces differ"
    );
    refused_merge(
        &d,
        &s1,
        &s2,
        &[],
        "trace_sha256",
        "different trace contents",
    );
}

/// A shard folder from before shard.csv recorded the grid's digests is refused, not trusted.
#[test]
fn merge_refuses_a_shard_without_digests() {
    let d = tmp("merge-old");
    let s = shard_scenario(&d.join("in"), "10", "5");
    let mut outs = Vec::new();
    for i in ["1/2", "2/2"] {
        let out = d.join(format!("s{}", &i[..1]));
        offersim_ok(&[
            "run",
            s.to_str().unwrap(),
            "--shard",
            i,
            "--out",
            out.to_str().unwrap(),
            "--quiet",
        ]);
        outs.push(out);
    }
    // The same shards merge.
    let ok = d.join("ok");
    offersim_ok(&[
        "merge",
        outs[0].to_str().unwrap(),
        outs[1].to_str().unwrap(),
        "--out",
        ok.to_str().unwrap(),
    ]);
    // Cut shard.csv down to its old five columns.
    let shard = outs[1].join("shard.csv");
    let old: String = std::fs::read_to_string(&shard)
        .unwrap()
        .lines()
        .map(|l| l.split(',').take(5).collect::<Vec<_>>().join(",") + "\n")
        .collect();
    write(&shard, &old);
    let o = offersim(&[
        "merge",
        outs[0].to_str().unwrap(),
        outs[1].to_str().unwrap(),
        "--out",
        d.join("m").to_str().unwrap(),
    ]);
    let e = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{e}");
    assert!(e.contains("shard.csv") && e.contains("run it again"), "{e}");
}

/// A framework with an executor that declines an offer too small for the executor (memory
/// only: another framework's task holds the cpu) is not an invalid decision: before the fix
/// the master counted the executor against every decision, launches or none, and the run
/// failed with exit code 3 (found by the property tests).
#[test]
fn declining_an_offer_too_small_for_the_executor_is_fine() {
    let d = tmp("executor-decline");
    write(
        &d.join("t.csv"),
        "job_id,framework,submit_s,tasks,cpus,mem_mb,duration_s\nj0,f1,0,1,1,128,11\nj1,f0,0,1,0.5,128,1\n",
    );
    let s = d.join("s.toml");
    write(
        &s,
        "name = \"p\"\n[[policy]]\nname = \"p\"\nallocator = \"drf\"\n[workload]\ntrace = \"t.csv\"\n\
         [[cluster.agents]]\nname = \"a0\"\ncpus = 1\nmem_mb = 2048\n\
         [[frameworks]]\nname = \"f0\"\nexecutor = { cpus = 0.5, mem_mb = 256 }\n\
         [[frameworks]]\nname = \"f1\"\n",
    );
    let o = run_into(&s, &d.join("out"));
    let cols = offersim::metrics::files::SUMMARY_COLS;
    let get = |name: &str| o.fields[cols.iter().position(|c| *c == name).unwrap() - 3].clone();
    assert_eq!(
        get("tasks_finished"),
        "2",
        "both tasks run, f0's after f1's"
    );
    assert!(
        get("offers_declined").parse::<u64>().unwrap() >= 1,
        "f0 declined the memory-only offer"
    );
}

/// The README's known limitation of revocable resources: tasks from traces launch on regular
/// resources only. a1 has 4 regular cpus and (from t = 0) 8 revocable ones, offered to `f`,
/// which has the capability; of j1's six 1-cpu tasks four start at once and two when those end,
/// and the invariants (free + held = total + owed, revocable part included) hold throughout.
#[test]
fn trace_tasks_do_not_launch_on_revocable_resources() {
    let d = tmp("revocable-trace");
    write(&d.join("t.csv"), &format!("{TRACE_HDR}j1,f,0,6,1,512,10\n"));
    let s = d.join("rev.toml");
    write(
        &s,
        "name = \"rev\"\n[cluster]\nracks = 1\nagents_per_rack = 1\n\
         agent = { cpus = 4, mem_mb = 4096 }\n[workload]\ntrace = \"t.csv\"\n\
         [[frameworks]]\nname = \"f\"\ncapabilities = [\"revocable_resources\"]\n\
         [[events]]\nat_s = 0\naction = \"update_agent\"\nagent = \"a1\"\nrevocable_cpus = 8\n",
    );
    let out = d.join("r");
    run_into(&s, &out);
    let mut starts = column(&out.join("tasks.csv"), "start_s");
    starts.sort();
    assert_eq!(starts, ["0", "0", "0", "0", "10", "10"]);
    let rev = column(&out.join("offers.csv"), "revocable_cpus");
    assert!(
        rev.iter().any(|c| c == "8"),
        "revocable cpus offered: {rev:?}"
    );
}
