//! Agents as the master sees them: registration (with reservations and resources already in
//! use), removal, re-registration of a failed agent as itself, disconnection, attribute updates,
//! and the set of agents with free resources that periodic runs consider.

use super::{draw, Master, Observer};
use crate::allocator::Change;
use crate::cluster::agent::{Agent, AgentId, Pools, RoleId};
use crate::cluster::event::Event;
use crate::cluster::ids::{FrameworkId, RackId};
use crate::cluster::resources::Resources;
use crate::error::Result;
use crate::metrics::observe::Observation;
use crate::sim::engine::Ctx;
use crate::sim::SimTime;
use std::collections::BTreeMap;

/// Resources an agent brought in already allocated (`used` on add_agent).
#[derive(Clone, Debug)]
pub(crate) struct Preallocated {
    pub fw: FrameworkId,
    pub role: RoleId,
    pub agent: AgentId,
    pub pools: Pools,
}

impl Master {
    /// The id of a rack by name; an agent without a rack is its own rack, so locality still
    /// means something.
    fn rack_id(&mut self, name: Option<&str>, agent_name: &str) -> RackId {
        let key = match name {
            Some(n) => n.to_string(),
            None => format!("~{agent_name}"),
        };
        if let Some(&r) = self.rack_by_name.get(&key) {
            return r;
        }
        let id = RackId::new(self.racks.len() as u32);
        self.racks.push(key.clone());
        self.rack_by_name.insert(key, id);
        id
    }

    /// Registers a new agent, with its reservations and the resources it brings in already
    /// allocated (`used`: (framework, role, amount); amounts that do not fit are skipped).
    /// Returns its id and the allocations it brought in. The allocation run that follows is
    /// the caller's.
    #[allow(clippy::too_many_arguments)]
    pub fn add_agent(
        &mut self,
        name: &str,
        rack: Option<&str>,
        total: Resources,
        reserved: &[(String, Resources)],
        attributes: BTreeMap<String, String>,
        used: &[(FrameworkId, RoleId, Resources)],
        now: SimTime,
        seq: u64,
        obs: &mut dyn Observer,
    ) -> (AgentId, Vec<Preallocated>) {
        let rack = self.rack_id(rack, name);
        let mut pools = Pools::unreserved(total);
        for (role, r) in reserved {
            let rid = self.ensure_role(role);
            pools.unres -= *r;
            pools.add_reserved(rid, *r);
            self.roles[rid.idx()].reserved += *r;
        }
        let id = AgentId::new(self.agents.len() as u32);
        self.agents.push(Agent::new(
            name.to_string(),
            rack,
            pools.clone(),
            attributes,
        ));
        self.free
            .register(id, !pools.res.is_empty(), self.agents[id.idx()].has_gpus);
        self.agent_by_name.insert(name.to_string(), id);
        self.total += total;
        self.notify(
            now,
            seq,
            Change::AgentAdded {
                agent: id,
                total: &pools,
            },
        );
        let mut pre = Vec::new();
        for &(fw, role, r) in used {
            let chain = self.roles[role.idx()].chain.clone();
            let mut free = self.agents[id.idx()].free.clone();
            let Some(p) = draw(&mut free, &r, &chain) else {
                continue;
            };
            self.agents[id.idx()].free = free;
            obs.observe(now, Observation::Used { resources: &r });
            let ridx = self.frameworks[fw.idx()].role_index(role);
            self.add_allocation(fw, ridx, r);
            self.notify(
                now,
                seq,
                Change::Allocated {
                    fw,
                    role,
                    agent: id,
                    pools: &p,
                },
            );
            self.note_share(now, fw, role, obs);
            pre.push(Preallocated {
                fw,
                role,
                agent: id,
                pools: p,
            });
        }
        self.set_free_membership(id);
        self.version += 1;
        (id, pre)
    }

    /// First half of an agent's removal: it goes inactive and its offers are rescinded. Returns
    /// false when it was not registered. What runs on it is the caller's to end, then
    /// [`Master::finish_agent_removal`].
    pub fn start_agent_removal(
        &mut self,
        a: AgentId,
        ctx: &mut Ctx<Event>,
        obs: &mut dyn Observer,
    ) -> Result<bool> {
        if !self.agents[a.idx()].active {
            return Ok(false);
        }
        self.agents[a.idx()].active = false;
        self.set_free_membership(a);
        self.rescind_agent(a, ctx, obs)?;
        Ok(true)
    }

    /// Second half: its resources leave the totals, its filters go, and its name is free
    /// (`keep_name`: a failed agent keeps its name to come back as itself).
    pub fn finish_agent_removal(&mut self, a: AgentId, now: SimTime, seq: u64) {
        let total = self.agents[a.idx()].total.clone();
        self.total -= total.total();
        for (r, amt) in &total.res {
            self.roles[r.idx()].reserved -= *amt;
        }
        self.clear_agent_filters(a);
        self.notify(
            now,
            seq,
            Change::AgentRemoved {
                agent: a,
                total: &total,
            },
        );
        let name = self.agents[a.idx()].name.clone();
        self.agent_by_name.remove(&name);
        self.version += 1;
    }

    /// Keeps a removed agent's name registered (it is down and will come back as itself).
    pub fn keep_agent_name(&mut self, a: AgentId) {
        let name = self.agents[a.idx()].name.clone();
        self.agent_by_name.insert(name, a);
    }

    /// Forgets the name of a down agent that is removed for good.
    pub fn forget_agent_name(&mut self, a: AgentId) {
        let name = &self.agents[a.idx()].name;
        if self.agent_by_name.get(name) == Some(&a) {
            self.agent_by_name.remove(&name.clone());
        }
    }

    /// A down agent registers again as itself, with nothing allocated (the allocation run that
    /// follows is the caller's).
    pub fn rejoin_agent(&mut self, a: AgentId, now: SimTime, seq: u64) {
        {
            let ag = &mut self.agents[a.idx()];
            ag.active = true;
            ag.free = ag.total.clone();
            ag.owed = Resources::ZERO;
            ag.owed_rev = Resources::ZERO;
        }
        self.offers.note_changed(a);
        let total = self.agents[a.idx()].total.clone();
        self.total += total.total();
        for (r, amt) in &total.res {
            self.roles[r.idx()].reserved += *amt;
        }
        self.keep_agent_name(a);
        self.notify(
            now,
            seq,
            Change::AgentAdded {
                agent: a,
                total: &total,
            },
        );
    }

    /// The agent (re)joined: it is connected again. Updates the free set.
    pub fn set_connected(&mut self, a: AgentId, connected: bool) {
        self.agents[a.idx()].disconnected = !connected;
        self.set_free_membership(a);
    }

    /// Marks an agent disconnected without touching the free set (the caller updates it).
    pub fn mark_disconnected(&mut self, a: AgentId, disconnected: bool) {
        self.agents[a.idx()].disconnected = disconnected;
    }

    /// Takes the agent out of the free set (it disconnected).
    pub fn leave_free_set(&mut self, a: AgentId) {
        self.set_free_membership(a);
    }

    /// Recomputes whether the agent is a candidate of periodic runs.
    pub fn refresh_free(&mut self, a: AgentId) {
        self.set_free_membership(a);
    }

    /// New attributes: true if they changed (then every filter on the agent is cleared).
    pub fn update_attributes(&mut self, a: AgentId, attributes: BTreeMap<String, String>) -> bool {
        if self.agents[a.idx()].attributes == attributes {
            return false;
        }
        self.agents[a.idx()].attributes = attributes;
        self.clear_agent_filters(a);
        true
    }

    /// Bumps the fairness version (the caller changed something the metrics see).
    pub fn bump_version(&mut self) {
        self.version += 1;
    }
}
