//! What `greedy` and `delay` share: pending tasks indexed by preferred agent and rack (built once
//! per task group, so an offer costs a lookup instead of a placement computation per pending
//! task, as Hadoop's per-node task caches do), the job order (`fifo` or `fair`), and the loop
//! that fills one offer slot by slot, asking a [`Gate`] how far from its data each job may go.

use super::greedy::take;
use super::{Decision, JobOrder, Launch, OfferView, WorkView};
use crate::cluster::agent::{AgentId, RackId};
use crate::cluster::ids::{GroupKey, JobKey};
use crate::cluster::task::Locality;
use std::collections::BTreeMap;

/// How far from its data a job may launch a task now; ordered from nearest to farthest.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Node,
    Rack,
    Any,
}

/// The scheduler-specific part of the loop: which level each job is allowed, and what happened.
pub trait Gate {
    fn allowed(&mut self, job: JobKey) -> Level;
    fn launched(&mut self, job: JobKey, locality: Locality);
    /// The job had a task that fits but at a level it is not yet allowed.
    fn skipped(&mut self, job: JobKey);
}

/// A gate that allows everything: naive Hadoop (node-local first, then rack-local, then any).
pub struct Open;

impl Gate for Open {
    fn allowed(&mut self, _job: JobKey) -> Level {
        Level::Any
    }
    fn launched(&mut self, _job: JobKey, _locality: Locality) {}
    fn skipped(&mut self, _job: JobKey) {}
}

/// One group's pending tasks. Lists are stacks popped from the back; entries go stale when the
/// task is launched through another list and are dropped when met (`taken`).
struct GroupIdx {
    /// The group this index is of (the index table is keyed by slot, which groups reuse).
    key: GroupKey,
    has_prefs: bool,
    taken: Vec<bool>,
    untaken: u32,
    /// Tasks taken by the decision being made (`epoch`): the master removes them from pending
    /// only after the decision, so the freshness check must add them back.
    epoch: u64,
    taken_now: u32,
    by_node: BTreeMap<AgentId, Vec<u32>>,
    by_rack: BTreeMap<RackId, Vec<u32>>,
    any: Vec<u32>,
}

impl GroupIdx {
    fn build(work: &WorkView, g: GroupKey) -> GroupIdx {
        let grp = &work.groups[g];
        let mut tasks: Vec<u32> = work.pending_tasks(g).collect();
        let mut taken = vec![true; grp.count as usize];
        for &t in &tasks {
            taken[t as usize] = false;
        }
        // Reversed so that popping from the back launches in pending order.
        tasks.reverse();
        let mut by_node: BTreeMap<AgentId, Vec<u32>> = BTreeMap::new();
        let mut by_rack: BTreeMap<RackId, Vec<u32>> = BTreeMap::new();
        if grp.prefs.is_some() {
            let mut prefs = Vec::new();
            for &t in &tasks {
                work.preferred(g, t, &mut prefs);
                for (i, &(a, r)) in prefs.iter().enumerate() {
                    by_node.entry(a).or_default().push(t);
                    if !prefs[..i].iter().any(|p| p.1 == r) {
                        by_rack.entry(r).or_default().push(t);
                    }
                }
            }
        }
        GroupIdx {
            key: g,
            has_prefs: grp.prefs.is_some(),
            untaken: tasks.len() as u32,
            epoch: 0,
            taken_now: 0,
            taken,
            by_node,
            by_rack,
            any: tasks,
        }
    }

    fn peek(list: Option<&mut Vec<u32>>, taken: &[bool]) -> Option<u32> {
        let list = list?;
        while let Some(&t) = list.last() {
            if taken[t as usize] {
                list.pop();
            } else {
                return Some(t);
            }
        }
        None
    }

    fn node(&mut self, a: AgentId) -> Option<u32> {
        Self::peek(self.by_node.get_mut(&a), &self.taken)
    }

    fn rack(&mut self, r: RackId) -> Option<u32> {
        Self::peek(self.by_rack.get_mut(&r), &self.taken)
    }

    fn any(&mut self) -> Option<u32> {
        Self::peek(Some(&mut self.any), &self.taken)
    }
}

struct JobEntry {
    job: JobKey,
    seq: u64,
    running: u32,
    groups: Vec<GroupKey>,
}

enum Pick {
    Task(GroupKey, u32),
    /// Something fits, but only at a level the job is not allowed yet.
    Held,
    Nothing,
}

/// Fills offers for one framework; keeps the per-group indexes between offers.
pub struct Filler {
    order: JobOrder,
    /// Group indexes by group slot.
    idx: BTreeMap<u32, GroupIdx>,
    jobs: Vec<JobEntry>,
    /// Counts decisions, to tell this decision's launches from earlier ones.
    epoch: u64,
}

impl Filler {
    pub fn new(order: JobOrder) -> Filler {
        Filler {
            order,
            idx: BTreeMap::new(),
            jobs: Vec::new(),
            epoch: 0,
        }
    }

    /// The index of group `g`, rebuilt when it is new, its slot was reused, or tasks came
    /// back to pending (lost, or their offer vanished) since it was built.
    fn ensure<'a>(
        idx: &'a mut BTreeMap<u32, GroupIdx>,
        epoch: u64,
        work: &WorkView,
        g: GroupKey,
    ) -> &'a mut GroupIdx {
        let grp = &work.groups[g];
        let fresh = idx.get(&g.slot()).is_some_and(|x| {
            let now = if x.epoch == epoch { x.taken_now } else { 0 };
            x.key == g && x.untaken + now == grp.pending()
        });
        if !fresh {
            let mut gi = GroupIdx::build(work, g);
            gi.epoch = epoch;
            idx.insert(g.slot(), gi);
        }
        let gi = idx.get_mut(&g.slot()).expect("just ensured");
        if gi.epoch != epoch {
            gi.epoch = epoch;
            gi.taken_now = 0;
        }
        gi
    }

    fn pick(
        idx: &mut BTreeMap<u32, GroupIdx>,
        epoch: u64,
        offer: &OfferView,
        work: &WorkView,
        groups: &[GroupKey],
        level: Level,
        fits: &dyn Fn(GroupKey) -> bool,
    ) -> Pick {
        let mut held = false;
        for &g in groups {
            if !fits(g) {
                continue;
            }
            let gi = Self::ensure(idx, epoch, work, g);
            if gi.has_prefs {
                if let Some(t) = gi.node(offer.agent) {
                    return Pick::Task(g, t);
                }
            }
        }
        for &g in groups {
            if !fits(g) {
                continue;
            }
            let gi = Self::ensure(idx, epoch, work, g);
            if gi.has_prefs {
                if let Some(t) = gi.rack(offer.rack) {
                    if level >= Level::Rack {
                        return Pick::Task(g, t);
                    }
                    held = true;
                }
            }
        }
        for &g in groups {
            if !fits(g) {
                continue;
            }
            let gi = Self::ensure(idx, epoch, work, g);
            if let Some(t) = gi.any() {
                if !gi.has_prefs || level == Level::Any {
                    return Pick::Task(g, t);
                }
                held = true;
            }
        }
        if held {
            Pick::Held
        } else {
            Pick::Nothing
        }
    }

    /// Launches tasks on `offer` one at a time: jobs in job order, each at the nearest locality
    /// it has and the gate allows; the order is taken again after every launch, since `fair`
    /// order changes as jobs gain running tasks.
    pub fn fill(
        &mut self,
        offer: &OfferView,
        work: &WorkView,
        gate: &mut dyn Gate,
        out: &mut Decision,
    ) {
        self.jobs.clear();
        self.epoch += 1;
        // Most declined offers fit no pending task at all (a leftover of memory, say): find that
        // out without building the job list.
        let first_fit = offer.resources;
        if !work
            .pending
            .values()
            .any(|&g| first_fit.contains(&(work.groups[g].shape + offer.executor)))
        {
            return;
        }
        let mut pos: BTreeMap<u64, usize> = BTreeMap::new();
        for &g in work.pending.values() {
            let job = work.groups[g].job;
            let j = &work.jobs[job];
            match pos.get(&j.seq) {
                Some(&i) => self.jobs[i].groups.push(g),
                None => {
                    pos.insert(j.seq, self.jobs.len());
                    self.jobs.push(JobEntry {
                        job,
                        seq: j.seq,
                        running: j.running,
                        groups: vec![g],
                    });
                }
            }
        }
        let mut left = offer.resources;
        let mut exec = offer.executor;
        loop {
            if self.jobs.is_empty() || !work.min_allocatable.allows(&left) {
                break;
            }
            match self.order {
                JobOrder::Fifo => self.jobs.sort_by_key(|j| j.seq),
                JobOrder::Fair => self.jobs.sort_by_key(|j| (j.running, j.seq)),
            }
            let mut launched = false;
            for j in self.jobs.iter_mut() {
                let level = gate.allowed(j.job);
                let fits = |g: GroupKey| left.contains(&(work.groups[g].shape + exec));
                match Self::pick(
                    &mut self.idx,
                    self.epoch,
                    offer,
                    work,
                    &j.groups,
                    level,
                    &fits,
                ) {
                    Pick::Task(g, t) => {
                        let shape = work.groups[g].shape;
                        take(&mut left, &mut exec, &shape);
                        out.launch.push(Launch { group: g, task: t });
                        let gi = self.idx.get_mut(&g.slot()).expect("picked from it");
                        gi.taken[t as usize] = true;
                        gi.untaken -= 1;
                        gi.taken_now += 1;
                        if gi.untaken == 0 {
                            self.idx.remove(&g.slot());
                            j.groups.retain(|&x| x != g);
                        }
                        j.running += 1;
                        gate.launched(j.job, work.locality(g, t, offer.agent));
                        launched = true;
                        break;
                    }
                    Pick::Held => gate.skipped(j.job),
                    Pick::Nothing => {}
                }
            }
            self.jobs.retain(|j| !j.groups.is_empty());
            if !launched {
                break;
            }
        }
    }
}
