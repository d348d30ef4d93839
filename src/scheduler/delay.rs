//! The `delay` scheduler: delay scheduling (Zaharia et al., EuroSys'10, the algorithm with
//! multiple locality levels). Each job keeps a locality level and a wait clock. Jobs are
//! considered in job order; a job that cannot launch a task local enough for its level on this
//! offer is skipped, and its clock runs on; it may launch rack-local tasks once it has waited
//! `node_wait_s`, and any task once it has waited `rack_wait_s` more. Every launch resets the
//! clock and sets the level to that of the launched task, so a node-local launch brings the job
//! back to node-local only.
//!
//! An offer plays the part of a Hadoop heartbeat: when one arrives, every job skipped at the
//! previous offer adds the time since then to its clock.

use super::index::{Filler, Gate, Level};
use super::{Decision, JobOrder, OfferView, Scheduler, Wanted, WorkView};
use crate::cluster::ids::JobKey;
use crate::cluster::task::Locality;
use crate::sim::{SimDuration, SimTime};

/// One job's delay-scheduling state (level_j, wait_j, skipped_j of the paper).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct JobWait {
    /// The job it is of (states are kept by job slot, which jobs reuse).
    pub job: JobKey,
    pub level: Level,
    pub wait_us: i64,
    pub skipped: bool,
}

impl JobWait {
    pub fn new(job: JobKey) -> JobWait {
        JobWait {
            job,
            level: Level::Node,
            wait_us: 0,
            skipped: false,
        }
    }

    /// The farthest level the job may launch at, given waits W1 = `node_wait_us` and
    /// W2 = `rack_wait_us`.
    pub fn allowed(&self, node_wait_us: i64, rack_wait_us: i64) -> Level {
        match self.level {
            Level::Any => Level::Any,
            Level::Rack if self.wait_us >= rack_wait_us => Level::Any,
            Level::Rack => Level::Rack,
            Level::Node if self.wait_us >= node_wait_us + rack_wait_us => Level::Any,
            Level::Node if self.wait_us >= node_wait_us => Level::Rack,
            Level::Node => Level::Node,
        }
    }

    /// A heartbeat `dt_us` after the previous one: a job skipped then has waited that long.
    pub fn heartbeat(&mut self, dt_us: i64) {
        if self.skipped {
            self.wait_us += dt_us;
            self.skipped = false;
        }
    }

    pub fn launched(&mut self, locality: Locality) {
        self.level = match locality {
            Locality::NodeLocal => Level::Node,
            Locality::RackLocal => Level::Rack,
            Locality::OffRack => Level::Any,
            // A task with no preference says nothing about where the job's data is.
            Locality::None => return,
        };
        self.wait_us = 0;
    }
}

struct Waits {
    node_wait_us: i64,
    rack_wait_us: i64,
    /// By job slot (slots are dense: a vector, not a map, on the hot path).
    jobs: Vec<Option<JobWait>>,
    /// Slots of the jobs skipped since the last heartbeat (a heartbeat visits only these).
    skipped: Vec<u32>,
}

impl Waits {
    fn state(&mut self, job: JobKey) -> &mut JobWait {
        let slot = job.slot() as usize;
        if self.jobs.len() <= slot {
            self.jobs.resize(slot + 1, None);
        }
        let s = self.jobs[slot].get_or_insert_with(|| JobWait::new(job));
        if s.job != job {
            *s = JobWait::new(job);
        }
        s
    }
}

impl Gate for Waits {
    fn allowed(&mut self, job: JobKey) -> Level {
        let (w1, w2) = (self.node_wait_us, self.rack_wait_us);
        self.state(job).allowed(w1, w2)
    }
    fn launched(&mut self, job: JobKey, locality: Locality) {
        self.state(job).launched(locality);
    }
    fn skipped(&mut self, job: JobKey) {
        let s = self.state(job);
        if !s.skipped {
            s.skipped = true;
            self.skipped.push(job.slot());
        }
    }
}

pub struct Delay {
    fill: Filler,
    waits: Waits,
    last_offer: Option<SimTime>,
}

impl Delay {
    pub fn new(order: JobOrder, node_wait: SimDuration, rack_wait: SimDuration) -> Delay {
        Delay {
            fill: Filler::new(order),
            waits: Waits {
                node_wait_us: node_wait.us(),
                rack_wait_us: rack_wait.us(),
                jobs: Vec::new(),
                skipped: Vec::new(),
            },
            last_offer: None,
        }
    }

    /// The delay state of a job (for tests and inspection).
    #[cfg(test)]
    pub fn job_state(&self, job: JobKey) -> Option<JobWait> {
        self.waits
            .jobs
            .get(job.slot() as usize)
            .copied()
            .flatten()
            .filter(|w| w.job == job)
    }
}

impl Scheduler for Delay {
    fn name(&self) -> &str {
        "delay"
    }

    fn on_offer(&mut self, offer: &OfferView, work: &WorkView, out: &mut Decision) {
        // An offer that holds no pending task (say, memory left beside busy cores) is not a
        // free slot: in Hadoop terms no heartbeat with a free slot, so it must neither run nor
        // stop the clocks.
        if !work.fits_some(offer) {
            return;
        }
        let dt = self.last_offer.map_or(0, |t| (work.now - t).us());
        self.last_offer = Some(work.now);
        // Only skipped jobs' clocks move. The order does not matter: each job's update is its
        // own.
        for slot in std::mem::take(&mut self.waits.skipped) {
            if let Some(Some(s)) = self.waits.jobs.get_mut(slot as usize) {
                s.heartbeat(dt);
            }
        }
        self.fill.fill(offer, work, &mut self.waits, out);
    }

    /// Node-local launches are always allowed, so the offers on agents holding pending tasks'
    /// data are wanted, and the racks holding it for jobs that may go rack-local.
    fn wanted(&mut self, work: &WorkView, out: &mut Wanted) -> bool {
        self.fill.wanted(work, &mut self.waits, out)
    }

    /// With nothing pending, an offer fits no task, so it is no heartbeat either.
    fn done(&self, work: &WorkView) -> bool {
        work.is_idle()
    }

    fn on_job_end(&mut self, job: JobKey) {
        if let Some(s) = self.waits.jobs.get_mut(job.slot() as usize) {
            *s = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::agent::{Agent, AgentId, Pools, RackId};
    use crate::cluster::ids::{FrameworkId, GenSlab, GroupKey, OfferId};
    use crate::cluster::placement::Placement;
    use crate::cluster::resources::{MinAllocatable, Resources};
    use crate::cluster::task::{Group, Job, Prefs};
    use crate::cluster::RoleId;
    use std::sync::Arc;

    const S: i64 = 1_000_000;

    fn key0() -> JobKey {
        let mut s: GenSlab<JobKey, ()> = GenSlab::new();
        s.insert(())
    }

    #[test]
    fn waits_unlock_rack_then_any() {
        let mut j = JobWait::new(key0());
        assert_eq!(j.allowed(S, 2 * S), Level::Node);
        j.skipped = true;
        j.heartbeat(S / 2);
        assert_eq!(j.allowed(S, 2 * S), Level::Node);
        // Not skipped at the last heartbeat: the clock does not run.
        j.heartbeat(10 * S);
        assert_eq!(j.wait_us, S / 2);
        j.skipped = true;
        j.heartbeat(S / 2);
        assert_eq!(j.allowed(S, 2 * S), Level::Rack);
        j.skipped = true;
        j.heartbeat(2 * S);
        assert_eq!(j.allowed(S, 2 * S), Level::Any);
    }

    #[test]
    fn launches_reset_the_clock_and_set_the_level() {
        let mut j = JobWait::new(key0());
        j.wait_us = S;
        j.launched(Locality::RackLocal);
        assert_eq!((j.level, j.wait_us), (Level::Rack, 0));
        // At the rack level the job needs W2 more before it may go off-rack.
        assert_eq!(j.allowed(S, 2 * S), Level::Rack);
        j.wait_us = 2 * S;
        assert_eq!(j.allowed(S, 2 * S), Level::Any);
        j.launched(Locality::OffRack);
        assert_eq!(j.allowed(S, 2 * S), Level::Any);
        // A node-local launch brings it back to node-local only.
        j.launched(Locality::NodeLocal);
        assert_eq!((j.level, j.wait_us), (Level::Node, 0));
        assert_eq!(j.allowed(S, 2 * S), Level::Node);
        // A task without preferences changes nothing.
        j.wait_us = 7;
        j.launched(Locality::None);
        assert_eq!((j.level, j.wait_us), (Level::Node, 7));
    }

    #[test]
    fn zero_waits_allow_anything() {
        assert_eq!(JobWait::new(key0()).allowed(0, 0), Level::Any);
        assert_eq!(JobWait::new(key0()).allowed(0, S), Level::Rack);
    }

    /// One job whose groups (one per entry of `prefs`, `n` one-cpu tasks each) prefer the
    /// agents given, on a cluster whose agent i sits on rack `racks[i]`.
    struct World {
        groups: GenSlab<GroupKey, Group>,
        jobs: GenSlab<JobKey, Job>,
        pending: std::collections::BTreeMap<u64, GroupKey>,
        min: MinAllocatable,
        placement: Placement,
        keys: Vec<GroupKey>,
        job: JobKey,
    }

    fn world(n: u32, prefs: &[u32], racks: &[u32]) -> World {
        let mut jobs = GenSlab::new();
        let job = jobs.insert(Job {
            tasks: n * prefs.len() as u32,
            groups_live: prefs.len() as u32,
            complete: true,
            ..Job::new(Arc::from("j"), FrameworkId::new(0), SimTime::ZERO, 0)
        });
        let mut groups = GenSlab::new();
        let mut pending = std::collections::BTreeMap::new();
        let mut keys = Vec::new();
        for (i, &p) in prefs.iter().enumerate() {
            let g = groups.insert(Group {
                base: i as u32 * n,
                prefs: Some(Prefs::Nodes(Arc::from(vec![AgentId::new(p)]))),
                seq: 1 + i as u64,
                ..Group::new(
                    job,
                    FrameworkId::new(0),
                    SimTime::ZERO,
                    Resources::new(1.0, 0.0, 0.0, 0.0),
                    SimDuration::from_us(S),
                    n,
                )
            });
            pending.insert(1 + i as u64, g);
            keys.push(g);
        }
        let agents: Vec<Agent> = racks
            .iter()
            .enumerate()
            .map(|(i, &r)| {
                Agent::new(
                    format!("a{i}"),
                    RackId::new(r),
                    Pools::unreserved(Resources::cpus_mem(8.0, 0.0)),
                    Default::default(),
                )
            })
            .collect();
        let mut placement = Placement::new(1, 3);
        placement.refresh(&agents);
        World {
            groups,
            jobs,
            pending,
            min: MinAllocatable::default(),
            placement,
            keys,
            job,
        }
    }

    /// Offers `cpus` on `agent` to scheduler `s` at `now_s`; the (group, task) pairs it launches.
    fn decide(
        s: &mut dyn Scheduler,
        w: &World,
        now_s: i64,
        agent: u32,
        cpus: f64,
    ) -> Vec<(GroupKey, u32)> {
        let work = WorkView::new(
            SimTime::from_us(now_s * S),
            &w.pending,
            &w.groups,
            &w.jobs,
            &w.min,
            &w.placement,
        );
        let o = OfferView {
            id: OfferId(1),
            agent: AgentId::new(agent),
            rack: w.placement.rack_of(AgentId::new(agent)),
            role: RoleId::new(0),
            resources: Resources::new(cpus, 0.0, 0.0, 0.0),
            executor: Resources::ZERO,
        };
        let mut out = Decision::default();
        s.on_offer(&o, &work, &mut out);
        out.launch.iter().map(|l| (l.group, l.task)).collect()
    }

    /// Agents 0, 1 on rack 0, agents 2, 3 on rack 1; every task prefers agent 0.
    fn offer(d: &mut Delay, w: &World, now_s: i64, agent: u32, cpus: f64) -> Vec<u32> {
        decide(d, w, now_s, agent, cpus)
            .into_iter()
            .map(|(_, t)| t)
            .collect()
    }

    #[test]
    fn a_job_waits_node_wait_then_rack_wait_on_offers() {
        let mut d = Delay::new(
            JobOrder::Fifo,
            SimDuration::from_us(2 * S),
            SimDuration::from_us(3 * S),
        );
        let w = world(10, &[0], &[0, 0, 1, 1]);
        let job = w.job;
        // Off-rack and rack-local offers are refused until the waits have passed.
        assert!(offer(&mut d, &w, 0, 2, 1.0).is_empty());
        assert!(offer(&mut d, &w, 1, 1, 1.0).is_empty());
        assert_eq!(d.job_state(job).unwrap().wait_us, S);
        // Waited 2 s: rack-local is allowed, off-rack not yet.
        assert!(offer(&mut d, &w, 2, 3, 1.0).is_empty());
        assert_eq!(offer(&mut d, &w, 2, 1, 1.0), vec![0]);
        let s = d.job_state(job).unwrap();
        assert_eq!((s.level, s.wait_us), (Level::Rack, 0));
        // At the rack level: 3 s more before off-rack.
        assert!(offer(&mut d, &w, 3, 2, 1.0).is_empty());
        assert!(offer(&mut d, &w, 5, 2, 1.0).is_empty());
        assert_eq!(offer(&mut d, &w, 6, 2, 2.0).len(), 2);
        assert_eq!(d.job_state(job).unwrap().level, Level::Any);
        // A node-local offer is always taken, and resets the level.
        assert_eq!(offer(&mut d, &w, 6, 0, 1.0).len(), 1);
        let s = d.job_state(job).unwrap();
        assert_eq!((s.level, s.wait_us), (Level::Node, 0));
        assert!(offer(&mut d, &w, 7, 2, 1.0).is_empty());
    }

    #[test]
    fn greedy_takes_anything_node_local_first() {
        use crate::scheduler::greedy::Greedy;
        // Three one-task groups preferring agents 0, 1 and 2, each agent its own rack.
        let w = world(1, &[0, 1, 2], &[10, 11, 12, 13]);
        let mut g = Greedy::new();
        let got = decide(&mut g, &w, 0, 2, 2.0);
        assert_eq!(got, vec![(w.keys[2], 0), (w.keys[0], 0)]);
    }
}
