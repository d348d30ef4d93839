//! Maintenance windows and inverse offers, as Mesos 1.11's hierarchical allocator keeps them
//! (`Slave::Maintenance`: an unavailability and the frameworks with an inverse offer
//! outstanding; docs/mesos-semantics.md §15). Kept apart so that a scenario without
//! maintenance never reaches it: the master only stores the windows and numbers the inverse
//! offers; which frameworks hold resources on an agent is the dispatcher's to say.

use super::Master;
use crate::cluster::agent::AgentId;
use crate::cluster::ids::FrameworkId;
use crate::metrics::observe::{Observation, Observer};
use crate::sim::{SimDuration, SimTime};
use std::collections::BTreeMap;

/// One agent's maintenance window (Mesos's `Unavailability`) and its inverse offers.
#[derive(Clone, Debug, Default)]
pub(crate) struct Window {
    pub start: SimTime,
    pub duration: SimDuration,
    /// The window started: the agent was taken DOWN and gets no more inverse offers.
    pub down: bool,
    /// `offersOutstanding`: the framework's inverse offer for this agent, by its number.
    outstanding: BTreeMap<FrameworkId, u64>,
}

/// Every window, by agent (ordered maps: passes walk agents and frameworks in id order).
#[derive(Clone, Debug, Default)]
pub(crate) struct Maintenance {
    windows: BTreeMap<AgentId, Window>,
    /// Inverse offers made so far (the next one's number).
    made: u64,
}

impl Master {
    /// `updateUnavailability`: replaces agent `a`'s window. The inverse offers outstanding for
    /// the old one are rescinded (the master's `updateUnavailability` removes them), and the new
    /// window starts with none, so every framework using the agent is inverse offered again.
    pub fn set_unavailability(
        &mut self,
        a: AgentId,
        start: SimTime,
        duration: SimDuration,
        now: SimTime,
        obs: &mut dyn Observer,
    ) {
        self.rescind_inverse(a, now, obs);
        self.maintenance.windows.insert(
            a,
            Window {
                start,
                duration,
                ..Window::default()
            },
        );
    }

    /// The name of agent `a`'s rack (`~name` for an agent without one, which no rack matches).
    pub fn rack_name(&self, a: AgentId) -> &str {
        &self.racks[self.agents[a.idx()].rack.idx()]
    }

    /// Agent `a`'s window, if it has one.
    pub fn window(&self, a: AgentId) -> Option<&Window> {
        self.maintenance.windows.get(&a)
    }

    /// The agents whose windows have not started yet, in id order (the inverse-offer pass).
    pub fn agents_before_window(&self) -> Vec<AgentId> {
        self.maintenance
            .windows
            .iter()
            .filter(|(_, w)| !w.down)
            .map(|(&a, _)| a)
            .collect()
    }

    /// The window of `a` starts: its outstanding inverse offers are rescinded with the agent
    /// (the machine goes DOWN and the master removes the agent and its inverse offers).
    pub fn start_window(&mut self, a: AgentId, now: SimTime, obs: &mut dyn Observer) {
        self.rescind_inverse(a, now, obs);
        if let Some(w) = self.maintenance.windows.get_mut(&a) {
            w.down = true;
        }
    }

    /// The window of `a` is over (the machine is UP): it leaves the schedule.
    pub fn end_window(&mut self, a: AgentId) {
        self.maintenance.windows.remove(&a);
    }

    /// `generateInverseOffers` for agent `a`: each of `holders` (frameworks with resources
    /// offered or allocated there, in id order) that is active and has no inverse offer
    /// outstanding for `a` gets one. Inactive frameworks are skipped (the master would not send
    /// it); frameworks that left drop theirs.
    pub fn inverse_offer(
        &mut self,
        a: AgentId,
        holders: &[FrameworkId],
        now: SimTime,
        obs: &mut dyn Observer,
    ) {
        let Some(w) = self.maintenance.windows.get(&a) else {
            return;
        };
        if w.down || !self.agents[a.idx()].active {
            return;
        }
        let gone: Vec<FrameworkId> = w
            .outstanding
            .keys()
            .copied()
            .filter(|f| self.frameworks[f.idx()].removed)
            .collect();
        for f in gone {
            let w = self.maintenance.windows.get_mut(&a).expect("checked");
            let id = w.outstanding.remove(&f).expect("listed");
            obs.observe(now, Observation::InverseOfferRescinded { id });
        }
        for &f in holders {
            let fw = &self.frameworks[f.idx()];
            let w = self.maintenance.windows.get_mut(&a).expect("checked");
            if !fw.active || fw.removed || w.outstanding.contains_key(&f) {
                continue;
            }
            let id = self.maintenance.made;
            self.maintenance.made += 1;
            w.outstanding.insert(f, id);
            obs.observe(
                now,
                Observation::InverseOfferMade {
                    id,
                    framework: &fw.name,
                    agent: &self.agents[a.idx()].name,
                    start: w.start,
                    duration: w.duration,
                },
            );
        }
    }

    /// Rescinds every inverse offer outstanding for agent `a`, in framework order.
    fn rescind_inverse(&mut self, a: AgentId, now: SimTime, obs: &mut dyn Observer) {
        if let Some(w) = self.maintenance.windows.get_mut(&a) {
            for (_, id) in std::mem::take(&mut w.outstanding) {
                obs.observe(now, Observation::InverseOfferRescinded { id });
            }
        }
    }
}
