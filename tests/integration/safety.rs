//! A user's files are sacred (issue 14, DESIGN §5): every output path offersim is given either
//! holds an offersim results folder (its `.offersim-manifest`), is new or empty, or is refused
//! with exit 2 before anything runs; a rerun replaces only offersim's own files; Ctrl-C and
//! SIGTERM leave no temporary folder.

use crate::common::*;
use std::path::{Path, PathBuf};

const TRACE: &str = "job_id,framework,submit_s,tasks,cpus,mem_mb,duration_s\nj1,f,0,2,1,512,10\n";

/// A small scenario with its trace in `dir`.
fn scenario(dir: &Path, name: &str) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    write(&dir.join("t.csv"), TRACE);
    let s = dir.join(format!("{name}.toml"));
    write(
        &s,
        &format!(
            "name = \"{name}\"\n[cluster]\nracks = 1\nagents_per_rack = 2\nagent = {{ cpus = 4, mem_mb = 4096 }}\n\
             [workload]\ntrace = \"t.csv\"\n[[policy]]\nname = \"drf\"\n[[policy]]\nname = \"static\"\nallocator = \"static\"\n"
        ),
    );
    s
}

/// Every file below `dir` with its bytes (perf.csv included: nothing may change at all).
fn snapshot(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut out = std::collections::BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            let rel = p.strip_prefix(dir).unwrap().to_string_lossy().to_string();
            if p.is_dir() {
                out.insert(format!("{rel}/"), Vec::new());
                stack.push(p);
            } else {
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

fn run_in(cwd: &Path, args: &[&str]) -> std::process::Output {
    offersim_cmd(args).current_dir(cwd).output().unwrap()
}

fn temporaries_below(dir: &Path) -> Vec<String> {
    snapshot(dir)
        .keys()
        .filter(|k| k.contains(".offersim-tmp-") || k.contains(".tmp-") || k.ends_with(".old"))
        .cloned()
        .collect()
}

/// Each case: how to lay out the folder, the command (run from `cwd`), and what the message
/// must say. Every one must exit 2, leave every file as it was, and leave no temporary file.
#[test]
fn unsafe_output_paths_are_refused_and_touch_nothing() {
    type Setup = fn(&Path) -> (PathBuf, Vec<String>);
    let cases: &[(&str, Setup, &[&str])] = &[
        (
            "a folder with a user's file",
            |d| {
                let s = scenario(&d.join("p"), "x");
                std::fs::create_dir_all(d.join("mydata")).unwrap();
                write(&d.join("mydata/thesis.tex"), "my thesis");
                (
                    d.to_path_buf(),
                    vec![
                        "run".into(),
                        s.display().to_string(),
                        "--out".into(),
                        "mydata".into(),
                    ],
                )
            },
            &["--out mydata", "not an offersim results folder", "mydata/x"],
        ),
        (
            "the folder that holds the scenario, from inside it",
            |d| {
                scenario(&d.join("proj"), "x");
                (
                    d.join("proj"),
                    vec![
                        "run".into(),
                        "x.toml".into(),
                        "--out".into(),
                        "../proj".into(),
                    ],
                )
            },
            &["not an offersim results folder"],
        ),
        (
            "the parent of results folders",
            |d| {
                let s = scenario(&d.join("p"), "x");
                let o = run_in(
                    d,
                    &["run", s.to_str().unwrap(), "--out", "results/x", "--quiet"],
                );
                assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
                (
                    d.to_path_buf(),
                    vec![
                        "run".into(),
                        s.display().to_string(),
                        "--out".into(),
                        "results".into(),
                    ],
                )
            },
            &["--out results", "results/x"],
        ),
        (
            "the working folder",
            |d| {
                scenario(d, "x");
                (
                    d.to_path_buf(),
                    vec!["run".into(), "x.toml".into(), "--out".into(), ".".into()],
                )
            },
            &["--out .", "not an offersim results folder"],
        ),
        (
            "a file",
            |d| {
                let s = scenario(&d.join("p"), "x");
                write(&d.join("afile"), "precious");
                (
                    d.to_path_buf(),
                    vec![
                        "run".into(),
                        s.display().to_string(),
                        "--out".into(),
                        "afile".into(),
                    ],
                )
            },
            &["--out afile", "is a file, not a folder"],
        ),
        (
            "check --update into a folder of the user's",
            |d| {
                let s = scenario(&d.join("p"), "x");
                std::fs::create_dir_all(d.join("dir")).unwrap();
                write(&d.join("dir/summary.csv"), "my,own,table\n");
                write(&d.join("dir/notes.md"), "notes");
                (
                    d.to_path_buf(),
                    vec![
                        "check".into(),
                        s.display().to_string(),
                        "--update".into(),
                        "--baseline".into(),
                        "dir/summary.csv".into(),
                    ],
                )
            },
            &["--baseline dir", "not an offersim results folder"],
        ),
        (
            "merge into a folder of the user's",
            |d| {
                let s = scenario(&d.join("p"), "x");
                for i in 1..=2 {
                    let o = run_in(
                        d,
                        &[
                            "run",
                            s.to_str().unwrap(),
                            "--shard",
                            &format!("{i}/2"),
                            "--out",
                            &format!("shards/{i}"),
                            "--quiet",
                        ],
                    );
                    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
                }
                std::fs::create_dir_all(d.join("mine")).unwrap();
                write(&d.join("mine/keep.txt"), "keep");
                (
                    d.to_path_buf(),
                    vec![
                        "merge".into(),
                        "shards/1".into(),
                        "shards/2".into(),
                        "--out".into(),
                        "mine".into(),
                    ],
                )
            },
            &["--out mine", "not an offersim results folder"],
        ),
    ];
    for (k, (what, setup, needles)) in cases.iter().enumerate() {
        let d = tmp(&format!("unsafe-out-{k}"));
        let (cwd, args) = setup(&d);
        let before = snapshot(&d);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let o = run_in(&cwd, &args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{what}: {err}");
        for n in *needles {
            assert!(err.contains(n), "{what}: `{n}` not in: {err}");
        }
        assert_eq!(snapshot(&d), before, "{what}: files changed");
        assert!(temporaries_below(&d).is_empty(), "{what}: temporaries left");
    }
}

#[test]
fn a_rerun_replaces_only_offersims_files_and_drops_its_stale_ones() {
    let d = tmp("rerun-owned");
    let s = scenario(&d, "x");
    let out = d.join("r");
    offersim_ok(&[
        "run",
        s.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]);
    assert!(out.join(".offersim-manifest").is_file());
    assert!(out.join("static/0/tasks.csv").is_file());
    write(&out.join("notes.txt"), "mine");
    write(&out.join("static/0/my-plot.svg"), "mine");
    write(&out.join("drf/0/analysis.py"), "mine");
    // Now only one policy: static's files go, the user's files stay wherever they are.
    offersim_ok(&[
        "run",
        s.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--policy",
        "drf",
        "--quiet",
    ]);
    assert_eq!(
        std::fs::read_to_string(out.join("notes.txt")).unwrap(),
        "mine"
    );
    assert_eq!(
        std::fs::read_to_string(out.join("static/0/my-plot.svg")).unwrap(),
        "mine"
    );
    assert_eq!(
        std::fs::read_to_string(out.join("drf/0/analysis.py")).unwrap(),
        "mine"
    );
    assert!(
        !out.join("static/0/tasks.csv").exists(),
        "stale file of offersim's kept"
    );
    assert!(out.join("drf/0/tasks.csv").is_file());
    let (_, rows) = read_csv(&out.join("summary.csv"));
    assert_eq!(rows.len(), 1);
    let manifest = std::fs::read_to_string(out.join(".offersim-manifest")).unwrap();
    assert!(manifest.contains("drf/0/tasks.csv") && !manifest.contains("static/0/tasks.csv"));
    assert!(!manifest.contains("notes.txt"));
    assert!(temporaries_below(&d).is_empty());
}

#[test]
fn the_working_folder_is_fine_when_empty_and_a_new_nested_folder_is_created() {
    let d = tmp("out-dot");
    let s = scenario(&d.join("p"), "x");
    std::fs::create_dir_all(d.join("empty")).unwrap();
    let o = run_in(
        &d.join("empty"),
        &["run", s.to_str().unwrap(), "--out", ".", "--quiet"],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(d.join("empty/summary.csv").is_file());
    assert!(temporaries_below(&d).is_empty());
    let o = run_in(
        &d,
        &["run", s.to_str().unwrap(), "--out", "a/b/c", "--quiet"],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(d.join("a/b/c/summary.csv").is_file());
}

#[test]
fn a_failed_run_into_a_new_folder_leaves_no_folder_behind() {
    let d = tmp("fail-new");
    let s = scenario(&d, "x");
    write(
        &d.join("t.csv"),
        "job_id,framework,submit_s,tasks,cpus,mem_mb,duration_s\nj1,f,5,2,1,512,10\nj2,f,1,1,1,512,10\n",
    );
    let o = run_in(
        &d,
        &["run", s.to_str().unwrap(), "--out", "new/r", "--quiet"],
    );
    assert_eq!(
        o.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        !d.join("new").exists(),
        "the folders made for the run stayed"
    );
}

/// A run long enough to be interrupted: many small jobs on a generated cluster.
fn long_scenario(dir: &Path) -> PathBuf {
    let s = dir.join("long.toml");
    write(
        &s,
        "name = \"long\"\n[cluster]\nracks = 10\nagents_per_rack = 50\nagent = { cpus = 8, mem_mb = 16384 }\n\
         [workload]\ngenerator = { kind = \"poisson\", jobs = 100000000, mean_gap_s = 0.01, tasks = 20, duration_s = 50 }\n",
    );
    s
}

#[test]
fn sigint_and_sigterm_stop_the_run_and_remove_its_temporary_folder() {
    for (k, sig) in ["INT", "TERM"].iter().enumerate() {
        let d = tmp(&format!("signal-{k}"));
        let s = long_scenario(&d);
        let out = d.join("r");
        let child = offersim_cmd(&[
            "run",
            s.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--quiet",
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
        // Wait until the run writes into its temporary folder.
        let started = std::time::Instant::now();
        loop {
            let tmp_there = std::fs::read_dir(&out).is_ok_and(|mut r| {
                r.any(|e| {
                    e.unwrap()
                        .file_name()
                        .to_string_lossy()
                        .starts_with(".offersim-tmp-")
                })
            });
            if tmp_there {
                break;
            }
            assert!(started.elapsed().as_secs() < 60, "the run never started");
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        std::thread::sleep(std::time::Duration::from_millis(300));
        let st = std::process::Command::new("kill")
            .args([&format!("-{sig}"), &child.id().to_string()])
            .status()
            .unwrap();
        assert!(st.success());
        let o = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(130), "SIG{sig}: {err}");
        assert!(err.contains("interrupted"), "SIG{sig}: {err}");
        assert!(
            !out.exists(),
            "SIG{sig}: the results folder made for the run is left: {:?}",
            snapshot(&d)
        );
    }
}

/// `gen` and `import` name one file: they write through symbolic links (the link stays), to
/// /dev/stdout and other devices as they are, and never over a file offersim did not write.
#[test]
fn gen_and_import_write_through_links_and_devices_and_never_over_a_users_file() {
    let swf = repo().join("traces/samples/swf/NASA-iPSC-1993-3.1-cln-first200.swf.gz");
    let swf = swf.to_str().unwrap().to_string();
    let commands: [(&str, Vec<String>); 2] = [
        (
            "gen",
            vec![
                "gen".into(),
                "poisson".into(),
                "--set".into(),
                "jobs=3".into(),
            ],
        ),
        (
            "import",
            vec!["import".into(), "swf".into(), swf.clone(), "--quiet".into()],
        ),
    ];
    for (cmd, base) in &commands {
        let d = tmp(&format!("outfile-{cmd}"));
        let run = |out: &str| {
            let mut args: Vec<&str> = base.iter().map(String::as_str).collect();
            args.extend(["--out", out]);
            run_in(&d, &args)
        };
        // A first file of offersim's, then a link to it: the rerun goes through the link.
        assert!(run("real.csv").status.success(), "{cmd}");
        std::os::unix::fs::symlink("real.csv", d.join("link.csv")).unwrap();
        std::fs::write(
            d.join("real.csv"),
            "job_id,framework,submit_s,tasks,cpus,mem_mb,duration_s\n",
        )
        .unwrap();
        let o = run("link.csv");
        assert!(
            o.status.success(),
            "{cmd}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(
            std::fs::symlink_metadata(d.join("link.csv"))
                .unwrap()
                .file_type()
                .is_symlink(),
            "{cmd}: link replaced"
        );
        assert!(
            std::fs::read_to_string(d.join("real.csv"))
                .unwrap()
                .lines()
                .count()
                > 1,
            "{cmd}: not written through the link"
        );
        // A link to a file that does not exist yet creates it.
        std::os::unix::fs::symlink("later.csv", d.join("dangling.csv")).unwrap();
        assert!(run("dangling.csv").status.success(), "{cmd}");
        assert!(d.join("later.csv").is_file(), "{cmd}");
        // Standard output carries the trace itself.
        let o = run("/dev/stdout");
        assert!(
            o.status.success(),
            "{cmd}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let text = String::from_utf8_lossy(&o.stdout);
        assert!(
            text.starts_with("job_id,framework,submit_s"),
            "{cmd}: {text}"
        );
        assert!(run("/dev/null").status.success(), "{cmd}");
        // A device that cannot take the bytes is a write error, and stays a device.
        if std::path::Path::new("/dev/full").exists() {
            let o = run("/dev/full");
            assert_eq!(
                o.status.code(),
                Some(3),
                "{cmd}: {}",
                String::from_utf8_lossy(&o.stderr)
            );
            use std::os::unix::fs::FileTypeExt;
            assert!(std::fs::metadata("/dev/full")
                .unwrap()
                .file_type()
                .is_char_device());
        }
        // A user's file is refused, untouched.
        write(&d.join("thesis.tex"), "\\documentclass{article}\n");
        let before = snapshot(&d);
        let o = run("thesis.tex");
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{cmd}: {err}");
        assert!(
            err.contains("--out thesis.tex") && err.contains("did not write"),
            "{cmd}: {err}"
        );
        assert_eq!(snapshot(&d), before, "{cmd}");
        assert!(temporaries_below(&d).is_empty(), "{cmd}");
    }
}

/// `offersim plot DIR` redraws only an offersim results folder, never over a user's file, and
/// lists what it adds.
#[test]
fn plot_redraws_only_offersims_folders_and_files() {
    let d = tmp("plot-owned");
    std::fs::create_dir_all(d.join("mine")).unwrap();
    std::fs::copy(
        repo().join("results/quickstart/summary.csv"),
        d.join("mine/summary.csv"),
    )
    .unwrap();
    write(&d.join("mine/report.html"), "my page");
    let before = snapshot(&d);
    let o = run_in(&d, &["plot", "mine"]);
    assert_eq!(
        o.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(snapshot(&d), before);
    let s = scenario(&d.join("p"), "x");
    offersim_ok(&[
        "run",
        s.to_str().unwrap(),
        "--out",
        d.join("r").to_str().unwrap(),
        "--quiet",
    ]);
    std::fs::remove_file(d.join("r/report.html")).unwrap();
    let o = run_in(&d, &["plot", "r"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(d.join("r/report.html").is_file());
    write(&d.join("r/extra.svg"), "mine");
    let o = run_in(&d, &["plot", "r"]);
    assert_eq!(
        o.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(d.join("r/extra.svg")).unwrap(),
        "mine"
    );
}
