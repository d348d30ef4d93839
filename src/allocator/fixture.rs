//! A synthetic cluster for benchmarks and tests of one allocation run: `agents` agents, of which
//! only `changed` have free resources (the rest are fully allocated), and `frameworks` frameworks
//! spread over `roles` roles.

use super::hierarchical::{Hierarchical, Order};
use super::{Allocator, Change, RoleInfo, Run, RunGrant, View};
use crate::cluster::agent::{Agent, AgentId, Pools, RackId, RoleId};
use crate::cluster::framework::{Framework, FwRole};
use crate::cluster::ids::FrameworkId;
use crate::cluster::resources::{MinAllocatable, Resources};
use crate::sim::bitset::BitSet;
use crate::sim::rng::{indexed_stream, Purpose};
use crate::sim::SimTime;
use std::collections::BTreeMap;

#[derive(Clone)]
pub struct Fixture {
    pub agents: Vec<Agent>,
    pub frameworks: Vec<Framework>,
    pub roles: Vec<RoleInfo>,
    pub min: MinAllocatable,
    pub total: Resources,
    pub alloc: Hierarchical,
    /// The agents with free resources.
    pub candidates: BitSet,
}

impl Fixture {
    pub fn new(agents: usize, frameworks: usize, roles: usize, changed: usize) -> Fixture {
        let roles_v: Vec<RoleInfo> = (0..roles)
            .map(|r| RoleInfo::top_level(RoleId::new(r as u32), &format!("role{r}")))
            .collect();
        let mut fx = Fixture {
            agents: Vec::new(),
            frameworks: Vec::new(),
            roles: roles_v,
            min: MinAllocatable::default(),
            total: Resources::ZERO,
            alloc: Hierarchical::new(Order::Drf),
            candidates: BitSet::default(),
        };
        let shape = Resources::cpus_mem(16.0, 65536.0);
        for a in 0..agents {
            let ag = Agent::new(
                format!("a{a}"),
                RackId::new((a / 40) as u32),
                Pools::unreserved(shape),
                BTreeMap::new(),
            );
            fx.total += shape;
            fx.agents.push(ag);
            let p = Pools::unreserved(shape);
            let v = View {
                now: SimTime::ZERO,
                seq: 0,
                agents: &fx.agents,
                frameworks: &fx.frameworks,
                roles: &fx.roles,
                min_allocatable: &fx.min,
                total: fx.total,
                planned_frameworks: 0,
                offer_mode: Default::default(),
                free: None,
                blocked_exact: false,
                revocable: false,
            };
            fx.alloc.notify(
                &v,
                Change::AgentAdded {
                    agent: AgentId::new(a as u32),
                    total: &p,
                },
            );
        }
        for f in 0..frameworks {
            let role = f % roles;
            fx.roles[role].frameworks += 1;
            fx.frameworks.push(Framework {
                name: format!("fw{f:04}"),
                gpu_capable: false,
                multi_role: false,
                revocable: false,
                roles: vec![FwRole {
                    role: RoleId::new(role as u32),
                    suppressed: false,
                    min_allocatable: None,
                    allocated: Resources::ZERO,
                }],
                active: true,
                removed: false,
                filters: Default::default(),
                bulk_filters: Vec::new(),
                index: Default::default(),
                allocated: Resources::ZERO,
                outstanding_offers: 0,
            });
            let v = View {
                now: SimTime::ZERO,
                seq: 0,
                agents: &fx.agents,
                frameworks: &fx.frameworks,
                roles: &fx.roles,
                min_allocatable: &fx.min,
                total: fx.total,
                planned_frameworks: 0,
                offer_mode: Default::default(),
                free: None,
                blocked_exact: false,
                revocable: false,
            };
            fx.alloc.notify(
                &v,
                Change::FrameworkAdded {
                    fw: FrameworkId::new(f as u32),
                },
            );
        }
        // Fill all but `changed` agents, round-robin over frameworks.
        for a in changed..agents {
            let fw = (a * 7919) % frameworks;
            let role = fw % roles;
            let p = Pools::unreserved(shape);
            fx.agents[a].free = Pools::default();
            fx.frameworks[fw].allocated += shape;
            fx.frameworks[fw].roles[0].allocated += shape;
            let v = View {
                now: SimTime::ZERO,
                seq: 0,
                agents: &fx.agents,
                frameworks: &fx.frameworks,
                roles: &fx.roles,
                min_allocatable: &fx.min,
                total: fx.total,
                planned_frameworks: 0,
                offer_mode: Default::default(),
                free: None,
                blocked_exact: false,
                revocable: false,
            };
            fx.alloc.notify(
                &v,
                Change::Allocated {
                    fw: FrameworkId::new(fw as u32),
                    role: RoleId::new(role as u32),
                    agent: AgentId::new(a as u32),
                    pools: &p,
                },
            );
        }
        for a in 0..changed.min(agents) {
            fx.candidates.insert(a as u32);
        }
        fx
    }

    /// One allocation run (number `k`, which keys its random streams) over the agents with
    /// free resources.
    pub fn run(&mut self, k: u64, out: &mut Vec<RunGrant>) {
        let v = View {
            now: SimTime::ZERO,
            seq: 0,
            agents: &self.agents,
            frameworks: &self.frameworks,
            roles: &self.roles,
            min_allocatable: &self.min,
            total: self.total,
            planned_frameworks: 0,
            offer_mode: Default::default(),
            free: None,
            blocked_exact: false,
            revocable: false,
        };
        let mut shuffle_rng = indexed_stream(1, Purpose::AgentShuffle, k);
        let mut other_rng = indexed_stream(1, Purpose::RandomSorter, k);
        let mut run = Run {
            candidates: &self.candidates,
            shuffle_rng: &mut shuffle_rng,
            other_rng: &mut other_rng,
            out,
        };
        self.alloc.allocate(&v, &mut run);
    }
}
