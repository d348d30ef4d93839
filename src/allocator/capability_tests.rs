//! The agent-capability rule checked on both eligibility paths: the free index's fast path
//! and the agent-by-agent scan must rule out exactly the same agents.

use super::View;
use crate::cluster::agent::{Agent, AgentCapabilities, AgentId, Pools, RackId, RoleId};
use crate::cluster::framework::{Framework, FwRole};
use crate::cluster::ids::FrameworkId;
use crate::cluster::master::FreeIndex;
use crate::cluster::resources::{MinAllocatable, Resources};
use crate::cluster::role::RoleInfo;
use crate::sim::bitset::BitSet;
use crate::sim::SimTime;

fn framework(name: &str, roles: &[u32], multi_role: bool) -> Framework {
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

#[test]
fn fast_and_scan_paths_apply_the_capability_rule_alike() {
    let caps = [
        AgentCapabilities::ALL,
        AgentCapabilities::NONE,
        AgentCapabilities {
            multi_role: true,
            hierarchical_role: false,
        },
        AgentCapabilities {
            multi_role: false,
            hierarchical_role: true,
        },
    ];
    let mut agents = Vec::new();
    let mut ix = FreeIndex::default();
    let mut all = BitSet::default();
    for i in 0..8u32 {
        let free = Pools::unreserved(Resources::cpus_mem(1.0, 100.0));
        let mut a = Agent::new(
            format!("a{i}"),
            RackId::new(0),
            free.clone(),
            Default::default(),
        );
        a.capabilities = caps[i as usize % caps.len()];
        let id = AgentId::new(i);
        ix.register(id, false, false);
        ix.refresh(id, true, &free, true);
        ix.set_limited(id, !a.capabilities.is_all());
        agents.push(a);
        all.insert(i);
    }
    // Roles: r (top level), a, and a/b nested under a.
    let mut roles = vec![
        RoleInfo::top_level(RoleId::new(0), "r"),
        RoleInfo::top_level(RoleId::new(1), "a"),
        RoleInfo::top_level(RoleId::new(2), "a/b"),
    ];
    roles[2].parent = Some(RoleId::new(1));
    roles[2].chain = vec![RoleId::new(2), RoleId::new(1)];
    roles[2].top = RoleId::new(1);
    let frameworks = vec![
        framework("single", &[0], false),
        framework("declared", &[0], true),
        framework("nested", &[2], false),
        framework("both", &[0, 2], true),
    ];
    let min = MinAllocatable::default();
    fn view<'a>(
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
    let fast = view(&agents, &frameworks, &roles, &min, Some(&ix));
    let scan = view(&agents, &frameworks, &roles, &min, None);
    let mut ruled_out = 0;
    for (f, fr) in frameworks.iter().enumerate() {
        for ridx in 0..fr.roles.len() {
            let fw = FrameworkId::new(f as u32);
            let e = fast.eligible(fw, ridx, &all);
            assert_eq!(e, scan.eligible(fw, ridx, &all), "{} role {ridx}", fr.name);
            assert_eq!(
                fast.offerable(fw, ridx, &all),
                scan.offerable(fw, ridx, &all),
                "{} role {ridx}",
                fr.name
            );
            ruled_out += all.len() - e.len();
        }
    }
    // single: none ruled out; declared: the 4 without multi_role; nested: the 4 without
    // hierarchical_role; both: 4 in r, 6 in a/b (either capability missing).
    assert_eq!(ruled_out, 4 + 4 + 4 + 6);
}
