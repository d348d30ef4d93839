//! Agents and resource pools, as the master sees them. A pool set splits resources into the
//! unreserved part and the parts statically reserved for roles, because reservations are offered
//! only to their role's subtree, and keeps revocable (oversubscribed) resources apart, because
//! they are offered only to frameworks with the REVOCABLE_RESOURCES capability and never count
//! towards quota.

pub use super::ids::{AgentId, RackId, RoleId};
use super::resources::Resources;
use std::collections::BTreeMap;

/// Resources split by reservation: `res` is sorted by role id and holds no zero entries. `rev`
/// is the revocable (oversubscribed) part, unreserved; zero unless a scenario gives agents
/// revocable resources (docs/mesos-semantics.md §17).
#[derive(Clone, Default, PartialEq, Eq, Debug)]
pub struct Pools {
    pub unres: Resources,
    pub res: Vec<(RoleId, Resources)>,
    pub rev: Resources,
}

impl Pools {
    pub fn unreserved(r: Resources) -> Pools {
        Pools {
            unres: r,
            res: Vec::new(),
            rev: Resources::ZERO,
        }
    }

    /// Everything, revocable included (Mesos's sorters count revocable resources as regular
    /// ones: "considers revocable resources as regular resources when doing fairness
    /// calculations", hierarchical.hpp).
    pub fn total(&self) -> Resources {
        self.regular() + self.rev
    }

    /// Everything but the revocable part.
    pub fn regular(&self) -> Resources {
        let mut t = self.unres;
        for (_, r) in &self.res {
            t += *r;
        }
        t
    }

    pub fn is_empty(&self) -> bool {
        self.unres.is_zero() && self.rev.is_zero() && self.res.iter().all(|(_, r)| r.is_zero())
    }

    pub fn reserved_for(&self, role: RoleId) -> Resources {
        self.res
            .iter()
            .find(|(k, _)| *k == role)
            .map(|(_, r)| *r)
            .unwrap_or_default()
    }

    pub fn add_reserved(&mut self, role: RoleId, r: Resources) {
        if r.is_zero() {
            return;
        }
        match self.res.binary_search_by_key(&role, |(k, _)| *k) {
            Ok(i) => self.res[i].1 += r,
            Err(i) => self.res.insert(i, (role, r)),
        }
    }

    /// Removes `r` from the reservation of `role`; the caller guarantees it is there.
    pub fn sub_reserved(&mut self, role: RoleId, r: Resources) {
        if r.is_zero() {
            return;
        }
        if let Ok(i) = self.res.binary_search_by_key(&role, |(k, _)| *k) {
            self.res[i].1 -= r;
            if self.res[i].1.is_zero() {
                self.res.remove(i);
            }
        }
    }

    pub fn add(&mut self, o: &Pools) {
        self.unres += o.unres;
        self.rev += o.rev;
        for (k, r) in &o.res {
            self.add_reserved(*k, *r);
        }
    }

    pub fn sub(&mut self, o: &Pools) {
        self.unres -= o.unres;
        self.rev -= o.rev;
        for (k, r) in &o.res {
            self.sub_reserved(*k, *r);
        }
    }

    /// Pool-wise containment (Mesos's `Resources::contains`, reservation-aware; revocable
    /// resources are distinct from regular ones, so each part is compared with its own).
    pub fn contains(&self, o: &Pools) -> bool {
        self.unres.contains(&o.unres)
            && self.rev.contains(&o.rev)
            && o.res.iter().all(|(k, r)| self.reserved_for(*k).contains(r))
    }

    /// Every pool is non-negative (invariant checks).
    pub fn is_nonnegative(&self) -> bool {
        self.unres.is_nonnegative()
            && self.rev.is_nonnegative()
            && self.res.iter().all(|(_, r)| r.is_nonnegative())
    }

    pub fn reserved_total(&self) -> Resources {
        let mut t = Resources::ZERO;
        for (_, r) in &self.res {
            t += *r;
        }
        t
    }
}

/// An agent as the master knows it. Policies read it through [`Agent`]'s methods.
#[derive(Clone, Debug)]
pub struct Agent {
    pub(crate) name: String,
    pub(crate) rack: RackId,
    pub(crate) total: Pools,
    /// What is neither offered nor used by tasks or executors.
    pub(crate) free: Pools,
    pub(crate) attributes: BTreeMap<String, String>,
    /// Registered and not removed (a failed agent is inactive until it is repaired).
    pub(crate) active: bool,
    /// Deactivated: it stopped answering pings; it gets no offers, its tasks run on.
    pub(crate) disconnected: bool,
    pub(crate) has_gpus: bool,
    /// What the agent's Mesos version can host (`SlaveInfo::Capability`); all by default.
    pub(crate) capabilities: AgentCapabilities,
    /// Used beyond the total after `update_agent` shrank it (Mesos lets an agent be
    /// over-allocated): what comes back first pays this off before anything becomes free, so
    /// free resources never go negative and never exceed total minus used.
    pub(crate) owed: Resources,
    /// The same for the revocable part (`update_agent` lowered `revocable_cpus` / `_mem_mb`
    /// below what offers hold of it).
    pub(crate) owed_rev: Resources,
}

/// The agent capabilities the allocator looks at (Mesos's `SlaveInfo::Capability`): an agent
/// without MULTI_ROLE is not offered to multi-role frameworks, one without HIERARCHICAL_ROLE not
/// to nested roles (`HierarchicalAllocatorProcess::isFiltered`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AgentCapabilities {
    pub multi_role: bool,
    pub hierarchical_role: bool,
}

impl AgentCapabilities {
    /// Every capability (an agent that does not say; today's Mesos agents have all).
    pub const ALL: AgentCapabilities = AgentCapabilities {
        multi_role: true,
        hierarchical_role: true,
    };
    /// No capability (an old agent, `capabilities = []`).
    pub const NONE: AgentCapabilities = AgentCapabilities {
        multi_role: false,
        hierarchical_role: false,
    };
    /// The names a scenario uses, in the order of the fields.
    pub const NAMES: [&'static str; 2] = ["multi_role", "hierarchical_role"];

    /// The capabilities named (names of [`AgentCapabilities::NAMES`]); the first unknown name
    /// is the error.
    pub fn from_names<S: AsRef<str>>(names: &[S]) -> Result<AgentCapabilities, String> {
        let mut c = AgentCapabilities::NONE;
        for n in names {
            match n.as_ref() {
                "multi_role" => c.multi_role = true,
                "hierarchical_role" => c.hierarchical_role = true,
                other => return Err(other.to_string()),
            }
        }
        Ok(c)
    }

    pub fn is_all(&self) -> bool {
        *self == AgentCapabilities::ALL
    }
}

impl Default for AgentCapabilities {
    fn default() -> Self {
        AgentCapabilities::ALL
    }
}

impl Agent {
    pub(crate) fn new(
        name: String,
        rack: RackId,
        total: Pools,
        attributes: BTreeMap<String, String>,
    ) -> Agent {
        let has_gpus = total.total().0[super::resources::GPUS] > 0;
        Agent {
            name,
            rack,
            free: total.clone(),
            total,
            attributes,
            active: true,
            disconnected: false,
            has_gpus,
            capabilities: AgentCapabilities::ALL,
            owed: Resources::ZERO,
            owed_rev: Resources::ZERO,
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }
    pub fn rack(&self) -> RackId {
        self.rack
    }
    /// Everything the agent has, reservations included.
    pub fn total(&self) -> &Pools {
        &self.total
    }
    /// What is neither offered nor used.
    pub fn free(&self) -> &Pools {
        &self.free
    }
    pub fn attributes(&self) -> &BTreeMap<String, String> {
        &self.attributes
    }
    /// Registered and able to hold offers (not removed, failed or disconnected).
    pub fn is_active(&self) -> bool {
        self.active && !self.disconnected
    }
    pub fn has_gpus(&self) -> bool {
        self.has_gpus
    }
    pub fn capabilities(&self) -> AgentCapabilities {
        self.capabilities
    }
    /// Used beyond the total (after the total shrank below what is in use).
    pub fn owed(&self) -> &Resources {
        &self.owed
    }
    /// Revocable resources held beyond the revocable total (after it was lowered).
    pub fn owed_rev(&self) -> &Resources {
        &self.owed_rev
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pools_contain_per_reservation() {
        let mut a = Pools::unreserved(Resources::cpus_mem(1.0, 100.0));
        a.add_reserved(RoleId(2), Resources::cpus_mem(2.0, 0.0));
        let mut b = Pools::unreserved(Resources::cpus_mem(1.0, 0.0));
        assert!(a.contains(&b));
        b.add_reserved(RoleId(3), Resources::cpus_mem(1.0, 0.0));
        assert!(
            !a.contains(&b),
            "a reservation for another role is not contained"
        );
        let mut c = a.clone();
        c.sub(&a);
        assert!(c.is_empty());
        assert!(c.res.is_empty());
    }

    #[test]
    fn revocable_resources_are_a_part_of_their_own() {
        let mut a = Pools::unreserved(Resources::cpus_mem(4.0, 100.0));
        a.rev = Resources::cpus_mem(2.0, 0.0);
        assert_eq!(a.total(), Resources::cpus_mem(6.0, 100.0));
        assert_eq!(a.regular(), Resources::cpus_mem(4.0, 100.0));
        // Regular cpus do not stand in for revocable ones, nor the other way round.
        let mut want = Pools {
            rev: Resources::cpus_mem(3.0, 0.0),
            ..Pools::default()
        };
        assert!(!a.contains(&want));
        want.rev = Resources::cpus_mem(2.0, 0.0);
        assert!(a.contains(&want));
        let mut only_rev = Pools {
            rev: Resources::cpus_mem(1.0, 0.0),
            ..Pools::default()
        };
        assert!(!only_rev.is_empty());
        only_rev.sub(&only_rev.clone());
        assert!(only_rev.is_empty());
    }
}
