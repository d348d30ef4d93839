//! HDFS-style block placement for the trace's `input` column: the first replica on a random
//! agent, the others on one other rack. Seeded by (run seed, input name, block), so jobs reading
//! one input see one placement and a block's placement does not depend on what else was read.

use super::agent::{Agent, AgentId};
use super::task::Locality;
use crate::sim::rng::{keyed_stream, Purpose};
use rand::Rng;

#[derive(Clone, Debug)]
pub struct Placement {
    seed: u64,
    replication: u32,
    /// Active agents by index, and per rack, refreshed when agents join or leave.
    agents: Vec<AgentId>,
    racks: Vec<Vec<AgentId>>,
    rack_of: Vec<u32>,
}

impl Placement {
    pub fn new(seed: u64, replication: u32) -> Placement {
        Placement {
            seed,
            replication,
            agents: Vec::new(),
            racks: Vec::new(),
            rack_of: Vec::new(),
        }
    }

    pub fn refresh(&mut self, agents: &[Agent]) {
        self.agents.clear();
        self.racks.clear();
        self.rack_of.clear();
        for (i, a) in agents.iter().enumerate() {
            self.rack_of.push(a.rack);
            if !a.active {
                continue;
            }
            self.agents.push(i as AgentId);
            let r = a.rack as usize;
            if self.racks.len() <= r {
                self.racks.resize_with(r + 1, Vec::new);
            }
            self.racks[r].push(i as AgentId);
        }
    }

    /// The agents holding replicas of `block` of `input`.
    pub fn replicas(&self, input: &str, block: u32, out: &mut Vec<AgentId>) {
        out.clear();
        if self.agents.is_empty() {
            return;
        }
        let mut rng = keyed_stream(
            self.seed,
            Purpose::BlockPlacement,
            &format!("{input}\u{1f}{block}"),
        );
        let first = self.agents[rng.gen_range(0..self.agents.len())];
        out.push(first);
        let want = (self.replication as usize).min(self.agents.len());
        let first_rack = self.rack_of[first as usize];
        let other_racks: Vec<usize> = (0..self.racks.len())
            .filter(|&r| r as u32 != first_rack && !self.racks[r].is_empty())
            .collect();
        if !other_racks.is_empty() && want > 1 {
            let rack = &self.racks[other_racks[rng.gen_range(0..other_racks.len())]];
            let mut guard = 0;
            while out.len() < want && out.len() < 1 + rack.len() && guard < 64 {
                let a = rack[rng.gen_range(0..rack.len())];
                if !out.contains(&a) {
                    out.push(a);
                }
                guard += 1;
            }
        }
        let mut guard = 0;
        while out.len() < want && guard < 256 {
            let a = self.agents[rng.gen_range(0..self.agents.len())];
            if !out.contains(&a) {
                out.push(a);
            }
            guard += 1;
        }
    }

    /// Locality of running on `agent` given the preferred agents.
    pub fn locality(&self, preferred: &[AgentId], agent: AgentId) -> Locality {
        if preferred.is_empty() {
            return Locality::None;
        }
        if preferred.contains(&agent) {
            return Locality::NodeLocal;
        }
        let rack = self.rack_of.get(agent as usize).copied();
        if preferred
            .iter()
            .any(|&p| self.rack_of.get(p as usize).copied() == rack)
        {
            Locality::RackLocal
        } else {
            Locality::OffRack
        }
    }
}
