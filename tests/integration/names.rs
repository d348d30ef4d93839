//! Names that match nothing are never ignored silently (issue 14, DESIGN §5): a warning names
//! them and the nearest real name, before the run and again after it; a job id under two
//! frameworks and a header-only trace are input errors; a scenario without such a problem
//! prints no warning.

use crate::common::*;
use std::path::Path;

const HDR: &str = "job_id,framework,submit_s,tasks,cpus,mem_mb,duration_s";

/// Writes `t.csv` and `s.toml` (a 2-agent cluster of 4 cpus / 4 GB, then `extra`; a first
/// line of `extra` that sets `end_s` goes to the top) and runs it.
fn run_case(d: &Path, trace: &str, extra: &str) -> std::process::Output {
    write(&d.join("t.csv"), trace);
    let s = d.join("s.toml");
    let (top, extra) = match extra.strip_prefix("end_s") {
        Some(_) => {
            let (t, rest) = extra.split_once('\n').unwrap();
            (format!("{t}\n"), rest)
        }
        None => (String::new(), extra),
    };
    write(
        &s,
        &format!(
            "{top}name = \"n\"\n[cluster]\nracks = 1\nagents_per_rack = 2\nagent = {{ cpus = 4, mem_mb = 4096 }}\n\
             [workload]\ntrace = \"t.csv\"\n{extra}"
        ),
    );
    offersim(&[
        "run",
        s.to_str().unwrap(),
        "--out",
        d.join("r").to_str().unwrap(),
        "--quiet",
    ])
}

#[test]
fn names_that_match_nothing_are_warned_about_before_and_after_the_run() {
    let cases: &[(&str, &str, &str, &[&str])] = &[
        (
            "a role no framework uses",
            "j1,dev,0,1,1,512,10\n",
            "[[frameworks]]\nname = \"dev\"\nroles = [\"prod\"]\n[roles.prdo]\nweight = 2\n",
            &["s.toml:11", "role `prdo`", "no framework uses it", "did you mean `prod`?"],
        ),
        (
            "a listed framework the trace never names",
            "j1,dev,0,1,1,512,10\n",
            "[[frameworks]]\nname = \"devv\"\nscheduler = \"delay\"\n",
            &["s.toml:9", "framework `devv`", "never names it", "did you mean `dev`?"],
        ),
        (
            "a task larger than every agent",
            "small,f,0,3,1,512,10\nbig,f,1,2,64,512,10\n",
            "",
            &["t.csv", "2 of 5 tasks", "job `big` at line 3", "cpus 64 (agents have at most 4)"],
        ),
        (
            "a resource no agent has",
            "job_id,framework,submit_s,tasks,cpus,mem_mb,duration_s,disk_mb\nj1,f,0,4,1,512,10,100\n",
            "",
            &["4 tasks ask for disk_mb, which no agent has", "disk_mb 100 (agents have at most 0)"],
        ),
        (
            "a framework that subscribes after the end",
            "j1,f,0,1,1,512,10\n",
            "end_s = 100\n[[frameworks]]\nname = \"f\"\nadd_s = 500\n",
            &["s.toml:11", "framework `f` subscribes at add_s = 500 s, after end_s = 100 s"],
        ),
        (
            "a whitelisted agent the scenario never has",
            "j1,f,0,1,1,512,10
",
            "[master]
whitelist = [\"a1\", \"a11\"]
",
            &["whitelist names agent `a11`, which the scenario never has", "did you mean `a1`?"],
        ),
    ];
    for (k, (what, rows, extra, needles)) in cases.iter().enumerate() {
        let d = tmp(&format!("names-{k}"));
        let trace = if rows.starts_with("job_id") {
            rows.to_string()
        } else {
            format!("{HDR}\n{rows}")
        };
        let o = run_case(&d, &trace, extra);
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(o.status.success(), "{what}: {err}");
        for n in *needles {
            assert!(err.contains(n), "{what}: `{n}` not in: {err}");
        }
        let warnings: Vec<&str> = err.lines().filter(|l| l.starts_with("warning: ")).collect();
        assert!(warnings.len() >= 2, "{what}: said once only: {err}");
        assert_eq!(
            warnings[..warnings.len() / 2],
            warnings[warnings.len() / 2..],
            "{what}: the end of the run repeats the warnings"
        );
    }
}

#[test]
fn a_job_id_under_two_frameworks_and_a_header_only_trace_are_input_errors() {
    let cases: &[(&str, &str, &[&str])] = &[
        (
            "same job id, two frameworks",
            "j1,a,0,1,1,512,10\nj2,a,1,1,1,512,10\nj1,b,2,1,1,512,10\n",
            &[
                "t.csv:4",
                "`framework`",
                "job \"j1\"",
                "\"b\"",
                "\"a\" at line 2",
            ],
        ),
        ("header only", "", &["t.csv:1", "no rows"]),
    ];
    for (k, (what, rows, needles)) in cases.iter().enumerate() {
        let d = tmp(&format!("names-err-{k}"));
        let o = run_case(&d, &format!("{HDR}\n{rows}"), "");
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{what}: {err}");
        for n in *needles {
            assert!(err.contains(n), "{what}: `{n}` not in: {err}");
        }
        assert!(!d.join("r").exists(), "{what}: a results folder was made");
    }
    // Rows of one job id under one framework, far apart, are one job: no error.
    let d = tmp("names-same-fw");
    let o = run_case(
        &d,
        &format!("{HDR}\nj1,a,0,1,1,512,10\nj2,b,1,1,1,512,10\nj1,a,50,1,1,512,10\n"),
        "",
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn shipped_scenarios_and_a_clean_one_get_no_warning() {
    let mut paths: Vec<std::path::PathBuf> = std::fs::read_dir(repo().join("scenarios"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    for dir in ["tests/scenarios", "tests/conformance"] {
        paths.extend(
            std::fs::read_dir(repo().join(dir))
                .unwrap()
                .map(|e| e.unwrap().path())
                .filter(|p| p.extension().is_some_and(|e| e == "toml")),
        );
    }
    paths.sort();
    for p in &paths {
        let s = offersim::scenario::load(p).unwrap_or_else(|e| panic!("{e}"));
        let l = offersim::experiment::lint::lint(&s).unwrap_or_else(|e| panic!("{e}"));
        // Mesos's Whitelist test lists an agent that never exists, on purpose: the one
        // warning a shipped scenario is meant to get.
        let expected: &[&str] = if p.ends_with("tests/scenarios/whitelist.toml") {
            &["the whitelist names agent `dummy-agent`, which the scenario never has"]
        } else {
            &[]
        };
        assert_eq!(
            l.warnings.len(),
            expected.len(),
            "{}: {:?}",
            p.display(),
            l.warnings
        );
        for (w, e) in l.warnings.iter().zip(expected) {
            assert!(w.contains(e), "{}: {w}", p.display());
        }
    }
    let d = tmp("names-clean");
    let o = run_case(
        &d,
        &format!("{HDR}\nj1,dev,0,1,1,512,10\n"),
        "[[frameworks]]\nname = \"dev\"\nroles = [\"prod\"]\n[roles.prod]\nweight = 2\n",
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert!(!err.contains("warning"), "{err}");
}

/// The case of the issue: a Google 2011 import with disk requests (`--machine-disk-mb`) replayed
/// on a generated cluster whose agents have no disk: the run is told so before it starts.
#[test]
fn a_google_import_on_agents_without_disk_is_warned_about() {
    use offersim::workload::import::{run, Format, Params, Request};
    let d = tmp("names-google");
    let sample = |f: &str| repo().join("traces/samples/google-2011").join(f);
    let inputs = [
        sample("task_events-part-00001-of-00500-excerpt.csv"),
        sample("job_events-part-00000-of-00500-first100.csv"),
    ];
    run(&Request {
        format: Format::Google2011,
        inputs: &inputs,
        out: &d.join("t.csv"),
        machines_out: None,
        params: &Params {
            machine_disk_mb: Some(100_000.0),
            ..Params::default()
        },
        progress: false,
    })
    .unwrap();
    write(
        &d.join("s.toml"),
        "name = \"g\"\n[cluster]\nracks = 1\nagents_per_rack = 10\nagent = { cpus = 4, mem_mb = 16384 }\n\
         [workload]\ntrace = \"t.csv\"\n",
    );
    let s = offersim::scenario::load(&d.join("s.toml")).unwrap();
    let l = offersim::experiment::lint::lint(&s).unwrap();
    assert!(
        l.warnings
            .iter()
            .any(|w| w.contains("ask for disk_mb, which no agent has")),
        "{:?}",
        l.warnings
    );
    assert!(
        l.warnings
            .iter()
            .any(|w| w.contains("can be held by no agent") && w.contains("disk_mb")),
        "{:?}",
        l.warnings
    );
}
