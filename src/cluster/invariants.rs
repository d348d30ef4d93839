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
            if sum != a.total {
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
                    let truth = r.allocated.dominant_share(m.total());
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
