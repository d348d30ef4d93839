//! Allocation policies beyond DRF, end to end: priority preemption, and the plug-in API.

use crate::common::*;

fn preemption_scenario(d: &std::path::Path, preempt: &str) -> std::path::PathBuf {
    // lo fills both agents with long tasks at t=0; hi's job arrives at t=10.
    write(
        &d.join("t.csv"),
        "job_id,framework,submit_s,tasks,cpus,mem_mb,duration_s\nlo1,lo,0,8,1,512,300\nhi1,hi,10,2,1,512,20\n",
    );
    let s = d.join("s.toml");
    write(
        &s,
        &format!(
            "name = \"p\"\n[[policy]]\nname = \"prio\"\nallocator = \"priority\"\n{preempt}\n\
             [cluster]\nracks = 1\nagents_per_rack = 2\nagent = {{ cpus = 4, mem_mb = 4096 }}\n\
             [workload]\ntrace = \"t.csv\"\n[[frameworks]]\nname = \"lo\"\nroles = [\"lo\"]\n\
             [[frameworks]]\nname = \"hi\"\nroles = [\"hi\"]\n[roles.hi]\npriority = 10\n"
        ),
    );
    s
}

fn job_end(dir: &std::path::Path, job: &str) -> f64 {
    let (h, rows) = read_csv(&dir.join("jobs.csv"));
    let r = rows.iter().find(|r| r[col(&h, "job_id")] == job).unwrap();
    r[col(&h, "end_s")].parse().unwrap()
}

#[test]
fn priority_preemption_kills_lowest_priority_tasks_and_resubmits_them() {
    let d = tmp("preempt");
    let s = preemption_scenario(&d, "preempt_after_s = 5");
    let o = run_into(&s, &d.join("out"));
    let cols = offersim::metrics::files::SUMMARY_COLS;
    let get = |name: &str| o.fields[cols.iter().position(|c| *c == name).unwrap() - 3].clone();
    // One preemption frees room for one pending task per wait period: hi's two 1-cpu tasks take
    // two preemptions, 5 s apart.
    assert_eq!(get("tasks_preempted"), "2");
    assert_eq!(
        get("tasks_finished"),
        "10",
        "preempted lo tasks are resubmitted and finish"
    );
    // hi's first task starts about 5 s after it began waiting, its second 5 s later, instead of
    // after lo's 300 s tasks.
    let hi_end = job_end(&d.join("out"), "hi1");
    assert!((30.0..=45.0).contains(&hi_end), "hi ended at {hi_end}");
    let (h, rows) = read_csv(&d.join("out/tasks.csv"));
    let preempted = rows
        .iter()
        .filter(|r| r[col(&h, "state")] == "preempted")
        .count();
    assert_eq!(preempted, 2);

    let d2 = tmp("no-preempt");
    let s2 = preemption_scenario(&d2, "");
    run_into(&s2, &d2.join("out"));
    assert!(
        job_end(&d2.join("out"), "hi1") >= 300.0,
        "without preemption hi waits for lo's tasks"
    );
}

#[test]
fn plug_in_allocator_example_runs() {
    let o = std::process::Command::new(env!("CARGO"))
        .args(["run", "--quiet", "--example", "emptiest_agent"])
        .current_dir(repo())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("emptiest-agent-first") && out.contains("tasks_finished     2626"),
        "{out}"
    );
}

/// Plug-ins for the runs of a plan (what the Python package passes): made per grid item, only
/// for the policies the source names, and a source that says stop leaves nothing behind.
#[test]
fn a_plugin_source_gives_each_grid_item_its_plugins_and_may_stop_the_plan() {
    use offersim::experiment::{
        plan, run_plan_with, GridItem, PlanOptions, PluginSource, Plugins, Quiet,
    };
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    struct Counting {
        asked: Arc<AtomicUsize>,
        made: Arc<AtomicUsize>,
        stop_now: bool,
    }
    impl PluginSource for Counting {
        fn plugins(&self, item: &GridItem) -> Plugins {
            self.asked.fetch_add(1, Ordering::SeqCst);
            if item.policy != 1 {
                return Plugins::default();
            }
            let made = self.made.clone();
            Plugins {
                allocator: None,
                scheduler: Some(Box::new(move |_cfg: &offersim::policy::FrameworkConfig| {
                    made.fetch_add(1, Ordering::SeqCst);
                    None
                })),
            }
        }
        fn stop(&self) -> bool {
            self.stop_now
        }
    }
    let quickstart = repo().join("scenarios/quickstart.toml");
    let out = tmp("plugin-source");
    let p = plan(
        &quickstart,
        &PlanOptions {
            out: Some(out.clone()),
            jobs: Some(2),
            check_invariants: true,
            ..Default::default()
        },
    )
    .unwrap();
    let source = Counting {
        asked: Default::default(),
        made: Default::default(),
        stop_now: false,
    };
    let outcomes = run_plan_with(&p, &Quiet, &source).unwrap();
    assert_eq!(outcomes.len(), 6);
    assert_eq!(source.asked.load(Ordering::SeqCst), 6, "once per grid item");
    // The quickstart's 4 frameworks, in each of static's 3 replications.
    assert_eq!(source.made.load(Ordering::SeqCst), 12);
    assert!(out.join("summary.csv").is_file());

    let stopped = tmp("plugin-source-stop");
    let p = plan(
        &quickstart,
        &PlanOptions {
            out: Some(stopped.clone()),
            check_invariants: true,
            ..Default::default()
        },
    )
    .unwrap();
    let source = Counting {
        stop_now: true,
        ..source
    };
    let e = run_plan_with(&p, &Quiet, &source).unwrap_err();
    assert!(matches!(e, offersim::Error::Interrupted), "{e}");
    assert!(!stopped.join("summary.csv").exists());
}

/// A high-priority task that no agent can hold (4.5 cpus wanted; the only agent has 5, one of
/// them reserved for the low role) is not a reason to preempt: before the fix the priority
/// allocator killed and resubmitted the low role's tasks every `preempt_after_s` for ever (the
/// property tests found it: an endless run).
#[test]
fn priority_preemption_skips_a_task_no_agent_can_hold() {
    let d = tmp("preempt-unplaceable");
    write(
        &d.join("t.csv"),
        "job_id,framework,submit_s,tasks,cpus,mem_mb,duration_s\nlo1,lo,0,4,1,512,50\nhi1,hi,5,1,4.5,512,20\n",
    );
    let s = d.join("s.toml");
    write(
        &s,
        "name = \"p\"\nend_s = 200\n[[policy]]\nname = \"prio\"\nallocator = \"priority\"\n\
         preempt_after_s = 5\n[workload]\ntrace = \"t.csv\"\n[[cluster.agents]]\nname = \"a0\"\n\
         cpus = 5\nmem_mb = 4096\nreserved = [{ role = \"lo\", cpus = 1, mem_mb = 512 }]\n\
         [[frameworks]]\nname = \"lo\"\nroles = [\"lo\"]\n[[frameworks]]\nname = \"hi\"\n\
         roles = [\"hi\"]\n[roles.hi]\npriority = 10\n",
    );
    let o = run_into(&s, &d.join("out"));
    let cols = offersim::metrics::files::SUMMARY_COLS;
    let get = |name: &str| o.fields[cols.iter().position(|c| *c == name).unwrap() - 3].clone();
    assert_eq!(get("tasks_preempted"), "0");
    assert_eq!(get("tasks_finished"), "4", "lo's tasks run to their end");
    assert_eq!(get("tasks_unscheduled"), "1", "hi's task never fits");
}
