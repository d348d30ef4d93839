//! HDFS-style block placement for the trace's `input` column: the first replica on a random
//! agent, the others on one other rack. Seeded by (run seed, input name, block), so jobs reading
//! one input see one placement and a block's placement does not depend on what else was read.

use super::agent::{Agent, AgentId, RackId};
use super::task::{Locality, Prefs};
use crate::sim::rng::{keyed_stream_parts, Purpose};
use rand::Rng;
use smallvec::SmallVec;

/// A block's replica holders (a handful: the replication factor).
pub type Replicas = SmallVec<[AgentId; 4]>;

#[derive(Clone, Debug)]
pub struct Placement {
    seed: u64,
    replication: u32,
    /// Active agents by index, and per rack, refreshed when agents join or leave.
    agents: Vec<AgentId>,
    racks: Vec<Vec<AgentId>>,
    rack_of: Vec<RackId>,
    /// The racks with an active agent, in rack order, and each rack's position among them
    /// (`u32::MAX` when empty): the second replica's rack is drawn from these without the
    /// first replica's, with no list built per draw.
    nonempty: Vec<u32>,
    nonempty_pos: Vec<u32>,
}

impl Placement {
    pub fn new(seed: u64, replication: u32) -> Placement {
        Placement {
            seed,
            replication,
            agents: Vec::new(),
            racks: Vec::new(),
            rack_of: Vec::new(),
            nonempty: Vec::new(),
            nonempty_pos: Vec::new(),
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
            self.agents.push(AgentId::new(i as u32));
            let r = a.rack.idx();
            if self.racks.len() <= r {
                self.racks.resize_with(r + 1, Vec::new);
            }
            self.racks[r].push(AgentId::new(i as u32));
        }
        self.nonempty.clear();
        self.nonempty_pos.clear();
        for (r, rack) in self.racks.iter().enumerate() {
            if rack.is_empty() {
                self.nonempty_pos.push(u32::MAX);
            } else {
                self.nonempty_pos.push(self.nonempty.len() as u32);
                self.nonempty.push(r as u32);
            }
        }
    }

    /// The agents holding replicas of `block` of `input`, on the stack: the hot paths (index
    /// builds, launches) ask once per task.
    pub fn replica_set(&self, input: &str, block: u32) -> Replicas {
        let mut out = Replicas::new();
        if self.agents.is_empty() {
            return out;
        }
        // The key is "{input}\u{1f}{block}", hashed in parts.
        let mut digits = [0u8; 10];
        let mut at = digits.len();
        let mut n = block;
        loop {
            at -= 1;
            digits[at] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        let mut rng = keyed_stream_parts(
            self.seed,
            Purpose::BlockPlacement,
            &[input.as_bytes(), "\u{1f}".as_bytes(), &digits[at..]],
        );
        let first = self.agents[rng.gen_range(0..self.agents.len())];
        out.push(first);
        let want = (self.replication as usize).min(self.agents.len());
        // The other racks are the non-empty ones without the first replica's (which is
        // non-empty: it holds `first`); index `i` among them skips that rack's position.
        let first_pos = self.nonempty_pos[self.rack_of[first.idx()].idx()] as usize;
        let others = self.nonempty.len() - 1;
        if others > 0 && want > 1 {
            let i = rng.gen_range(0..others);
            let i = if i >= first_pos { i + 1 } else { i };
            let rack = &self.racks[self.nonempty[i] as usize];
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
        out
    }

    /// The rack of an agent (known for every agent ever registered).
    /// The active agents of rack `r`.
    pub fn agents_in(&self, r: RackId) -> &[AgentId] {
        self.racks.get(r.idx()).map_or(&[], |v| v.as_slice())
    }

    pub fn rack_of(&self, agent: AgentId) -> RackId {
        self.rack_of[agent.idx()]
    }

    /// The preferred agents of task `block` of a group with `prefs`, each with its rack.
    pub fn preferred(&self, prefs: Option<&Prefs>, block: u32, out: &mut Vec<(AgentId, RackId)>) {
        out.clear();
        match prefs {
            None => {}
            Some(Prefs::Nodes(n)) => out.extend(n.iter().map(|&a| (a, self.rack_of(a)))),
            Some(Prefs::Input(name)) => {
                let v = self.replica_set(name, block);
                out.extend(v.iter().map(|&a| (a, self.rack_of(a))));
            }
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
        let rack = self.rack_of.get(agent.idx()).copied();
        if preferred
            .iter()
            .any(|&p| self.rack_of.get(p.idx()).copied() == rack)
        {
            Locality::RackLocal
        } else {
            Locality::OffRack
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::agent::Pools;
    use crate::cluster::resources::Resources;
    use std::collections::BTreeMap;

    fn cluster(racks: u32, per_rack: u32) -> Vec<Agent> {
        let mut v = Vec::new();
        for r in 0..racks {
            for i in 0..per_rack {
                v.push(Agent::new(
                    format!("a{r}-{i}"),
                    RackId::new(r),
                    Pools::unreserved(Resources::new(4.0, 1024.0, 0.0, 0.0)),
                    BTreeMap::new(),
                ));
            }
        }
        v
    }

    fn placer(seed: u64, r: u32, agents: &[Agent]) -> Placement {
        let mut p = Placement::new(seed, r);
        p.refresh(agents);
        p
    }

    #[test]
    fn same_input_same_placement_across_jobs_and_placers() {
        let agents = cluster(4, 10);
        // Two placers stand for two jobs (or two runs) reading one input with one seed.
        let (a, b) = (placer(7, 3, &agents), placer(7, 3, &agents));
        for block in 0..50 {
            let x = a.replica_set("logs/day1", block).to_vec();
            let mut y = b.replica_set("logs/day1", block).to_vec();
            assert_eq!(x, y);
            y = a.replica_set("logs/day1", block).to_vec();
            assert_eq!(x, y, "a placement does not depend on what was asked before");
        }
        // Another input, or another seed, places blocks elsewhere.
        let all = |p: &Placement, input: &str| -> Vec<Vec<AgentId>> {
            (0..50).map(|b| p.replica_set(input, b).to_vec()).collect()
        };
        assert_ne!(all(&a, "logs/day1"), all(&a, "logs/day2"));
        assert_ne!(
            all(&a, "logs/day1"),
            all(&placer(8, 3, &agents), "logs/day1")
        );
    }

    /// The draw as first written (a formatted key, the other racks listed per draw): the
    /// allocation-free one must place every block where this one does.
    fn replicas_by_list(p: &Placement, input: &str, block: u32) -> Vec<AgentId> {
        let mut out = Vec::new();
        let mut rng = crate::sim::rng::keyed_stream(
            p.seed,
            Purpose::BlockPlacement,
            &format!("{input}\u{1f}{block}"),
        );
        let first = p.agents[rng.gen_range(0..p.agents.len())];
        out.push(first);
        let want = (p.replication as usize).min(p.agents.len());
        let first_rack = p.rack_of[first.idx()];
        let other: Vec<usize> = (0..p.racks.len())
            .filter(|&r| r != first_rack.idx() && !p.racks[r].is_empty())
            .collect();
        if !other.is_empty() && want > 1 {
            let rack = &p.racks[other[rng.gen_range(0..other.len())]];
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
            let a = p.agents[rng.gen_range(0..p.agents.len())];
            if !out.contains(&a) {
                out.push(a);
            }
            guard += 1;
        }
        out
    }

    #[test]
    fn replica_draws_match_the_list_building_draw_with_empty_racks() {
        let mut agents = cluster(6, 4);
        // Racks 1 and 4 empty (their agents gone), so positions among racks differ from ids.
        for a in agents.iter_mut() {
            if a.rack.idx() == 1 || a.rack.idx() == 4 {
                a.active = false;
            }
        }
        for r in 1..=4u32 {
            let p = placer(11, r, &agents);
            for block in [0, 1, 9, 10, 99, 12345, u32::MAX] {
                assert_eq!(
                    p.replica_set("in/x", block).to_vec(),
                    replicas_by_list(&p, "in/x", block),
                    "replication {r}, block {block}"
                );
            }
        }
    }

    #[test]
    fn replicas_are_distinct_and_follow_the_rack_rule() {
        let agents = cluster(5, 8);
        for r in 1..=5u32 {
            let p = placer(3, r, &agents);
            let mut first_racks = std::collections::BTreeSet::new();
            for block in 0..400 {
                let v = p.replica_set("in", block).to_vec();
                assert_eq!(v.len(), r as usize);
                let mut d = v.clone();
                d.sort_unstable();
                d.dedup();
                assert_eq!(d.len(), v.len(), "replicas on distinct agents: {v:?}");
                first_racks.insert(p.rack_of(v[0]));
                if r >= 2 {
                    let other = p.rack_of(v[1]);
                    assert_ne!(other, p.rack_of(v[0]), "replica 2 on another rack");
                    for &a in &v[1..] {
                        assert_eq!(p.rack_of(a), other, "replicas 2..R on one rack: {v:?}");
                    }
                }
            }
            // The first replica is spread over the whole cluster.
            assert_eq!(first_racks.len(), 5);
        }
    }

    #[test]
    fn more_replicas_than_a_rack_holds_spill_over() {
        // Racks of 2: replicas 2..4 cannot fit one other rack; they stay distinct.
        let agents = cluster(3, 2);
        let p = placer(1, 4, &agents);
        for block in 0..50 {
            let v = p.replica_set("in", block).to_vec();
            let mut d = v.clone();
            d.sort_unstable();
            d.dedup();
            assert_eq!(d.len(), 4);
        }
        // A single rack: replicas are distinct agents of it.
        let p = placer(1, 3, &cluster(1, 5));
        let v = p.replica_set("in", 0).to_vec();
        assert_eq!(v.len(), 3);
    }

    #[test]
    fn locality_levels() {
        let agents = cluster(2, 3);
        let p = placer(1, 3, &agents);
        let a = AgentId::new;
        assert_eq!(p.locality(&[], a(0)), Locality::None);
        assert_eq!(p.locality(&[a(1)], a(1)), Locality::NodeLocal);
        assert_eq!(p.locality(&[a(1)], a(2)), Locality::RackLocal);
        assert_eq!(p.locality(&[a(1)], a(4)), Locality::OffRack);
        let mut out = Vec::new();
        p.preferred(Some(&Prefs::Nodes(vec![a(4)].into())), 9, &mut out);
        assert_eq!(out, vec![(a(4), RackId::new(1))]);
        p.preferred(None, 9, &mut out);
        assert!(out.is_empty());
    }
}
