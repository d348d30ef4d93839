//! Every importer end to end, as a user runs it: `offersim import` on a committed excerpt of a
//! real trace (traces/samples/), then `offersim run` of the format's scenario (tests/import/)
//! under the four allocators offersim ships (drf, static, random, priority). The replay's job
//! and task counts are checked against counts this file computes from the excerpt's own rows,
//! and every task must finish: nothing may go unscheduled without a reason.

use crate::common::{col, offersim, read_csv, repo, run_checked, tmp};
use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::{Path, PathBuf};

fn sample(rel: &str) -> PathBuf {
    repo().join("traces/samples").join(rel)
}

fn read_text(path: &Path) -> String {
    let raw = std::fs::read(path).unwrap();
    if path.extension().is_some_and(|e| e == "gz") {
        let mut s = String::new();
        flate2::read::GzDecoder::new(&raw[..])
            .read_to_string(&mut s)
            .unwrap();
        s
    } else {
        String::from_utf8(raw).unwrap()
    }
}

/// What the excerpt itself says the replay must show.
#[derive(Debug)]
struct Expected {
    jobs: BTreeSet<String>,
    tasks: u64,
}

/// One policy's row of summary.csv, by column.
type Row = BTreeMap<String, String>;

/// Imports `inputs` as `format` into a fresh folder, copies tests/import/<scenario>.toml beside
/// the output and runs it; returns the folder and summary.csv's rows.
fn import_and_replay(
    scenario: &str,
    format: &str,
    inputs: &[PathBuf],
    args: &[&str],
    machines: bool,
) -> (PathBuf, Vec<Row>) {
    // Two tests may replay one format at once: each gets its own folder.
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = tmp(&format!("replay-{scenario}-{n}"));
    let trace = dir.join("trace.csv");
    let mut cmd: Vec<String> = vec!["import".into(), format.into()];
    cmd.extend(inputs.iter().map(|p| p.display().to_string()));
    cmd.extend(["--out".into(), trace.display().to_string()]);
    if machines {
        cmd.extend([
            "--machines-out".into(),
            dir.join("machines.csv").display().to_string(),
        ]);
    }
    cmd.extend(args.iter().map(|a| a.to_string()));
    let o = offersim(&cmd.iter().map(String::as_str).collect::<Vec<_>>());
    let err = String::from_utf8_lossy(&o.stderr).to_string();
    assert!(o.status.success(), "offersim {cmd:?}: {err}");
    assert!(
        !err.contains("warning:"),
        "the import warns about the replay: {err}"
    );
    let sc = dir.join(format!("{scenario}.toml"));
    std::fs::copy(repo().join(format!("tests/import/{scenario}.toml")), &sc).unwrap();
    let rows = run_checked(&sc, &dir.join("results"));
    (dir, rows)
}

fn num(r: &Row, c: &str) -> u64 {
    r[c].parse()
        .unwrap_or_else(|_| panic!("{c} = {:?} in {r:?}", r[c]))
}

/// Task counts under every policy: all the excerpt's tasks, all finished, none lost or left
/// unscheduled; jobs.csv names exactly the excerpt's job ids.
fn check_tasks(dir: &Path, rows: &[Row], want: &Expected) {
    assert_eq!(rows.len(), 4, "the four shipped allocators");
    for r in rows {
        let p = &r["policy"];
        assert_eq!(num(r, "tasks"), want.tasks, "{p}: tasks");
        assert_eq!(num(r, "tasks_finished"), want.tasks, "{p}: tasks_finished");
        assert_eq!(num(r, "tasks_unscheduled"), 0, "{p}: tasks_unscheduled");
        assert_eq!(num(r, "tasks_lost"), 0, "{p}: tasks_lost");
        let (h, jobs) = read_csv(&dir.join(format!("results/{p}/0/jobs.csv")));
        let j = col(&h, "job_id");
        let ids: BTreeSet<String> = jobs.iter().map(|x| x[j].clone()).collect();
        assert_eq!(ids, want.jobs, "{p}: the job ids of jobs.csv");
        let (h, tasks) = read_csv(&dir.join(format!("results/{p}/0/tasks.csv")));
        let st = col(&h, "state");
        let done = tasks.iter().filter(|t| t[st] == "finished").count() as u64;
        assert_eq!(done, want.tasks, "{p}: finished rows of tasks.csv");
    }
}

/// Job counts under every policy: summary.csv counts each of the excerpt's jobs once.
fn check_jobs(rows: &[Row], want: &Expected) {
    for r in rows {
        assert_eq!(
            num(r, "jobs"),
            want.jobs.len() as u64,
            "{}: jobs",
            r["policy"]
        );
    }
}

// ---- swim -------------------------------------------------------------------------------------

const SWIM: &str = "swim/FB-2009_samples_24_times_1hr_0_first50jobs.tsv";

/// The SWIM file has bytes, not tasks: the counts follow the documented model at its defaults
/// (a map per 64 MiB block, at least one; a reduce per GiB of shuffle + output, at least one,
/// for jobs that shuffle).
fn swim_expected() -> Expected {
    let mib = 1024.0 * 1024.0;
    let mut jobs = BTreeSet::new();
    let mut tasks = 0u64;
    for l in read_text(&sample(SWIM)).lines() {
        let f: Vec<&str> = l.split('\t').collect();
        let (input, shuffle, output): (f64, f64, f64) = (
            f[3].parse().unwrap(),
            f[4].parse().unwrap(),
            f[5].parse().unwrap(),
        );
        jobs.insert(f[0].to_string());
        tasks += ((input / (64.0 * mib)).ceil() as u64).max(1);
        if shuffle > 0.0 {
            tasks += (((shuffle + output) / (1024.0 * mib)).round() as u64).max(1);
        }
    }
    Expected { jobs, tasks }
}

#[test]
fn swim_replay_counts_match_the_trace() {
    let want = swim_expected();
    assert_eq!(want.jobs.len(), 50);
    let (dir, rows) = import_and_replay("swim", "swim", &[sample(SWIM)], &[], false);
    check_tasks(&dir, &rows, &want);
    check_jobs(&rows, &want);
}

// ---- swf --------------------------------------------------------------------------------------

const SWF: &str = "swf/NASA-iPSC-1993-3.1-cln-first200.swf.gz";

/// Jobs with a known run time; a task per allocated (else requested) processor.
fn swf_expected() -> Expected {
    let mut jobs = BTreeSet::new();
    let mut tasks = 0u64;
    for l in read_text(&sample(SWF)).lines() {
        if l.trim_start().starts_with(';') || l.trim().is_empty() {
            continue;
        }
        let f: Vec<i64> = l.split_whitespace().map(|x| x.parse().unwrap()).collect();
        if f[1] < 0 || f[3] < 0 {
            continue;
        }
        let procs = if f[4] > 0 { f[4] } else { f[7] };
        jobs.insert(f[0].to_string());
        tasks += procs as u64;
    }
    Expected { jobs, tasks }
}

#[test]
fn swf_replay_counts_match_the_trace() {
    let want = swf_expected();
    assert_eq!(want.jobs.len(), 200);
    let (dir, rows) = import_and_replay("swf", "swf", &[sample(SWF)], &[], true);
    check_tasks(&dir, &rows, &want);
    check_jobs(&rows, &want);
}

// ---- google2011 -------------------------------------------------------------------------------

const G_TASKS: &str = "google-2011/task_events-part-00001-of-00500-excerpt.csv";
const G_JOBS: &str = "google-2011/job_events-part-00000-of-00500-first100.csv";
const G_MACHINES: &str = "google-2011/machine_events-handmade.csv";

/// Attempts that the excerpt shows whole: SUBMIT (inside the window, not the time-0 snapshot),
/// SCHEDULE, then FINISH, with no other end in between (traces/README.md's definition).
fn google_expected() -> Expected {
    #[derive(Clone, Copy, PartialEq)]
    enum S {
        Submitted,
        Scheduled,
    }
    let mut state: BTreeMap<(String, String), (S, bool)> = BTreeMap::new();
    let mut jobs = BTreeSet::new();
    let mut tasks = 0u64;
    for l in read_text(&sample(G_TASKS)).lines() {
        let f: Vec<&str> = l.split(',').collect();
        let key = (f[2].to_string(), f[3].to_string());
        match f[5] {
            "0" => {
                // A SUBMIT row asking for neither CPU nor memory could not be written: the
                // excerpt has none, so every whole attempt counts.
                assert!(f[9] != "0" || f[10] != "0", "zero request: {l}");
                state.insert(key, (S::Submitted, f[0] != "0"));
            }
            "1" => {
                if let Some(s) = state.get_mut(&key) {
                    s.0 = S::Scheduled;
                }
            }
            "4" => {
                if let Some((S::Scheduled, true)) = state.remove(&key) {
                    jobs.insert(f[2].to_string());
                    tasks += 1;
                }
            }
            "2" | "3" | "5" | "6" => {
                state.remove(&key);
            }
            _ => {}
        }
    }
    Expected { jobs, tasks }
}

#[test]
fn google2011_replay_counts_match_the_trace() {
    let want = google_expected();
    assert!(want.tasks > 40, "{want:?}");
    let inputs = [sample(G_TASKS), sample(G_JOBS), sample(G_MACHINES)];
    let (dir, rows) = import_and_replay("google2011", "google2011", &inputs, &[], true);
    check_tasks(&dir, &rows, &want);
    check_jobs(&rows, &want);
}

// ---- alibaba2018 ------------------------------------------------------------------------------

const A18_TASKS: &str = "alibaba-v2018/batch_task-handmade.csv";
const A18_MACHINES: &str = "alibaba-v2018/machine_meta-first300.csv";

/// Terminated batch_task rows with a plan, positive ordered times and instances. (No real
/// batch_task excerpt of v2018 was available: its rows are hand-made; machine_meta is real.)
fn alibaba2018_expected() -> Expected {
    let mut jobs = BTreeSet::new();
    let mut tasks = 0u64;
    for l in read_text(&sample(A18_TASKS)).lines() {
        let f: Vec<&str> = l.split(',').collect();
        let (start, end): (f64, f64) = (f[5].parse().unwrap_or(0.0), f[6].parse().unwrap_or(0.0));
        let n: i64 = f[1].parse().unwrap_or(0);
        if f[4] == "Terminated"
            && !f[7].is_empty()
            && !f[8].is_empty()
            && start > 0.0
            && end >= start
            && n > 0
        {
            jobs.insert(f[2].to_string());
            tasks += n as u64;
        }
    }
    Expected { jobs, tasks }
}

fn alibaba2018_replay() -> (Expected, PathBuf, Vec<Row>) {
    let want = alibaba2018_expected();
    let inputs = [sample(A18_TASKS), sample(A18_MACHINES)];
    let (dir, rows) = import_and_replay("alibaba2018", "alibaba2018", &inputs, &[], true);
    (want, dir, rows)
}

#[test]
fn alibaba2018_replay_task_counts_match_the_trace() {
    let (want, dir, rows) = alibaba2018_replay();
    assert_eq!(want.jobs.len(), 9);
    check_tasks(&dir, &rows, &want);
}

/// The DAG rows of a job start after its earlier tasks ended; each job id is still one job
/// (the simulator once counted 18 for these 9 ids).
#[test]
fn alibaba2018_replay_job_counts_match_the_trace() {
    let (want, _, rows) = alibaba2018_replay();
    check_jobs(&rows, &want);
}

// ---- alibaba2017 ------------------------------------------------------------------------------

const A17_TASKS: &str = "alibaba-v2017/batch_task-first3000-small-jobs.csv";

/// Terminated batch_task rows with a plan, created inside the trace, ending after creation:
/// each instance is a task.
fn alibaba2017_expected() -> Expected {
    let mut jobs = BTreeSet::new();
    let mut tasks = 0u64;
    for l in read_text(&sample(A17_TASKS)).lines().skip(1) {
        let f: Vec<&str> = l.split(',').map(str::trim).collect();
        let (create, end, n): (i64, i64, i64) = (
            f[0].parse().unwrap(),
            f[1].parse().unwrap(),
            f[4].parse().unwrap(),
        );
        if f[5] == "Terminated"
            && !f[6].is_empty()
            && !f[7].is_empty()
            && create > 0
            && end >= create
            && n > 0
        {
            jobs.insert(f[2].to_string());
            tasks += n as u64;
        }
    }
    Expected { jobs, tasks }
}

#[test]
fn alibaba2017_replay_counts_match_the_trace() {
    let want = alibaba2017_expected();
    assert_eq!((want.jobs.len(), want.tasks), (180, 6069));
    let (dir, rows) = import_and_replay(
        "alibaba2017",
        "alibaba2017",
        &[sample(A17_TASKS)],
        &[],
        false,
    );
    check_tasks(&dir, &rows, &want);
    check_jobs(&rows, &want);
}

// ---- alibaba-gpu2023 --------------------------------------------------------------------------

const GPU_PODS: &str = "alibaba-gpu-v2023/openb_pod_list_default-first300.csv";
const GPU_NODES: &str = "alibaba-gpu-v2023/openb_node_list_all_node-every8th.csv";
/// The first creation time of the cluster's own period (traces/README.md).
const GPU_FROM: f64 = 9_964_972.0;

/// Pods created in the window that were scheduled and deleted after it: one job of one task each.
fn gpu_expected() -> Expected {
    let text = read_text(&sample(GPU_PODS));
    let mut lines = text.lines();
    let h: Vec<&str> = lines.next().unwrap().split(',').collect();
    let c = |n: &str| h.iter().position(|x| *x == n).unwrap();
    let (name, created, deleted, scheduled) = (
        c("name"),
        c("creation_time"),
        c("deletion_time"),
        c("scheduled_time"),
    );
    let mut jobs = BTreeSet::new();
    for l in lines {
        let f: Vec<&str> = l.split(',').collect();
        let t: f64 = f[created].parse().unwrap();
        if t < GPU_FROM || f[scheduled].is_empty() {
            continue;
        }
        let (s, d): (f64, f64) = (f[scheduled].parse().unwrap(), f[deleted].parse().unwrap());
        if d >= s {
            jobs.insert(f[name].to_string());
        }
    }
    let tasks = jobs.len() as u64;
    Expected { jobs, tasks }
}

#[test]
fn alibaba_gpu2023_replay_counts_match_the_trace() {
    let want = gpu_expected();
    assert!(want.tasks > 200, "{want:?}");
    let inputs = [sample(GPU_PODS), sample(GPU_NODES)];
    let from = GPU_FROM.to_string();
    let (dir, rows) = import_and_replay(
        "alibaba-gpu2023",
        "alibaba-gpu2023",
        &inputs,
        &["--from-s", &from],
        true,
    );
    check_tasks(&dir, &rows, &want);
    check_jobs(&rows, &want);
}
