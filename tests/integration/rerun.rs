//! `results/<name>/inputs/` reruns as it is (issue 14): it holds the scenario with its policy
//! files, and its trace and machines file when small; a large trace is named by its path from
//! there and its sha256, which a rerun checks.

use crate::common::*;

#[test]
fn a_results_folders_inputs_rerun_to_the_same_summary_even_moved_elsewhere() {
    let d = tmp("rerun-inputs");
    // A scenario with a machines file and a policy file of its own, beside the quickstart.
    std::fs::create_dir_all(d.join("mine/data")).unwrap();
    write(
        &d.join("mine/data/m.csv"),
        "name,rack,cpus,mem_mb\nm1,r1,4,4096\nm2,r1,2,2048\n",
    );
    write(
        &d.join("mine/data/t.csv"),
        "job_id,framework,submit_s,tasks,cpus,mem_mb,duration_s\nj1,a,0,3,1,512,10\nj2,b,1,2,2,1024,5\n",
    );
    write(
        &d.join("mine/p.toml"),
        "name = \"mine\"\nallocator = \"random\"\n",
    );
    write(
        &d.join("mine/s.toml"),
        "name = \"mine\"\npolicies = [\"p.toml\"]\n[cluster]\nmachines = \"data/m.csv\"\n\
         [workload]\ntrace = \"data/t.csv\"\n",
    );
    for s in ["quickstart", "mine"] {
        let out = d.join(format!("out-{s}"));
        let scenario = if s == "mine" {
            d.join("mine/s.toml")
        } else {
            repo().join(format!("scenarios/{s}.toml"))
        };
        offersim_ok(&[
            "run",
            scenario.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--jobs",
            "2",
            "--quiet",
        ]);
        // Moved away from the repository: the copies travel with it.
        let moved = d.join(format!("elsewhere/{s}"));
        std::fs::create_dir_all(moved.parent().unwrap()).unwrap();
        std::fs::rename(&out, &moved).unwrap();
        let again = d.join(format!("{s}-again"));
        let o = offersim(&[
            "run",
            moved.join("inputs/scenario.toml").to_str().unwrap(),
            "--out",
            again.to_str().unwrap(),
            "--jobs",
            "2",
            "--quiet",
        ]);
        assert!(
            o.status.success(),
            "{s}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        assert_eq!(
            std::fs::read(moved.join("summary.csv")).unwrap(),
            std::fs::read(again.join("summary.csv")).unwrap(),
            "{s}"
        );
    }
}

#[test]
fn a_large_trace_is_named_by_path_and_sha256_and_a_changed_one_is_refused() {
    let d = tmp("rerun-large");
    let mut body = String::from("job_id,framework,submit_s,tasks,cpus,mem_mb,duration_s\n");
    let row = "j,f,0,1,1,512,10\n";
    while body.len() as u64 <= offersim::report::COPY_MAX_BYTES {
        body.push_str(row);
    }
    std::fs::create_dir_all(d.join("data")).unwrap();
    write(&d.join("data/big.csv"), &body);
    let s = d.join("s.toml");
    write(
        &s,
        "name = \"big\"\n[cluster]\nracks = 1\nagents_per_rack = 1\nagent = { cpus = 4, mem_mb = 4096 }\n\
         [workload]\ntrace = \"data/big.csv\"   # the big one\n",
    );
    let sc = offersim::scenario::load(&s).unwrap();
    let out = d.join("results/big");
    std::fs::create_dir_all(&out).unwrap();
    offersim::report::save_inputs(&sc, &out, &out).unwrap();
    let saved = std::fs::read_to_string(out.join("inputs/scenario.toml")).unwrap();
    assert!(
        !out.join("inputs/trace-big.csv").exists(),
        "a large trace was copied"
    );
    assert!(
        saved.contains("trace = \"../../../data/big.csv\"   # the big one"),
        "{saved}"
    );
    let sha = offersim::report::sha256_file(&d.join("data/big.csv")).unwrap();
    assert!(
        saved.contains(&format!("trace_sha256 = \"{sha}\"")),
        "{saved}"
    );
    // The snapshot loads and names the original trace.
    let again = offersim::scenario::load(&out.join("inputs/scenario.toml")).unwrap();
    assert_eq!(
        again.workload_file(),
        out.join("inputs/../../../data/big.csv")
            .display()
            .to_string()
    );
    // The trace changed since: refused, naming the key's line.
    write(
        &d.join("data/big.csv"),
        &body.replace("j,f,0,1,1,512,10\n", "j,f,0,1,2,512,10\n"),
    );
    let e = offersim::scenario::load(&out.join("inputs/scenario.toml")).unwrap_err();
    assert_eq!(e.exit_code(), 2);
    let m = e.to_string();
    assert!(
        m.contains("workload.trace_sha256") && m.contains("not the trace"),
        "{m}"
    );
    let line = saved
        .lines()
        .position(|l| l.starts_with("trace_sha256"))
        .unwrap()
        + 1;
    assert!(m.contains(&format!("scenario.toml:{line}")), "{m}");
}
