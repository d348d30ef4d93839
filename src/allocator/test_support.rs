//! Builders shared by the allocator unit tests: a framework record as the master keeps it, and a
//! view over hand-built agents and frameworks.

use super::View;
use crate::cluster::agent::{Agent, RoleId};
use crate::cluster::framework::{Framework, FwRole};
use crate::cluster::master::FreeIndex;
use crate::cluster::resources::{MinAllocatable, Resources};
use crate::cluster::role::RoleInfo;
use crate::sim::SimTime;

/// An active framework subscribed to `roles` (by id), unsuppressed, without gpus, holding
/// nothing and with no filters.
pub(super) fn framework(name: &str, roles: &[u32], multi_role: bool) -> Framework {
    Framework {
        name: name.into(),
        roles: roles
            .iter()
            .map(|&r| FwRole {
                role: RoleId::new(r),
                suppressed: false,
                min_allocatable: None,
                allocated: Resources::ZERO,
            })
            .collect(),
        active: true,
        removed: false,
        gpu_capable: false,
        multi_role,
        revocable: false,
        filters: Default::default(),
        index: Default::default(),
        bulk_filters: Vec::new(),
        allocated: Resources::ZERO,
        outstanding_offers: 0,
    }
}

/// The view at time zero (event 0), with no planned frameworks; `free` as the master's index, or
/// None to have every agent looked at.
pub(super) fn view<'a>(
    agents: &'a [Agent],
    frameworks: &'a [Framework],
    roles: &'a [RoleInfo],
    min: &'a MinAllocatable,
    free: Option<&'a FreeIndex>,
) -> View<'a> {
    View {
        now: SimTime::ZERO,
        seq: 0,
        agents,
        frameworks,
        roles,
        min_allocatable: min,
        total: Resources::ZERO,
        planned_frameworks: 0,
        offer_mode: Default::default(),
        free,
        blocked_exact: false,
        revocable: false,
    }
}
