//! Jobs, task groups and tasks: the value types of a framework's workload. A trace row is a
//! group of identical tasks; tasks are created one by one only when launched, so memory follows
//! the running tasks, not the trace.

use super::agent::{AgentId, Pools, RoleId};
use super::ids::{FrameworkId, GroupKey, JobKey};
use super::resources::Resources;
use crate::sim::{SimDuration, SimTime};
use std::sync::Arc;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Locality {
    /// The task has no preference.
    None,
    NodeLocal,
    RackLocal,
    OffRack,
}

impl Locality {
    pub fn as_str(self) -> &'static str {
        match self {
            Locality::None => "",
            Locality::NodeLocal => "node_local",
            Locality::RackLocal => "rack_local",
            Locality::OffRack => "off_rack",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TaskState {
    Staging,
    Running,
    Finished,
    Lost,
    Killed,
    /// Killed by the `priority` allocator's preemption; resubmitted like a lost task.
    Preempted,
}

impl TaskState {
    pub fn as_str(self) -> &'static str {
        match self {
            TaskState::Staging => "staging",
            TaskState::Running => "running",
            TaskState::Finished => "finished",
            TaskState::Lost => "lost",
            TaskState::Killed => "killed",
            TaskState::Preempted => "preempted",
        }
    }
}

/// Where a group's tasks would like to run.
#[derive(Clone, Debug)]
pub enum Prefs {
    /// Every task prefers these agents (`preferred_nodes`).
    Nodes(Arc<[AgentId]>),
    /// Task i reads block i of this input; its replicas are placed by the block placer.
    Input(Arc<str>),
}

/// A job: every row of one job id, for its whole life. It ends when its last row has arrived
/// and every task of every row has ended, however far apart its rows came.
#[derive(Clone, Debug)]
pub struct Job {
    pub id: Arc<str>,
    pub fw: FrameworkId,
    /// Its first row's submit.
    pub submit: SimTime,
    pub first_start: Option<SimTime>,
    pub tasks: u32,
    pub ended: u32,
    pub running: u32,
    pub node_local: u32,
    pub rack_local: u32,
    pub off_rack: u32,
    /// Submission order, the FIFO key.
    pub seq: u64,
    /// Groups (trace rows) of the job not yet fully ended.
    pub groups_live: u32,
    /// Decisions of its framework after which it still had pending tasks (`max_attempts`).
    pub attempts: u32,
    /// Gave up on after `max_attempts`: its pending tasks were dropped, and tasks that come back
    /// (lost, or their offer vanished) are dropped too.
    pub abandoned: bool,
    /// Its last row has arrived (or the rows ran out): no more tasks will join it.
    pub complete: bool,
    /// When its latest task finished (its end, once it is complete and nothing is left).
    pub last_end: SimTime,
}

#[derive(Clone, Debug)]
pub struct Group {
    pub job: JobKey,
    pub fw: FrameworkId,
    /// Its own row's submit (a job's rows may come at different times).
    pub submit: SimTime,
    pub shape: Resources,
    pub duration: SimDuration,
    pub count: u32,
    /// Index of this group's first task within its job.
    pub base: u32,
    /// Next never-launched task (tasks `next..count` are pending).
    pub next: u32,
    /// Tasks that came back (lost or returned) and wait to be launched again.
    pub requeued: Vec<u32>,
    /// Launched and not yet ended.
    pub live: u32,
    /// Tasks taken by a decision whose answer is still on its way: the group must outlive
    /// them even when nothing of it is pending or running.
    pub inflight: u32,
    pub prefs: Option<Prefs>,
    pub priority: i64,
    pub seq: u64,
    /// Attempt numbers of tasks that were ever lost or preempted, by task index: a small sorted
    /// list, because only tasks that failed once need one (the rest are at attempt 0).
    pub attempts: Vec<(u32, u32)>,
}

impl Job {
    /// A job before its first row joins it: no tasks, not complete.
    pub fn new(id: Arc<str>, fw: FrameworkId, submit: SimTime, seq: u64) -> Job {
        Job {
            id,
            fw,
            submit,
            first_start: None,
            tasks: 0,
            ended: 0,
            running: 0,
            node_local: 0,
            rack_local: 0,
            off_rack: 0,
            seq,
            groups_live: 0,
            attempts: 0,
            abandoned: false,
            complete: false,
            last_end: submit,
        }
    }
}

impl Group {
    /// A row of `count` tasks of `shape`, none launched: the job's first tasks, no preferences,
    /// priority 0, submission order 0 (callers set what differs).
    pub fn new(
        job: JobKey,
        fw: FrameworkId,
        submit: SimTime,
        shape: Resources,
        duration: SimDuration,
        count: u32,
    ) -> Group {
        Group {
            job,
            fw,
            submit,
            shape,
            duration,
            count,
            base: 0,
            next: 0,
            requeued: Vec::new(),
            live: 0,
            inflight: 0,
            prefs: None,
            priority: 0,
            seq: 0,
            attempts: Vec::new(),
        }
    }

    /// A decision launches pending task `task`: it is in flight until the answer arrives.
    pub fn take_pending(&mut self, task: u32) {
        self.inflight += 1;
        if let Some(p) = self.requeued.iter().position(|&t| t == task) {
            self.requeued.swap_remove(p);
        } else {
            // Skipping ahead leaves the skipped tasks pending.
            for t in self.next..task {
                self.requeued.push(t);
            }
            self.next = task + 1;
        }
    }

    pub fn pending(&self) -> u32 {
        self.count - self.next + self.requeued.len() as u32
    }

    /// The attempt number the next launch of task `index` gets.
    pub fn attempt_of(&self, index: u32) -> u32 {
        match self.attempts.binary_search_by_key(&index, |&(i, _)| i) {
            Ok(k) => self.attempts[k].1,
            Err(_) => 0,
        }
    }

    /// A launch of task `index` that ran as `attempt` failed; the framework resubmits it.
    pub fn next_attempt(&mut self, index: u32, attempt: u32) {
        let next = attempt.saturating_add(1);
        match self.attempts.binary_search_by_key(&index, |&(i, _)| i) {
            Ok(k) => self.attempts[k].1 = next,
            Err(k) => self.attempts.insert(k, (index, next)),
        }
    }
}

#[derive(Clone, Debug)]
pub struct Task {
    pub group: GroupKey,
    pub job: JobKey,
    /// Its row's submit (tasks.csv's `submit_s`).
    pub submit: SimTime,
    pub index: u32,
    /// Index of the task within its job (the `task` column).
    pub job_index: u32,
    pub fw: FrameworkId,
    pub role: RoleId,
    pub agent: AgentId,
    pub pools: Pools,
    pub launched: SimTime,
    pub start: Option<SimTime>,
    pub duration: SimDuration,
    pub locality: Locality,
    pub state: TaskState,
    pub attempt: u32,
    /// When its pending start or end event is due (an event of the task that is not due now,
    /// say the end of a task that was lost and requeued, is stale).
    pub due: SimTime,
}
