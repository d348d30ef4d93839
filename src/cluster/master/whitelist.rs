//! Mesos's agent whitelist (`--whitelist`, `Allocator::updateWhitelist`): agents whose names are
//! not listed get no offers; with no list every agent may be offered. Kept apart from the
//! allocation code so that a run only consults it through `candidates`.

use super::Master;
use crate::cluster::agent::AgentId;
use crate::sim::bitset::BitSet;
use std::collections::BTreeSet;

impl Master {
    /// Replaces the whitelist (None: every agent). As Mesos's `updateWhitelist`, it triggers no
    /// allocation: a newly listed agent is offered at the next periodic run.
    pub fn update_whitelist(&mut self, names: Option<&[String]>) {
        self.whitelist = names.map(|n| n.iter().cloned().collect::<BTreeSet<String>>());
    }

    /// `isWhitelisted`: no list, or the agent's name is in it (Mesos compares hostnames; an
    /// agent's name is its hostname here).
    pub(super) fn whitelisted(&self, a: AgentId) -> bool {
        match &self.whitelist {
            None => true,
            Some(w) => w.contains(&self.agents[a.idx()].name),
        }
    }

    /// Drops the agents that are not whitelisted from a run's candidates, before the run
    /// shuffles them, as `__generateOffers` filters `slaveIds` before `random_shuffle`.
    pub(super) fn keep_whitelisted(&self, candidates: &mut BitSet) {
        if self.whitelist.is_none() {
            return;
        }
        let out: Vec<u32> = candidates
            .iter()
            .filter(|&i| !self.whitelisted(AgentId::new(i)))
            .collect();
        for i in out {
            candidates.remove(i);
        }
    }
}
