//! Deliberately broken allocators, plugged in through `simulate_with`: the run must stop with a
//! message that names the event during which things went wrong.

use crate::common::*;
use offersim::allocator::AllocatorKind;
use offersim::experiment::{Plugins, RunOptions};
use offersim::policy::{Allocator, Change, FrameworkId, Grant, Run, View};
use std::sync::Arc;

fn scenario(d: &std::path::Path) -> Arc<offersim::scenario::Scenario> {
    write(
        &d.join("t.csv"),
        "job_id,framework,submit_s,tasks,cpus,mem_mb,duration_s\nj1,a,0,2,1,512,10\nj2,b,0,2,1,512,10\n",
    );
    let s = d.join("s.toml");
    write(
        &s,
        "name = \"inv\"\n[cluster]\nracks = 1\nagents_per_rack = 2\nagent = { cpus = 4, mem_mb = 4096 }\n\
         [workload]\ntrace = \"t.csv\"\n",
    );
    Arc::new(offersim::scenario::load(&s).unwrap())
}

/// Offers every framework twice what the agent has free.
struct OverOffering;

impl Allocator for OverOffering {
    fn name(&self) -> &str {
        "over-offering"
    }
    fn notify(&mut self, _v: &View, _c: Change) {}
    fn allocate(&mut self, v: &View, run: &mut Run) {
        let agents: Vec<_> = run.candidates().collect();
        for a in agents {
            for (f, fw) in v.frameworks().iter().enumerate() {
                if !fw.wants_offers(0) {
                    continue;
                }
                let mut pools = v.agent(a).free().clone();
                let extra = pools.clone();
                pools.add(&extra);
                run.grant(Grant {
                    fw: FrameworkId::new(f as u32),
                    role: fw.roles()[0].role(),
                    agent: a,
                    pools,
                });
            }
        }
    }
}

/// The built-in DRF allocator, except that it misreports every share.
struct LyingShares(Box<dyn Allocator>);

impl Allocator for LyingShares {
    fn name(&self) -> &str {
        "lying-shares"
    }
    fn notify(&mut self, v: &View, c: Change) {
        self.0.notify(v, c)
    }
    fn allocate(&mut self, v: &View, run: &mut Run) {
        self.0.allocate(v, run)
    }
    fn framework_share(&self, fw: &str, role: &str) -> Option<f64> {
        self.0.framework_share(fw, role).map(|s| s + 0.25)
    }
}

fn run(d: &std::path::Path, alloc: Box<dyn Allocator>) -> offersim::Error {
    let s = scenario(d);
    let plugins = Plugins {
        allocator: Some(alloc),
        scheduler: None,
    };
    offersim::experiment::simulate_with(
        &s,
        0,
        0,
        None,
        &RunOptions {
            check_invariants: true,
            ..Default::default()
        },
        plugins,
    )
    .unwrap_err()
}

#[test]
fn an_over_offering_allocator_stops_the_run_naming_the_event() {
    let d = tmp("inv-over");
    let e = run(&d, Box::new(OverOffering));
    let m = e.to_string();
    assert_eq!(e.exit_code(), 3, "{m}");
    assert!(m.contains("over-offering") && m.contains("exceeds"), "{m}");
    // The frameworks subscribe (an input) at t=0 and trigger the first allocation run.
    assert!(m.contains("during inputs") && m.contains("t=0s"), "{m}");
}

/// Also shows the share check is really exercised: the lie is seen only because the built-in DRF
/// allocator reports its shares (`framework_share` returns Some) and the check asks for them.
#[test]
fn a_sorter_whose_shares_drift_is_caught_by_the_invariants() {
    let d = tmp("inv-shares");
    let e = run(
        &d,
        Box::new(LyingShares(offersim::allocator::build(
            AllocatorKind::Drf,
            None,
        ))),
    );
    let m = e.to_string();
    assert_eq!(e.exit_code(), 3, "{m}");
    assert!(
        m.starts_with("invariant violated at t=0s after inputs") && m.contains("sorter share"),
        "{m}"
    );
}
