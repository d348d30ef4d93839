//! Mesos allocator conformance: every offer the run makes must match the offers real Mesos makes
//! (../shared/conformance/README.md, copied into tests/conformance/), compared as a multiset with
//! a 1e-9 tolerance on numbers. Beyond the shared format, `disk_mb` and `gpus` are compared too
//! (0 where the expected file has no such column), and `outcome` where the expected file has
//! one: our own behaviour scenarios (tests/scenarios/) list all three. `revocable_cpus` and
//! `revocable_mem_mb` are compared as 0 where a file has no such column (offers.csv has them only
//! when the scenario uses revocable resources).

use crate::common::*;
use std::path::Path;

#[derive(Debug, Clone, PartialEq)]
struct Row {
    time: f64,
    fw: String,
    role: String,
    agent: String,
    cpus: f64,
    mem: f64,
    disk: f64,
    gpus: f64,
    /// The revocable part (0 without the columns).
    rev_cpus: f64,
    rev_mem: f64,
    /// accepted, declined, rescinded or held; None where the expected file has no `outcome`
    /// column (the shared scenarios' format), and then not compared.
    outcome: Option<String>,
}

impl std::fmt::Display for Row {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "t={} {} ({}) on {}: {} cpus, {} MB, {} MB disk, {} gpus",
            self.time, self.fw, self.role, self.agent, self.cpus, self.mem, self.disk, self.gpus
        )?;
        if let Some(o) = &self.outcome {
            write!(f, ", {o}")?;
        }
        if self.rev_cpus != 0.0 || self.rev_mem != 0.0 {
            write!(
                f,
                " + revocable {} cpus, {} MB",
                self.rev_cpus, self.rev_mem
            )?;
        }
        Ok(())
    }
}

/// The rows of an expected file or of offers.csv. `disk_mb` and `gpus` are 0 where the file
/// has no such column: an expected file that lists none says that no offer may carry any (a
/// GPU dropped from an offer, or one offered where none should be, is a difference).
fn rows(path: &Path) -> Vec<Row> {
    let (h, rs) = read_csv(path);
    let (t, f, r, a, c, m) = (
        col(&h, "time_s"),
        col(&h, "framework"),
        col(&h, "role"),
        col(&h, "agent"),
        col(&h, "cpus"),
        col(&h, "mem_mb"),
    );
    let opt = |name: &str| h.iter().position(|x| x == name);
    let (d, g, o) = (opt("disk_mb"), opt("gpus"), opt("outcome"));
    let (rc, rm) = (opt("revocable_cpus"), opt("revocable_mem_mb"));
    let num = |x: &[String], i: Option<usize>| i.map(|i| x[i].parse().unwrap()).unwrap_or(0.0);
    rs.iter()
        .map(|x| Row {
            time: x[t].parse().unwrap(),
            fw: x[f].clone(),
            role: x[r].clone(),
            agent: x[a].clone(),
            cpus: x[c].parse().unwrap(),
            mem: x[m].parse().unwrap(),
            disk: num(x, d),
            gpus: num(x, g),
            rev_cpus: num(x, rc),
            rev_mem: num(x, rm),
            outcome: o.map(|i| x[i].clone()),
        })
        .collect()
}

/// `e` (expected) matches `g` (made): every number within 1e-9, every name equal, and the
/// outcome equal where the expected file gives one.
fn same(e: &Row, g: &Row) -> bool {
    let close = |x: f64, y: f64| (x - y).abs() <= 1e-9;
    close(e.time, g.time)
        && e.fw == g.fw
        && e.role == g.role
        && e.agent == g.agent
        && close(e.cpus, g.cpus)
        && close(e.mem, g.mem)
        && close(e.disk, g.disk)
        && close(e.gpus, g.gpus)
        && close(e.rev_cpus, g.rev_cpus)
        && close(e.rev_mem, g.rev_mem)
        && (e.outcome.is_none() || e.outcome == g.outcome)
}

/// Compares offers.csv with the expected offers; the message names the first difference in time.
fn compare(expected: &[Row], got: &[Row]) -> Result<(), String> {
    let mut left: Vec<Option<&Row>> = got.iter().map(Some).collect();
    let mut missing = Vec::new();
    for e in expected {
        match left.iter().position(|g| g.is_some_and(|g| same(e, g))) {
            Some(i) => left[i] = None,
            None => missing.push(e),
        }
    }
    let extra: Vec<&Row> = left.into_iter().flatten().collect();
    if missing.is_empty() && extra.is_empty() {
        return Ok(());
    }
    let first_missing = missing.iter().map(|r| r.time).fold(f64::INFINITY, f64::min);
    let first_extra = extra.iter().map(|r| r.time).fold(f64::INFINITY, f64::min);
    let t = first_missing.min(first_extra);
    let m: Vec<&&Row> = missing.iter().filter(|r| r.time == t).collect();
    let x: Vec<&&Row> = extra.iter().filter(|r| r.time == t).collect();
    Err(match (m.first(), x.first()) {
        (Some(e), Some(g)) => format!("expected {e} but got {g}"),
        (Some(e), None) => format!("missing offer: {e}"),
        (None, Some(g)) => format!("unexpected offer: {g}"),
        _ => unreachable!(),
    })
}

fn check(dir: &Path, stem: &str) {
    let scenario = dir.join(format!("{stem}.toml"));
    let out = tmp(&format!("conf-{stem}"));
    run_into(&scenario, &out);
    let got = rows(&out.join("offers.csv"));
    let want = rows(&dir.join(format!("{stem}.expected.csv")));
    if let Err(m) = compare(&want, &got) {
        panic!(
            "{stem}: {m}\nall offers made:\n{}",
            got.iter()
                .map(|r| format!("  {r}"))
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
}

macro_rules! conformance {
    ($($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                check(&repo().join("tests/conformance"), stringify!($name));
            }
        )*
    };
}

conformance!(
    seed_example,
    a01_unreserved_drf,
    a02_reserved_drf,
    a06_same_share_fairness,
    a10_reservations,
    a11_recover_resources,
    a14_remove_agent_recover_resources,
    a15_dominant_share_offers,
    q01_quota_provides_guarantee,
    q03_quota_allocation_granularity,
    q04_drf_with_quota,
);

/// Every scenario in ../shared/conformance (where it exists), so new scenarios dropped there are
/// checked without editing this file.
#[test]
fn every_shared_scenario() {
    let dir = repo().join("../shared/conformance");
    // The shared scenarios are the contract's: a checkout without them must not pass quietly.
    let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| {
        panic!(
            "{}: {e}: the shared conformance scenarios must be beside the repository \
             (../shared/conformance)",
            dir.display()
        )
    });
    let mut stems: Vec<String> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter_map(|n| n.strip_suffix(".expected.csv").map(str::to_string))
        .collect();
    stems.sort();
    assert!(!stems.is_empty());
    let mut failures = Vec::new();
    for stem in &stems {
        if let Err(e) = std::panic::catch_unwind(|| check(&dir, stem)) {
            let msg = e.downcast_ref::<String>().cloned().unwrap_or_default();
            failures.push(msg.lines().next().unwrap_or(stem).to_string());
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} shared scenarios fail:\n{}",
        failures.len(),
        stems.len(),
        failures.join("\n")
    );
}

#[test]
fn compare_reports_first_difference() {
    let r = |t: f64, fw: &str| Row {
        time: t,
        fw: fw.into(),
        role: "*".into(),
        agent: "a1".into(),
        cpus: 1.0,
        mem: 1.0,
        disk: 0.0,
        gpus: 0.0,
        rev_cpus: 0.0,
        rev_mem: 0.0,
        outcome: None,
    };
    assert!(compare(&[r(0.0, "f1"), r(1.0, "f2")], &[r(1.0, "f2"), r(0.0, "f1")]).is_ok());
    let e = compare(&[r(0.0, "f1"), r(1.0, "f2")], &[r(0.0, "f1"), r(1.0, "f1")]).unwrap_err();
    assert!(
        e.contains("expected") && e.contains("f2") && e.contains("got"),
        "{e}"
    );
    let e = compare(&[r(0.0, "f1")], &[r(0.0, "f1"), r(2.0, "f3")]).unwrap_err();
    assert!(e.starts_with("unexpected offer") && e.contains("f3"), "{e}");
    // A GPU dropped from an offer, a disk offered where none is expected, another outcome.
    let with = |f: &dyn Fn(&mut Row)| {
        let mut x = r(0.0, "f1");
        f(&mut x);
        x
    };
    let gpu = with(&|x| x.gpus = 1.0);
    assert!(compare(std::slice::from_ref(&gpu), &[r(0.0, "f1")]).is_err());
    assert!(compare(std::slice::from_ref(&gpu), std::slice::from_ref(&gpu)).is_ok());
    assert!(compare(&[r(0.0, "f1")], &[with(&|x| x.disk = 64.0)]).is_err());
    let held = with(&|x| x.outcome = Some("held".into()));
    let declined = with(&|x| x.outcome = Some("declined".into()));
    let e = compare(std::slice::from_ref(&held), std::slice::from_ref(&declined)).unwrap_err();
    assert!(e.contains("held") && e.contains("declined"), "{e}");
    // An expected file without outcomes accepts any.
    assert!(compare(&[r(0.0, "f1")], &[declined]).is_ok());
}

/// The rows with one change made to each (to check that the harness sees it).
fn altered(rows: &[Row], change: impl Fn(&mut Row)) -> Vec<Row> {
    rows.iter()
        .map(|r| {
            let mut r = r.clone();
            change(&mut r);
            r
        })
        .collect()
}

/// The harness itself on a real run: the GPU scenario passes, and the same offers with the GPU
/// dropped from the expected file (or an outcome changed) fail.
#[test]
fn the_harness_fails_on_a_dropped_gpu_or_a_wrong_outcome() {
    let dir = repo().join("tests/scenarios");
    let out = tmp("conf-harness");
    run_into(&dir.join("gpu_capability.toml"), &out);
    let got = rows(&out.join("offers.csv"));
    let want = rows(&dir.join("gpu_capability.expected.csv"));
    assert!(
        want.iter().any(|r| r.gpus > 0.0),
        "the expected file lists the GPU"
    );
    compare(&want, &got).unwrap();
    let no_gpu = altered(&want, |r| r.gpus = 0.0);
    assert!(compare(&no_gpu, &got).is_err());
    let other: Vec<Row> = want
        .iter()
        .map(|r| Row {
            outcome: Some("rescinded".into()),
            ..r.clone()
        })
        .collect();
    assert!(compare(&other, &got).is_err());
}

/// Behaviour scenarios of our own (tests/scenarios/), derived by hand in each file's comment, in
/// the same format: filter timing, the subset rule, suppress/revive, min_allocatable, role trees,
/// weights, priority, GPUs, agent updates, static partitions, quota limits and headroom.
macro_rules! behaviour {
    ($module:ident: $($name:ident),* $(,)?) => {
        mod $module {
            use super::*;
            $(
                #[test]
                fn $name() {
                    check(&repo().join("tests/scenarios"), stringify!($name));
                }
            )*
        }
    };
}

behaviour!(behaviour:
    filter_min_interval,
    filter_subset_rule,
    suppress_revive,
    min_allocatable_framework,
    role_tree,
    weights,
    priority_order,
    gpu_capability,
    update_agent_filters,
    static_partition,
    quota_limit_partial,
    quota_headroom,
    offer_timeout,
    recover_resources_partial,
    offer_mode_cell,
    offer_mode_per_agent,
    fairness_exclusion,
    whitelist,
    update_agent_total,
    update_agent_capabilities,
    old_agent_multi_role,
    agent_capabilities,
);

// Revocable (oversubscribed) resources, restated from Mesos's tests (the first three) or
// derived by hand (the last two), each in its file's comment.
behaviour!(revocable:
    update_slave_oversubscribed_resources,
    oversubscribed_not_allocated,
    recover_oversubscribed_resources,
    revocable_outside_headroom,
    revocable_filter,
    revocable_cell,
);

/// offers.csv has the revocable columns only when the scenario uses revocable resources, so
/// every other offers.csv keeps DESIGN's columns; and the harness fails on a revocable part
/// that differs.
#[test]
fn revocable_columns_only_where_used_and_compared() {
    let dir = repo().join("tests/scenarios");
    let plain = tmp("conf-rev-plain");
    run_into(&dir.join("update_agent_total.toml"), &plain);
    let (h, _) = read_csv(&plain.join("offers.csv"));
    assert_eq!(h.last().map(String::as_str), Some("outcome"), "{h:?}");
    let out = tmp("conf-rev-used");
    run_into(&dir.join("recover_oversubscribed_resources.toml"), &out);
    let (h, _) = read_csv(&out.join("offers.csv"));
    assert_eq!(
        h[h.len() - 3..],
        ["outcome", "revocable_cpus", "revocable_mem_mb"],
        "{h:?}"
    );
    let got = rows(&out.join("offers.csv"));
    let want = rows(&dir.join("recover_oversubscribed_resources.expected.csv"));
    compare(&want, &got).unwrap();
    let regular_only = altered(&want, |r| r.rev_cpus = 0.0);
    assert!(compare(&regular_only, &got).is_err());
}

/// Dynamic reservations (`reserve` / `unreserve` events), restated from Mesos's tests or derived
/// by hand in each file's comment: kept apart from `behaviour!` so each list grows on its own.
mod reservations {
    use super::*;

    fn scenario(stem: &str) {
        check(&repo().join("tests/scenarios"), stem);
    }

    #[test]
    fn update_available_success() {
        scenario("update_available_success");
    }
    #[test]
    fn quota_accounting_reserve_allocated() {
        scenario("quota_accounting_reserve_allocated");
    }
    #[test]
    fn quota_accounting_unreserve_allocated() {
        scenario("quota_accounting_unreserve_allocated");
    }
    #[test]
    fn reserve_filters() {
        scenario("reserve_filters");
    }
    #[test]
    fn reserve_operator_rescinds() {
        scenario("reserve_operator_rescinds");
    }
    #[test]
    fn quota_set_aside_reserved_resources() {
        scenario("quota_set_aside_reserved_resources");
    }
    #[test]
    fn reservation_unallocated() {
        scenario("reservation_unallocated");
    }
    #[test]
    fn reservation_allocated() {
        scenario("reservation_allocated");
    }
    #[test]
    fn non_quota_role_reservation_with_quota_role() {
        scenario("non_quota_role_reservation_with_quota_role");
    }
    #[test]
    fn quota_headroom_when_reservations_exceed_quota() {
        scenario("quota_headroom_when_reservations_exceed_quota");
    }
}

// The remaining tests of Mesos 1.11's hierarchical_allocator_tests.cpp, restated by hand from
// their assertions (docs/mesos-semantics.md §16 lists each): a list of their own, so that the
// behaviour list and `reservations` keep theirs.
behaviour!(restated:
    nested_role_drf,
    offer_filter,
    allocatable,
    framework_empty_min_allocatable,
    remove_quota,
    multiple_frameworks_in_role_with_quota,
    deactivate_and_reactivate_framework,
    multi_quota_absent_frameworks,
    multi_quota_with_frameworks,
    quota_against_starvation,
    suppress_and_revive_offers,
    revive_offers,
    suppress_and_revive_offers_with_multi_role,
    disproportionate_quota_vs_allocation,
    offer_ancestor_reservations_to_descendant_child,
    quota_with_ancestor_reservations,
    quota_with_nested_role_reservation,
    quota_with_nested_role_allocation,
    quota_provides_limit,
    small_offer_filter_timeout,
    framework_min_allocatable,
    quota_absent_framework_whole_agent,
    reservation_within_quota,
);

/// The exclusion is what decides fairness_exclusion: the same events without
/// `fair_sharing_excluded_resource_names` count role1's GPU (share 1), so a4 goes to role2's f2
/// and the expected offers no longer match; the rest of the run is unchanged.
#[test]
fn fairness_exclusion_decides_who_gets_a4() {
    let dir = repo().join("tests/scenarios");
    let src = std::fs::read_to_string(dir.join("fairness_exclusion.toml")).unwrap();
    let key = "fair_sharing_excluded_resource_names = [\"gpus\"]\n";
    assert!(src.contains(key));
    let out = tmp("conf-no-exclusion");
    let path = out.join("no_exclusion.toml");
    std::fs::write(&path, src.replace(key, "")).unwrap();
    run_into(&path, &out.join("run"));
    let got = rows(&out.join("run/offers.csv"));
    let want = rows(&dir.join("fairness_exclusion.expected.csv"));
    let e = compare(&want, &got).unwrap_err();
    assert!(e.contains("t=2.5 f3") && e.contains("t=2.5 f2"), "{e}");
}

/// Maintenance windows and inverse offers, restated from Mesos's tests: the offers as in
/// `check`, and inverse_offers.csv row for row against `<stem>.inverse.expected.csv`.
mod maintenance {
    use super::*;

    fn scenario(stem: &str) {
        let dir = repo().join("tests/scenarios");
        let out = tmp(&format!("conf-{stem}"));
        run_into(&dir.join(format!("{stem}.toml")), &out);
        let got = rows(&out.join("offers.csv"));
        let want = rows(&dir.join(format!("{stem}.expected.csv")));
        if let Err(m) = compare(&want, &got) {
            panic!("{stem}: {m}");
        }
        let got = read_csv(&out.join("inverse_offers.csv"));
        let want = read_csv(&dir.join(format!("{stem}.inverse.expected.csv")));
        assert_eq!(want, got, "{stem}: inverse_offers.csv");
    }

    #[test]
    fn maintenance_inverse_offers() {
        scenario("maintenance_inverse_offers");
    }
    #[test]
    fn maintenance_unknown_framework() {
        scenario("maintenance_unknown_framework");
    }
    #[test]
    fn maintenance_replaced() {
        scenario("maintenance_replaced");
    }

    /// A scenario without maintenance writes no inverse_offers.csv.
    #[test]
    fn no_maintenance_no_file() {
        let dir = repo().join("tests/scenarios");
        let out = tmp("conf-no-maintenance");
        run_into(&dir.join("whitelist.toml"), &out);
        assert!(out.join("offers.csv").exists());
        assert!(!out.join("inverse_offers.csv").exists());
    }
}
