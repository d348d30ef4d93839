//! The task life cycle: what runs on the agents. A launched task stages (message latency, and
//! its framework's executor starting if none runs on the agent yet), runs for its duration (times
//! a locality slowdown), and ends. Executors stay while they have tasks and go after
//! `executor_idle_s` without any. Resources an agent brought in already in use (`used` on
//! `add_agent`) are held here too, until their agent or framework goes.
//!
//! Where a task ends, in order (the dispatcher in `cluster/mod.rs` composes these steps):
//! 1. [`TaskLife::end`] takes the task out (its end event is current), or the agent or framework
//!    leaving takes it out ([`TaskLife::keys_where`]);
//! 2. the master takes its resources back (no filter);
//! 3. [`TaskLife::release_executor_task`] lets the executor go when it was the last task;
//! 4. the framework side counts it, resubmits it if it was lost or preempted (which may revive
//!    the framework), and ends its job if it was the job's last task.

use super::agent::{AgentId, Pools, RoleId};
use super::event::Event;
use super::ids::{FrameworkId, GenSlab, JobKey, TaskKey};
use super::master::{draw, Preallocated};
use super::resources::Resources;
use super::task::{Locality, Task, TaskState};
use crate::allocator::RunningTask;
use crate::scenario::Locality as Slowdowns;
use crate::sim::engine::Ctx;
use crate::sim::{SimDuration, SimTime};
use std::collections::BTreeMap;

/// A framework's executor on one agent.
#[derive(Clone, Debug)]
pub(crate) struct Executor {
    pub role: RoleId,
    pub pools: Pools,
    pub tasks: u32,
    pub epoch: u64,
}

/// Resources held on an agent by a framework other than through a task: an executor, or a
/// preallocation.
#[derive(Clone, Debug)]
pub(crate) struct Held {
    pub fw: FrameworkId,
    pub role: RoleId,
    pub agent: AgentId,
    pub pools: Pools,
}

pub(crate) struct TaskLife {
    tasks: GenSlab<TaskKey, Task>,
    executors: BTreeMap<(FrameworkId, AgentId), Executor>,
    preallocated: Vec<Preallocated>,
    slowdowns: Slowdowns,
    executor_idle: SimDuration,
}

/// What a launch needs from its framework's executor on the agent.
pub(crate) enum ExecutorNeed {
    /// The framework runs no executor.
    None,
    /// One runs there already; the task joins it.
    Running,
    /// It starts with the task: these resources came out of the offer, and the task waits for
    /// its start-up.
    Started(Resources),
}

impl TaskLife {
    pub fn new(slowdowns: Slowdowns, executor_idle: SimDuration) -> TaskLife {
        TaskLife {
            tasks: GenSlab::new(),
            executors: BTreeMap::new(),
            preallocated: Vec::new(),
            slowdowns,
            executor_idle,
        }
    }

    /// Live tasks (staging or running), in key order.
    pub fn iter(&self) -> impl Iterator<Item = (TaskKey, &Task)> + '_ {
        self.tasks.iter()
    }

    /// The invariant tests' deliberate bugs (`cluster::sabotage`): a live task whose state
    /// says it ended.
    #[cfg(test)]
    pub(crate) fn end_first_for_tests(&mut self) -> bool {
        let Some(k) = self.tasks.iter().map(|(k, _)| k).next() else {
            return false;
        };
        if let Some(t) = self.tasks.get_mut(k) {
            t.state = TaskState::Finished;
        }
        true
    }

    pub fn len(&self) -> usize {
        self.tasks.len()
    }

    pub fn executors(&self) -> impl Iterator<Item = (&(FrameworkId, AgentId), &Executor)> + '_ {
        self.executors.iter()
    }

    pub fn preallocated(&self) -> &[Preallocated] {
        &self.preallocated
    }

    pub fn running(&self) -> impl Iterator<Item = RunningTask> + '_ {
        self.tasks.iter().map(|(key, t)| RunningTask {
            key,
            fw: t.fw,
            role: t.role,
            agent: t.agent,
            launched: t.launched,
            resources: t.pools.total(),
        })
    }

    /// Whether `fw`'s executor runs on `agent`.
    pub fn has_executor(&self, fw: FrameworkId, agent: AgentId) -> bool {
        self.executors.contains_key(&(fw, agent))
    }

    pub fn add_preallocated(&mut self, p: Vec<Preallocated>) {
        self.preallocated.extend(p);
    }

    /// A task is launched on an offer of (fw, role, agent): the executor it needs joins or
    /// starts (drawing its resources from `remaining`, reservations of `chain` first). Err when
    /// the executor does not fit.
    #[allow(clippy::too_many_arguments)]
    pub fn executor_for(
        &mut self,
        fw: FrameworkId,
        role: RoleId,
        agent: AgentId,
        exec: &Resources,
        remaining: &mut Pools,
        chain: &[RoleId],
    ) -> std::result::Result<ExecutorNeed, ()> {
        if exec.is_zero() {
            return Ok(ExecutorNeed::None);
        }
        match self.executors.get_mut(&(fw, agent)) {
            Some(e) => {
                e.tasks += 1;
                e.epoch += 1;
                Ok(ExecutorNeed::Running)
            }
            None => {
                let pools = draw(remaining, exec, chain).ok_or(())?;
                self.executors.insert(
                    (fw, agent),
                    Executor {
                        role,
                        pools,
                        tasks: 1,
                        epoch: 0,
                    },
                );
                Ok(ExecutorNeed::Started(*exec))
            }
        }
    }

    /// Adds a launched task; it starts at once when `start_delay` is zero (the caller then
    /// calls [`TaskLife::start`]), or at its start event.
    pub fn insert(
        &mut self,
        task: Task,
        start_delay: SimDuration,
        ctx: &mut Ctx<Event>,
    ) -> TaskKey {
        let k = self.tasks.insert(task);
        if !start_delay.is_zero() {
            ctx.after(start_delay, Event::TaskStart { task: k });
        }
        k
    }

    /// The task starts to run (if its start is due now): its end is scheduled after its
    /// duration, slowed down by its locality. Returns its job (whose first start it may be).
    pub fn start(&mut self, k: TaskKey, ctx: &mut Ctx<Event>) -> Option<JobKey> {
        let now = ctx.now();
        let t = self.tasks.get_mut(k)?;
        if t.state != TaskState::Staging || t.due != now {
            return None;
        }
        t.state = TaskState::Running;
        t.start = Some(now);
        let factor = match t.locality {
            Locality::RackLocal => self.slowdowns.rack_slowdown,
            Locality::OffRack => self.slowdowns.off_rack_slowdown,
            _ => 1.0,
        };
        let dur = t.duration.scaled(factor);
        t.due = now + dur;
        ctx.after(dur, Event::TaskEnd { task: k });
        Some(t.job)
    }

    /// The task's end event: the task if it is running and due now (else the event is stale).
    pub fn end(&mut self, k: TaskKey, now: SimTime) -> Option<Task> {
        let current = self
            .tasks
            .get(k)
            .is_some_and(|t| t.state == TaskState::Running && t.due == now);
        current.then(|| self.tasks.remove(k))
    }

    /// Takes a live task out (it is lost, killed or preempted).
    pub fn remove(&mut self, k: TaskKey) -> Option<Task> {
        self.tasks.contains(k).then(|| self.tasks.remove(k))
    }

    /// The live tasks that `hit` selects, in key order.
    pub fn keys_where(&self, hit: impl Fn(FrameworkId, AgentId) -> bool) -> Vec<TaskKey> {
        self.tasks
            .iter()
            .filter(|(_, t)| hit(t.fw, t.agent))
            .map(|(k, _)| k)
            .collect()
    }

    /// A task of `fw` on `agent` ended: when it was its executor's last, the executor goes now
    /// (returned: give its resources back) or after `executor_idle_s` (an event).
    pub fn release_executor_task(
        &mut self,
        fw: FrameworkId,
        agent: AgentId,
        ctx: &mut Ctx<Event>,
    ) -> Option<Held> {
        let e = self.executors.get_mut(&(fw, agent))?;
        e.tasks -= 1;
        if e.tasks > 0 {
            return None;
        }
        e.epoch += 1;
        let epoch = e.epoch;
        if self.executor_idle.is_zero() {
            self.executor_idle(fw, agent, epoch)
        } else {
            ctx.after(self.executor_idle, Event::ExecutorIdle { fw, agent, epoch });
            None
        }
    }

    /// An idle executor's timer: it goes if it is still idle (returned: give its resources
    /// back).
    pub fn executor_idle(&mut self, fw: FrameworkId, agent: AgentId, epoch: u64) -> Option<Held> {
        let e = self.executors.get(&(fw, agent))?;
        if e.tasks > 0 || e.epoch != epoch {
            return None;
        }
        let e = self.executors.remove(&(fw, agent)).expect("present");
        Some(Held {
            fw,
            role: e.role,
            agent,
            pools: e.pools,
        })
    }

    /// Takes out the executors (in key order) and then the preallocations that `hit` selects.
    pub fn take_held_where(&mut self, hit: impl Fn(FrameworkId, AgentId) -> bool) -> Vec<Held> {
        let keys: Vec<(FrameworkId, AgentId)> = self
            .executors
            .keys()
            .copied()
            .filter(|&(f, a)| hit(f, a))
            .collect();
        let mut held = Vec::new();
        for k in keys {
            let e = self.executors.remove(&k).expect("present");
            held.push(Held {
                fw: k.0,
                role: e.role,
                agent: k.1,
                pools: e.pools,
            });
        }
        let (pre, keep): (Vec<Preallocated>, Vec<Preallocated>) =
            std::mem::take(&mut self.preallocated)
                .into_iter()
                .partition(|p| hit(p.fw, p.agent));
        self.preallocated = keep;
        held.extend(pre.into_iter().map(|p| Held {
            fw: p.fw,
            role: p.role,
            agent: p.agent,
            pools: p.pools,
        }));
        held
    }

    /// Empties the table at the end of a run: the tasks still staging or running, in launch
    /// order (then job and task).
    pub fn drain_unfinished(&mut self) -> Vec<Task> {
        let mut running: Vec<Task> = self.tasks.drain().into_iter().map(|(_, t)| t).collect();
        running.sort_by_key(|t| (t.launched, t.job, t.job_index));
        running
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::ids::{GenSlab, GroupKey};

    fn life(idle: SimDuration) -> TaskLife {
        TaskLife::new(
            Slowdowns {
                rack_slowdown: 1.5,
                off_rack_slowdown: 2.0,
            },
            idle,
        )
    }

    fn task(locality: Locality, due: SimTime) -> Task {
        let mut groups: GenSlab<GroupKey, ()> = GenSlab::new();
        let mut jobs: GenSlab<JobKey, ()> = GenSlab::new();
        Task {
            group: groups.insert(()),
            job: jobs.insert(()),
            submit: SimTime::ZERO,
            index: 0,
            job_index: 0,
            fw: FrameworkId::new(0),
            role: RoleId::new(0),
            agent: AgentId::new(0),
            pools: Pools::unreserved(Resources::cpus_mem(1.0, 0.0)),
            launched: SimTime::ZERO,
            start: None,
            duration: SimDuration::from_secs(10),
            locality,
            state: TaskState::Staging,
            attempt: 0,
            due,
        }
    }

    #[test]
    fn a_task_runs_for_its_duration_slowed_down_by_its_locality() {
        let mut l = life(SimDuration::ZERO);
        let mut ctx = Ctx::at_time(SimTime::ZERO);
        let k = l.insert(
            task(Locality::RackLocal, SimTime::ZERO),
            SimDuration::ZERO,
            &mut ctx,
        );
        assert!(
            ctx.pop_event().is_none(),
            "no start event: it starts at once"
        );
        assert!(l.start(k, &mut ctx).is_some());
        let (t, ev) = ctx.pop_event().unwrap();
        assert_eq!(
            (t, ev),
            (SimTime::from_us(15_000_000), Event::TaskEnd { task: k })
        );
        assert!(
            l.end(k, SimTime::from_us(14_000_000)).is_none(),
            "not due then"
        );
        let done = l.end(k, t).expect("due now");
        assert_eq!(done.start, Some(SimTime::ZERO));
        assert!(l.end(k, t).is_none(), "ended once");
        assert_eq!(l.len(), 0);
    }

    #[test]
    fn a_delayed_start_waits_for_its_event() {
        let mut l = life(SimDuration::ZERO);
        let mut ctx = Ctx::at_time(SimTime::ZERO);
        let due = SimTime::from_us(2_000_000);
        let k = l.insert(
            task(Locality::None, due),
            SimDuration::from_secs(2),
            &mut ctx,
        );
        assert!(l.start(k, &mut ctx).is_none(), "not due yet");
        let (t, ev) = ctx.pop_event().unwrap();
        assert_eq!((t, ev), (due, Event::TaskStart { task: k }));
        assert!(l.start(k, &mut ctx).is_some());
    }

    #[test]
    fn the_first_task_starts_the_executor_and_the_last_one_lets_it_go() {
        let (fw, role, a) = (FrameworkId::new(0), RoleId::new(0), AgentId::new(0));
        let exec = Resources::cpus_mem(0.5, 64.0);
        let mut offer = Pools::unreserved(Resources::cpus_mem(4.0, 1024.0));
        let mut l = life(SimDuration::ZERO);
        let mut ctx = Ctx::at_time(SimTime::ZERO);
        assert!(matches!(
            l.executor_for(fw, role, a, &exec, &mut offer, &[role]),
            Ok(ExecutorNeed::Started(r)) if r == exec
        ));
        assert_eq!(offer.total(), Resources::cpus_mem(3.5, 960.0));
        assert!(matches!(
            l.executor_for(fw, role, a, &exec, &mut offer, &[role]),
            Ok(ExecutorNeed::Running)
        ));
        assert!(
            l.release_executor_task(fw, a, &mut ctx).is_none(),
            "one task left"
        );
        let h = l
            .release_executor_task(fw, a, &mut ctx)
            .expect("idle at once");
        assert_eq!(h.pools.total(), exec);
        assert!(!l.has_executor(fw, a));
        // An executor that does not fit is refused.
        let mut small = Pools::unreserved(Resources::cpus_mem(0.1, 0.0));
        assert!(l
            .executor_for(fw, role, a, &exec, &mut small, &[role])
            .is_err());
    }

    #[test]
    fn an_idle_executor_goes_after_its_timeout_unless_a_task_came_back() {
        let (fw, role, a) = (FrameworkId::new(0), RoleId::new(0), AgentId::new(0));
        let exec = Resources::cpus_mem(0.5, 64.0);
        let mut offer = Pools::unreserved(Resources::cpus_mem(4.0, 1024.0));
        let mut l = life(SimDuration::from_secs(30));
        let mut ctx = Ctx::at_time(SimTime::ZERO);
        l.executor_for(fw, role, a, &exec, &mut offer, &[role])
            .unwrap();
        assert!(l.release_executor_task(fw, a, &mut ctx).is_none());
        let Some((t, Event::ExecutorIdle { epoch, .. })) = ctx.pop_event() else {
            panic!("an idle timer");
        };
        assert_eq!(t, SimTime::from_us(30_000_000));
        // A task joined meanwhile: the timer is stale.
        l.executor_for(fw, role, a, &exec, &mut offer, &[role])
            .unwrap();
        assert!(l.executor_idle(fw, a, epoch).is_none());
        assert!(l.has_executor(fw, a));
    }
}
