//! A role of the master's role table: its place in the tree, weight, priority and quota.

use super::agent::RoleId;
use super::resources::{Limits, Resources};

#[derive(Clone, Debug)]
pub struct RoleInfo {
    pub(crate) name: String,
    pub(crate) parent: Option<RoleId>,
    /// This role and its ancestors, self first.
    pub(crate) chain: Vec<RoleId>,
    pub(crate) top: RoleId,
    pub(crate) weight: f64,
    pub(crate) priority: i64,
    pub(crate) guarantees: Resources,
    pub(crate) limits: Limits,
    /// Reservations for exactly this role on active agents, allocated or not.
    pub(crate) reserved: Resources,
    /// Frameworks subscribed to exactly this role.
    pub(crate) frameworks: u32,
}

impl RoleInfo {
    /// A top-level role with default settings (tests and fixtures).
    pub fn top_level(id: RoleId, name: &str) -> RoleInfo {
        RoleInfo {
            name: name.to_string(),
            parent: None,
            chain: vec![id],
            top: id,
            weight: 1.0,
            priority: 0,
            guarantees: Resources::ZERO,
            limits: Limits::NONE,
            reserved: Resources::ZERO,
            frameworks: 0,
        }
    }
    pub fn name(&self) -> &str {
        &self.name
    }
    pub fn parent(&self) -> Option<RoleId> {
        self.parent
    }
    /// This role and its ancestors, self first.
    pub fn chain(&self) -> &[RoleId] {
        &self.chain
    }
    /// The top-level role of its subtree.
    pub fn top(&self) -> RoleId {
        self.top
    }
    pub fn weight(&self) -> f64 {
        self.weight
    }
    pub fn priority(&self) -> i64 {
        self.priority
    }
    pub fn guarantees(&self) -> &Resources {
        &self.guarantees
    }
    pub fn limits(&self) -> &Limits {
        &self.limits
    }
    pub fn has_quota(&self) -> bool {
        !self.guarantees.is_zero() || !self.limits.is_unlimited()
    }
    /// Frameworks subscribed to exactly this role.
    pub fn frameworks(&self) -> u32 {
        self.frameworks
    }
}
