//! The role table: a role is created on first use, its ancestors first, with the scenario's
//! settings (`[roles.NAME]`); a configured priority is inherited by sub-roles that set none.

use super::Master;
use crate::cluster::agent::RoleId;
use crate::cluster::resources::{Limits, Resources};
use crate::cluster::role::RoleInfo;

impl Master {
    /// Role id for a name, creating it and its ancestors (with scenario settings) on first use.
    pub fn ensure_role(&mut self, name: &str) -> RoleId {
        if let Some(&r) = self.role_by_name.get(name) {
            return r;
        }
        let parent = name.rfind('/').map(|i| self.ensure_role(&name[..i]));
        let id = RoleId::new(self.roles.len() as u32);
        let cfg = self.role_cfg.get(name).cloned().unwrap_or_default();
        let mut chain = vec![id];
        if let Some(p) = parent {
            chain.extend(self.roles[p.idx()].chain.iter().copied());
        }
        let top = *chain.last().expect("chain has self");
        let limits = cfg.limits.unwrap_or(Limits::NONE);
        let priority = if self.role_cfg.get(name).is_some_and(|r| r.priority != 0) {
            cfg.priority
        } else {
            parent.map(|p| self.roles[p.idx()].priority).unwrap_or(0)
        };
        self.roles.push(RoleInfo {
            name: name.to_string(),
            parent,
            chain,
            top,
            weight: cfg.weight,
            priority,
            guarantees: cfg.guarantees,
            limits,
            reserved: Resources::ZERO,
            frameworks: 0,
        });
        self.role_by_name.insert(name.to_string(), id);
        id
    }
}
