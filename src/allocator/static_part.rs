//! The `static` allocator: the Mesos paper's baseline, where each framework owns a fixed, equal
//! partition of the agents in agent order and is offered only its own agents.

use super::{Allocator, Change, Grant, Run, View};
use crate::cluster::agent::{AgentId, Pools, RoleId};
use crate::cluster::ids::FrameworkId;

#[derive(Default)]
pub struct StaticPartition {
    /// Subscribed frameworks in subscription order.
    fws: Vec<FrameworkId>,
}

impl StaticPartition {
    pub fn new() -> StaticPartition {
        StaticPartition::default()
    }

    /// The owner of the agent at position `pos` among `n` active agents: the active agents (by
    /// index) are cut into `slots` equal contiguous runs, one per framework in subscription
    /// order. Slots of planned frameworks that have not subscribed yet stay unoffered.
    fn owner(&self, pos: usize, n: usize, slots: usize) -> Option<FrameworkId> {
        if self.fws.is_empty() {
            return None;
        }
        self.fws.get(pos * slots / n.max(1)).copied()
    }
}

impl Allocator for StaticPartition {
    fn name(&self) -> &str {
        "static"
    }

    fn notify(&mut self, _v: &View, change: Change) {
        match change {
            Change::FrameworkAdded { fw } => self.fws.push(fw),
            Change::FrameworkRemoved { fw } => self.fws.retain(|&f| f != fw),
            _ => {}
        }
    }

    fn allocate(&mut self, v: &View, run: &mut Run) {
        let agents: Vec<AgentId> = run.candidates().collect();
        // Position of each agent among the active ones (O(agents) once per run).
        let mut pos = vec![usize::MAX; v.agents.len()];
        let mut n = 0;
        for (i, a) in v.agents.iter().enumerate() {
            if a.active {
                pos[i] = n;
                n += 1;
            }
        }
        for agent in agents {
            let ag = &v.agents[agent.idx()];
            if !ag.active || ag.free.is_empty() {
                continue;
            }
            let slots = self.fws.len().max(v.planned_frameworks);
            let Some(fw) = self.owner(pos[agent.idx()], n, slots) else {
                continue;
            };
            let f = &v.frameworks[fw.idx()];
            if !v.capable(fw, agent) {
                continue;
            }
            let mut free: Pools = ag.free.clone();
            for (ridx, fr) in f.roles.iter().enumerate() {
                if !f.wants_offers(ridx) {
                    continue;
                }
                let role: RoleId = fr.role;
                let offer = v.offer_for(fw, &free, role);
                if !v.allocatable(fw, ridx, &offer.total()) || v.filtered(fw, role, agent, &offer) {
                    continue;
                }
                free.sub(&offer);
                run.grant(Grant {
                    fw,
                    role,
                    agent,
                    pools: offer,
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::allocator::test_support::{framework, view};
    use crate::allocator::{AllocatorKind, RoleInfo, RunGrant};
    use crate::cluster::agent::{Agent, RackId};
    use crate::cluster::framework::{Filter, Framework};
    use crate::cluster::resources::{MinAllocatable, Resources};
    use crate::sim::bitset::BitSet;
    use crate::sim::rng::{indexed_stream, Purpose};
    use crate::sim::SimTime;

    /// `agents` agents of 4 cpus and 4 GB, all free; `fws` frameworks, framework i alone in
    /// role i (so a grant's role tells whose role it is).
    struct Cluster {
        agents: Vec<Agent>,
        frameworks: Vec<Framework>,
        roles: Vec<RoleInfo>,
        min: MinAllocatable,
        planned: usize,
    }

    fn shape() -> Resources {
        Resources::cpus_mem(4.0, 4096.0)
    }

    fn cluster(agents: usize, fws: usize) -> Cluster {
        Cluster {
            agents: (0..agents)
                .map(|a| {
                    Agent::new(
                        format!("a{a}"),
                        RackId::new(0),
                        Pools::unreserved(shape()),
                        Default::default(),
                    )
                })
                .collect(),
            frameworks: (0..fws)
                .map(|f| framework(&format!("fw{f}"), &[f as u32], false))
                .collect(),
            roles: (0..fws)
                .map(|r| RoleInfo::top_level(RoleId::new(r as u32), &format!("r{r}")))
                .collect(),
            min: MinAllocatable::default(),
            planned: 0,
        }
    }

    fn view_of(c: &Cluster) -> View<'_> {
        let mut v = view(&c.agents, &c.frameworks, &c.roles, &c.min, None);
        v.planned_frameworks = c.planned;
        v
    }

    fn tell(s: &mut StaticPartition, c: &Cluster, change: Change) {
        s.notify(&view_of(c), change);
    }

    /// A static allocator told of frameworks 0..n in id order.
    fn subscribed(c: &Cluster, n: usize) -> StaticPartition {
        let mut s = StaticPartition::new();
        for f in 0..n {
            tell(
                &mut s,
                c,
                Change::FrameworkAdded {
                    fw: FrameworkId::new(f as u32),
                },
            );
        }
        s
    }

    fn all(c: &Cluster) -> BitSet {
        let mut b = BitSet::default();
        for a in 0..c.agents.len() {
            b.insert(a as u32);
        }
        b
    }

    /// One run over `candidates`: the grants, each checked to be a single grant.
    fn run(s: &mut StaticPartition, c: &Cluster, candidates: &BitSet) -> Vec<Grant> {
        let mut out = Vec::new();
        let mut shuffle_rng = indexed_stream(3, Purpose::AgentShuffle, 0);
        let mut other_rng = indexed_stream(3, Purpose::RandomSorter, 0);
        let mut r = Run {
            candidates,
            shuffle_rng: &mut shuffle_rng,
            other_rng: &mut other_rng,
            out: &mut out,
        };
        s.allocate(&view_of(c), &mut r);
        out.into_iter()
            .map(|g| match g {
                RunGrant::One(g) => g,
                RunGrant::All { .. } => panic!("static grants agent by agent"),
            })
            .collect()
    }

    /// (agent, framework) of each grant, after checking that each offers the agent whole to
    /// the framework's own role.
    fn owners(c: &Cluster, grants: &[Grant]) -> Vec<(u32, u32)> {
        grants
            .iter()
            .map(|g| {
                assert_eq!(
                    g.pools,
                    c.agents[g.agent.idx()].free,
                    "agent {} whole",
                    g.agent
                );
                assert_eq!(g.role, c.frameworks[g.fw.idx()].roles[0].role);
                (g.agent.raw(), g.fw.raw())
            })
            .collect()
    }

    /// (agent, framework) of each grant of one run over every agent, frameworks 0..n subscribed.
    fn offered(c: &Cluster, n: usize) -> Vec<(u32, u32)> {
        let mut s = subscribed(c, n);
        owners(c, &run(&mut s, c, &all(c)))
    }

    #[test]
    fn it_is_named_static_and_built_for_that_kind() {
        assert_eq!(StaticPartition::new().name(), "static");
        let kind = AllocatorKind::parse("static").unwrap();
        assert_eq!(crate::allocator::build(kind, None).name(), "static");
    }

    #[test]
    fn owner_cuts_the_positions_into_equal_contiguous_runs() {
        let mut s = StaticPartition::new();
        assert_eq!(s.owner(0, 4, 2), None, "no framework, no owner");
        // Ids unlike positions, so an owner is known to come from the subscription list.
        s.fws = vec![
            FrameworkId::new(7),
            FrameworkId::new(5),
            FrameworkId::new(9),
        ];
        let owners = |n: usize, slots: usize| -> Vec<Option<u32>> {
            (0..n)
                .map(|p| s.owner(p, n, slots).map(|f| f.raw()))
                .collect()
        };
        assert_eq!(
            owners(6, 3),
            [7, 7, 5, 5, 9, 9].map(Some).to_vec(),
            "6 agents, 3 slots: 2 each"
        );
        // 7 over 3: run i holds the positions p with floor(3p / 7) = i.
        assert_eq!(owners(7, 3), [7, 7, 7, 5, 5, 9, 9].map(Some).to_vec());
        // More agents than slots by far, and fewer agents than slots.
        assert_eq!(owners(2, 3), vec![Some(7), Some(5)]);
        // A fourth slot (a planned framework) owns the last quarter, which nobody gets.
        assert_eq!(
            owners(8, 4),
            [
                Some(7),
                Some(7),
                Some(5),
                Some(5),
                Some(9),
                Some(9),
                None,
                None
            ]
        );
    }

    #[test]
    fn each_framework_is_offered_only_its_own_run_of_agents_whole() {
        let c = cluster(6, 3);
        let mut s = subscribed(&c, 3);
        let g = run(&mut s, &c, &all(&c));
        assert_eq!(
            owners(&c, &g),
            [(0, 0), (1, 0), (2, 1), (3, 1), (4, 2), (5, 2)]
        );
        // The partition does not move between runs.
        assert_eq!(run(&mut s, &c, &all(&c)), g);
    }

    #[test]
    fn subscription_order_not_id_order_assigns_the_runs() {
        let c = cluster(4, 2);
        let mut s = StaticPartition::new();
        for f in [1, 0] {
            tell(
                &mut s,
                &c,
                Change::FrameworkAdded {
                    fw: FrameworkId::new(f),
                },
            );
        }
        let g = run(&mut s, &c, &all(&c));
        assert_eq!(owners(&c, &g), [(0, 1), (1, 1), (2, 0), (3, 0)]);
    }

    #[test]
    fn inactive_agents_hold_no_position_and_get_no_offer() {
        let mut c = cluster(6, 3);
        c.agents[2].active = false;
        let mut s = subscribed(&c, 3);
        // Five active agents in three runs: positions 0-1, 2-3, 4 (floor(3p / 5)).
        let g = run(&mut s, &c, &all(&c));
        assert_eq!(owners(&c, &g), [(0, 0), (1, 0), (3, 1), (4, 1), (5, 2)]);
    }

    #[test]
    fn agents_outside_the_candidates_keep_their_position_but_get_no_offer() {
        let c = cluster(6, 3);
        let mut s = subscribed(&c, 3);
        let mut some = all(&c);
        some.remove(0);
        some.remove(3);
        let g = run(&mut s, &c, &some);
        assert_eq!(owners(&c, &g), [(1, 0), (2, 1), (4, 2), (5, 2)]);
    }

    #[test]
    fn agents_with_nothing_free_get_no_offer() {
        let mut c = cluster(4, 2);
        c.agents[1].free = Pools::default();
        assert_eq!(offered(&c, 2), [(0, 0), (2, 1), (3, 1)]);
    }

    #[test]
    fn slots_of_planned_frameworks_not_yet_subscribed_stay_unoffered() {
        let mut c = cluster(8, 4);
        c.planned = 4;
        let mut s = subscribed(&c, 2);
        let g = run(&mut s, &c, &all(&c));
        assert_eq!(owners(&c, &g), [(0, 0), (1, 0), (2, 1), (3, 1)]);
        // More subscribed than planned: one slot each.
        c.planned = 1;
        let g = run(&mut s, &c, &all(&c));
        assert_eq!(
            owners(&c, &g),
            [
                (0, 0),
                (1, 0),
                (2, 0),
                (3, 0),
                (4, 1),
                (5, 1),
                (6, 1),
                (7, 1)
            ]
        );
    }

    #[test]
    fn a_removed_framework_gives_up_its_slot_and_other_changes_move_nothing() {
        let c = cluster(6, 3);
        let mut s = subscribed(&c, 3);
        let before = run(&mut s, &c, &all(&c));
        let p = Pools::unreserved(shape());
        let (fw, role, agent) = (FrameworkId::new(0), RoleId::new(0), AgentId::new(0));
        for change in [
            Change::AgentAdded { agent, total: &p },
            Change::ActivityChanged { fw, role },
            Change::Recovered {
                fw,
                role,
                agent,
                pools: &p,
            },
            Change::WeightChanged { role },
        ] {
            tell(&mut s, &c, change);
        }
        assert_eq!(run(&mut s, &c, &all(&c)), before);
        tell(
            &mut s,
            &c,
            Change::FrameworkRemoved {
                fw: FrameworkId::new(1),
            },
        );
        let g = run(&mut s, &c, &all(&c));
        assert_eq!(
            owners(&c, &g),
            [(0, 0), (1, 0), (2, 0), (3, 2), (4, 2), (5, 2)]
        );
    }

    #[test]
    fn gpu_agents_go_only_to_a_gpu_capable_owner() {
        let mut c = cluster(4, 2);
        for a in [0, 2] {
            let gpu = Pools::unreserved(Resources::new(4.0, 4096.0, 0.0, 1.0));
            c.agents[a] = Agent::new(format!("g{a}"), RackId::new(0), gpu, Default::default());
        }
        c.frameworks[1].gpu_capable = true;
        assert_eq!(offered(&c, 2), [(1, 0), (2, 1), (3, 1)]);
    }

    #[test]
    fn an_owner_that_wants_no_offers_leaves_its_agents_unoffered() {
        let mut c = cluster(6, 3);
        c.frameworks[0].roles[0].suppressed = true;
        c.frameworks[2].active = false;
        assert_eq!(offered(&c, 3), [(2, 1), (3, 1)]);
    }

    #[test]
    fn too_little_or_filtered_is_not_offered() {
        let mut c = cluster(4, 2);
        // Below the master's minimum (0.01 cpus or 32 MB).
        c.agents[0].free = Pools::unreserved(Resources::cpus_mem(0.001, 8.0));
        // A live filter refusing everything on agent 2, an expired one on agent 3.
        let refused = Pools::unreserved(shape());
        for (a, expires) in [(2, SimTime::from_secs_f64(5.0)), (3, SimTime::ZERO)] {
            c.frameworks[1]
                .filters
                .entry((RoleId::new(1), AgentId::new(a)))
                .or_default()
                .push(Filter {
                    refused: refused.clone(),
                    expires,
                    seq: 0,
                });
        }
        assert_eq!(offered(&c, 2), [(1, 0), (3, 1)]);
    }

    #[test]
    fn a_multi_role_owner_gets_each_role_what_is_left_for_it() {
        let mut c = cluster(1, 2);
        c.frameworks.truncate(1);
        c.frameworks[0] = framework("both", &[0, 1], true);
        // 2 cpus unreserved, 1 cpu reserved for role 1 (usable by role 1 only).
        let mut free = Pools::unreserved(Resources::cpus_mem(2.0, 2048.0));
        free.add_reserved(RoleId::new(1), Resources::cpus_mem(1.0, 1024.0));
        c.agents[0] = Agent::new("a0".into(), RackId::new(0), free, Default::default());
        let mut s = subscribed(&c, 1);
        let g = run(&mut s, &c, &all(&c));
        let got: Vec<(u32, Pools)> = g.iter().map(|g| (g.role.raw(), g.pools.clone())).collect();
        let mut reserved = Pools::default();
        reserved.add_reserved(RoleId::new(1), Resources::cpus_mem(1.0, 1024.0));
        assert_eq!(
            got,
            [
                (0, Pools::unreserved(Resources::cpus_mem(2.0, 2048.0))),
                (1, reserved)
            ]
        );
        assert!(g
            .iter()
            .all(|g| g.fw == FrameworkId::new(0) && g.agent == AgentId::new(0)));
    }
}
