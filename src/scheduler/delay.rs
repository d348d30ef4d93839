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
use super::{Decision, OfferView, Scheduler, WorkView};
use crate::cluster::task::Locality;
use crate::scenario::JobOrder;
use crate::sim::SimTime;
use std::collections::BTreeMap;

/// One job's delay-scheduling state (level_j, wait_j, skipped_j of the paper).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct JobWait {
    /// The job's submission sequence, which tells a reused job key from the job it replaced.
    pub seq: u64,
    pub level: Level,
    pub wait_us: i64,
    pub skipped: bool,
}

impl JobWait {
    pub fn new(seq: u64) -> JobWait {
        JobWait {
            seq,
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
    jobs: BTreeMap<u32, JobWait>,
}

impl Waits {
    fn state(&mut self, job: u32, seq: u64) -> &mut JobWait {
        let s = self.jobs.entry(job).or_insert_with(|| JobWait::new(seq));
        if s.seq != seq {
            *s = JobWait::new(seq);
        }
        s
    }
}

impl Gate for Waits {
    fn allowed(&mut self, job: u32, seq: u64) -> Level {
        let (w1, w2) = (self.node_wait_us, self.rack_wait_us);
        self.state(job, seq).allowed(w1, w2)
    }
    fn launched(&mut self, job: u32, seq: u64, locality: Locality) {
        self.state(job, seq).launched(locality);
    }
    fn skipped(&mut self, job: u32, seq: u64) {
        self.state(job, seq).skipped = true;
    }
}

pub struct Delay {
    fill: Filler,
    waits: Waits,
    last_offer: Option<SimTime>,
}

impl Delay {
    pub fn new(order: JobOrder, node_wait_us: i64, rack_wait_us: i64) -> Delay {
        Delay {
            fill: Filler::new(order),
            waits: Waits {
                node_wait_us,
                rack_wait_us,
                jobs: BTreeMap::new(),
            },
            last_offer: None,
        }
    }

    /// The delay state of a job (for tests and inspection).
    pub fn job_state(&self, job: u32) -> Option<JobWait> {
        self.waits.jobs.get(&job).copied()
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
        let need = |g: &u32| work.groups[*g as usize].shape + offer.executor;
        if !work
            .pending
            .values()
            .any(|g| offer.resources.contains(&need(g)))
        {
            return;
        }
        let dt = self.last_offer.map_or(0, |t| work.now.0 - t.0);
        self.last_offer = Some(work.now);
        // The order does not matter: each job's update is its own.
        for s in self.waits.jobs.values_mut() {
            s.heartbeat(dt);
        }
        self.fill.fill(offer, work, &mut self.waits, out);
    }

    fn on_job_end(&mut self, job: u32) {
        self.waits.jobs.remove(&job);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::agent::AgentId;
    use crate::cluster::resources::{MinAllocatable, Resources};
    use crate::cluster::task::{Group, Job, Prefs};
    use slab::Slab;
    use std::sync::Arc;

    const S: i64 = 1_000_000;

    #[test]
    fn waits_unlock_rack_then_any() {
        let mut j = JobWait::new(0);
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
        let mut j = JobWait::new(0);
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
        assert_eq!(JobWait::new(0).allowed(0, 0), Level::Any);
        assert_eq!(JobWait::new(0).allowed(0, S), Level::Rack);
    }

    /// Agents 0..4: agents 0, 1 on rack 0, agents 2, 3 on rack 1. One job of `n` one-cpu tasks,
    /// every task preferring agent 0.
    struct World {
        groups: Slab<Group>,
        jobs: Slab<Job>,
        pending: std::collections::BTreeMap<u64, u32>,
        min: MinAllocatable,
    }

    fn world(n: u32) -> World {
        let mut jobs = Slab::new();
        let job = jobs.insert(Job {
            id: Arc::from("j"),
            fw: 0,
            submit: SimTime::ZERO,
            first_start: None,
            tasks: n,
            ended: 0,
            running: 0,
            node_local: 0,
            rack_local: 0,
            off_rack: 0,
            seq: 0,
            groups_live: 1,
            attempts: 0,
            abandoned: false,
        }) as u32;
        let mut groups = Slab::new();
        let g = groups.insert(Group {
            job,
            fw: 0,
            shape: Resources::new(1.0, 0.0, 0.0, 0.0),
            duration_us: S,
            count: n,
            base: 0,
            next: 0,
            requeued: Vec::new(),
            live: 0,
            inflight: 0,
            prefs: Some(Prefs::Nodes(Arc::from(vec![0 as AgentId]))),
            priority: 0,
            seq: 1,
            attempts: Vec::new(),
        }) as u32;
        let mut pending = std::collections::BTreeMap::new();
        pending.insert(1, g);
        World {
            groups,
            jobs,
            pending,
            min: MinAllocatable::default(),
        }
    }

    fn rack(a: AgentId) -> u32 {
        a / 2
    }

    /// Offers `cpus` on `agent` (of `rack`) to scheduler `s` at `now_s`; the tasks it launches.
    #[allow(clippy::too_many_arguments)]
    fn decide(
        s: &mut dyn Scheduler,
        w: &World,
        now_s: i64,
        agent: AgentId,
        rack: u32,
        cpus: f64,
        locality: &dyn Fn(u32, u32, AgentId) -> Locality,
        preferred: &crate::scheduler::PreferredFn,
    ) -> Vec<u32> {
        let work = WorkView {
            now: SimTime(now_s * S),
            pending: &w.pending,
            groups: &w.groups,
            jobs: &w.jobs,
            min_allocatable: &w.min,
            locality,
            preferred,
        };
        let o = OfferView {
            id: 1,
            agent,
            rack,
            role: 0,
            resources: Resources::new(cpus, 0.0, 0.0, 0.0),
            executor: Resources::ZERO,
        };
        let mut out = Decision::default();
        s.on_offer(&o, &work, &mut out);
        out.launch.iter().map(|l| l.task).collect()
    }

    /// Every task prefers agent 0.
    fn offer(d: &mut Delay, w: &World, now_s: i64, agent: AgentId, cpus: f64) -> Vec<u32> {
        let locality = |_g: u32, _t: u32, a: AgentId| {
            if a == 0 {
                Locality::NodeLocal
            } else if rack(a) == 0 {
                Locality::RackLocal
            } else {
                Locality::OffRack
            }
        };
        let preferred = |_g: u32, _t: u32, out: &mut Vec<(AgentId, u32)>| {
            out.clear();
            out.push((0, 0));
        };
        decide(d, w, now_s, agent, rack(agent), cpus, &locality, &preferred)
    }

    #[test]
    fn a_job_waits_node_wait_then_rack_wait_on_offers() {
        let mut d = Delay::new(JobOrder::Fifo, 2 * S, 3 * S);
        let w = world(10);
        // Off-rack and rack-local offers are refused until the waits have passed.
        assert!(offer(&mut d, &w, 0, 2, 1.0).is_empty());
        assert!(offer(&mut d, &w, 1, 1, 1.0).is_empty());
        assert_eq!(d.job_state(0).unwrap().wait_us, S);
        // Waited 2 s: rack-local is allowed, off-rack not yet.
        assert!(offer(&mut d, &w, 2, 3, 1.0).is_empty());
        assert_eq!(offer(&mut d, &w, 2, 1, 1.0), vec![0]);
        let s = d.job_state(0).unwrap();
        assert_eq!((s.level, s.wait_us), (Level::Rack, 0));
        // At the rack level: 3 s more before off-rack.
        assert!(offer(&mut d, &w, 3, 2, 1.0).is_empty());
        assert!(offer(&mut d, &w, 5, 2, 1.0).is_empty());
        assert_eq!(offer(&mut d, &w, 6, 2, 2.0).len(), 2);
        assert_eq!(d.job_state(0).unwrap().level, Level::Any);
        // A node-local offer is always taken, and resets the level.
        assert_eq!(offer(&mut d, &w, 6, 0, 1.0).len(), 1);
        let s = d.job_state(0).unwrap();
        assert_eq!((s.level, s.wait_us), (Level::Node, 0));
        assert!(offer(&mut d, &w, 7, 2, 1.0).is_empty());
    }

    #[test]
    fn greedy_takes_anything_node_local_first() {
        use crate::scheduler::greedy::Greedy;
        let w = world(3);
        let mut g = Greedy::new();
        let locality = |_g: u32, t: u32, a: AgentId| {
            if a == t {
                Locality::NodeLocal
            } else {
                Locality::OffRack
            }
        };
        // Task t prefers agent t (on its own rack).
        let preferred = |_g: u32, t: u32, out: &mut Vec<(AgentId, u32)>| {
            out.clear();
            out.push((t, t + 10));
        };
        let tasks = decide(&mut g, &w, 0, 2, 12, 2.0, &locality, &preferred);
        assert_eq!(tasks, vec![2, 0]);
    }
}
