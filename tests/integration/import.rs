//! `offersim import` end to end: each format imports its committed excerpt, the output reads
//! back with the native reader (which rejects unsorted rows), and a tiny scenario replays it.

use crate::common::{col, offersim, read_csv, repo, run_into, tmp};
use offersim::workload::import::{run, Format, Params, Request, Summary, ROWS};
use offersim::workload::trace::TraceReader;
use std::collections::BTreeMap;
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

/// A replay scenario; `end_s` 0 runs until every task has ended or can never run.
fn scenario(dir: &Path, cluster: &str, end_s: u32, extra: &str) -> PathBuf {
    let p = dir.join("scenario.toml");
    let end = if end_s > 0 {
        format!("end_s = {end_s}\n")
    } else {
        String::new()
    };
    let body = format!(
        "name = \"import-test\"\nseed = 1\n{end}\n[cluster]\n{cluster}\n\n\
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

/// A summary column of a replay, as an integer.
fn count(o: &offersim::experiment::RunOutcome, name: &str) -> u64 {
    let i = offersim::policy::SUMMARY_COLS
        .iter()
        .position(|c| *c == name)
        .unwrap_or_else(|| panic!("no summary column {name}"));
    o.summary_row()[i]
        .parse()
        .unwrap_or_else(|_| panic!("{name}: {:?}", o.summary_row()[i]))
}

/// A replay run to its natural end: every task of the trace finishes, except the `unfit` that
/// no machine can hold (never launched: unscheduled), and none is lost.
fn assert_all_finish(o: &offersim::experiment::RunOutcome, trace: &Path, unfit: u64) {
    let tasks = read_back(trace).1;
    assert_eq!(
        (
            count(o, "tasks"),
            o.tasks_finished,
            count(o, "tasks_unscheduled"),
            count(o, "tasks_lost")
        ),
        (tasks, tasks - unfit, unfit, 0),
        "(tasks, finished, unscheduled, lost) of the replay"
    );
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
        0,
        "",
    );
    let o = replay(&dir, &sc);
    assert_all_finish(&o, &out, 0);
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
    let sc = scenario(&dir, "machines = \"machines.csv\"", 0, "");
    let o = replay(&dir, &sc);
    assert_eq!(s.unfit_tasks, 0, "{s}");
    assert_all_finish(&o, &out, 0);
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
    let sc = scenario(&dir, "machines = \"machines.csv\"", 0, "");
    let o = replay(&dir, &sc);
    assert_all_finish(&o, &out, s.unfit_tasks);
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
    let sc = scenario(&dir, "machines = \"machines.csv\"", 0, "");
    let o = replay(&dir, &sc);
    assert_all_finish(&o, &out, s.unfit_tasks);

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
    // The first 200 nodes hold no 8-GPU machine with 88 cores: the one pod that asks for one
    // is named (gpu_fit_check_counts_pods_no_node_holds checks the count from the files).
    assert_eq!(s.unfit_tasks, 1, "{s}");
    assert!(s.warnings[0].contains("openb-pod-0128"), "{:?}", s.warnings);
    assert_eq!(read_back(&out).0, s.rows);
    let fws: String = ["LS", "BE", "Burstable", "Guaranteed"]
        .iter()
        .map(|f| format!("[[frameworks]]\nname = \"{f}\"\ncapabilities = [\"gpu\"]\n"))
        .collect();
    // The pods span 69 simulated hours: a tick a minute keeps the replay (with the invariants
    // after every event) short without changing which pods can run.
    let fws = format!("{fws}[master]\nallocation_interval_s = 60\n");
    let sc = scenario(&dir, "machines = \"machines.csv\"", 0, &fws);
    let o = replay(&dir, &sc);
    // The one pod no node holds is never launched; every other pod runs to its end.
    assert_all_finish(&o, &out, 1);
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

/// summary.csv of an `offersim run` of `body` (a scenario written to `dir`), one map per policy.
fn replay_summary(dir: &Path, body: &str) -> Vec<BTreeMap<String, String>> {
    let sc = dir.join("replay.toml");
    std::fs::write(&sc, body).unwrap();
    let out = dir.join("replay-results");
    let o = offersim(&[
        "run",
        sc.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let (h, rows) = read_csv(&out.join("summary.csv"));
    rows.into_iter()
        .map(|r| h.iter().cloned().zip(r).collect())
        .collect()
}

fn google_inputs() -> Vec<PathBuf> {
    vec![
        sample("google-2011/task_events-part-00001-of-00500-excerpt.csv"),
        sample("google-2011/job_events-part-00000-of-00500-first100.csv"),
    ]
}

/// Issue 15: google2011 wrote disk_mb, and a replay on agents without disk left almost every
/// task unscheduled without a word. Disk is now written only on request.
#[test]
fn google2011_writes_no_disk_by_default_and_replays_on_agents_without_disk() {
    let dir = tmp("import-google-nodisk");
    let (out, _, s) = import(
        Format::Google2011,
        &google_inputs(),
        &dir,
        false,
        &Params::default(),
    );
    let carried: Vec<&str> = s.resources.carried.iter().map(|c| c.0).collect();
    assert_eq!(carried, ["cpus", "mem_mb", "disk_mb"], "{s}");
    assert_eq!(s.resources.written, ["cpus", "mem_mb"], "{s}");
    assert_eq!(s.resources.left_out[0].0, "disk_mb");
    let (h, rows) = read_csv(&out);
    let d = col(&h, "disk_mb");
    assert!(rows.iter().all(|r| r[d].is_empty()), "no row asks for disk");
    let text = s.to_string();
    assert!(text.contains("not written: disk_mb"), "{text}");
    let body = "name = \"nodisk\"\nseed = 1\n[cluster]\nracks = 2\nagents_per_rack = 5\n\
                agent = { cpus = 32, mem_mb = 65536 }\n[workload]\ntrace = \"trace.csv\"\n";
    let r = &replay_summary(&dir, body)[0];
    assert_eq!(r["tasks"], s.tasks.to_string());
    assert_eq!(r["tasks_unscheduled"], "0", "{r:?}");
    assert_eq!(r["tasks_finished"], s.tasks.to_string());
}

#[test]
fn google2011_writes_disk_on_request_and_gives_every_machine_that_disk() {
    let dir = tmp("import-google-disk");
    let mut inputs = google_inputs();
    inputs.push(sample("google-2011/machine_events-handmade.csv"));
    let p = Params {
        machine_disk_mb: Some(1_048_576.0),
        ..Params::default()
    };
    let (out, m, s) = import(Format::Google2011, &inputs, &dir, true, &p);
    assert_eq!(s.resources.written, ["cpus", "mem_mb", "disk_mb"], "{s}");
    assert_eq!(s.resources.machines, ["cpus", "mem_mb", "disk_mb"], "{s}");
    assert!(s.resources.left_out.is_empty());
    assert!(s.warnings.is_empty(), "{:?}", s.warnings);
    let (h, rows) = read_csv(&out);
    let d = col(&h, "disk_mb");
    assert!(rows.iter().any(|r| !r[d].is_empty()));
    let agents = offersim::workload::machines::read_machines(&m.unwrap()).unwrap();
    assert!(agents.iter().all(|a| a.total.disk_mb() == 1_048_576.0));
}

/// Issue 15: `--single-task --machines-out` wrote 1-cpu machines beside tasks of many cpus.
#[test]
fn swf_single_task_machines_hold_the_largest_task() {
    let dir = tmp("import-swf-single");
    let input = [sample("swf/NASA-iPSC-1993-3.1-cln-first200.swf.gz")];
    let p = Params {
        single_task: true,
        ..Params::default()
    };
    let (_, m, s) = import(Format::Swf, &input, &dir, true, &p);
    assert!(s.warnings.is_empty(), "{:?}", s.warnings);
    assert_eq!(s.unfit_tasks, 0);
    let agents = offersim::workload::machines::read_machines(&m.unwrap()).unwrap();
    assert_eq!(
        agents.len(),
        1,
        "one agent holds the machine's 128 processors"
    );
    assert_eq!(agents[0].total.cpus(), 128.0);
    assert_eq!(
        s.resources.largest.cpus(),
        128.0,
        "a 128-processor job is one task"
    );
    let body = "name = \"single\"\nseed = 1\n[cluster]\nmachines = \"machines.csv\"\n\
                [workload]\ntrace = \"trace.csv\"\n";
    let r = &replay_summary(&dir, body)[0];
    assert_eq!(
        (r["tasks"].as_str(), r["tasks_finished"].as_str()),
        ("200", "200")
    );
    assert_eq!(r["tasks_unscheduled"], "0");
}

/// SWF jobs with memory, in the HPC2N style (used memory per processor, KB): machines get
/// what the largest task asks per processor, and a smaller `--machine-mem-mb` is named.
#[test]
fn swf_machines_hold_the_largest_memory_per_processor_or_say_why_not() {
    let dir = tmp("import-swf-mem");
    let log = dir.join("mem.swf");
    std::fs::write(
        &log,
        "; MaxProcs: 4\n; MaxNodes: 2\n\
         1 0 5 100 2 -1 2048000 2 -1 -1 1 1 1 -1 -1 -1 -1 -1\n\
         2 10 5 100 1 -1 1024000 1 -1 -1 1 2 1 -1 -1 -1 -1 -1\n\
         3 20 5 100 -1 -1 -1 4 -1 1536000 1 2 1 -1 -1 -1 -1 -1\n",
    )
    .unwrap();
    let (_, m, s) = import(
        Format::Swf,
        std::slice::from_ref(&log),
        &dir,
        true,
        &Params::default(),
    );
    assert!(s.warnings.is_empty(), "{:?}", s.warnings);
    assert_eq!(s.notes["requested_processors_used"], 1);
    let agents = offersim::workload::machines::read_machines(&m.unwrap()).unwrap();
    assert_eq!(agents.len(), 4);
    assert!(
        agents.iter().all(|a| a.total.mem_mb() == 2000.0),
        "{agents:?}"
    );
    let body = "name = \"mem\"\nseed = 1\n[cluster]\nmachines = \"machines.csv\"\n\
                [workload]\ntrace = \"trace.csv\"\n";
    let r = &replay_summary(&dir, body)[0];
    assert_eq!(
        (r["tasks"].as_str(), r["tasks_finished"].as_str()),
        ("7", "7")
    );

    let small = Params {
        machine_mem_mb: Some(1024.0),
        ..Params::default()
    };
    let d2 = tmp("import-swf-mem-small");
    let (_, _, s) = import(Format::Swf, std::slice::from_ref(&log), &d2, true, &small);
    assert_eq!(
        s.unfit_tasks, 6,
        "job 1's 2 tasks of 2000 MB, job 3's 4 of 1500 MB"
    );
    assert!(
        s.warnings
            .iter()
            .any(|w| w.contains("--machine-mem-mb 1024")),
        "{:?}",
        s.warnings
    );
    // Single tasks bigger than the header's machine: the importer says so.
    let big = dir.join("big.swf");
    std::fs::write(
        &big,
        "; MaxProcs: 4\n1 0 5 100 8 -1 -1 8 -1 -1 1 1 1 -1 -1 -1 -1 -1\n",
    )
    .unwrap();
    let single = Params {
        single_task: true,
        ..Params::default()
    };
    let d3 = tmp("import-swf-big");
    let (_, _, s) = import(Format::Swf, &[big], &d3, true, &single);
    assert_eq!(s.unfit_tasks, 1);
    assert!(
        s.warnings.iter().any(|w| w.contains("up to 8 processors")),
        "{:?}",
        s.warnings
    );
}

/// Every format says which resource columns its input carries.
#[test]
fn summaries_name_the_resource_columns_each_trace_carries() {
    let cases: [(Format, Vec<PathBuf>, &[&str]); 6] = [
        (
            Format::Swim,
            vec![sample(
                "swim/FB-2009_samples_24_times_1hr_0_first50jobs.tsv",
            )],
            &[],
        ),
        (
            Format::Swf,
            vec![sample("swf/NASA-iPSC-1993-3.1-cln-first200.swf.gz")],
            &["cpus", "mem_mb"],
        ),
        (
            Format::Google2011,
            google_inputs(),
            &["cpus", "mem_mb", "disk_mb"],
        ),
        (
            Format::Alibaba2018,
            vec![sample("alibaba-v2018/batch_task-handmade.csv")],
            &["cpus", "mem_mb"],
        ),
        (
            Format::Alibaba2017,
            vec![sample("alibaba-v2017/batch_task-first3000-small-jobs.csv")],
            &["cpus", "mem_mb"],
        ),
        (
            Format::AlibabaGpu2023,
            vec![sample(
                "alibaba-gpu-v2023/openb_pod_list_default-first300.csv",
            )],
            &["cpus", "mem_mb", "gpus"],
        ),
    ];
    for (i, (f, inputs, want)) in cases.iter().enumerate() {
        let dir = tmp(&format!("import-carried-{i}"));
        let (_, _, s) = import(*f, inputs, &dir, false, &Params::default());
        let got: Vec<&str> = s.resources.carried.iter().map(|c| c.0).collect();
        assert_eq!(got, *want, "{f:?}");
        let text = s.to_string();
        assert!(
            text.contains(if want.is_empty() {
                "the input carries no resource request"
            } else {
                "the input carries: cpus"
            }),
            "{text}"
        );
    }
    // NASA's log has no memory: the rows ask for cpus only, and so do the machines.
    let dir = tmp("import-carried-swf-m");
    let (_, _, s) = import(
        Format::Swf,
        &[sample("swf/NASA-iPSC-1993-3.1-cln-first200.swf.gz")],
        &dir,
        true,
        &Params::default(),
    );
    assert_eq!(s.resources.written, ["cpus"]);
    assert_eq!(s.resources.machines, ["cpus"]);
}

/// The fit check, against the files themselves: the pods of the window that no node of the
/// first 200 holds in cpus, memory and gpus.
#[test]
fn gpu_fit_check_counts_pods_no_node_holds() {
    let pods = std::fs::read_to_string(sample(
        "alibaba-gpu-v2023/openb_pod_list_default-first300.csv",
    ))
    .unwrap();
    let nodes = std::fs::read_to_string(sample(
        "alibaba-gpu-v2023/openb_node_list_all_node-first200.csv",
    ))
    .unwrap();
    let caps: Vec<(f64, f64, f64)> = nodes
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (
                f[1].parse().unwrap(),
                f[2].parse().unwrap(),
                f[3].parse().unwrap(),
            )
        })
        .collect();
    let mut unfit = 0;
    for l in pods.lines().skip(1) {
        let f: Vec<&str> = l.split(',').collect();
        let created: f64 = f[8].parse().unwrap();
        if created < 9_964_972.0 || f[10].is_empty() {
            continue;
        }
        let (cpu, mem, gpu): (f64, f64, f64) = (
            f[1].parse().unwrap(),
            f[2].parse().unwrap(),
            f[3].parse().unwrap(),
        );
        if !caps.iter().any(|c| c.0 >= cpu && c.1 >= mem && c.2 >= gpu) {
            unfit += 1;
        }
    }
    assert_eq!(unfit, 1);
    let dir = tmp("import-gpu-fit");
    let p = Params {
        from_s: Some(9_964_972.0),
        ..Params::default()
    };
    let inputs = [
        sample("alibaba-gpu-v2023/openb_pod_list_default-first300.csv"),
        sample("alibaba-gpu-v2023/openb_node_list_all_node-first200.csv"),
    ];
    let (_, _, s) = import(Format::AlibabaGpu2023, &inputs, &dir, true, &p);
    assert_eq!(s.unfit_tasks, unfit);
    // The command line prints it even with --quiet.
    let mut args: Vec<String> = vec!["import".into(), "alibaba-gpu2023".into()];
    args.extend(inputs.iter().map(|p| p.display().to_string()));
    for a in ["--from-s", "9964972", "--quiet", "--out"] {
        args.push(a.into());
    }
    args.push(dir.join("t2.csv").display().to_string());
    args.push("--machines-out".into());
    args.push(dir.join("m2.csv").display().to_string());
    let o = offersim(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.starts_with("warning: 1 tasks in 1 rows fit no machine"),
        "{err}"
    );
}

/// Issue 15: summaries said "read N records ... skipped M records" where M counted rows. Input
/// records and output rows are counted apart, and each skip says its unit.
#[test]
fn summaries_count_input_records_and_output_rows_apart() {
    let input = [sample(
        "swim/FB-2009_samples_24_times_1hr_0_first50jobs.tsv",
    )];
    let text = std::fs::read_to_string(&input[0]).unwrap();
    // Candidate rows: a map row per job, a reduce row per job that shuffles.
    let (mut rows, mut before) = (0u64, 0u64);
    for l in text.lines() {
        let f: Vec<&str> = l.split('\t').collect();
        let n = 1 + (f[4] != "0") as u64;
        rows += n;
        if f[1].parse::<f64>().unwrap() < 1000.0 {
            before += n;
        }
    }
    let p = Params {
        to_s: Some(1000.0),
        ..Params::default()
    };
    let dir = tmp("import-swim-window");
    let (_, _, s) = import(Format::Swim, &input, &dir, false, &p);
    assert_eq!(s.read["swim job"], 50, "input records");
    assert_eq!(s.rows, before, "output rows");
    assert_eq!(s.skipped["outside_time_window"], rows - before);
    assert_eq!(s.units["outside_time_window"], ROWS);
    let t = s.to_string();
    assert!(t.contains("input: 50 records read"), "{t}");
    assert!(t.contains(&format!("output: {before} rows written")), "{t}");
    assert!(
        t.contains(&format!("outside_time_window: {} rows", rows - before)),
        "{t}"
    );
}

/// Notes count what was written: DAG rows outside the time window are not "ignored DAG
/// dependencies" of the output.
#[test]
fn notes_count_only_the_rows_written() {
    let input = [sample("alibaba-v2018/batch_task-handmade.csv")];
    let text = std::fs::read_to_string(&input[0]).unwrap();
    let to = 87_300.0;
    let mut dag_written = 0;
    let mut dag_all = 0;
    for l in text.lines() {
        let f: Vec<&str> = l.split(',').collect();
        let dag = !f[0].starts_with("task_") && f[0].contains('_');
        let start: f64 = f[5].parse().unwrap();
        let end: f64 = f[6].parse().unwrap();
        let ok = f[4] == "Terminated" && !f[7].is_empty() && start > 0.0 && end >= start;
        if dag && ok {
            dag_all += 1;
            if start < to {
                dag_written += 1;
            }
        }
    }
    assert!(dag_written > 0 && dag_written < dag_all);
    let p = Params {
        to_s: Some(to),
        ..Params::default()
    };
    let dir = tmp("import-notes-window");
    let (_, _, s) = import(Format::Alibaba2018, &input, &dir, false, &p);
    assert_eq!(s.notes["dag_dependencies_ignored"], dag_written, "{s}");
    assert_eq!(s.units["dag_dependencies_ignored"], ROWS);
    // With batch_instance, the instance rows of DAG tasks carry the note too.
    let mut with_inst = input.to_vec();
    with_inst.push(sample("alibaba-v2018/batch_instance-handmade.csv"));
    let (_, _, s2) = import(
        Format::Alibaba2018,
        &with_inst,
        &tmp("import-notes-inst"),
        false,
        &Params::default(),
    );
    assert_eq!(s2.notes["dag_dependencies_ignored"], 1, "ins_4 of R2_1");
}

/// Splits the committed task_events excerpt in two shards at its middle line, named `a` and `b`.
fn google_shards(dir: &Path, a: &str, b: &str) -> (PathBuf, PathBuf) {
    let text = std::fs::read_to_string(sample(
        "google-2011/task_events-part-00001-of-00500-excerpt.csv",
    ))
    .unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let mid = lines.len() / 2;
    let (pa, pb) = (dir.join(a), dir.join(b));
    std::fs::write(&pa, lines[..mid].join("\n") + "\n").unwrap();
    std::fs::write(&pb, lines[mid..].join("\n") + "\n").unwrap();
    (pa, pb)
}

fn import_cli(inputs: &[&Path], out: &Path) -> std::process::Output {
    let mut args: Vec<String> = vec!["import".into(), "google2011".into()];
    args.extend(inputs.iter().map(|p| p.display().to_string()));
    args.extend(["--quiet".into(), "--out".into(), out.display().to_string()]);
    offersim(&args.iter().map(String::as_str).collect::<Vec<_>>())
}

/// Issue 15: shards given out of order silently lost rows. Out of order or overlapping shards
/// are input errors naming the file; in order they give the same trace as one file.
#[test]
fn google2011_shards_out_of_order_or_overlapping_are_errors() {
    let dir = tmp("import-google-shards");
    let (p2, p3) = google_shards(
        &dir,
        "task_events-part-00002-of-00500.csv",
        "task_events-part-00003-of-00500.csv",
    );
    let out = dir.join("t.csv");
    let o = import_cli(&[&p3, &p2], &out);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("task_events-part-00002-of-00500.csv")
            && err.contains("shard 2 is given after shard 3"),
        "{err}"
    );
    assert!(!out.exists(), "no output on error");
    let o = import_cli(&[&p2, &p2], &out);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("shard 2 is given again"), "{err}");

    // Without shard numbers in the names, the times tell.
    let (a, b) = google_shards(&dir, "task_events-first.csv", "task_events-second.csv");
    let o = import_cli(&[&b, &a], &out);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("task_events-first.csv:1: field `time`") && err.contains("overlap"),
        "{err}"
    );
    let o = import_cli(&[&b, &b], &out);
    assert_eq!(
        o.status.code(),
        Some(2),
        "the same shard twice overlaps itself"
    );

    // In order: the same bytes as the unsplit excerpt.
    let whole = dir.join("whole.csv");
    let o = import_cli(
        &[&sample(
            "google-2011/task_events-part-00001-of-00500-excerpt.csv",
        )],
        &whole,
    );
    assert!(o.status.success());
    let o = import_cli(&[&p2, &p3], &out);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(std::fs::read(&out).unwrap(), std::fs::read(&whole).unwrap());
}

/// `--machines-out` for inputs without machines fails before the trace is written.
#[test]
fn machines_out_without_machines_writes_nothing() {
    let dir = tmp("import-no-machines");
    let out = dir.join("t.csv");
    let o = offersim(&[
        "import",
        "swim",
        sample("swim/FB-2009_samples_24_times_1hr_0_first50jobs.tsv")
            .to_str()
            .unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--machines-out",
        dir.join("m.csv").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("machines-out"));
    assert!(!out.exists());
    assert_eq!(
        std::fs::read_dir(&dir).unwrap().count(),
        0,
        "no temporary left"
    );
}

const A17: &str = "alibaba-v2017/batch_task-first3000-small-jobs.csv";

/// alibaba2017 on the real batch_task excerpt: the header line of the copy is not a record, and
/// every row left out is counted by the reason the file itself shows.
#[test]
fn alibaba2017_excerpt_counts_every_row() {
    let text = std::fs::read_to_string(sample(A17)).unwrap();
    let mut by_status: BTreeMap<String, u64> = BTreeMap::new();
    for l in text.lines().skip(1) {
        let f: Vec<&str> = l.split(',').collect();
        *by_status.entry(f[5].to_string()).or_default() += 1;
    }
    let dir = tmp("import-ali2017");
    let (out, _, s) = import(
        Format::Alibaba2017,
        &[sample(A17)],
        &dir,
        false,
        &Params::default(),
    );
    assert_eq!(s.read["batch_task"], text.lines().count() as u64 - 1);
    assert_eq!(s.rows, by_status["Terminated"]);
    for (st, n) in &by_status {
        if st != "Terminated" {
            assert_eq!(s.skipped[&format!("status_{st}")], *n, "{st}");
        }
    }
    assert_eq!(read_back(&out).1, s.tasks);
    // plan_cpu 50 and 100 are half a core and a core.
    assert_eq!(s.resources.largest.cpus(), 1.0);
    let p = Params {
        plan_cpu_per_core: 1.0,
        ..Params::default()
    };
    let (_, _, s1) = import(
        Format::Alibaba2017,
        &[sample(A17)],
        &tmp("import-ali2017-cores"),
        false,
        &p,
    );
    assert_eq!(s1.resources.largest.cpus(), 100.0);
}

/// With the hand-made batch_instance and server_event rows (upstream layout): a row per
/// instance try that terminated, machines from server_event, and a replay that runs them all.
#[test]
fn alibaba2017_instances_and_server_events_replay() {
    let dir = tmp("import-ali2017-inst");
    let inputs = [
        sample(A17),
        sample("alibaba-v2017/batch_instance-handmade.csv"),
        sample("alibaba-v2017/server_event-handmade.csv"),
    ];
    let (_, m, s) = import(Format::Alibaba2017, &inputs, &dir, true, &Params::default());
    assert_eq!((s.rows, s.tasks, s.jobs), (5, 5, 3), "{s}");
    assert_eq!(s.skipped["status_Failed"], 1);
    assert_eq!(s.skipped["status_Interrupted"], 1);
    assert_eq!(s.skipped["instance_without_job_or_task_id"], 1);
    assert_eq!(s.skipped["instance_of_task_not_in_batch_task"], 2);
    assert_eq!(s.skipped["machine_without_capacity"], 1);
    assert_eq!(s.skipped["error_of_machine_not_in_service"], 1);
    assert!(s.warnings.is_empty(), "{:?}", s.warnings);
    let agents = offersim::workload::machines::read_machines(&m.unwrap()).unwrap();
    let names: Vec<&str> = agents.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["m1", "m2", "m3", "m4", "m5", "m6", "m3.2"]);
    assert_eq!(agents[2].remove.map(|t| t.us()), Some(20_000_000_000));
    let body = "name = \"a17\"\nseed = 1\n[cluster]\nmachines = \"machines.csv\"\n\
                [workload]\ntrace = \"trace.csv\"\n";
    let r = &replay_summary(&dir, body)[0];
    assert_eq!(
        (r["tasks"].as_str(), r["tasks_finished"].as_str()),
        ("5", "5")
    );
    assert_eq!(r["jobs"], "3");

    // server_usage alone names the machines; their size comes from the parameters.
    let usage = dir.join("server_usage.csv");
    std::fs::write(
        &usage,
        "39600,1,30.5,80.1,20,1.2,1.1,1.0\n39600,2,31.5,81.1,21,1.2,1.1,1.0\n\
         39900,1,30.5,80.1,20,1.2,1.1,1.0\n",
    )
    .unwrap();
    let d2 = tmp("import-ali2017-usage");
    let (_, m, s) = import(
        Format::Alibaba2017,
        &[sample(A17), usage],
        &d2,
        true,
        &Params::default(),
    );
    assert_eq!(s.read["server_usage"], 3);
    let agents = offersim::workload::machines::read_machines(&m.unwrap()).unwrap();
    assert_eq!(agents.len(), 2);
    assert_eq!(
        (agents[0].total.cpus(), agents[0].total.mem_mb()),
        (64.0, 131072.0)
    );
}

#[test]
fn alibaba2017_is_a_format_of_the_import_command() {
    let dir = tmp("import-ali2017-cli");
    let out = dir.join("t.csv");
    let o = offersim(&[
        "import",
        "alibaba2017",
        sample(A17).to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stderr).contains("import alibaba2017:"));
    let bad = dir.join("batch_task.csv");
    std::fs::write(&bad, "1,2,3,4,5,Terminated,fifty,0.1\n").unwrap();
    let o = offersim(&[
        "import",
        "alibaba2017",
        bad.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("batch_task.csv:1: field `plan_cpu`"), "{err}");
}
