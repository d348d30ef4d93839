//! Faults, as Mesos sees them: agents that fail at random and are repaired, agents that stop
//! answering pings and are removed, and frameworks that disconnect and fail over. Kept apart from
//! the master's hot paths; the master calls in at a few hooks (agent joined, agent removed).
//!
//! Mesos semantics followed (master.cpp, constants.hpp, hierarchical.cpp of 1.11):
//! - A failed agent is removed: offers on it are rescinded, its tasks become `lost`, its
//!   resources leave the totals. Here it comes back after its repair time as the same agent,
//!   empty, and registers like a new one (an allocation runs for it at once).
//! - A disconnected agent is deactivated: its offers are rescinded and it gets no offers, but its
//!   tasks keep running. If it does not reconnect within `agent_ping_timeout *
//!   max_agent_ping_timeouts` it is removed (tasks lost). Reactivation does not trigger an
//!   allocation (`activateSlave` does not), re-registration after removal does (`addSlave`).
//! - A disconnected framework is deactivated: its offers are rescinded, its filters cleared, and
//!   it gets no offers; its tasks keep running. If it re-registers within its failover timeout it
//!   is activated again (which triggers an allocation), otherwise it is removed and its tasks are
//!   killed.

use crate::allocator::Change;
use crate::cluster::agent::AgentId;
use crate::error::Result;
use crate::scenario::{EventRaw, ScriptedEvent, MAX_SECONDS};
use crate::sim::engine::World;
use crate::sim::event::Event;
use crate::sim::rng::{stream, Purpose};
use crate::sim::time::{secs_to_us, SimTime};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// Why an agent is down (not registered) while the master still knows its name.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Down {
    #[default]
    No,
    /// Failed at random; an `AgentRepair` event will bring it back.
    Failed,
    /// Removed after missing its pings; only `reconnect_agent` brings it back.
    Unreachable,
}

/// Fault bookkeeping of one agent. Epochs make timers of an earlier life stale, so a timer is
/// never cancelled, only ignored.
#[derive(Clone, Debug, Default)]
pub struct AgentFault {
    /// Bumped when the agent joins, fails or is removed (failure and repair timers).
    pub life: u64,
    /// Bumped when the agent disconnects, reconnects or leaves (ping timers).
    pub ping: u64,
    pub down: Down,
    pub disconnected: bool,
    /// `last_progress` when this agent last came back able to hold pending work: each agent may
    /// hold off the end of a stalled run once per stretch without progress (see
    /// `fault_defers_stall`).
    pub deferred_at: Option<SimTime>,
}

#[derive(Clone, Debug, Default)]
pub struct FwFault {
    pub epoch: u64,
    pub disconnected: bool,
}

/// Fault state of a run.
#[derive(Debug, Default)]
pub struct FaultState {
    /// The `Failures` stream; None when `[faults]` configures no random failures.
    pub rng: Option<ChaCha8Rng>,
    pub mtbf_s: f64,
    pub mttr_s: f64,
    pub agents: Vec<AgentFault>,
    pub fws: Vec<FwFault>,
    /// When a down agent that could hold pending work last came back.
    pub last_rejoin: SimTime,
    pub agent_failures: u64,
}

impl FaultState {
    pub fn is_disconnected(&self, a: AgentId) -> bool {
        self.agents.get(a as usize).is_some_and(|s| s.disconnected)
    }

    pub fn fw_disconnected(&self, fw: u32) -> bool {
        self.fws.get(fw as usize).is_some_and(|s| s.disconnected)
    }

    fn agent(&mut self, a: AgentId) -> &mut AgentFault {
        if self.agents.len() <= a as usize {
            self.agents.resize(a as usize + 1, AgentFault::default());
        }
        &mut self.agents[a as usize]
    }

    fn fw(&mut self, fw: u32) -> &mut FwFault {
        if self.fws.len() <= fw as usize {
            self.fws.resize(fw as usize + 1, FwFault::default());
        }
        &mut self.fws[fw as usize]
    }

    /// An exponential draw with mean `mean_s`, in µs (at least 1 µs, so a failure never lands
    /// in the instant that caused it).
    fn exp_us(&mut self, mean_s: f64) -> i64 {
        let rng = self.rng.as_mut().expect("failures configured");
        let u: f64 = rng.gen();
        // 1 - u is in (0, 1], so the logarithm is finite; the cap keeps sums of times far from
        // overflow whatever the draw.
        let x = (-mean_s * (1.0 - u).ln()).min(50.0 * MAX_SECONDS);
        secs_to_us(x).max(1)
    }
}

impl World {
    /// Sets up random failures when `[faults]` asks for them (from the run's `Failures` stream).
    pub fn init_faults(&mut self) {
        if let Some(mtbf) = self.scenario.faults.agent_mtbf_s {
            self.faults.rng = Some(stream(self.seed, Purpose::Failures));
            self.faults.mtbf_s = mtbf;
            self.faults.mttr_s = self.scenario.faults.agent_mttr_s;
        }
    }

    /// Hook: agent `a` registered (first time, after a repair, or after re-registering).
    pub fn fault_agent_joined(&mut self, a: AgentId) {
        let st = self.faults.agent(a);
        st.life += 1;
        st.down = Down::No;
        st.disconnected = false;
        let epoch = st.life;
        if self.faults.rng.is_some() {
            let mtbf = self.faults.mtbf_s;
            let dt = self.faults.exp_us(mtbf);
            self.queue.push(
                SimTime(self.now.0 + dt),
                Event::AgentFail { agent: a, epoch },
            );
        }
    }

    /// Hook, first thing in `remove_agent`: a removed agent has no fault timers left, and a down
    /// agent that is removed for good gives up its name.
    pub fn fault_agent_removed(&mut self, a: AgentId) {
        let st = self.faults.agent(a);
        st.life += 1;
        st.ping += 1;
        st.disconnected = false;
        let was_down = std::mem::take(&mut st.down) != Down::No;
        if was_down {
            let name = &self.agents[a as usize].name;
            if self.agent_by_name.get(name) == Some(&a) {
                self.agent_by_name.remove(&name.clone());
            }
        }
    }

    /// Timer events of this module.
    pub fn handle_fault(&mut self, ev: Event) -> Result<()> {
        match ev {
            Event::AgentFail { agent, epoch } if self.faults.agent(agent).life == epoch => {
                self.fail_agent(agent)?;
            }
            Event::AgentRepair { agent, epoch } => {
                let st = self.faults.agent(agent);
                if st.life == epoch && st.down == Down::Failed {
                    self.rejoin_agent(agent)?;
                }
            }
            Event::AgentPingTimeout { agent, epoch } => {
                let st = self.faults.agent(agent);
                if st.ping == epoch && st.disconnected {
                    self.take_down(agent, Down::Unreachable)?;
                }
            }
            Event::FailoverTimeout { fw, epoch } => {
                let st = self.faults.fw(fw);
                if st.epoch == epoch && st.disconnected {
                    st.disconnected = false;
                    st.epoch += 1;
                    self.remove_framework(fw)?;
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// Removes a registered agent but keeps its name known, so it can come back as itself.
    fn take_down(&mut self, a: AgentId, why: Down) -> Result<()> {
        if !self.agents[a as usize].active {
            return Ok(());
        }
        self.remove_agent(a)?;
        self.faults.agent(a).down = why;
        let name = self.agents[a as usize].name.clone();
        self.agent_by_name.insert(name, a);
        Ok(())
    }

    fn fail_agent(&mut self, a: AgentId) -> Result<()> {
        self.take_down(a, Down::Failed)?;
        self.faults.agent_failures += 1;
        let mttr = self.faults.mttr_s;
        let dt = self.faults.exp_us(mttr);
        let epoch = self.faults.agent(a).life;
        self.queue.push(
            SimTime(self.now.0 + dt),
            Event::AgentRepair { agent: a, epoch },
        );
        Ok(())
    }

    /// A down agent registers again as itself, with nothing allocated.
    fn rejoin_agent(&mut self, a: AgentId) -> Result<()> {
        let could_hold = self.could_hold_pending(a);
        {
            let ag = &mut self.agents[a as usize];
            ag.active = true;
            ag.free = ag.total.clone();
            ag.used = crate::cluster::resources::Resources::ZERO;
        }
        let total = self.agents[a as usize].total.clone();
        self.total += total.total();
        for (r, amt) in &total.res {
            self.roles[*r as usize].reserved += *amt;
        }
        let name = self.agents[a as usize].name.clone();
        self.agent_by_name.insert(name, a);
        self.placement.refresh(&self.agents);
        self.notify(Change::AgentAdded {
            agent: a,
            total: &total,
        });
        self.fault_agent_joined(a);
        if could_hold {
            let mark = self.last_progress;
            self.faults.agent(a).deferred_at = Some(mark);
            self.faults.last_rejoin = self.now;
        }
        self.set_free_membership(a);
        self.rec.fairness_dirty = true;
        self.allocate_agent(a)
    }

    /// Whether agent `a`'s total could hold some pending task (shape and GPU capability only).
    fn could_hold_pending(&self, a: AgentId) -> bool {
        let ag = &self.agents[a as usize];
        let total = ag.total.total();
        self.fw_side.iter().enumerate().any(|(f, side)| {
            let fw = &self.frameworks[f];
            !fw.removed
                && (!ag.has_gpus || fw.gpu_capable)
                && side
                    .pending
                    .values()
                    .any(|&g| total.contains(&self.groups[g as usize].shape))
        })
    }

    /// A run whose pending work made no progress for the stall window may still be waiting on
    /// a fault to heal: a disconnected framework (its failover timer ends that), or a down or
    /// disconnected agent that could hold pending work and has not already come back once
    /// without progress since. Each of these ends in finite time, so the run still ends.
    pub fn fault_defers_stall(&self) -> bool {
        if self.faults.fws.iter().any(|s| s.disconnected) {
            return true;
        }
        self.faults.agents.iter().enumerate().any(|(a, st)| {
            let waiting = st.down == Down::Failed || st.disconnected;
            waiting
                && st.deferred_at != Some(self.last_progress)
                && self.could_hold_pending(a as AgentId)
        })
    }

    /// Scripted fault events (`fail_framework`, `reregister_framework`, `disconnect_agent`,
    /// `reconnect_agent`).
    pub fn apply_fault_script(&mut self, e: &ScriptedEvent) -> Result<()> {
        match &e.action {
            EventRaw::FailFramework {
                framework,
                failover_timeout_s,
                ..
            } => {
                let fw = self.fw_named(e, framework)?;
                if self.faults.fw_disconnected(fw) {
                    return Err(self.script_err(
                        e,
                        "framework",
                        format!("framework \"{framework}\" is already disconnected"),
                    ));
                }
                let timeout = secs_to_us(failover_timeout_s.unwrap_or(0.0));
                self.disconnect_framework(fw, timeout)
            }
            EventRaw::ReregisterFramework { framework, .. } => {
                let fw = self.fw_named(e, framework)?;
                if !self.faults.fw_disconnected(fw) {
                    return Err(self.script_err(
                        e,
                        "framework",
                        format!(
                            "framework \"{framework}\" is not disconnected (a `fail_framework` \
                             event must come first)"
                        ),
                    ));
                }
                self.reregister_framework(fw)
            }
            EventRaw::DisconnectAgent { agent, .. } => {
                let a = self.agent_named(e, agent)?;
                self.disconnect_agent(a)
            }
            EventRaw::ReconnectAgent { agent, .. } => {
                let a = self.agent_named(e, agent)?;
                self.reconnect_agent(a)
            }
            _ => Ok(()),
        }
    }

    /// Rescinds the outstanding offers that `pick` selects, in offer order.
    fn rescind_where(&mut self, pick: impl Fn(&crate::sim::engine::Offer) -> bool) -> Result<()> {
        let ids: Vec<u64> = self
            .offers
            .values()
            .filter(|o| pick(o))
            .map(|o| o.id)
            .collect();
        for id in ids {
            self.rescind(id)?;
        }
        Ok(())
    }

    /// (De)activates a framework in the allocator, role by role, as Mesos does.
    fn set_fw_active(&mut self, fw: u32, active: bool) {
        self.frameworks[fw as usize].active = active;
        let roles: Vec<_> = self.frameworks[fw as usize]
            .roles
            .iter()
            .map(|r| r.role)
            .collect();
        for role in roles {
            self.notify(Change::ActivityChanged { fw, role });
        }
    }

    fn disconnect_framework(&mut self, fw: u32, timeout_us: i64) -> Result<()> {
        self.rescind_where(|o| o.fw == fw)?;
        self.clear_filters(fw, None);
        self.set_fw_active(fw, false);
        let st = self.faults.fw(fw);
        st.disconnected = true;
        st.epoch += 1;
        let epoch = st.epoch;
        self.queue.push(
            SimTime(self.now.0 + timeout_us),
            Event::FailoverTimeout { fw, epoch },
        );
        Ok(())
    }

    fn reregister_framework(&mut self, fw: u32) -> Result<()> {
        let st = self.faults.fw(fw);
        st.disconnected = false;
        st.epoch += 1;
        self.set_fw_active(fw, true);
        self.allocate_all()
    }

    /// A down agent ignores disconnects (it is not there to answer anyway).
    fn disconnect_agent(&mut self, a: AgentId) -> Result<()> {
        if !self.agents[a as usize].active || self.faults.is_disconnected(a) {
            return Ok(());
        }
        let st = self.faults.agent(a);
        st.disconnected = true;
        st.ping += 1;
        let epoch = st.ping;
        self.free_agents.remove(a);
        self.rescind_where(|o| o.agent == a)?;
        let after = self.master.agent_ping_timeout.0 * self.master.max_agent_ping_timeouts as i64;
        self.queue.push(
            SimTime(self.now.0 + after),
            Event::AgentPingTimeout { agent: a, epoch },
        );
        Ok(())
    }

    /// Reconnecting reactivates a disconnected agent, re-registers one removed as unreachable,
    /// and does nothing to a failed one (its repair brings it back).
    fn reconnect_agent(&mut self, a: AgentId) -> Result<()> {
        let st = self.faults.agent(a);
        if st.disconnected {
            st.disconnected = false;
            st.ping += 1;
            self.set_free_membership(a);
            return Ok(());
        }
        if st.down == Down::Unreachable {
            return self.rejoin_agent(a);
        }
        Ok(())
    }

    /// Invariants of the fault model, checked with the others after every event.
    pub fn check_fault_invariants(&self) -> std::result::Result<(), String> {
        for o in self.offers.values() {
            let f = &self.frameworks[o.fw as usize];
            if !f.active {
                return Err(format!(
                    "offer {} is outstanding to inactive framework {}",
                    o.id, f.name
                ));
            }
            if self.faults.is_disconnected(o.agent) {
                return Err(format!(
                    "offer {} is outstanding on disconnected agent {}",
                    o.id, self.agents[o.agent as usize].name
                ));
            }
        }
        for (a, st) in self.faults.agents.iter().enumerate() {
            let active = self.agents.get(a).is_some_and(|ag| ag.active);
            if st.down != Down::No && active {
                return Err(format!(
                    "agent {} is registered but marked down",
                    self.agents[a].name
                ));
            }
        }
        Ok(())
    }
}
