//! A framework's side of one batch decision, for benchmarks: `jobs` pending jobs that each read
//! their own input (HDFS placement, 3 replicas) on a cell of `racks` x `per_rack` agents, and a
//! batch holding one offer per agent. [`BatchFixture::decide`] shows the scheduler every offer of
//! the batch in order; [`BatchFixture::wanted`] asks it once which offers it wants.

use super::{Decision, OfferView, Scheduler, SchedulerSpec, Wanted, WorkView};
use crate::cluster::agent::{Agent, AgentId, Pools, RackId, RoleId};
use crate::cluster::ids::{FrameworkId, GenSlab, GroupKey, JobKey, OfferId};
use crate::cluster::placement::Placement;
use crate::cluster::resources::{MinAllocatable, Resources};
use crate::cluster::task::{Group, Job, Prefs};
use crate::sim::{SimDuration, SimTime};
use std::collections::BTreeMap;
use std::sync::Arc;

#[derive(Clone)]
pub struct BatchFixture {
    groups: GenSlab<GroupKey, Group>,
    jobs: GenSlab<JobKey, Job>,
    pending: BTreeMap<u64, GroupKey>,
    placement: Placement,
    min: MinAllocatable,
    offers: Vec<OfferView>,
}

impl BatchFixture {
    /// `jobs` jobs of `tasks` tasks (1 cpu, 4 GB, reading blocks of their own input) and a batch
    /// of one whole 16-cpu agent per agent of the cell.
    pub fn new(racks: u32, per_rack: u32, jobs: u32, tasks: u32) -> BatchFixture {
        let agents: Vec<Agent> = (0..racks * per_rack)
            .map(|a| {
                Agent::new(
                    format!("a{a}"),
                    RackId::new(a / per_rack),
                    Pools::unreserved(Resources::cpus_mem(16.0, 65536.0)),
                    BTreeMap::new(),
                )
            })
            .collect();
        let mut placement = Placement::new(1, 3);
        placement.refresh(&agents);
        let mut fx = BatchFixture {
            groups: GenSlab::new(),
            jobs: GenSlab::new(),
            pending: BTreeMap::new(),
            placement,
            min: MinAllocatable::default(),
            offers: Vec::new(),
        };
        let fw = FrameworkId::new(0);
        for j in 0..jobs as u64 {
            let key = fx.jobs.insert(Job {
                tasks,
                groups_live: 1,
                complete: true,
                last_end: SimTime::ZERO,
                ..Job::new(Arc::from(format!("job{j}")), fw, SimTime::ZERO, j)
            });
            let g = fx.groups.insert(Group {
                prefs: Some(Prefs::Input(Arc::from(format!("input{j}")))),
                seq: j,
                ..Group::new(
                    key,
                    fw,
                    SimTime::ZERO,
                    Resources::cpus_mem(1.0, 4096.0),
                    SimDuration::from_secs(60),
                    tasks,
                )
            });
            fx.pending.insert(j, g);
        }
        for (i, a) in agents.iter().enumerate() {
            fx.offers.push(OfferView {
                id: OfferId(i as u64 + 1),
                agent: AgentId::new(i as u32),
                rack: a.rack(),
                role: RoleId::new(0),
                resources: a.free().total(),
                executor: Resources::ZERO,
            });
        }
        fx
    }

    fn work(&self) -> WorkView<'_> {
        WorkView::new(
            SimTime::ZERO,
            &self.pending,
            &self.groups,
            &self.jobs,
            &self.min,
            &self.placement,
        )
    }

    /// A fresh scheduler of this kind.
    pub fn scheduler(spec: &SchedulerSpec) -> Box<dyn Scheduler> {
        super::build(spec)
    }

    /// Shows `s` every offer of the batch in order, each seeing the pending work as the earlier
    /// ones left it (as the framework side does); the number of tasks it launched.
    pub fn decide(&mut self, s: &mut dyn Scheduler) -> usize {
        let mut d = Decision::default();
        let mut launched = 0;
        for i in 0..self.offers.len() {
            d.clear();
            s.on_offer(&self.offers[i], &self.work(), &mut d);
            launched += d.launch.len();
            for l in &d.launch {
                let g = &mut self.groups[l.group];
                g.take_pending(l.task);
                if g.pending() == 0 {
                    let seq = g.seq;
                    self.pending.remove(&seq);
                }
            }
        }
        launched
    }

    /// Asks `s` once which offers of the batch it wants: (answered, agents, racks).
    pub fn wanted(&self, s: &mut dyn Scheduler) -> (bool, usize, usize) {
        let mut w = Wanted::default();
        let some = s.wanted(&self.work(), &mut w);
        (some, w.agents.len(), w.racks.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scheduler::{JobOrder, SchedulerKind};

    #[test]
    fn a_batch_of_the_whole_cell_places_every_task_and_delay_wants_its_replicas() {
        let mut fx = BatchFixture::new(4, 10, 20, 5);
        let greedy = SchedulerSpec {
            kind: SchedulerKind::Greedy,
            job_order: JobOrder::Fifo,
            node_wait: SimDuration::ZERO,
            rack_wait: SimDuration::ZERO,
        };
        // 100 one-cpu tasks fit the 40 agents' 640 cpus: all placed.
        assert_eq!(
            fx.clone().decide(BatchFixture::scheduler(&greedy).as_mut()),
            100
        );
        let delay = SchedulerSpec {
            kind: SchedulerKind::Delay,
            node_wait: SimDuration::from_secs(1),
            rack_wait: SimDuration::from_secs(1),
            ..greedy
        };
        let mut s = BatchFixture::scheduler(&delay);
        let (some, agents, racks) = fx.wanted(s.as_mut());
        assert!(some, "delay waits for node-local offers");
        assert!(
            agents > 0 && agents <= 40 && racks == 0,
            "{agents} agents, {racks} racks"
        );
        // Only node-local launches while jobs wait: fewer than all, more than none.
        let n = fx.decide(s.as_mut());
        assert!(n > 0 && n <= 100, "{n}");
    }
}
