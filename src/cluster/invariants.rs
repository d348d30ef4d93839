//! The invariants of the model, checked after every event in tests and with
//! `--check-invariants`. They read each part's own state (never the metrics'): no agent is
//! over-allocated, every framework's allocation is its offers plus what runs for it, the
//! allocator's shares match a recomputation, offers are only outstanding where they may be, and
//! every submitted task is accounted for.

use super::agent::Pools;
use super::resources::Resources;
use super::task::TaskState;
use super::Cluster;
use crate::error::Error;
use crate::sim::engine::Ctx;
use crate::sim::SimTime;

/// The error of a violated invariant, naming the instant and the event after which it was seen.
pub(super) fn violation(now: SimTime, event: &str, msg: String) -> Error {
    Error::Invariant {
        time_s: now.to_string(),
        event: event.to_string(),
        msg,
    }
}

impl Cluster<'_> {
    pub(super) fn check(&self, _ctx: &Ctx<super::Event>) -> Result<(), String> {
        let m = &self.master;
        let n = m.agents().len();
        let mut held: Vec<Pools> = vec![Pools::default(); n];
        let mut by_fw: Vec<Resources> = vec![Resources::ZERO; m.frameworks().len()];
        for o in m.offers() {
            held[o.agent.idx()].add(&o.pools);
            by_fw[o.fw.idx()] += o.pools.total();
        }
        for (fw, a, pools) in m.bulk_holdings() {
            held[a.idx()].add(&pools);
            by_fw[fw.idx()] += pools.total();
        }
        for (_, t) in self.tasks.iter() {
            if !matches!(t.state, TaskState::Staging | TaskState::Running) {
                return Err(format!(
                    "task {} of job {} is live but in state {}",
                    t.job_index,
                    self.fws.job(t.job).id,
                    t.state.as_str()
                ));
            }
            held[t.agent.idx()].add(&t.pools);
            by_fw[t.fw.idx()] += t.pools.total();
        }
        for (&(fw, a), e) in self.tasks.executors() {
            held[a.idx()].add(&e.pools);
            by_fw[fw.idx()] += e.pools.total();
        }
        for p in self.tasks.preallocated() {
            held[p.agent.idx()].add(&p.pools);
            by_fw[p.fw.idx()] += p.pools.total();
        }
        for (i, a) in m.agents().iter().enumerate() {
            if !a.active {
                if !held[i].is_empty() {
                    return Err(format!(
                        "removed agent {} still holds {}",
                        a.name,
                        held[i].total()
                    ));
                }
                continue;
            }
            if !a.free.is_nonnegative() {
                return Err(format!(
                    "agent {} is over-allocated: free {:?}",
                    a.name, a.free
                ));
            }
            // An agent offered whole in bulk offers its free resources: none are available.
            let whole = m.held_agents().contains(i as u32);
            if whole && a.disconnected {
                return Err(format!("disconnected agent {} is offered in bulk", a.name));
            }
            let mut sum = if whole {
                Pools::default()
            } else {
                a.free.clone()
            };
            sum.add(&held[i]);
            // What an agent owes (its total shrank below what is in use) is held beyond it.
            let mut total = a.total.clone();
            total.unres += a.owed;
            total.rev += a.owed_rev;
            if sum != total {
                return Err(format!(
                    "agent {}: free {} + offered/used {} != total {}",
                    a.name,
                    a.free.total(),
                    held[i].total(),
                    a.total.total()
                ));
            }
            let candidate = !whole && !a.free.is_empty() && !a.disconnected;
            if candidate != m.free_agents().contains(i as u32) {
                return Err(format!("agent {} free-set membership is stale", a.name));
            }
        }
        for (i, f) in m.frameworks().iter().enumerate() {
            if f.allocated != by_fw[i] {
                return Err(format!(
                    "framework {} believes it holds {} but offers and tasks add up to {}",
                    f.name, f.allocated, by_fw[i]
                ));
            }
            let per_role: Resources = f.roles.iter().fold(Resources::ZERO, |s, r| s + r.allocated);
            if per_role != f.allocated {
                return Err(format!(
                    "framework {}: per-role allocations do not add up",
                    f.name
                ));
            }
            for r in &f.roles {
                let role = &m.role(r.role).name;
                if let Some(belief) = m.allocator().framework_share(&f.name, role) {
                    let truth = r.allocated.dominant_share(&m.share_total());
                    if (belief - truth).abs() > 1e-9 {
                        return Err(format!(
                            "sorter share of {} in role {role} is {belief} but its allocation gives {truth}",
                            f.name
                        ));
                    }
                }
            }
        }
        self.check_faults()?;
        // Every submitted task is pending, being decided, live, finished, killed, or dropped.
        let (pending, deciding, live) = self.fws.task_states();
        let l = self.fws.ledger();
        let accounted = pending + deciding + live + l.finished + l.killed + l.unscheduled;
        if accounted != l.submitted {
            return Err(format!(
                "{} tasks submitted but {} pending + {} deciding + {} live + {} finished + {} killed + {} dropped",
                l.submitted, pending, deciding, live, l.finished, l.killed, l.unscheduled
            ));
        }
        if live != self.tasks.len() as u64 {
            return Err(format!(
                "{} live tasks counted but {} in the task table",
                live,
                self.tasks.len()
            ));
        }
        Ok(())
    }

    /// Offers go only to active frameworks on connected agents; a down agent is not registered.
    fn check_faults(&self) -> Result<(), String> {
        let m = &self.master;
        for o in m.offers() {
            let f = m.framework(o.fw);
            if !f.active {
                return Err(format!(
                    "offer {} is outstanding to inactive framework {}",
                    o.id, f.name
                ));
            }
            if m.agent(o.agent).disconnected || self.faults.is_disconnected(o.agent) {
                return Err(format!(
                    "offer {} is outstanding on disconnected agent {}",
                    o.id,
                    m.agent(o.agent).name
                ));
            }
        }
        for (i, a) in m.agents().iter().enumerate() {
            let id = super::AgentId::new(i as u32);
            if a.disconnected != self.faults.is_disconnected(id) {
                return Err(format!(
                    "the master and the fault model disagree on whether agent {} is connected",
                    a.name
                ));
            }
        }
        for a in self.faults.down_agents() {
            if m.agents().get(a.idx()).is_some_and(|ag| ag.active) {
                return Err(format!(
                    "agent {} is registered but marked down",
                    m.agent(a).name
                ));
            }
        }
        Ok(())
    }
}

/// Each invariant, shown to fire with its own message when the bookkeeping it guards is broken
/// on purpose (`sabotage.rs`), through a whole run. The sorter-share check, the one a plug-in
/// policy can break, is tested from outside (tests/integration/invariants.rs).
#[cfg(test)]
mod tests {
    use crate::cluster::sabotage::{arm, Bug};
    use crate::experiment::{simulate, RunOptions};
    use crate::sim::SimTime;
    use std::sync::Arc;

    /// A greedy framework `a` with tasks from 0 s to 25 s on three agents, and `holders` hold
    /// frameworks that subscribe at 10 s and keep what they are offered (one holder is offered
    /// agents in bulk; two share them agent by agent).
    fn scenario(test: &str, holders: usize) -> Arc<crate::scenario::Scenario> {
        let d = std::env::temp_dir().join(format!("offersim-inv-{}-{test}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(
            d.join("t.csv"),
            "job_id,framework,submit_s,tasks,cpus,mem_mb,duration_s\n\
             j1,a,0,2,1,512,20\nj2,a,5,2,1,512,20\n",
        )
        .unwrap();
        let mut s = String::from(
            "name = \"inv\"\nend_s = 30\n[cluster]\nracks = 1\nagents_per_rack = 3\n\
             agent = { cpus = 4, mem_mb = 4096 }\n[workload]\ntrace = \"t.csv\"\n",
        );
        for h in 0..holders {
            s.push_str(&format!(
                "[[events]]\nat_s = 10\naction = \"add_framework\"\nname = \"h{h}\"\n\
                 roles = [\"*\"]\nscheduler = \"hold\"\n"
            ));
        }
        std::fs::write(d.join("s.toml"), s).unwrap();
        Arc::new(crate::scenario::load(&d.join("s.toml")).unwrap())
    }

    /// Runs the scenario with `bug` armed from `at_s` on; returns the run's error message.
    fn broken(test: &str, holders: usize, bug: Bug, at_s: i64) -> String {
        let s = scenario(test, holders);
        arm(bug, SimTime::from_us(at_s * 1_000_000));
        let opts = RunOptions {
            check_invariants: true,
            ..Default::default()
        };
        let r = simulate(&s, 0, 0, None, &opts);
        arm_nothing();
        let e = r.expect_err("the broken run must stop");
        assert_eq!(e.exit_code(), 3, "{e}");
        let m = e.to_string();
        assert!(m.starts_with("invariant violated at t="), "{m}");
        m
    }

    fn arm_nothing() {
        crate::cluster::sabotage::disarm();
    }

    /// The same scenario runs clean with the invariants on: every failure below is the bug's.
    #[test]
    fn the_scenario_runs_clean_with_the_invariants_on() {
        for holders in [0, 1, 2] {
            let s = scenario(&format!("clean-{holders}"), holders);
            let opts = RunOptions {
                check_invariants: true,
                ..Default::default()
            };
            simulate(&s, 0, 0, None, &opts).unwrap();
        }
    }

    #[test]
    fn a_live_task_in_an_ended_state() {
        let m = broken("live", 0, Bug::LiveTaskEnded, 1);
        assert!(m.contains("is live but in state finished"), "{m}");
    }

    #[test]
    fn a_removed_agent_that_still_holds_a_task() {
        let m = broken("removed", 0, Bug::RemovedAgentHolds, 1);
        assert!(
            m.contains("removed agent") && m.contains("still holds"),
            "{m}"
        );
    }

    #[test]
    fn an_over_allocated_agent() {
        let m = broken("over", 0, Bug::OverAllocated, 1);
        assert!(m.contains("is over-allocated"), "{m}");
    }

    #[test]
    fn free_resources_from_nowhere() {
        let m = broken("nowhere", 0, Bug::FreeFromNowhere, 1);
        assert!(
            m.contains("+ offered/used") && m.contains("!= total"),
            "{m}"
        );
    }

    #[test]
    fn a_stale_free_set() {
        let m = broken("freeset", 0, Bug::StaleFreeSet, 1);
        assert!(m.contains("free-set membership is stale"), "{m}");
    }

    #[test]
    fn a_framework_allocation_that_drifts() {
        let m = broken("fwdrift", 0, Bug::FrameworkDrift, 1);
        assert!(m.contains("believes it holds"), "{m}");
    }

    #[test]
    fn a_role_allocation_that_drifts() {
        let m = broken("roledrift", 0, Bug::RoleDrift, 1);
        assert!(m.contains("per-role allocations do not add up"), "{m}");
    }

    #[test]
    fn an_offer_to_an_inactive_framework() {
        let m = broken("inactive", 2, Bug::OfferToInactive, 10);
        assert!(m.contains("is outstanding to inactive framework h"), "{m}");
    }

    #[test]
    fn an_offer_on_a_disconnected_agent() {
        let m = broken("disc", 2, Bug::OfferOnDisconnected, 10);
        assert!(m.contains("is outstanding on disconnected agent"), "{m}");
    }

    #[test]
    fn a_bulk_offer_of_a_disconnected_agent() {
        let m = broken("bulkdisc", 1, Bug::BulkOnDisconnected, 10);
        assert!(m.contains("is offered in bulk"), "{m}");
    }

    #[test]
    fn the_fault_model_and_the_master_disagree() {
        let m = broken("disagree", 0, Bug::FaultsDisagree, 1);
        assert!(m.contains("the master and the fault model disagree"), "{m}");
    }

    #[test]
    fn a_registered_agent_marked_down() {
        let m = broken("down", 0, Bug::DownButRegistered, 1);
        assert!(m.contains("is registered but marked down"), "{m}");
    }

    #[test]
    fn a_forgotten_task() {
        let m = broken("forgotten", 0, Bug::TaskForgotten, 1);
        assert!(m.contains("tasks submitted but"), "{m}");
    }

    #[test]
    fn a_live_count_that_drifts_from_the_task_table() {
        let m = broken("livecount", 0, Bug::LiveCountDrift, 1);
        assert!(m.contains("live tasks counted but"), "{m}");
    }

    #[test]
    fn time_that_goes_back() {
        let m = broken("back", 0, Bug::PastEvent, 1);
        assert!(m.contains("time went back from"), "{m}");
    }
}
