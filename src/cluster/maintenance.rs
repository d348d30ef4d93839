//! The dispatcher's side of maintenance windows (`schedule_maintenance`): resolving the
//! agents a window covers, taking them DOWN and UP, and the inverse-offer pass, which needs
//! what only the dispatcher sees (the tasks, executors and preallocations on each agent).

use super::event::Event;
use super::faults::Down;
use super::{AgentId, Cluster, FrameworkId};
use crate::error::Result;
use crate::scenario::{MaintenanceTarget, ScriptedEvent};
use crate::sim::engine::{Ctx, Step};
use crate::sim::{SimDuration, SimTime};
use std::collections::{BTreeMap, BTreeSet};

impl Cluster<'_> {
    /// The agents `target` names, in id order: the agent, or every agent known on the rack.
    fn maintenance_agents(
        &self,
        ctx: &Ctx<Event>,
        e: &ScriptedEvent,
        target: &MaintenanceTarget,
    ) -> Result<Vec<AgentId>> {
        match target {
            MaintenanceTarget::Agent(name) => Ok(vec![self.agent_named(ctx, e, name)?]),
            MaintenanceTarget::Rack(rack) => {
                let on: Vec<AgentId> = (0..self.master.agents().len())
                    .map(|i| AgentId::new(i as u32))
                    .filter(|&a| {
                        self.master.agent_named(&self.master.agent(a).name) == Some(a)
                            && self.master.rack_name(a) == rack
                    })
                    .collect();
                if on.is_empty() {
                    return Err(self.script_err(
                        e,
                        "rack",
                        format!("no agent on a rack named \"{rack}\" at {} s", ctx.now()),
                    ));
                }
                Ok(on)
            }
        }
    }

    /// `updateUnavailability` for each agent, then a run for it (`generateOffers(slaveId)`),
    /// whose inverse-offer pass comes after this step.
    pub(super) fn schedule_maintenance(
        &mut self,
        ctx: &mut Ctx<Event>,
        e: &ScriptedEvent,
        target: &MaintenanceTarget,
        start: SimTime,
        duration: SimDuration,
    ) -> Result<()> {
        for a in self.maintenance_agents(ctx, e, target)? {
            self.master
                .set_unavailability(a, start, duration, ctx.now(), self.obs);
            self.inverse_due = true;
            self.master.allocate_agent(a, ctx, self.obs)?;
        }
        Ok(())
    }

    /// The window starts: its agents' offers are rescinded and they go DOWN (removed, their
    /// tasks `lost`). An agent whose window was since moved, or that is already down, is left.
    pub(super) fn maintenance_down(
        &mut self,
        ctx: &mut Ctx<Event>,
        e: &ScriptedEvent,
        target: &MaintenanceTarget,
    ) -> Result<()> {
        let now = ctx.now();
        for a in self.maintenance_agents(ctx, e, target)? {
            if self
                .master
                .window(a)
                .is_none_or(|w| w.start != now || w.down)
            {
                continue;
            }
            self.master.start_window(a, now, self.obs);
            if self.master.agent(a).active {
                self.take_down(ctx, a, Down::Maintenance)?;
            }
        }
        Ok(())
    }

    /// The window ends: its agents that it took DOWN come back UP, empty (the agent registers
    /// again), and leave the schedule.
    pub(super) fn maintenance_up(
        &mut self,
        ctx: &mut Ctx<Event>,
        e: &ScriptedEvent,
        target: &MaintenanceTarget,
    ) -> Result<()> {
        let now = ctx.now();
        for a in self.maintenance_agents(ctx, e, target)? {
            if self
                .master
                .window(a)
                .is_none_or(|w| !w.down || w.start + w.duration != now)
            {
                continue;
            }
            self.master.end_window(a);
            if self.faults.down(a) == Down::Maintenance {
                self.faults.mark_down(a, Down::No);
                self.rejoin_agent(ctx, a)?;
            }
        }
        Ok(())
    }

    /// `generateInverseOffers`, after every step that ran an allocation (or scheduled a
    /// window, or was a tick): each agent before its window is inverse offered to the
    /// frameworks with resources offered or allocated on it.
    pub(super) fn inverse_pass(&mut self, now: SimTime, step: Step<Event>) {
        let runs = self.master.runs();
        let tick = matches!(step, Step::Event(Event::Tick));
        if !(self.inverse_due || tick || runs != self.inverse_runs) {
            return;
        }
        self.inverse_due = false;
        self.inverse_runs = runs;
        let agents = self.master.agents_before_window();
        if agents.is_empty() {
            return;
        }
        let wanted: BTreeSet<AgentId> = agents.iter().copied().collect();
        let mut holders: BTreeMap<AgentId, BTreeSet<FrameworkId>> = BTreeMap::new();
        let mut hold = |a: AgentId, f: FrameworkId| {
            if wanted.contains(&a) {
                holders.entry(a).or_default().insert(f);
            }
        };
        for o in self.master.offers() {
            hold(o.agent, o.fw);
        }
        for (_, t) in self.tasks.iter() {
            hold(t.agent, t.fw);
        }
        for (&(f, a), _) in self.tasks.executors() {
            hold(a, f);
        }
        for p in self.tasks.preallocated() {
            hold(p.agent, p.fw);
        }
        for a in agents {
            let fws: Vec<FrameworkId> = holders
                .get(&a)
                .map(|s| s.iter().copied().collect())
                .unwrap_or_default();
            self.master.inverse_offer(a, &fws, now, self.obs);
        }
    }
}
