//! What `greedy` and `delay` share: pending tasks indexed by preferred agent and rack (built once
//! per task group, so an offer costs a lookup instead of a placement computation per pending
//! task, as Hadoop's per-node task caches do), the job order (`fifo` or `fair`), and the loop
//! that fills one offer slot by slot, asking a [`Gate`] how far from its data each job may go.

use super::greedy::take;
use super::{Decision, JobOrder, Launch, OfferView, Wanted, WorkView};
use crate::cluster::agent::{AgentId, RackId};
use crate::cluster::ids::{GroupKey, JobKey};
use crate::cluster::task::Locality;
use crate::sim::SimTime;

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

/// Stacks of tasks keyed by agent or rack, in two flat vectors (an index is built per task
/// group, so a map of vectors would cost allocations per task): `tasks` holds each key's
/// tasks in push order, `heads` each key's range, whose end moves down as the stack pops.
struct Stacks<K> {
    heads: Vec<(K, u32, u32)>,
    tasks: Vec<u32>,
}

impl<K: Ord + Copy> Stacks<K> {
    /// From (key, task) pairs in push order.
    fn build(mut pairs: Vec<(K, u32)>) -> Stacks<K> {
        // Stable: a key's tasks keep their push order.
        pairs.sort_by_key(|p| p.0);
        let mut heads: Vec<(K, u32, u32)> = Vec::new();
        let mut tasks = Vec::with_capacity(pairs.len());
        for (i, (k, t)) in pairs.into_iter().enumerate() {
            match heads.last_mut() {
                Some(h) if h.0 == k => h.2 += 1,
                _ => heads.push((k, i as u32, i as u32 + 1)),
            }
            tasks.push(t);
        }
        Stacks { heads, tasks }
    }

    /// The top untaken task of `key`'s stack, dropping taken ones met on the way.
    fn peek(&mut self, key: K, taken: &[bool]) -> Option<u32> {
        let h = self.heads.binary_search_by_key(&key, |h| h.0).ok()?;
        self.peek_at(h, taken)
    }

    fn peek_at(&mut self, h: usize, taken: &[bool]) -> Option<u32> {
        let (_, start, end) = &mut self.heads[h];
        while *end > *start {
            let t = self.tasks[*end as usize - 1];
            if taken[t as usize] {
                *end -= 1;
            } else {
                return Some(t);
            }
        }
        None
    }

    /// The keys whose stack holds an untaken task, in key order.
    fn live(&mut self, taken: &[bool], mut f: impl FnMut(K)) {
        for h in 0..self.heads.len() {
            if self.peek_at(h, taken).is_some() {
                f(self.heads[h].0);
            }
        }
    }
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
    /// The `WorkView::placement_epoch` the preferred agents were read under.
    placement_epoch: u64,
    by_node: Stacks<AgentId>,
    by_rack: Stacks<RackId>,
    any: Vec<u32>,
    /// By task index: its preferred agents, as a range of `nodes` (empty when not pending).
    span: Vec<(u32, u32)>,
    nodes: Vec<AgentId>,
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
        let mut by_node = Vec::new();
        let mut by_rack = Vec::new();
        let mut span = Vec::new();
        let mut nodes = Vec::new();
        if grp.prefs.is_some() {
            span = vec![(0, 0); grp.count as usize];
            let mut prefs = Vec::new();
            for &t in &tasks {
                work.preferred(g, t, &mut prefs);
                span[t as usize] = (nodes.len() as u32, prefs.len() as u32);
                for (i, &(a, r)) in prefs.iter().enumerate() {
                    by_node.push((a, t));
                    nodes.push(a);
                    if !prefs[..i].iter().any(|p| p.1 == r) {
                        by_rack.push((r, t));
                    }
                }
            }
        }
        let by_node = Stacks::build(by_node);
        let by_rack = Stacks::build(by_rack);
        GroupIdx {
            key: g,
            has_prefs: grp.prefs.is_some(),
            untaken: tasks.len() as u32,
            epoch: 0,
            taken_now: 0,
            placement_epoch: work.placement_epoch,
            taken,
            by_node,
            by_rack,
            any: tasks,
            span,
            nodes,
        }
    }

    /// The preferred agents of task `t`.
    fn nodes_of(&self, t: u32) -> &[AgentId] {
        match self.span.get(t as usize) {
            Some(&(start, len)) => &self.nodes[start as usize..(start + len) as usize],
            None => &[],
        }
    }

    /// Adds (`add`) or removes the preferred agents of every untaken task to `live`.
    fn count_untaken(&self, live: &mut LiveAgents, add: bool) {
        if !self.has_prefs {
            return;
        }
        for (t, &taken) in self.taken.iter().enumerate() {
            if !taken {
                for &a in self.nodes_of(t as u32) {
                    if add {
                        live.add(a);
                    } else {
                        live.sub(a);
                    }
                }
            }
        }
    }

    /// Marks task `t` taken, and its preferred agents one entry less wanted.
    fn take(&mut self, t: u32, live: &mut LiveAgents) {
        self.taken[t as usize] = true;
        self.untaken -= 1;
        self.taken_now += 1;
        for &a in self.nodes_of(t) {
            live.sub(a);
        }
    }
}

/// The agents that an untaken task of an indexed group prefers, each with how many (task,
/// agent) entries name it, kept as indexes are built and dropped and tasks taken: so `wanted`
/// costs the pending groups and the size of its answer, not every pending task's replicas.
#[derive(Default)]
struct LiveAgents {
    /// By agent index.
    count: Vec<u32>,
    /// By agent index: where the agent is in `list` (`NOT_LISTED` when its count is 0).
    at: Vec<u32>,
    /// The agents with a count, in the order they got it (swap-removed when it drops to 0).
    list: Vec<AgentId>,
}

const NOT_LISTED: u32 = u32::MAX;

impl LiveAgents {
    fn add(&mut self, a: AgentId) {
        let i = a.idx();
        if self.count.len() <= i {
            self.count.resize(i + 1, 0);
            self.at.resize(i + 1, NOT_LISTED);
        }
        self.count[i] += 1;
        if self.count[i] == 1 {
            self.at[i] = self.list.len() as u32;
            self.list.push(a);
        }
    }

    fn sub(&mut self, a: AgentId) {
        let i = a.idx();
        self.count[i] -= 1;
        if self.count[i] == 0 {
            let k = self.at[i] as usize;
            self.list.swap_remove(k);
            if let Some(&moved) = self.list.get(k) {
                self.at[moved.idx()] = k as u32;
            }
            self.at[i] = NOT_LISTED;
        }
    }
}

impl GroupIdx {
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
        self.by_node.peek(a, &self.taken)
    }

    fn rack(&mut self, r: RackId) -> Option<u32> {
        self.by_rack.peek(r, &self.taken)
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
    ix: Indexes,
    jobs: Vec<JobEntry>,
    /// Emptied group lists of earlier job lists, reused so that building a job list per offer
    /// allocates nothing.
    spare: Vec<Vec<GroupKey>>,
    /// By job slot: the `epoch` in which the job got its entry in `jobs`, and the entry.
    job_at: Vec<(u64, u32)>,
    /// The `WorkView::changes` the job list is of: while the count stays, the pending work
    /// changes only by this filler's launches, which the list already left out, so the next
    /// offer reuses it instead of walking every pending group again.
    /// Keyed also by the placement epoch: a placement rebuild makes every index stale.
    list_changes: Option<(u64, u64)>,
    /// Counts decisions, to tell this decision's launches from earlier ones.
    epoch: u64,
    /// The last answer of `wanted`, with the work stamp and time it was given for: within one
    /// instant, job levels change only through launches, which change the stamp.
    wanted_cache: Option<((u64, u64), SimTime, bool, Wanted)>,
}

/// The group indexes with what is kept in step with them.
#[derive(Default)]
struct Indexes {
    /// By group slot (slots are dense: a vector, not a map, on the hot path).
    idx: Vec<Option<GroupIdx>>,
    /// The preferred agents of the untaken tasks of every index in `idx`.
    live: LiveAgents,
    /// The slots of `idx` that may hold an index (each once), and by slot whether it is in
    /// `indexed` and the `epoch` in which `wanted` last found its group pending.
    indexed: Vec<u32>,
    slot_state: Vec<(bool, u64)>,
}

impl Indexes {
    /// Drops the indexes of groups that `wanted` did not find pending in `epoch` (they ended,
    /// or their slot went to another group), so that `live` counts pending tasks only.
    fn sweep(&mut self, epoch: u64) {
        let Indexes {
            idx,
            live,
            indexed,
            slot_state,
        } = self;
        indexed.retain(|&slot| {
            let s = slot as usize;
            if slot_state[s].1 != epoch {
                if let Some(old) = idx[s].take() {
                    old.count_untaken(live, false);
                }
            }
            let keep = idx[s].is_some();
            slot_state[s].0 = keep;
            keep
        });
    }
}

impl Filler {
    pub fn new(order: JobOrder) -> Filler {
        Filler {
            order,
            ix: Indexes::default(),
            jobs: Vec::new(),
            spare: Vec::new(),
            job_at: Vec::new(),
            list_changes: None,
            epoch: 0,
            wanted_cache: None,
        }
    }

    /// The index of group `g`, rebuilt when it is new, its slot was reused, or tasks came
    /// back to pending (lost, or their offer vanished) since it was built.
    fn ensure<'a>(
        ix: &'a mut Indexes,
        epoch: u64,
        work: &WorkView,
        g: GroupKey,
    ) -> &'a mut GroupIdx {
        let Indexes {
            idx,
            live,
            indexed,
            slot_state,
        } = ix;
        let grp = &work.groups[g];
        let slot = g.slot() as usize;
        if idx.len() <= slot {
            idx.resize_with(slot + 1, || None);
            slot_state.resize(slot + 1, (false, 0));
        }
        let fresh = idx[slot].as_ref().is_some_and(|x| {
            let now = if x.epoch == epoch { x.taken_now } else { 0 };
            x.key == g
                && x.untaken + now == grp.pending()
                && x.placement_epoch == work.placement_epoch
        });
        if !fresh {
            if let Some(old) = &idx[slot] {
                old.count_untaken(live, false);
            }
            let mut gi = GroupIdx::build(work, g);
            gi.epoch = epoch;
            gi.count_untaken(live, true);
            idx[slot] = Some(gi);
            if !slot_state[slot].0 {
                slot_state[slot].0 = true;
                indexed.push(slot as u32);
            }
        }
        let gi = idx[slot].as_mut().expect("just ensured");
        if gi.epoch != epoch {
            gi.epoch = epoch;
            gi.taken_now = 0;
        }
        gi
    }

    /// The index of a group `ensure`d in this epoch.
    fn at(idx: &mut [Option<GroupIdx>], g: GroupKey) -> &mut GroupIdx {
        idx[g.slot() as usize].as_mut().expect("ensured")
    }

    /// The task job `groups` launches on `offer` at `level`, if any. Every group was
    /// `ensure`d in this epoch when the job list was built.
    fn pick(
        idx: &mut [Option<GroupIdx>],
        offer: &OfferView,
        groups: &[GroupKey],
        level: Level,
        fits: &dyn Fn(GroupKey) -> bool,
    ) -> Pick {
        let mut held = false;
        for &g in groups {
            let gi = Self::at(idx, g);
            if gi.has_prefs && fits(g) {
                if let Some(t) = gi.node(offer.agent) {
                    return Pick::Task(g, t);
                }
            }
        }
        for &g in groups {
            let gi = Self::at(idx, g);
            if gi.has_prefs && fits(g) {
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
            let gi = Self::at(idx, g);
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

    /// The job list of the pending work: every pending group, `ensure`d in this epoch, under
    /// its job, in pending order.
    fn build_jobs(&mut self, work: &WorkView) {
        for mut j in self.jobs.drain(..) {
            j.groups.clear();
            self.spare.push(j.groups);
        }
        for &g in work.pending.values() {
            let job = work.groups[g].job;
            let slot = job.slot() as usize;
            if self.job_at.len() <= slot {
                self.job_at.resize(slot + 1, (0, 0));
            }
            Self::ensure(&mut self.ix, self.epoch, work, g);
            match self.job_at[slot] {
                (e, i) if e == self.epoch => self.jobs[i as usize].groups.push(g),
                _ => {
                    self.job_at[slot] = (self.epoch, self.jobs.len() as u32);
                    let j = &work.jobs[job];
                    let mut groups = self.spare.pop().unwrap_or_default();
                    groups.push(g);
                    self.jobs.push(JobEntry {
                        job,
                        seq: j.seq,
                        running: j.running,
                        groups,
                    });
                }
            }
        }
    }

    /// Debug builds: a reused job list is the one `build_jobs` would make now, and every group
    /// in it has a fresh index.
    #[cfg(debug_assertions)]
    fn check_jobs(&self, work: &WorkView) {
        let mut want: Vec<(JobKey, Vec<GroupKey>)> = Vec::new();
        for &g in work.pending.values() {
            let job = work.groups[g].job;
            match want.iter_mut().find(|(j, _)| *j == job) {
                Some((_, gs)) => gs.push(g),
                None => want.push((job, vec![g])),
            }
            let gi = self.ix.idx[g.slot() as usize].as_ref();
            assert!(
                gi.is_some_and(|x| x.key == g
                    && x.untaken == work.groups[g].pending()
                    && x.placement_epoch == work.placement_epoch),
                "a reused job list holds a group whose index is stale"
            );
        }
        let mut have: Vec<(JobKey, Vec<GroupKey>)> = self
            .jobs
            .iter()
            .map(|j| (j.job, j.groups.clone()))
            .collect();
        want.sort_by_key(|w| w.0);
        have.sort_by_key(|h| h.0);
        assert_eq!(have, want, "a reused job list is not the pending work's");
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
        self.epoch += 1;
        // Most declined offers fit no pending task at all (a leftover of memory, say): find that
        // out without building the job list.
        if !work.fits_some(offer) {
            return;
        }
        let key = work.changes.map(|c| (c, work.placement_epoch));
        if key.is_some() && key == self.list_changes {
            // Running counts move as tasks end, which is no change to the pending work.
            for j in self.jobs.iter_mut() {
                j.running = work.jobs[j.job].running;
            }
            #[cfg(debug_assertions)]
            self.check_jobs(work);
        } else {
            self.build_jobs(work);
            self.list_changes = key;
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
                match Self::pick(&mut self.ix.idx, offer, &j.groups, level, &fits) {
                    Pick::Task(g, t) => {
                        let shape = work.groups[g].shape;
                        take(&mut left, &mut exec, &shape);
                        out.launch.push(Launch { group: g, task: t });
                        let gi = Self::at(&mut self.ix.idx, g);
                        gi.take(t, &mut self.ix.live);
                        if gi.untaken == 0 {
                            // Its `live` entries are all gone; `sweep` unlists the slot.
                            self.ix.idx[g.slot() as usize] = None;
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
            let spare = &mut self.spare;
            self.jobs.retain_mut(|j| {
                if j.groups.is_empty() {
                    spare.push(std::mem::take(&mut j.groups));
                    return false;
                }
                true
            });
            if !launched {
                break;
            }
        }
    }

    /// Where an offer could make [`Filler::fill`] launch now: on the agents holding a pending
    /// task's data (node-local, always allowed) and, for jobs `gate` allows rack-local tasks,
    /// in the racks holding it. False when any offer could: a group without preferences, or a
    /// job allowed anywhere. An offer elsewhere launches nothing; it only marks as skipped the
    /// jobs with a task that fits it, which the next offer that fits a pending task redoes.
    pub fn wanted(&mut self, work: &WorkView, gate: &mut dyn Gate, out: &mut Wanted) -> bool {
        // The framework side asks before every offer it may skip to; between launches the
        // answer is the same (a job's clock moves only at the first offer of an instant, which
        // comes before any question of that instant).
        if let (Some(stamp), Some((s, t, some, w))) = (work.stamp(), &self.wanted_cache) {
            if *s == stamp && *t == work.now {
                out.clone_from(w);
                return *some;
            }
        }
        let some = self.wanted_uncached(work, gate, out);
        if let Some(stamp) = work.stamp() {
            self.wanted_cache = Some((stamp, work.now, some, out.clone()));
        }
        some
    }

    fn wanted_uncached(&mut self, work: &WorkView, gate: &mut dyn Gate, out: &mut Wanted) -> bool {
        // Any offer can make a job launch that has a group without preferences or may go
        // anywhere: say so before indexing anything.
        for &g in work.pending.values() {
            let grp = &work.groups[g];
            if grp.prefs.is_none() || gate.allowed(grp.job) == Level::Any {
                return false;
            }
        }
        self.epoch += 1;
        let epoch = self.epoch;
        for &g in work.pending.values() {
            let level = gate.allowed(work.groups[g].job);
            let gi = Self::ensure(&mut self.ix, epoch, work, g);
            if level >= Level::Rack {
                gi.by_rack.live(&gi.taken, |r| out.racks.push(r));
            }
            self.ix.slot_state[g.slot() as usize].1 = epoch;
        }
        self.ix.sweep(epoch);
        out.agents.extend_from_slice(&self.ix.live.list);
        #[cfg(debug_assertions)]
        self.check_live(work);
        out.racks.sort_unstable();
        out.racks.dedup();
        true
    }

    /// Debug builds: `live` lists exactly the agents holding an untaken task of a pending
    /// group's index, which is what walking every index's node stacks finds.
    #[cfg(debug_assertions)]
    fn check_live(&mut self, work: &WorkView) {
        let mut walked = Vec::new();
        for &g in work.pending.values() {
            let gi = Self::at(&mut self.ix.idx, g);
            gi.by_node.live(&gi.taken, |a| walked.push(a));
        }
        walked.sort_unstable();
        walked.dedup();
        let mut listed = self.ix.live.list.clone();
        listed.sort_unstable();
        assert_eq!(
            listed, walked,
            "Filler's live agents went out of step with its indexes"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::agent::{Agent, Pools, RoleId};
    use crate::cluster::ids::{FrameworkId, GenSlab, OfferId};
    use crate::cluster::placement::Placement;
    use crate::cluster::resources::{MinAllocatable, Resources};
    use crate::cluster::task::{Group, Job, Prefs};
    use crate::sim::SimDuration;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;
    use std::collections::BTreeMap;
    use std::sync::Arc;

    /// A framework's pending work as the framework side keeps it, counting its changes.
    struct World {
        agents: Vec<Agent>,
        placement: Placement,
        placement_epoch: u64,
        groups: GenSlab<GroupKey, Group>,
        jobs: GenSlab<JobKey, Job>,
        pending: BTreeMap<u64, GroupKey>,
        min: MinAllocatable,
        changes: u64,
        seq: u64,
    }

    impl World {
        /// `n` agents of 4 cpus, two to a rack.
        fn new(n: u32) -> World {
            let agents: Vec<Agent> = (0..n)
                .map(|a| {
                    Agent::new(
                        format!("a{a}"),
                        RackId::new(a / 2),
                        Pools::unreserved(Resources::cpus_mem(4.0, 0.0)),
                        BTreeMap::new(),
                    )
                })
                .collect();
            let mut placement = Placement::new(7, 3);
            placement.refresh(&agents);
            World {
                agents,
                placement,
                placement_epoch: 0,
                groups: GenSlab::new(),
                jobs: GenSlab::new(),
                pending: BTreeMap::new(),
                min: MinAllocatable::default(),
                changes: 0,
                seq: 0,
            }
        }

        /// A job of one group of `tasks` one-cpu tasks reading blocks of `input`.
        fn arrive(&mut self, input: &str, tasks: u32) -> GroupKey {
            self.seq += 1;
            let fw = FrameworkId::new(0);
            let job = self.jobs.insert(Job {
                tasks,
                groups_live: 1,
                complete: true,
                ..Job::new(Arc::from(input), fw, SimTime::ZERO, self.seq)
            });
            let g = self.groups.insert(Group {
                prefs: Some(Prefs::Input(Arc::from(input))),
                seq: self.seq,
                ..Group::new(
                    job,
                    fw,
                    SimTime::ZERO,
                    Resources::cpus_mem(1.0, 0.0),
                    SimDuration::from_secs(1),
                    tasks,
                )
            });
            self.pending.insert(self.seq, g);
            self.changes += 1;
            g
        }

        /// The view a filler sees; `counted` tells it the change count, so it may reuse.
        fn work(&self, counted: bool) -> WorkView<'_> {
            WorkView {
                changes: counted.then_some(self.changes),
                placement_epoch: self.placement_epoch,
                ..WorkView::new(
                    SimTime::ZERO,
                    &self.pending,
                    &self.groups,
                    &self.jobs,
                    &self.min,
                    &self.placement,
                )
            }
        }

        fn offer(&self, agent: u32, cpus: f64) -> OfferView {
            let a = AgentId::new(agent);
            OfferView {
                id: OfferId(1),
                agent: a,
                rack: self.placement.rack_of(a),
                role: RoleId::new(0),
                resources: Resources::cpus_mem(cpus, 0.0),
                executor: Resources::ZERO,
            }
        }

        /// The master applies the launches: which is no change to the count.
        fn apply(&mut self, d: &Decision) {
            for l in &d.launch {
                let g = &mut self.groups[l.group];
                g.take_pending(l.task);
                let (job, seq, left) = (g.job, g.seq, g.pending());
                self.jobs[job].running += 1;
                if left == 0 {
                    self.pending.remove(&seq);
                }
            }
        }

        /// A launched task is lost and comes back to pending.
        fn requeue(&mut self, g: GroupKey, t: u32) {
            let grp = &mut self.groups[g];
            grp.requeued.push(t);
            let (job, seq) = (grp.job, grp.seq);
            self.jobs[job].running -= 1;
            self.pending.insert(seq, g);
            self.changes += 1;
        }
    }

    /// Allows node-local launches only.
    struct NodeOnly;

    impl Gate for NodeOnly {
        fn allowed(&mut self, _job: JobKey) -> Level {
            Level::Node
        }
        fn launched(&mut self, _job: JobKey, _locality: Locality) {}
        fn skipped(&mut self, _job: JobKey) {}
    }

    #[test]
    fn a_reused_job_list_launches_what_a_rebuilt_one_does() {
        let mut w = World::new(12);
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let mut reusing = Filler::new(JobOrder::Fair);
        let mut rebuilding = Filler::new(JobOrder::Fair);
        let mut launched: Vec<(GroupKey, u32)> = Vec::new();
        let (mut reused, mut rebuilt, mut launches) = (0, 0, 0);
        for step in 0..3000 {
            match rng.gen_range(0..20) {
                0 => {
                    w.arrive(&format!("in{step}"), rng.gen_range(1..8));
                }
                1 if !launched.is_empty() => {
                    let (g, t) = launched.swap_remove(rng.gen_range(0..launched.len()));
                    w.requeue(g, t);
                }
                2 if !launched.is_empty() => {
                    // A task ends: running counts move, the pending work does not.
                    let (g, _) = launched.swap_remove(rng.gen_range(0..launched.len()));
                    let job = w.groups[g].job;
                    w.jobs[job].running -= 1;
                }
                _ => {
                    let o = w.offer(rng.gen_range(0..12), rng.gen_range(1..4) as f64);
                    let key = Some((w.changes, w.placement_epoch));
                    let was = reusing.list_changes;
                    let mut a = Decision::default();
                    let mut b = Decision::default();
                    reusing.fill(&o, &w.work(true), &mut Open, &mut a);
                    rebuilding.fill(&o, &w.work(false), &mut Open, &mut b);
                    assert_eq!(a.launch, b.launch, "step {step}");
                    if w.work(true).fits_some(&o) {
                        if was == key {
                            reused += 1;
                        } else {
                            rebuilt += 1;
                        }
                    }
                    launches += a.launch.len();
                    launched.extend(a.launch.iter().map(|l| (l.group, l.task)));
                    w.apply(&a);
                }
            }
        }
        // Both paths ran many times, and the fills launched.
        assert!(
            reused > 100 && rebuilt > 50 && launches > 500,
            "{reused} {rebuilt} {launches}"
        );
    }

    #[test]
    fn a_placement_rebuild_makes_the_indexes_stale() {
        let mut w = World::new(10);
        // An input whose block 0 gets a new holder when one of its holders leaves.
        let (input, gone, new) = (0..100)
            .find_map(|i| {
                let input = format!("in{i}");
                let before = w.placement.replica_set(&input, 0);
                let mut agents = w.agents.clone();
                agents[before[0].idx()].active = false;
                let mut p = w.placement.clone();
                p.refresh(&agents);
                let after = p.replica_set(&input, 0);
                let new = after.iter().copied().find(|a| !before.contains(a))?;
                Some((input, before[0], new))
            })
            .expect("some input gets a new holder");
        w.arrive(&input, 1);
        for counted in [false, true] {
            let mut f = Filler::new(JobOrder::Fifo);
            let mut d = Decision::default();
            // Indexes the group: the new holder holds nothing yet.
            f.fill(
                &w.offer(new.idx() as u32, 1.0),
                &w.work(counted),
                &mut NodeOnly,
                &mut d,
            );
            assert!(d.launch.is_empty());
            w.agents[gone.idx()].active = false;
            w.placement.refresh(&w.agents);
            w.placement_epoch += 1;
            f.fill(
                &w.offer(new.idx() as u32, 1.0),
                &w.work(counted),
                &mut NodeOnly,
                &mut d,
            );
            assert_eq!(d.launch.len(), 1, "counted: {counted}");
            // Back as it was, for the next round.
            w.agents[gone.idx()].active = true;
            w.placement.refresh(&w.agents);
            w.placement_epoch += 1;
        }
    }
}
