//! Faults end to end (issue 7): agents leaving and joining, random failures and repairs,
//! framework failover, agents that stop answering pings; lost tasks resubmitted as new attempts.

use crate::common::*;
use std::path::{Path, PathBuf};

pub fn field(o: &offersim::experiment::RunOutcome, name: &str) -> String {
    let cols = offersim::metrics::files::SUMMARY_COLS;
    o.fields[cols.iter().position(|c| *c == name).unwrap() - 3].clone()
}

/// tasks.csv rows as maps from column name to value.
pub fn task_rows(dir: &Path) -> Vec<std::collections::BTreeMap<String, String>> {
    let (h, rows) = read_csv(&dir.join("tasks.csv"));
    rows.into_iter()
        .map(|r| h.iter().cloned().zip(r).collect())
        .collect()
}

/// offers.csv rows as (time, framework, agent, outcome).
fn offers(dir: &Path) -> Vec<(f64, String, String, String)> {
    let (h, rows) = read_csv(&dir.join("offers.csv"));
    rows.iter()
        .map(|r| {
            (
                r[col(&h, "time_s")].parse().unwrap(),
                r[col(&h, "framework")].clone(),
                r[col(&h, "agent")].clone(),
                r[col(&h, "outcome")].clone(),
            )
        })
        .collect()
}

fn scenario(d: &Path, trace: &str, rest: &str) -> PathBuf {
    write(&d.join("t.csv"), trace);
    let s = d.join("s.toml");
    write(
        &s,
        &format!("name = \"f\"\n{rest}\n[workload]\ntrace = \"t.csv\"\n"),
    );
    s
}

const HDR: &str = "job_id,framework,submit_s,tasks,cpus,mem_mb,duration_s\n";

#[test]
fn machines_file_remove_s_loses_tasks_and_resubmits_them_as_next_attempt() {
    let d = tmp("faults-machines");
    write(
        &d.join("m.csv"),
        "name,rack,cpus,mem_mb,add_s,remove_s\nm1,r1,2,2048,0,\nm2,r1,2,2048,0,5\nm3,r1,2,2048,50,\n",
    );
    let s = scenario(
        &d,
        &format!("{HDR}j1,fw,0,4,1,512,20\n"),
        "[cluster]\nmachines = \"m.csv\"\n",
    );
    let o = run_into(&s, &d.join("out"));
    assert_eq!(field(&o, "tasks_lost"), "2");
    assert_eq!(field(&o, "tasks_finished"), "4");
    let rows = task_rows(&d.join("out"));
    let lost: Vec<_> = rows.iter().filter(|r| r["state"] == "lost").collect();
    assert_eq!(lost.len(), 2);
    for l in &lost {
        assert_eq!(l["agent"], "m2");
        assert_eq!(l["end_s"], "5");
        assert_eq!(l["attempt"], "0");
        // The resubmitted task ran again as attempt 1, on an agent still there.
        let again = rows
            .iter()
            .find(|r| r["task"] == l["task"] && r["state"] == "finished")
            .unwrap();
        assert_eq!(again["attempt"], "1", "{again:?}");
        assert_ne!(again["agent"], "m2");
    }
    // m3 joined at 50 and got offers only from then on.
    assert!(offers(&d.join("out"))
        .iter()
        .filter(|o| o.2 == "m3")
        .all(|o| o.0 >= 50.0));
}

#[test]
fn scripted_remove_and_add_agent_lose_and_rerun_tasks() {
    let d = tmp("faults-scripted-agents");
    let s = scenario(
        &d,
        &format!("{HDR}j1,fw,0,2,1,512,20\n"),
        "[[events]]\nat_s = 0\naction = \"add_agent\"\nname = \"a1\"\ncpus = 2\nmem_mb = 2048\n\
         [[events]]\nat_s = 3\naction = \"remove_agent\"\nagent = \"a1\"\n\
         [[events]]\nat_s = 10\naction = \"add_agent\"\nname = \"a2\"\ncpus = 2\nmem_mb = 2048\n",
    );
    let o = run_into(&s, &d.join("out"));
    assert_eq!(field(&o, "tasks_lost"), "2");
    assert_eq!(field(&o, "tasks_finished"), "2");
    let rows = task_rows(&d.join("out"));
    let fin: Vec<_> = rows.iter().filter(|r| r["state"] == "finished").collect();
    assert!(fin
        .iter()
        .all(|r| r["agent"] == "a2" && r["attempt"] == "1" && r["start_s"] == "10"));
}

fn random_failures(d: &Path, seed: u64) -> PathBuf {
    // One agent, so every task that finishes after a failure proves the agent came back.
    scenario(
        d,
        &format!("{HDR}j1,fw,0,3,1,512,30\nj2,fw,40,3,1,512,30\nj3,fw,90,2,1,512,30\n"),
        &format!(
            "seed = {seed}\n[cluster]\nracks = 1\nagents_per_rack = 1\nagent = {{ cpus = 4, mem_mb = 4096 }}\n\
             [faults]\nagent_mtbf_s = 40\nagent_mttr_s = 10\n"
        ),
    )
}

#[test]
fn random_failures_lose_tasks_and_the_agent_comes_back_empty() {
    let d = tmp("faults-random");
    let s = random_failures(&d, 1);
    let o = run_into(&s, &d.join("out"));
    let lost: u64 = field(&o, "tasks_lost").parse().unwrap();
    assert!(
        lost > 0,
        "an MTBF of 40 s over minutes of work fails the agent"
    );
    assert_eq!(
        field(&o, "tasks_finished"),
        "8",
        "every task eventually ran"
    );
    assert_eq!(field(&o, "tasks_unscheduled"), "0");
    let rows = task_rows(&d.join("out"));
    assert!(rows.iter().any(|r| r["attempt"] != "0"));
    // Outstanding offers on a failing agent are rescinded; the agent is offered again later.
    let offers = offers(&d.join("out"));
    assert!(offers.iter().any(|o| o.3 == "accepted"));
    // Same seed, same bytes; another seed, other failures.
    let o2 = run_into(&s, &d.join("out2"));
    for f in ["tasks.csv", "offers.csv", "shares.csv"] {
        assert_eq!(
            std::fs::read(d.join("out").join(f)).unwrap(),
            std::fs::read(d.join("out2").join(f)).unwrap(),
            "{f}"
        );
    }
    assert_eq!(o.fields, o2.fields);
    let d3 = tmp("faults-random-seed");
    let s3 = random_failures(&d3, 7);
    run_into(&s3, &d3.join("out"));
    assert_ne!(
        std::fs::read(d.join("out/tasks.csv")).unwrap(),
        std::fs::read(d3.join("out/tasks.csv")).unwrap()
    );
}

#[test]
fn failures_rescind_held_offers_and_shrink_the_totals() {
    // A hold framework keeps its offer until the agent fails: the offer is rescinded, and the
    // repaired agent is offered again, whole.
    let d = tmp("faults-rescind");
    let s = d.join("s.toml");
    write(
        &s,
        "name = \"r\"\nend_s = 400\n[cluster]\nracks = 1\nagents_per_rack = 1\nagent = { cpus = 4, mem_mb = 4096 }\n\
         [faults]\nagent_mtbf_s = 50\nagent_mttr_s = 5\n\
         [[events]]\nat_s = 0\naction = \"add_framework\"\nname = \"h\"\n",
    );
    run_into(&s, &d.join("out"));
    let offers = offers(&d.join("out"));
    assert!(offers.len() >= 2, "{offers:?}");
    assert!(offers[..offers.len() - 1]
        .iter()
        .all(|o| o.3 == "rescinded"));
    // While the only agent is down, the framework's share is 0 of an empty cluster; shares.csv
    // shows the rescinded offer returning.
    let (h, rows) = read_csv(&d.join("out/shares.csv"));
    assert!(rows.iter().any(|r| r[col(&h, "cpus")] == "0"));
}

fn failover(d: &Path, top: &str, events: &str) -> PathBuf {
    scenario(
        d,
        &format!("{HDR}j1,fw,0,2,1,512,50\nj2,fw,5,2,1,512,10\n"),
        &format!(
            "{top}[cluster]\nracks = 1\nagents_per_rack = 1\nagent = {{ cpus = 4, mem_mb = 4096 }}\n\
             [[frameworks]]\nname = \"fw\"\nsuppress_when_idle = false\n{events}"
        ),
    )
}

#[test]
fn framework_failover_within_timeout_keeps_tasks_and_stops_offers_meanwhile() {
    let d = tmp("faults-failover-ok");
    let s = failover(
        &d,
        "",
        "[[events]]\nat_s = 2.5\naction = \"fail_framework\"\nframework = \"fw\"\nfailover_timeout_s = 60\n\
         [[events]]\nat_s = 20.5\naction = \"reregister_framework\"\nframework = \"fw\"\n",
    );
    let o = run_into(&s, &d.join("out"));
    assert_eq!(field(&o, "tasks_finished"), "4");
    let rows = task_rows(&d.join("out"));
    assert!(rows.iter().all(|r| r["state"] == "finished"));
    // j1's tasks ran through the disconnection.
    assert!(rows
        .iter()
        .filter(|r| r["job_id"] == "j1")
        .all(|r| r["start_s"] == "0" && r["end_s"] == "50"));
    let offers = offers(&d.join("out"));
    // No offer while disconnected; re-registering triggers an allocation at once.
    assert!(!offers.iter().any(|o| o.0 > 2.5 && o.0 < 20.5));
    assert!(offers.iter().any(|o| o.0 == 20.5));
    // j2, submitted while disconnected, ran after the re-registration.
    assert!(rows
        .iter()
        .filter(|r| r["job_id"] == "j2")
        .all(|r| r["start_s"] == "20.5"));
}

#[test]
fn framework_failover_timeout_kills_its_tasks_and_recovers_resources() {
    let d = tmp("faults-failover-timeout");
    let s = failover(
        &d,
        "end_s = 20\n",
        "[[events]]\nat_s = 2.5\naction = \"fail_framework\"\nframework = \"fw\"\nfailover_timeout_s = 10\n\
         [[events]]\nat_s = 3\naction = \"add_framework\"\nname = \"other\"\n",
    );
    let o = run_into(&s, &d.join("out"));
    assert_eq!(field(&o, "tasks_finished"), "0");
    // j2's two tasks were never launched: unscheduled when the framework is removed.
    assert_eq!(field(&o, "tasks_unscheduled"), "2");
    let rows = task_rows(&d.join("out"));
    let killed: Vec<_> = rows.iter().filter(|r| r["state"] == "killed").collect();
    assert_eq!(killed.len(), 2);
    assert!(killed.iter().all(|r| r["end_s"] == "12.5"));
    // Their resources went back: the other framework is offered the whole agent at the next tick.
    let offers = offers(&d.join("out"));
    assert!(
        offers.iter().any(|o| o.1 == "other" && o.0 == 13.0),
        "{offers:?}"
    );
}

#[test]
fn a_disconnecting_framework_has_its_offers_rescinded() {
    let d = tmp("faults-failover-rescind");
    let s = d.join("s.toml");
    write(
        &s,
        "name = \"h\"\nend_s = 5\n[cluster]\nracks = 1\nagents_per_rack = 1\nagent = { cpus = 4, mem_mb = 4096 }\n\
         [[events]]\nat_s = 0\naction = \"add_framework\"\nname = \"h\"\n\
         [[events]]\nat_s = 1\naction = \"fail_framework\"\nframework = \"h\"\nfailover_timeout_s = 10\n\
         [[events]]\nat_s = 3\naction = \"reregister_framework\"\nframework = \"h\"\n",
    );
    run_into(&s, &d.join("out"));
    let got: Vec<(f64, String)> = offers(&d.join("out"))
        .into_iter()
        .map(|o| (o.0, o.3))
        .collect();
    assert_eq!(got, vec![(0.0, "rescinded".into()), (3.0, "held".into())]);
}

#[test]
fn reregistering_a_framework_that_is_connected_is_a_line_error() {
    let d = tmp("faults-rereg-bad");
    let s = failover(
        &d,
        "",
        "[[events]]\nat_s = 1\naction = \"reregister_framework\"\nframework = \"fw\"\n",
    );
    let sc = std::sync::Arc::new(offersim::scenario::load(&s).unwrap());
    let e = offersim::experiment::simulate(&sc, 0, 0, None, &checked()).unwrap_err();
    assert_eq!(e.exit_code(), 2);
    let m = e.to_string();
    assert!(m.contains("s.toml:") && m.contains("framework"), "{m}");
}

fn pings(d: &Path, events: &str) -> PathBuf {
    scenario(
        d,
        &format!("{HDR}j1,fw,0,2,1,512,100\nj2,fw,10,1,1,512,5\n"),
        &format!(
            "[cluster]\nracks = 1\nagents_per_rack = 2\nagent = {{ cpus = 2, mem_mb = 2048 }}\n\
             [master]\nagent_ping_timeout_s = 2\nmax_agent_ping_timeouts = 3\n{events}"
        ),
    )
}

#[test]
fn disconnected_agent_keeps_tasks_and_gets_no_offers_until_it_reconnects() {
    let d = tmp("faults-disconnect-ok");
    let s = pings(
        &d,
        "[[events]]\nat_s = 1\naction = \"disconnect_agent\"\nagent = \"a1\"\n\
         [[events]]\nat_s = 5\naction = \"reconnect_agent\"\nagent = \"a1\"\n\
         [[events]]\nat_s = 6\naction = \"disconnect_agent\"\nagent = \"a2\"\n\
         [[events]]\nat_s = 11.5\naction = \"reconnect_agent\"\nagent = \"a2\"\n",
    );
    let o = run_into(&s, &d.join("out"));
    assert_eq!(field(&o, "tasks_lost"), "0");
    assert_eq!(field(&o, "tasks_finished"), "3");
    let offers = offers(&d.join("out"));
    assert!(!offers.iter().any(|o| o.2 == "a1" && o.0 > 1.0 && o.0 < 5.0));
    assert!(!offers
        .iter()
        .any(|o| o.2 == "a2" && o.0 > 6.0 && o.0 < 11.5));
}

#[test]
fn agent_missing_its_pings_is_removed_and_its_tasks_are_lost() {
    let d = tmp("faults-ping-timeout");
    let s = pings(
        &d,
        "[[events]]\nat_s = 1\naction = \"disconnect_agent\"\nagent = \"a1\"\n\
         [[events]]\nat_s = 1\naction = \"disconnect_agent\"\nagent = \"a2\"\n\
         [[events]]\nat_s = 20\naction = \"reconnect_agent\"\nagent = \"a1\"\n",
    );
    let o = run_into(&s, &d.join("out"));
    // Both agents were removed at 1 + 2 x 3 = 7 s; a1 re-registered, empty, at 20 s and ran
    // every task (a2 never came back).
    assert_eq!(field(&o, "tasks_lost"), "2");
    assert_eq!(field(&o, "tasks_finished"), "3");
    let rows = task_rows(&d.join("out"));
    let lost: Vec<_> = rows.iter().filter(|r| r["state"] == "lost").collect();
    assert!(lost.iter().all(|r| r["end_s"] == "7"), "{lost:?}");
    let fin: Vec<_> = rows.iter().filter(|r| r["state"] == "finished").collect();
    assert!(fin.iter().all(|r| r["agent"] == "a1"), "{fin:?}");
    // The lost tasks restarted whole (their first life's end event at 100 s is stale).
    assert!(fin
        .iter()
        .filter(|r| r["job_id"] == "j1")
        .all(|r| r["start_s"] == "20" && r["end_s"] == "120" && r["attempt"] == "1"));
}

#[test]
fn unschedulable_tasks_end_the_run_without_end_s() {
    let d = tmp("faults-unschedulable");
    let trace = "job_id,framework,submit_s,tasks,cpus,mem_mb,duration_s,gpus\n\
                 ok,fw,0,1,1,512,5,\nbig,fw,0,2,64,512,5,\ngpu,fw,1,1,1,512,5,1\n";
    let s = scenario(
        &d,
        trace,
        "[cluster]\nracks = 1\nagents_per_rack = 2\nagent = { cpus = 4, mem_mb = 4096 }\n\
         [[frameworks]]\nname = \"fw\"\ncapabilities = [\"gpu\"]\n",
    );
    let o = run_into(&s, &d.join("out"));
    assert_eq!(field(&o, "tasks_finished"), "1");
    assert_eq!(field(&o, "tasks_unscheduled"), "3");
}

#[test]
fn unschedulable_tasks_end_the_run_even_while_agents_keep_failing() {
    // Failures and repairs go on forever; a task larger than any agent must still not hang it.
    let d = tmp("faults-unschedulable-failing");
    let s = scenario(
        &d,
        &format!("{HDR}ok,fw,0,4,1,512,5\nbig,fw,0,1,64,512,5\n"),
        "[cluster]\nracks = 2\nagents_per_rack = 5\nagent = { cpus = 4, mem_mb = 4096 }\n\
         [faults]\nagent_mtbf_s = 30\nagent_mttr_s = 20\n",
    );
    let o = run_into(&s, &d.join("out"));
    assert_eq!(field(&o, "tasks_finished"), "4");
    assert_eq!(field(&o, "tasks_unscheduled"), "1");
}
