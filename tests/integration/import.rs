//! `offersim import` end to end: each format imports its committed excerpt, the output reads
//! back with the native reader (which rejects unsorted rows), and a tiny scenario replays it.

use crate::common::{repo, run_into, tmp};
use offersim::workload::import::{run, Format, Params, Request, Summary};
use offersim::workload::trace::TraceReader;
use std::path::{Path, PathBuf};

fn sample(rel: &str) -> PathBuf {
    repo().join("traces/samples").join(rel)
}

fn import(
    format: Format,
    inputs: &[PathBuf],
    dir: &Path,
    machines: bool,
    params: &Params,
) -> (PathBuf, Option<PathBuf>, Summary) {
    let out = dir.join("trace.csv");
    let m = machines.then(|| dir.join("machines.csv"));
    let s = run(&Request {
        format,
        inputs,
        out: &out,
        machines_out: m.as_deref(),
        params,
        progress: false,
    })
    .unwrap_or_else(|e| panic!("{format:?}: {e}"));
    (out, m, s)
}

/// Reads the whole trace back; returns (rows, tasks).
fn read_back(path: &Path) -> (u64, u64) {
    let mut r = TraceReader::open(path).unwrap();
    let (mut rows, mut tasks) = (0, 0);
    while let Some(row) = r.next_row().unwrap_or_else(|e| panic!("{e}")) {
        rows += 1;
        tasks += row.tasks as u64;
    }
    (rows, tasks)
}

fn scenario(dir: &Path, cluster: &str, end_s: u32, extra: &str) -> PathBuf {
    let p = dir.join("scenario.toml");
    let body = format!(
        "name = \"import-test\"\nseed = 1\nend_s = {end_s}\n\n[cluster]\n{cluster}\n\n\
         [workload]\ntrace = \"trace.csv\"\n{extra}"
    );
    std::fs::write(&p, body).unwrap();
    p
}

fn replay(dir: &Path, scenario: &Path) -> offersim::experiment::RunOutcome {
    let out = dir.join("results");
    std::fs::create_dir_all(&out).unwrap();
    run_into(scenario, &out)
}

#[test]
fn swim_excerpt_imports_and_replays() {
    let dir = tmp("import-swim");
    let input = [sample(
        "swim/FB-2009_samples_24_times_1hr_0_first50jobs.tsv",
    )];
    let (out, _, s) = import(Format::Swim, &input, &dir, false, &Params::default());
    let no_reduce = Params {
        no_reduces: true,
        ..Params::default()
    };
    let d2 = tmp("import-swim-maps");
    let (out2, _, _) = import(Format::Swim, &input, &d2, false, &no_reduce);
    // The check figure of traces/README.md: 290 map tasks with 64 MiB blocks.
    assert_eq!(read_back(&out2).1, 290);
    assert_eq!(read_back(&out).1, s.tasks);
    assert_eq!(s.jobs, 50);
    let sc = scenario(
        &dir,
        "racks = 2\nagents_per_rack = 4\nagent = { cpus = 8, mem_mb = 16384 }",
        300,
        "",
    );
    let o = replay(&dir, &sc);
    assert!(o.tasks_finished > 0);
}

#[test]
fn swf_excerpt_imports_with_machines_and_replays() {
    let dir = tmp("import-swf");
    let input = [sample("swf/NASA-iPSC-1993-3.1-cln-first200.swf.gz")];
    let (out, m, s) = import(Format::Swf, &input, &dir, true, &Params::default());
    assert_eq!(s.read["swf job"], 200);
    assert_eq!(read_back(&out).0, 200);
    assert_eq!(s.machines, 128);
    assert!(m.unwrap().exists());
    let sc = scenario(&dir, "machines = \"machines.csv\"", 2000, "");
    let o = replay(&dir, &sc);
    assert!(o.tasks_finished > 0);
}

#[test]
fn google2011_excerpt_imports_and_replays_on_its_machines() {
    let dir = tmp("import-google");
    let input = [
        sample("google-2011/task_events-part-00001-of-00500-excerpt.csv"),
        sample("google-2011/job_events-part-00000-of-00500-first100.csv"),
        sample("google-2011/machine_events-handmade.csv"),
    ];
    let p = Params {
        from_s: Some(5000.0),
        ..Params::default()
    };
    let (out, _, s) = import(Format::Google2011, &input, &dir, true, &p);
    assert!(s.rows > 50, "{s}");
    assert!(s.skipped.contains_key("attempt_kill"), "{s}");
    assert_eq!(read_back(&out).0, s.rows);
    // The re-added machine is a second agent; machines removed before the window are gone.
    let agents = offersim::workload::machines::read_machines(&dir.join("machines.csv")).unwrap();
    assert!(agents.iter().any(|a| a.name == "m5.2"), "{agents:?}");
    let sc = scenario(&dir, "machines = \"machines.csv\"", 600, "");
    let o = replay(&dir, &sc);
    assert!(o.tasks_finished > 0);
}

#[test]
fn alibaba2018_excerpt_imports_and_replays() {
    let dir = tmp("import-ali2018");
    let input = [
        sample("alibaba-v2018/batch_task-handmade.csv"),
        sample("alibaba-v2018/machine_meta-first300.csv"),
    ];
    let p = Params {
        from_s: Some(86_400.0),
        ..Params::default()
    };
    let (out, _, s) = import(Format::Alibaba2018, &input, &dir, true, &p);
    assert_eq!(s.skipped["status_Failed"], 1);
    assert_eq!(s.skipped["status_Running"], 1);
    assert_eq!(read_back(&out).0, s.rows);
    assert_eq!(s.machines, 71);
    let sc = scenario(&dir, "machines = \"machines.csv\"", 1200, "");
    let o = replay(&dir, &sc);
    assert!(o.tasks_finished > 0);

    // With batch_instance, each kept instance is a row of one task.
    let d2 = tmp("import-ali2018-inst");
    let mut with_inst = input.to_vec();
    with_inst.push(sample("alibaba-v2018/batch_instance-handmade.csv"));
    let (_, _, s2) = import(Format::Alibaba2018, &with_inst, &d2, false, &p);
    assert_eq!((s2.rows, s2.tasks), (3, 3), "{s2}");
    assert_eq!(s2.skipped["instance_of_task_not_kept"], 1);
}

#[test]
fn alibaba_gpu2023_excerpt_imports_and_replays_with_gpus() {
    let dir = tmp("import-gpu");
    let input = [
        sample("alibaba-gpu-v2023/openb_pod_list_default-first300.csv"),
        sample("alibaba-gpu-v2023/openb_node_list_all_node-first200.csv"),
    ];
    let p = Params {
        from_s: Some(9_964_972.0),
        ..Params::default()
    };
    let (out, _, s) = import(Format::AlibabaGpu2023, &input, &dir, true, &p);
    assert_eq!(s.machines, 200);
    assert!(s.skipped.contains_key("pending_never_scheduled"), "{s}");
    assert_eq!(read_back(&out).0, s.rows);
    let fws: String = ["LS", "BE", "Burstable", "Guaranteed"]
        .iter()
        .map(|f| format!("[[frameworks]]\nname = \"{f}\"\ncapabilities = [\"gpu\"]\n"))
        .collect();
    let sc = scenario(&dir, "machines = \"machines.csv\"", 3600, &fws);
    let o = replay(&dir, &sc);
    assert!(o.tasks_finished + o.events > 0);
}

#[test]
fn imports_are_deterministic_and_sampling_is_seeded() {
    let input = [sample("swf/NASA-iPSC-1993-3.1-cln-first200.swf.gz")];
    let p = Params {
        sample_jobs: 0.5,
        seed: 7,
        scale_time: 0.5,
        ..Params::default()
    };
    let (a, _, sa) = import(Format::Swf, &input, &tmp("import-det-a"), false, &p);
    let (b, _, _) = import(Format::Swf, &input, &tmp("import-det-b"), false, &p);
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    assert!(sa.rows > 50 && sa.rows < 150, "{sa}");
    assert_eq!(sa.skipped["not_in_job_sample"], 200 - sa.rows);
}

#[test]
fn malformed_input_exits_2_naming_file_line_and_field() {
    let dir = tmp("import-bad");
    let bad = dir.join("bad.swf");
    std::fs::write(
        &bad,
        "; MaxProcs: 4\n1 0 -1 10 4 -1 -1 -1 -1 -1 1 1 1 -1 -1 -1 -1 -1\n2 5 -1 ten 4 -1 -1 -1 -1 -1 1 1 1 -1 -1 -1 -1 -1\n",
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_offersim"))
        .args(["import", "swf"])
        .arg(&bad)
        .arg("--out")
        .arg(dir.join("t.csv"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bad.swf:3") && err.contains("run_time"),
        "{err}"
    );
    assert!(!dir.join("t.csv").exists(), "no partial output");
}
