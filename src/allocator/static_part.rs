//! The `static` allocator: the Mesos paper's baseline, where each framework owns a fixed, equal
//! partition of the agents in agent order and is offered only its own agents.

use super::{Allocator, Change, Grant, Run, View};
use crate::cluster::agent::{AgentId, Pools, RoleId};
use crate::cluster::ids::FrameworkId;

#[derive(Default)]
pub struct StaticPartition {
    /// Subscribed frameworks in subscription order.
    fws: Vec<FrameworkId>,
}

impl StaticPartition {
    pub fn new() -> StaticPartition {
        StaticPartition::default()
    }

    /// The owner of the agent at position `pos` among `n` active agents: the active agents (by
    /// index) are cut into `slots` equal contiguous runs, one per framework in subscription
    /// order. Slots of planned frameworks that have not subscribed yet stay unoffered.
    fn owner(&self, pos: usize, n: usize, slots: usize) -> Option<FrameworkId> {
        if self.fws.is_empty() {
            return None;
        }
        self.fws.get(pos * slots / n.max(1)).copied()
    }
}

impl Allocator for StaticPartition {
    fn name(&self) -> &str {
        "static"
    }

    fn notify(&mut self, _v: &View, change: Change) {
        match change {
            Change::FrameworkAdded { fw } => self.fws.push(fw),
            Change::FrameworkRemoved { fw } => self.fws.retain(|&f| f != fw),
            _ => {}
        }
    }

    fn allocate(&mut self, v: &View, run: &mut Run) {
        let agents: Vec<AgentId> = run.candidates().collect();
        // Position of each agent among the active ones (O(agents) once per run).
        let mut pos = vec![usize::MAX; v.agents.len()];
        let mut n = 0;
        for (i, a) in v.agents.iter().enumerate() {
            if a.active {
                pos[i] = n;
                n += 1;
            }
        }
        for agent in agents {
            let ag = &v.agents[agent.idx()];
            if !ag.active || ag.free.is_empty() {
                continue;
            }
            let slots = self.fws.len().max(v.planned_frameworks);
            let Some(fw) = self.owner(pos[agent.idx()], n, slots) else {
                continue;
            };
            let f = &v.frameworks[fw.idx()];
            if !v.capable(fw, agent) {
                continue;
            }
            let mut free: Pools = ag.free.clone();
            for (ridx, fr) in f.roles.iter().enumerate() {
                if !f.wants_offers(ridx) {
                    continue;
                }
                let role: RoleId = fr.role;
                let offer = v.offer_for(fw, &free, role);
                if !v.allocatable(fw, ridx, &offer.total()) || v.filtered(fw, role, agent, &offer) {
                    continue;
                }
                free.sub(&offer);
                run.grant(Grant {
                    fw,
                    role,
                    agent,
                    pools: offer,
                });
            }
        }
    }
}
