//! GPU runs (issue 15): summary.csv's `util_gpus`, appended after every older column and empty
//! when the cluster has no gpus, and the warning for a cluster with GPU agents that no framework
//! may use (as in Mesos, such agents are offered only to frameworks with the GPU capability).

use crate::common::*;
use offersim::metrics::files::SUMMARY_COLS;
use std::path::Path;

/// Runs a scenario of one agent `agent` on `trace`, with `frameworks` (TOML) listed, into
/// `d/out`: summary.csv's header and first row, and stderr.
fn run(d: &Path, agent: &str, trace: &str, frameworks: &str) -> (Vec<String>, Vec<String>, String) {
    write(&d.join("t.csv"), trace);
    let s = d.join("s.toml");
    write(
        &s,
        &format!(
            "name = \"gpu\"\nseed = 1\n[cluster]\nracks = 1\nagents_per_rack = 1\n\
             agent = {agent}\n{frameworks}[workload]\ntrace = \"t.csv\"\n"
        ),
    );
    let out = d.join("out");
    let o = offersim(&[
        "run",
        s.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]);
    let err = String::from_utf8_lossy(&o.stderr).to_string();
    assert!(o.status.success(), "{err}");
    let (h, mut rows) = read_csv(&out.join("summary.csv"));
    (h, rows.remove(0), err)
}

const GPU_TRACE: &str =
    "job_id,framework,submit_s,tasks,cpus,mem_mb,duration_s,gpus\nj1,ml,0,1,1,512,10,1\n";
const CPU_TRACE: &str =
    "job_id,framework,submit_s,tasks,cpus,mem_mb,duration_s\nj1,ml,0,1,1,512,10\n";
const GPU_AGENT: &str = "{ cpus = 4, mem_mb = 4096, gpus = 2 }";
const GPU_FW: &str = "[[frameworks]]\nname = \"ml\"\ncapabilities = [\"gpu\"]\n";

#[test]
fn util_gpus_is_the_last_column_measured_like_util_cpus_and_empty_without_gpus() {
    assert_eq!(SUMMARY_COLS.last(), Some(&"util_gpus"));
    assert_eq!(
        SUMMARY_COLS[26], "jobs_abandoned",
        "older columns keep their places"
    );
    // One task of 1 cpu and 1 gpu on an agent of 4 cpus and 2 gpus: for as long as it runs it
    // uses a quarter of the cpus and half of the gpus, so util_gpus is twice util_cpus.
    let (h, r, err) = run(&tmp("gpu-util"), GPU_AGENT, GPU_TRACE, GPU_FW);
    assert!(!err.contains("warning:"), "{err}");
    assert_eq!(h.last().map(String::as_str), Some("util_gpus"));
    assert_eq!(r[col(&h, "tasks_finished")], "1");
    let cpu: f64 = r[col(&h, "util_cpus")].parse().unwrap();
    let gpu: f64 = r[col(&h, "util_gpus")].parse().unwrap();
    assert!(cpu > 0.2 && cpu <= 0.25, "util_cpus {cpu}");
    assert!(
        (gpu - 2.0 * cpu).abs() < 1e-6,
        "util_gpus {gpu}, util_cpus {cpu}"
    );
    // No gpus anywhere: empty, not 0.
    let (h, r, _) = run(
        &tmp("gpu-none"),
        "{ cpus = 4, mem_mb = 4096 }",
        CPU_TRACE,
        "",
    );
    assert_eq!(r[col(&h, "util_gpus")], "", "no gpus: empty");
    assert_ne!(r[col(&h, "util_cpus")], "");
}

#[test]
fn gpu_agents_with_no_gpu_capable_framework_are_warned_about() {
    // The framework lacks the capability: the only agent has gpus, so nothing is ever offered
    // and the task never runs. The run says why.
    let (h, r, err) = run(&tmp("gpu-warn"), GPU_AGENT, CPU_TRACE, "");
    assert_eq!(r[col(&h, "tasks_finished")], "0");
    assert_eq!(r[col(&h, "offers")], "0");
    let w: Vec<&str> = err
        .lines()
        .filter(|l| l.contains("GPU capability"))
        .collect();
    assert!(!w.is_empty(), "{err}");
    assert!(
        w[0].contains("warning:") && w[0].contains("1 of 1 agents have GPUs"),
        "{err}"
    );
    assert!(w[0].contains("no offer is ever made"), "{err}");
    // With the capability: no such warning, and the task runs.
    let (h, r, err) = run(&tmp("gpu-ok"), GPU_AGENT, CPU_TRACE, GPU_FW);
    assert!(!err.contains("GPU capability"), "{err}");
    assert_eq!(r[col(&h, "tasks_finished")], "1");
}

/// `fair_sharing_excluded_resource_names = ["gpus"]` leaves the GPU out of shares.csv as it does
/// out of the sorters: f1 holds a1 (1 cpu, 512 MB, 1 gpu) of a cluster of 4 cpus, 2048 MB and
/// 1 gpu, a share of 0.25 without the GPU and 1 with it. The run checks invariants after every
/// event, so the sorter's share must agree with the recorded one.
#[test]
fn excluded_gpus_do_not_count_in_recorded_shares() {
    let d = tmp("gpu-exclusion-shares");
    let scenario = |exclude: &str| {
        format!(
            "name = \"x\"\nseed = 1\nreplications = 1\nend_s = 2.5\n[master]\n{exclude}\n\
             [[events]]\nat_s = 0\naction = \"add_agent\"\nname = \"a1\"\ncpus = 1\nmem_mb = 512\ngpus = 1\n\
             [[events]]\nat_s = 0\naction = \"add_framework\"\nname = \"f1\"\nroles = [\"r1\"]\n\
             scheduler = \"hold\"\ncapabilities = [\"gpu\"]\n\
             [[events]]\nat_s = 0.5\naction = \"add_framework\"\nname = \"f2\"\nroles = [\"r2\"]\nscheduler = \"hold\"\n\
             [[events]]\nat_s = 0.5\naction = \"add_agent\"\nname = \"a2\"\ncpus = 3\nmem_mb = 1536\n\
             [[events]]\nat_s = 1.5\naction = \"decline\"\nframework = \"f1\"\nagent = \"a1\"\nrefuse_s = 0\n"
        )
    };
    let last_f1_share = |name: &str, exclude: &str| -> f64 {
        let s = d.join(format!("{name}.toml"));
        write(&s, &scenario(exclude));
        run_into(&s, &d.join(name));
        let shares = read_csv_maps(&d.join(name).join("shares.csv"));
        let f1: Vec<_> = shares.iter().filter(|r| r["framework"] == "f1").collect();
        // Offered at 0, declined at 1.5 (share 0), offered again at the tick at 2.
        assert_eq!(f1.len(), 3, "{shares:?}");
        assert_eq!(f1[2]["time_s"], "2");
        f1[2]["dominant_share"].parse().unwrap()
    };
    assert_eq!(
        last_f1_share(
            "excluded",
            "fair_sharing_excluded_resource_names = [\"gpus\"]"
        ),
        0.25
    );
    assert_eq!(last_f1_share("counted", ""), 1.0);
}
