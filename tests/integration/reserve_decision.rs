//! A scheduler's RESERVE (`Decision::reserve`): the master converts the offer before the
//! launches and checks that the amount is not negative, that the offer's role is not `*`, and
//! that the offer holds what is reserved (a decision error, exit 3, if not).

use crate::common::*;
use offersim::experiment::{Outputs, Plugins, RunOptions};
use offersim::policy::{Decision, FrameworkConfig, OfferView, Resources, Scheduler, WorkView};
use std::sync::Arc;

/// Reserves `amount` of its first offer for the offer's role and declines the rest with no
/// filter; declines every later offer with no filter.
struct ReserveOnce {
    amount: Resources,
    done: bool,
}

impl Scheduler for ReserveOnce {
    fn name(&self) -> &str {
        "reserve-once"
    }
    fn on_offer(&mut self, _offer: &OfferView, _work: &WorkView, out: &mut Decision) {
        if !self.done {
            out.reserve = Some(self.amount);
            self.done = true;
        }
        out.refuse = Some(offersim::policy::SimDuration::ZERO);
    }
}

fn plugins(amount: Resources) -> Plugins {
    Plugins {
        allocator: None,
        scheduler: Some(Box::new(move |cfg: &FrameworkConfig| {
            (cfg.name == "f1").then(|| {
                Box::new(ReserveOnce {
                    amount,
                    done: false,
                }) as Box<dyn Scheduler>
            })
        })),
    }
}

// f1 (role1) is offered all of a1 at 0, reserves (2, 512) of it and declines the rest with no
// filter. f2 (role2) subscribes at 0.5 and the run it triggers considers role2 first (both
// shares are 0; role1 was allocated once, the sorter's tie-break): f2 is offered only the
// unreserved (2, 512), then f1 the role1 reservation (2, 512). f1 declines it with no filter, so
// the tick at 1 offers it to f1 again.
const SCENARIO: &str = "name = \"reserve-decision\"\nseed = 1\nreplications = 1\nend_s = 1.5\n\
    [master]\nallocation_interval_s = 1.0\nrefuse_s = 5.0\n\
    [[events]]\nat_s = 0\naction = \"add_agent\"\nname = \"a1\"\ncpus = 4\nmem_mb = 1024\n\
    [[events]]\nat_s = 0\naction = \"add_framework\"\nname = \"f1\"\nroles = [\"role1\"]\n\
    scheduler = \"hold\"\n\
    [[events]]\nat_s = 0.5\naction = \"add_framework\"\nname = \"f2\"\nroles = [\"role2\"]\n\
    scheduler = \"hold\"\n";

fn run(amount: Resources, name: &str) -> (offersim::error::Result<()>, std::path::PathBuf) {
    run_scenario(SCENARIO, amount, name)
}

fn run_scenario(
    scenario: &str,
    amount: Resources,
    name: &str,
) -> (offersim::error::Result<()>, std::path::PathBuf) {
    let d = tmp(name);
    let p = d.join("s.toml");
    write(&p, scenario);
    let s = Arc::new(offersim::scenario::load(&p).unwrap());
    let opts = RunOptions {
        check_invariants: true,
        outputs: Some(Outputs::All),
    };
    let out = d.join("out");
    let r = offersim::experiment::simulate_with(&s, 0, 0, Some(&out), &opts, plugins(amount));
    (r.map(|_| ()), out)
}

#[test]
fn a_reserve_decision_keeps_the_reservation_for_the_role() {
    let (r, out) = run(Resources::cpus_mem(2.0, 512.0), "reserve-decision-ok");
    r.unwrap();
    let (h, rows) = read_csv(&out.join("offers.csv"));
    let (t, f, c, m) = (
        col(&h, "time_s"),
        col(&h, "framework"),
        col(&h, "cpus"),
        col(&h, "mem_mb"),
    );
    let got: Vec<(String, String, String, String)> = rows
        .iter()
        .map(|x| (x[t].clone(), x[f].clone(), x[c].clone(), x[m].clone()))
        .collect();
    let want: Vec<(String, String, String, String)> = [
        ("0", "f1", "4", "1024"),
        ("0.5", "f2", "2", "512"),
        ("0.5", "f1", "2", "512"),
        ("1", "f1", "2", "512"),
    ]
    .iter()
    .map(|(a, b, c, d)| (a.to_string(), b.to_string(), c.to_string(), d.to_string()))
    .collect();
    assert_eq!(got, want);
}

#[test]
fn reserving_more_than_the_offer_holds_is_a_decision_error() {
    let (r, _) = run(Resources::cpus_mem(5.0, 512.0), "reserve-decision-bad");
    let e = r.expect_err("must stop the run");
    assert_eq!(e.exit_code(), 3, "{e}");
    assert!(e.to_string().contains("reserve-once"), "{e}");
    assert!(e.to_string().contains("reserves"), "{e}");
}

#[test]
fn reserving_a_negative_amount_is_a_decision_error() {
    let amount = Resources::cpus_mem(1.0, 0.0) - Resources::cpus_mem(2.0, 0.0);
    let (r, _) = run(amount, "reserve-decision-negative");
    let e = r.expect_err("must stop the run");
    assert_eq!(e.exit_code(), 3, "{e}");
    assert!(e.to_string().contains("negative"), "{e}");
}

// Mesos refuses a dynamic reservation for the default role: a framework in role `*` (here f1
// with no roles, which is `["*"]`) may not RESERVE, even an amount its offer holds (the same
// amount that role1 reserves above).
#[test]
fn reserving_for_the_default_role_is_a_decision_error() {
    let scenario = SCENARIO.replacen("roles = [\"role1\"]\n", "", 1);
    assert_ne!(scenario, SCENARIO, "the scenario must lose f1's roles");
    let (r, _) = run_scenario(
        &scenario,
        Resources::cpus_mem(2.0, 512.0),
        "reserve-decision-star",
    );
    let e = r.expect_err("must stop the run");
    assert_eq!(e.exit_code(), 3, "{e}");
    let msg = e.to_string();
    assert!(msg.contains("reserve-once"), "{msg}");
    assert!(msg.contains("role `*`"), "{msg}");
}
