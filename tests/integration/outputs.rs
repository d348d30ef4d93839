//! Default outputs grow with tasks, jobs, frameworks and simulated time, never with offers x
//! agents (issue 14, DESIGN §4.4): offers.csv only on request, shares.csv at most a row per
//! (framework, role) per allocation interval, utilization.csv bounded however long the run.

use crate::common::*;
use std::collections::BTreeSet;
use std::path::Path;

fn files_of(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect()
}

#[test]
fn offers_csv_is_written_only_when_asked_for() {
    let d = tmp("outputs-levels");
    let s = d.join("s.toml");
    write(
        &d.join("t.csv"),
        "job_id,framework,submit_s,tasks,cpus,mem_mb,duration_s\nj1,f,0,3,1,512,10\n",
    );
    let body = "name = \"o\"\n[cluster]\nracks = 1\nagents_per_rack = 2\nagent = { cpus = 4, mem_mb = 4096 }\n\
                [workload]\ntrace = \"t.csv\"\n";
    let all: BTreeSet<String> = [
        "bins.csv",
        "frameworks.csv",
        "jobs.csv",
        "offers.csv",
        "perf.csv",
        "shares.csv",
        "tasks.csv",
        "utilization.csv",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let without = |drop: &[&str]| -> BTreeSet<String> {
        all.iter()
            .filter(|f| !drop.contains(&f.as_str()))
            .cloned()
            .collect()
    };
    // (scenario key, --outputs, the files of drf/0)
    let cases: Vec<(&str, Option<&str>, BTreeSet<String>)> = vec![
        ("", None, without(&["offers.csv"])),
        ("", Some("default"), without(&["offers.csv"])),
        ("", Some("all"), all.clone()),
        (
            "",
            Some("summary"),
            without(&[
                "offers.csv",
                "tasks.csv",
                "jobs.csv",
                "shares.csv",
                "perf.csv",
            ]),
        ),
        ("outputs = \"all\"\n", None, all.clone()),
        (
            "outputs = \"all\"\n",
            Some("default"),
            without(&["offers.csv"]),
        ),
    ];
    for (k, (key, flag, want)) in cases.iter().enumerate() {
        write(&s, &format!("{key}{body}"));
        let out = d.join(format!("r{k}"));
        let mut args = vec![
            "run",
            s.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--quiet",
        ];
        if let Some(f) = flag {
            args.extend(["--outputs", f]);
        }
        offersim_ok(&args);
        assert_eq!(
            &files_of(&out.join("drf/0")),
            want,
            "key {key:?}, flag {flag:?}"
        );
    }
    write(&s, &format!("outputs = \"al\"\n{body}"));
    let o = offersim(&[
        "run",
        s.to_str().unwrap(),
        "--out",
        d.join("bad").to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("s.toml:1") && err.contains("did you mean \"all\""),
        "{err}"
    );
}

#[test]
fn shares_have_at_most_a_row_per_framework_and_role_per_allocation_interval() {
    let d = tmp("outputs-shares");
    let s = repo().join("scenarios/quickstart.toml");
    offersim_ok(&[
        "run",
        s.to_str().unwrap(),
        "--policy",
        "drf",
        "--out",
        d.to_str().unwrap(),
        "--quiet",
    ]);
    let (h, rows) = read_csv(&d.join("drf/0/shares.csv"));
    let (t, f, r) = (col(&h, "time_s"), col(&h, "framework"), col(&h, "role"));
    let mut seen = BTreeSet::new();
    let mut last = 0.0;
    for row in &rows {
        let time: f64 = row[t].parse().unwrap();
        assert!(time >= last, "rows out of time order at {time}");
        last = time;
        // The quickstart's allocation interval is 1 s.
        let key = (time.floor() as i64, row[f].clone(), row[r].clone());
        assert!(seen.insert(key.clone()), "two rows for {key:?}");
    }
    // Offers change a framework's allocation many times a second; the file still follows the
    // frameworks over the whole run.
    let (_, offers) = read_csv(&d.join("drf/0/offers.csv"));
    assert!(
        rows.len() < offers.len(),
        "{} rows, {} offers",
        rows.len(),
        offers.len()
    );
    assert!(last > 1000.0, "shares stop at {last}");
}

#[test]
fn utilization_stays_bounded_over_a_long_run_and_holds_time_averages() {
    let d = tmp("outputs-util");
    let s = d.join("s.toml");
    // Two cpus of four busy for 100 s, then nothing for about eleven simulated days.
    write(
        &d.join("t.csv"),
        "job_id,framework,submit_s,tasks,cpus,mem_mb,duration_s\nj1,f,0,2,1,512,100\nj2,f,1000000,1,1,512,1\n",
    );
    write(
        &s,
        "name = \"u\"\n[cluster]\nracks = 1\nagents_per_rack = 1\nagent = { cpus = 4, mem_mb = 4096 }\n\
         [workload]\ntrace = \"t.csv\"\n",
    );
    offersim_ok(&[
        "run",
        s.to_str().unwrap(),
        "--out",
        d.join("r").to_str().unwrap(),
        "--outputs",
        "summary",
        "--quiet",
    ]);
    let (h, rows) = read_csv(&d.join("r/drf/0/utilization.csv"));
    assert!(rows.len() <= 4096, "{} rows", rows.len());
    assert!(rows.len() > 1000, "{} rows", rows.len());
    let (t, c) = (col(&h, "time_s"), col(&h, "util_cpus"));
    let times: Vec<f64> = rows.iter().map(|r| r[t].parse().unwrap()).collect();
    let width = times[1] - times[0];
    assert!(width >= 244.0, "bucket width {width}");
    // The first bucket averages 100 s at half the cpus over its width.
    let first: f64 = rows[0][c].parse().unwrap();
    assert!(
        (first - 0.5 * 100.0 / width).abs() < 1e-6,
        "{first} over {width} s"
    );
    let mean_after: f64 = rows[1][c].parse().unwrap();
    assert_eq!(mean_after, 0.0);
}
