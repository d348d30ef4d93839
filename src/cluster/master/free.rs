//! The agents an allocation run considers, and what they hold, kept so that a run over many
//! agents costs a word per 64 agents rather than a visit to each: the free set (registered,
//! connected agents with free resources not offered), its free resources summed per word, and
//! the agents with reservations, gpus, or free resources worth offering.
//!
//! An agent offered whole in bulk (see `offers.rs`) leaves the free set without its free
//! resources changing; they stay what it offers, so `contrib` still holds them and the sums come
//! back unchanged when the bulk is declined.

use crate::cluster::agent::{AgentId, Pools};
use crate::cluster::resources::Resources;
use crate::sim::bitset::BitSet;

#[derive(Clone, Debug, Default)]
pub(crate) struct FreeIndex {
    set: BitSet,
    /// Per agent: the total of its free resources as last counted (valid while it is in `set`,
    /// or held whole in bulk).
    contrib: Vec<Resources>,
    /// Per word of `set`: the sum of `contrib` over its members.
    blocks: Vec<Resources>,
    /// Agents with a reservation for some role.
    reserved: BitSet,
    /// Agents with gpus.
    gpus: BitSet,
    /// Agents whose free resources pass the master's min_allocatable.
    allocatable: BitSet,
    /// Agents lacking some capability (MULTI_ROLE, HIERARCHICAL_ROLE): the few the fast
    /// eligibility path checks one by one.
    limited: BitSet,
}

impl FreeIndex {
    pub fn set(&self) -> &BitSet {
        &self.set
    }
    pub fn reserved(&self) -> &BitSet {
        &self.reserved
    }
    pub fn gpus(&self) -> &BitSet {
        &self.gpus
    }
    pub fn allocatable(&self) -> &BitSet {
        &self.allocatable
    }
    pub fn limited(&self) -> &BitSet {
        &self.limited
    }

    /// Whether the agent lacks some capability (set at registration and by `update_agent`).
    pub fn set_limited(&mut self, a: AgentId, limited: bool) {
        if limited {
            self.limited.insert(a.raw());
        } else {
            self.limited.remove(a.raw());
        }
    }

    /// A new (or returning) agent: its static traits.
    pub fn register(&mut self, a: AgentId, reserved: bool, gpus: bool) {
        if self.contrib.len() <= a.idx() {
            self.contrib.resize(a.idx() + 1, Resources::ZERO);
        }
        if reserved {
            self.reserved.insert(a.raw());
        } else {
            self.reserved.remove(a.raw());
        }
        if gpus {
            self.gpus.insert(a.raw());
        } else {
            self.gpus.remove(a.raw());
        }
    }

    /// The agent's free resources or its standing changed: `member` says whether it belongs in
    /// the free set now.
    pub fn refresh(&mut self, a: AgentId, member: bool, free: &Pools, allocatable: bool) {
        let w = a.idx() / 64;
        if self.blocks.len() <= w {
            self.blocks.resize(w + 1, Resources::ZERO);
        }
        if self.set.contains(a.raw()) {
            self.blocks[w] -= self.contrib[a.idx()];
        }
        let total = free.total();
        self.contrib[a.idx()] = total;
        if member {
            self.set.insert(a.raw());
            self.blocks[w] += total;
        } else {
            self.set.remove(a.raw());
        }
        if allocatable {
            self.allocatable.insert(a.raw());
        } else {
            self.allocatable.remove(a.raw());
        }
    }

    /// The free resources of the members of `s`, summed.
    pub fn sum(&self, s: &BitSet) -> Resources {
        let mut total = Resources::ZERO;
        for (w, &x) in s.words().iter().enumerate() {
            if x != 0 {
                total += self.word_sum(w, x);
            }
        }
        total
    }

    /// The free resources of the members `x` of word `w`: the word's block sum when `x` is
    /// the whole word of the free set, else member by member.
    fn word_sum(&self, w: usize, x: u64) -> Resources {
        if x == self.set.words().get(w).copied().unwrap_or(0) {
            return self.blocks[w];
        }
        let mut sum = Resources::ZERO;
        let mut y = x;
        while y != 0 {
            sum += self.contrib[w * 64 + y.trailing_zeros() as usize];
            y &= y - 1;
        }
        sum
    }

    /// Takes the members of `s` out of the free set (they are offered whole); returns what they
    /// held per word, to give back with [`FreeIndex::restore`].
    pub fn take(&mut self, s: &BitSet) -> Vec<(u32, Resources)> {
        let mut out = Vec::new();
        for (w, &x) in s.words().iter().enumerate() {
            if x == 0 {
                continue;
            }
            let sum = self.word_sum(w, x);
            self.blocks[w] -= sum;
            out.push((w as u32, sum));
        }
        self.set.subtract(s);
        out
    }

    /// Gives back agents taken with [`FreeIndex::take`], unchanged since; `sums` are their free
    /// resources per word.
    pub fn restore(&mut self, s: &BitSet, sums: &[(u32, Resources)]) {
        for &(w, sum) in sums {
            self.blocks[w as usize] += sum;
        }
        self.set.union_with(s);
    }

    /// What an agent held in bulk counts (its free resources when it was taken).
    pub fn contrib(&self, a: AgentId) -> Resources {
        self.contrib[a.idx()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(c: f64) -> Pools {
        Pools::unreserved(Resources::cpus_mem(c, 0.0))
    }

    #[test]
    fn sums_follow_membership_and_bulk_takes_come_back() {
        let mut f = FreeIndex::default();
        for i in 0..130u32 {
            f.register(AgentId::new(i), false, false);
            f.refresh(AgentId::new(i), true, &r(1.0 + i as f64), true);
        }
        let all = f.set().clone();
        let expect: f64 = (0..130).map(|i| 1.0 + i as f64).sum();
        assert_eq!(f.sum(&all), Resources::cpus_mem(expect, 0.0));
        let mut some = BitSet::default();
        for i in [0u32, 5, 64, 65, 129] {
            some.insert(i);
        }
        let sums = f.take(&some);
        assert!(!f.set().contains(64));
        let left = f.set().clone();
        assert_eq!(
            f.sum(&left),
            Resources::cpus_mem(expect - (1.0 + 6.0 + 65.0 + 66.0 + 130.0), 0.0)
        );
        f.restore(&some, &sums);
        assert_eq!(f.sum(&all), Resources::cpus_mem(expect, 0.0));
        // A member's free resources change.
        f.refresh(AgentId::new(3), true, &r(100.0), true);
        assert_eq!(f.sum(&all), Resources::cpus_mem(expect - 4.0 + 100.0, 0.0));
        f.refresh(AgentId::new(3), false, &r(0.0), false);
        assert_eq!(f.sum(f.set()), Resources::cpus_mem(expect - 4.0, 0.0));
    }
}
