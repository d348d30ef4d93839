//! The command line as a user meets it: exit codes, messages naming file:line:field, and results
//! that a failed run leaves untouched.

use crate::common::*;

fn scenario_with_trace(dir: &std::path::Path, trace: &str) -> std::path::PathBuf {
    write(&dir.join("t.csv"), trace);
    let s = dir.join("s.toml");
    write(&s, "name = \"x\"\n[cluster]\nracks = 1\nagents_per_rack = 2\nagent = { cpus = 4, mem_mb = 4096 }\n[workload]\ntrace = \"t.csv\"\n");
    s
}

#[test]
fn malformed_trace_exits_2_naming_file_line_and_field() {
    let d = tmp("cli-badtrace");
    let s = scenario_with_trace(&d, "job_id,framework,submit_s,tasks,cpus,mem_mb,duration_s\nj1,f,0,1,1,512,10\nj2,f,1,1,one,512,10\n");
    let o = offersim(&[
        "run",
        s.to_str().unwrap(),
        "--out",
        d.join("r").to_str().unwrap(),
        "--quiet",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("t.csv:3") && err.contains("cpus") && err.contains("expected"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn unknown_scenario_key_exits_2_with_suggestion() {
    let d = tmp("cli-badkey");
    let s = d.join("s.toml");
    write(&s, "name = \"x\"\n[master]\nallocation_interval = 2\n");
    let o = offersim(&[
        "run",
        s.to_str().unwrap(),
        "--out",
        d.join("r").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("s.toml:3") && err.contains("allocation_interval_s"),
        "{err}"
    );
}

#[test]
fn failed_run_leaves_earlier_results_untouched() {
    let d = tmp("cli-atomic");
    let good = "job_id,framework,submit_s,tasks,cpus,mem_mb,duration_s\nj1,f,0,2,1,512,10\n";
    let s = scenario_with_trace(&d, good);
    let out = d.join("r");
    let o = offersim(&[
        "run",
        s.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let before = std::fs::read(out.join("summary.csv")).unwrap();
    // The same scenario, now with an unsorted trace: the run fails midway.
    write(&d.join("t.csv"), "job_id,framework,submit_s,tasks,cpus,mem_mb,duration_s\nj1,f,5,2,1,512,10\nj2,f,1,1,1,512,10\n");
    let o = offersim(&[
        "run",
        s.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]);
    assert_eq!(
        o.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(std::fs::read(out.join("summary.csv")).unwrap(), before);
    for dir in [&d, &out] {
        let leftovers: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().contains(".tmp-"))
            .collect();
        assert!(leftovers.is_empty(), "temporary folders left behind");
    }
}

#[test]
fn task_no_agent_can_hold_is_reported_unscheduled() {
    let d = tmp("cli-unsched");
    let s = scenario_with_trace(&d, "job_id,framework,submit_s,tasks,cpus,mem_mb,duration_s\nbig,f,0,1,64,512,10\nok,f,0,3,1,512,10\n");
    let o = offersim(&[
        "run",
        s.to_str().unwrap(),
        "--out",
        d.join("r").to_str().unwrap(),
        "--quiet",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let (h, rows) = read_csv(&d.join("r/summary.csv"));
    assert_eq!(rows[0][col(&h, "tasks_finished")], "3");
    assert_eq!(rows[0][col(&h, "tasks_unscheduled")], "1");
    // Said before the run (the task fits no agent) and in the table after it.
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("job `big` at line 2") && err.contains("cpus 64 (agents have at most 4)"),
        "{err}"
    );
    let table = String::from_utf8_lossy(&o.stdout);
    let row = table
        .lines()
        .find(|l| l.starts_with("tasks_unscheduled"))
        .unwrap_or_else(|| panic!("no tasks_unscheduled row: {table}"));
    assert!(row.trim_end().ends_with(" 1"), "{row}");
    assert!(table.contains("warning: tasks never ran"), "{table}");
    assert!(
        table
            .lines()
            .filter(|l| !l.starts_with("results: ") && !l.starts_with("open "))
            .all(|l| l.chars().count() <= 100),
        "{table}"
    );
}

#[test]
fn rerun_keeps_a_results_folders_gitignore() {
    let d = tmp("cli-gitignore");
    let s = scenario_with_trace(
        &d,
        "job_id,framework,submit_s,tasks,cpus,mem_mb,duration_s\nj1,f,0,2,1,512,10\n",
    );
    let out = d.join("r");
    for _ in 0..2 {
        let o = offersim(&[
            "run",
            s.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--quiet",
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        if !out.join(".gitignore").exists() {
            write(&out.join(".gitignore"), "*/*/tasks.csv\n");
        }
    }
    assert_eq!(
        std::fs::read_to_string(out.join(".gitignore")).unwrap(),
        "*/*/tasks.csv\n"
    );
}

#[test]
fn scripted_event_at_time_zero_can_name_cluster_agents() {
    let d = tmp("cli-t0");
    let s = d.join("s.toml");
    write(
        &s,
        "name = \"t0\"\nend_s = 1\n[cluster]\nracks = 1\nagents_per_rack = 2\nagent = { cpus = 1, mem_mb = 100 }\n\
         [[events]]\nat_s = 0\naction = \"remove_agent\"\nagent = \"a1\"\n\
         [[events]]\nat_s = 0\naction = \"add_framework\"\nname = \"f\"\n",
    );
    run_into(&s, &d.join("out"));
    let (h, rows) = read_csv(&d.join("out/offers.csv"));
    let agents: Vec<&str> = rows.iter().map(|r| r[col(&h, "agent")].as_str()).collect();
    assert_eq!(agents, ["a2"], "a1 was removed at t=0 before f subscribed");
}

#[test]
fn missing_referenced_files_and_absurd_clusters_name_the_scenario_line() {
    let d = tmp("cli-refs");
    let s = d.join("s.toml");
    for (body, want) in [
        ("name = \"x\"\npolicies = [\"nope.toml\"]\n", "s.toml:2: field `policies`"),
        ("name = \"x\"\n[workload]\ntrace = \"nope.csv\"\n", "s.toml:3: field `workload.trace`"),
        ("name = \"x\"\n[cluster]\nmachines = \"nope.csv\"\n", "s.toml:3: field `cluster.machines`"),
        ("name = \"x\"\n[cluster]\nracks = 0\nagents_per_rack = 2\nagent = { cpus = 1, mem_mb = 1 }\n", "s.toml:3: field `cluster.racks`"),
        ("name = \"x\"\n[cluster]\nracks = 100000\nagents_per_rack = 100000\nagent = { cpus = 1, mem_mb = 1 }\n", "more than"),
    ] {
        write(&s, body);
        let o = offersim(&["run", s.to_str().unwrap(), "--out", d.join("r").to_str().unwrap(), "--quiet"]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(err.contains(want), "expected {want:?} in {err}");
    }
}

#[test]
fn summary_outputs_keep_the_small_per_run_files() {
    let d = tmp("cli-summary-outputs");
    let s = repo().join("scenarios/quickstart.toml");
    let out = d.join("r");
    let o = offersim(&[
        "run",
        s.to_str().unwrap(),
        "--policy",
        "drf",
        "--outputs",
        "summary",
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for f in ["frameworks.csv", "utilization.csv", "bins.csv"] {
        assert!(out.join("drf/0").join(f).is_file(), "{f} missing");
    }
    for f in ["tasks.csv", "offers.csv", "shares.csv", "jobs.csv"] {
        assert!(
            !out.join("drf/0").join(f).exists(),
            "{f} written under --outputs summary"
        );
    }
    let (h, rows) = read_csv(&out.join("drf/0/frameworks.csv"));
    assert_eq!(rows.len(), 4, "one row per framework");
    assert!(h.contains(&"busyness".to_string()));
}

/// The README's minimal scenario is complete: saved as it is, it runs without a warning, and
/// the run ends by telling the user to open its report.
#[test]
fn the_readmes_minimal_scenario_runs_as_written() {
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    let block = |start: &str| -> String {
        let i = readme
            .find(start)
            .unwrap_or_else(|| panic!("no {start:?} in README"));
        let body = &readme[i + start.len()..];
        body[..body.find("```").unwrap()].to_string()
    };
    let toml = format!("# minimal.toml{}", block("```toml\n# minimal.toml"));
    let csv = block("```csv\n");
    let d = tmp("cli-readme");
    write(&d.join("minimal.toml"), &toml);
    write(&d.join("minimal.csv"), &csv);
    let o = offersim_cmd(&["run", "minimal.toml"])
        .current_dir(&d)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert!(!err.contains("warning"), "{err}");
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("open results/minimal/report.html"), "{out}");
    assert!(d.join("results/minimal/report.html").is_file());
    let (h, rows) = read_csv(&d.join("results/minimal/summary.csv"));
    assert_eq!(rows[0][col(&h, "tasks_finished")], "22");
}

/// Progress goes to a terminal only: under a pseudo-terminal (`script`) a run shows its bar
/// (tasks/s, share of the horizon) and a line when it ends, for any --jobs; with --quiet, or
/// when stderr is not a terminal, nothing.
#[test]
fn progress_shows_on_a_terminal_for_any_jobs_and_nowhere_else() {
    if std::process::Command::new("script")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("skipped: no `script` to make a pseudo-terminal");
        return;
    }
    let d = tmp("cli-progress");
    let s = d.join("p.toml");
    write(
        &s,
        "name = \"p\"\nend_s = 300\n[cluster]\nracks = 2\nagents_per_rack = 20\nagent = { cpus = 8, mem_mb = 16384 }\n\
         [workload]\ngenerator = { kind = \"poisson\", end_s = 300, mean_gap_s = 1, tasks = 10, duration_s = 30, frameworks = 2 }\n\
         [[policy]]\nname = \"a\"\n[[policy]]\nname = \"b\"\nallocator = \"random\"\n",
    );
    let bin = env!("CARGO_BIN_EXE_offersim");
    let on_tty = |extra: &str, out: &str| -> String {
        let cmd = format!(
            "{bin} run {} --out {} --check-invariants {extra}",
            s.display(),
            d.join(out).display()
        );
        let o = std::process::Command::new("script")
            .args(["-qec", &cmd, "/dev/null"])
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8_lossy(&o.stdout).to_string()
    };
    for jobs in ["1", "2"] {
        let t = on_tty(&format!("--jobs {jobs}"), &format!("r{jobs}"));
        assert!(
            t.contains("tasks/s") && t.contains("of 300 s"),
            "--jobs {jobs}: {t}"
        );
        assert!(
            t.contains("a/0: ") && t.contains("tasks finished"),
            "--jobs {jobs}: {t}"
        );
    }
    let t = on_tty("--quiet", "rq");
    assert!(
        !t.contains("tasks/s") && !t.contains("tasks finished"),
        "{t}"
    );
    let o = offersim(&[
        "run",
        s.to_str().unwrap(),
        "--out",
        d.join("rn").to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert!(
        !err.contains("tasks/s") && !err.contains("tasks finished"),
        "{err}"
    );
}

/// `offersim run ... | head` closes the pipe before the summary is printed: the run still
/// succeeds, writes its results, and says nothing of a panic.
#[test]
fn a_closed_stdout_pipe_is_not_a_failure() {
    let dir = tmp("closed-pipe");
    let trace = "job_id,framework,submit_s,tasks,cpus,mem_mb,duration_s\nj1,f,0,2,1,128,5\nj2,f,1,1,1,128,5\n";
    let s = scenario_with_trace(&dir, trace);
    let out = dir.join("out");
    let mut child = offersim_cmd(&["run", s.to_str().unwrap(), "--out", out.to_str().unwrap()])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // The reader goes away before the run prints anything.
    drop(child.stdout.take());
    let o = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "stderr: {err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(out.join("summary.csv").exists());
}
