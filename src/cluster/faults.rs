//! Faults, as Mesos sees them: agents that fail at random and are repaired, agents that stop
//! answering pings and are removed, and frameworks that disconnect and fail over. This part owns
//! the fault timers and their epochs (a timer of an earlier life is stale, never cancelled) and
//! the failure stream; the dispatcher applies what a timer decides.
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

use super::agent::AgentId;
use super::event::Event;
use super::ids::FrameworkId;
use crate::scenario::{Faults as FaultsConfig, MAX_SECONDS};
use crate::sim::engine::Ctx;
use crate::sim::rng::{stream, Purpose};
use crate::sim::time::secs_to_us;
use crate::sim::{SimDuration, SimTime};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// Why an agent is down (not registered) while the master still knows its name.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum Down {
    #[default]
    No,
    /// Failed at random; an `AgentRepair` event will bring it back.
    Failed,
    /// Removed after missing its pings; only `reconnect_agent` brings it back.
    Unreachable,
    /// DOWN for a maintenance window; the window's end brings it back.
    Maintenance,
}

/// Fault bookkeeping of one agent.
#[derive(Clone, Debug, Default)]
struct AgentFault {
    /// Bumped when the agent joins, fails or is removed (failure and repair timers).
    life: u64,
    /// Bumped when the agent disconnects, reconnects or leaves (ping timers).
    ping: u64,
    down: Down,
    disconnected: bool,
    /// The run's last progress when this agent last came back able to hold pending work:
    /// each agent may hold off the end of a stalled run once per stretch without progress.
    deferred_at: Option<SimTime>,
}

#[derive(Clone, Debug, Default)]
struct FwFault {
    epoch: u64,
    disconnected: bool,
}

/// What a fault timer decided; the dispatcher applies it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FaultAction {
    /// The agent fails (removed, kept by name, repaired later).
    Fail(AgentId),
    /// The failed agent is repaired and registers again.
    Repair(AgentId),
    /// The disconnected agent is removed (unreachable).
    Unreachable(AgentId),
    /// The disconnected framework is removed.
    FailoverTimeout(FrameworkId),
}

/// Fault state of a run.
#[derive(Debug, Default)]
pub(crate) struct Faults {
    /// The `Failures` stream; None when `[faults]` configures no random failures.
    rng: Option<ChaCha8Rng>,
    mtbf_s: f64,
    mttr_s: f64,
    agents: Vec<AgentFault>,
    fws: Vec<FwFault>,
    /// When a down agent that could hold pending work last came back.
    last_rejoin: SimTime,
}

impl Faults {
    /// Random failures when `[faults]` asks for them (from the run's `Failures` stream).
    pub fn new(cfg: &FaultsConfig, seed: u64) -> Faults {
        let mut f = Faults::default();
        if let Some(mtbf) = cfg.agent_mtbf_s {
            f.rng = Some(stream(seed, Purpose::Failures));
            f.mtbf_s = mtbf;
            f.mttr_s = cfg.agent_mttr_s;
        }
        f
    }

    fn agent(&mut self, a: AgentId) -> &mut AgentFault {
        if self.agents.len() <= a.idx() {
            self.agents.resize(a.idx() + 1, AgentFault::default());
        }
        &mut self.agents[a.idx()]
    }

    fn fw(&mut self, fw: FrameworkId) -> &mut FwFault {
        if self.fws.len() <= fw.idx() {
            self.fws.resize(fw.idx() + 1, FwFault::default());
        }
        &mut self.fws[fw.idx()]
    }

    pub fn is_disconnected(&self, a: AgentId) -> bool {
        self.agents.get(a.idx()).is_some_and(|s| s.disconnected)
    }

    /// The invariant tests' deliberate bugs (`cluster::sabotage`): the fault model's view of
    /// an agent changes without the master being told.
    #[cfg(test)]
    pub(crate) fn mark_for_tests(&mut self, a: AgentId, disconnected: bool, down: bool) {
        if self.agents.len() <= a.idx() {
            self.agents.resize(a.idx() + 1, AgentFault::default());
        }
        let st = &mut self.agents[a.idx()];
        st.disconnected |= disconnected;
        if down {
            st.down = Down::Failed;
        }
    }

    pub fn fw_disconnected(&self, fw: FrameworkId) -> bool {
        self.fws.get(fw.idx()).is_some_and(|s| s.disconnected)
    }

    pub fn down(&self, a: AgentId) -> Down {
        self.agents.get(a.idx()).map(|s| s.down).unwrap_or_default()
    }

    pub fn last_rejoin(&self) -> SimTime {
        self.last_rejoin
    }

    /// An exponential draw with mean `mean_s` (at least 1 µs, so a failure never lands in the
    /// instant that caused it).
    fn exp(&mut self, mean_s: f64) -> SimDuration {
        let rng = self.rng.as_mut().expect("failures configured");
        let u: f64 = rng.gen();
        // 1 - u is in (0, 1], so the logarithm is finite; the cap keeps sums of times far from
        // overflow whatever the draw.
        let x = (-mean_s * (1.0 - u).ln()).min(50.0 * MAX_SECONDS);
        SimDuration::from_us(secs_to_us(x).max(1))
    }

    /// Agent `a` registered (first time, after a repair, or after re-registering): a new life,
    /// connected, and its next failure drawn.
    pub fn agent_joined(&mut self, a: AgentId, ctx: &mut Ctx<Event>) {
        let st = self.agent(a);
        st.life += 1;
        st.down = Down::No;
        st.disconnected = false;
        let epoch = st.life;
        if self.rng.is_some() {
            let mtbf = self.mtbf_s;
            let dt = self.exp(mtbf);
            ctx.after(dt, Event::AgentFail { agent: a, epoch });
        }
    }

    /// First thing when an agent is removed: it has no fault timers left. Returns whether it
    /// was down (then it is removed for good and gives up its name).
    pub fn agent_removed(&mut self, a: AgentId) -> bool {
        let st = self.agent(a);
        st.life += 1;
        st.ping += 1;
        st.disconnected = false;
        std::mem::take(&mut st.down) != Down::No
    }

    /// The agent was taken down (failed or unreachable): it keeps its name.
    pub fn mark_down(&mut self, a: AgentId, why: Down) {
        self.agent(a).down = why;
    }

    /// The agent failed: its repair is drawn.
    pub fn failed(&mut self, a: AgentId, ctx: &mut Ctx<Event>) {
        let mttr = self.mttr_s;
        let dt = self.exp(mttr);
        let epoch = self.agent(a).life;
        ctx.after(dt, Event::AgentRepair { agent: a, epoch });
    }

    /// A down agent came back able to hold pending work: it may hold off the end of a stalled
    /// run once.
    pub fn came_back(&mut self, a: AgentId, last_progress: SimTime, now: SimTime) {
        self.agent(a).deferred_at = Some(last_progress);
        self.last_rejoin = now;
    }

    /// Which of this module's timers are current, and what they do.
    pub fn on_timer(&mut self, ev: Event) -> Option<FaultAction> {
        match ev {
            Event::AgentFail { agent, epoch } if self.agent(agent).life == epoch => {
                Some(FaultAction::Fail(agent))
            }
            Event::AgentRepair { agent, epoch } => {
                let st = self.agent(agent);
                (st.life == epoch && st.down == Down::Failed).then_some(FaultAction::Repair(agent))
            }
            Event::AgentPingTimeout { agent, epoch } => {
                let st = self.agent(agent);
                (st.ping == epoch && st.disconnected).then_some(FaultAction::Unreachable(agent))
            }
            Event::FailoverTimeout { fw, epoch } => {
                let st = self.fw(fw);
                if st.epoch == epoch && st.disconnected {
                    st.disconnected = false;
                    st.epoch += 1;
                    Some(FaultAction::FailoverTimeout(fw))
                } else {
                    None
                }
            }
            _ => None,
        }
    }

    /// The framework disconnected: it fails over after `timeout`.
    pub fn framework_disconnected(
        &mut self,
        fw: FrameworkId,
        timeout: SimDuration,
        ctx: &mut Ctx<Event>,
    ) {
        let st = self.fw(fw);
        st.disconnected = true;
        st.epoch += 1;
        let epoch = st.epoch;
        ctx.after(timeout, Event::FailoverTimeout { fw, epoch });
    }

    pub fn framework_reregistered(&mut self, fw: FrameworkId) {
        let st = self.fw(fw);
        st.disconnected = false;
        st.epoch += 1;
    }

    /// The agent stopped answering pings: it is removed after `after` unless it reconnects.
    pub fn agent_disconnected(&mut self, a: AgentId, after: SimDuration, ctx: &mut Ctx<Event>) {
        let st = self.agent(a);
        st.disconnected = true;
        st.ping += 1;
        let epoch = st.ping;
        ctx.after(after, Event::AgentPingTimeout { agent: a, epoch });
    }

    /// A disconnected agent answers again: true if it was disconnected (else nothing changes).
    pub fn agent_reconnected(&mut self, a: AgentId) -> bool {
        let st = self.agent(a);
        if st.disconnected {
            st.disconnected = false;
            st.ping += 1;
            true
        } else {
            false
        }
    }

    /// A run whose pending work made no progress for the stall window may still be waiting on
    /// a fault to heal: a disconnected framework (its failover timer ends that), or a down or
    /// disconnected agent that could hold pending work and has not already come back once
    /// without progress since. Each of these ends in finite time, so the run still ends.
    pub fn defers_stall(
        &self,
        last_progress: SimTime,
        could_hold: impl Fn(AgentId) -> bool,
    ) -> bool {
        if self.fws.iter().any(|s| s.disconnected) {
            return true;
        }
        self.agents.iter().enumerate().any(|(a, st)| {
            let waiting = st.down == Down::Failed || st.disconnected;
            waiting && st.deferred_at != Some(last_progress) && could_hold(AgentId::new(a as u32))
        })
    }

    /// Agents marked down (for the invariant that none of them is registered).
    pub fn down_agents(&self) -> impl Iterator<Item = AgentId> + '_ {
        self.agents
            .iter()
            .enumerate()
            .filter(|(_, st)| st.down != Down::No)
            .map(|(a, _)| AgentId::new(a as u32))
    }
}
