//! The model's events. Payloads are small ids so that the queue stays cheap; a timer whose
//! subject moved on (an epoch or generation that changed) is stale and ignored, never cancelled.

use super::ids::{AgentId, FrameworkId, OfferId, TaskKey};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    /// Periodic allocation over all agents (every `allocation_interval_s`).
    Tick,
    /// The offers one allocation run made to a framework reach its scheduler together (one
    /// ResourceOffersMessage in Mesos); `batch` indexes the master's batch table.
    Offers { fw: FrameworkId, batch: u32 },
    /// A framework finishes deciding on a batch and its answer reaches the master.
    Answer { fw: FrameworkId },
    /// A task begins to run on its agent (after latency and executor start-up).
    TaskStart { task: TaskKey },
    /// A task's duration is over.
    TaskEnd { task: TaskKey },
    /// The offers one allocation run made (ids `from..=to`) time out: those still outstanding
    /// are rescinded.
    OfferTimeout { from: OfferId, to: OfferId },
    /// An idle executor's resources are released.
    ExecutorIdle {
        fw: FrameworkId,
        agent: AgentId,
        epoch: u64,
    },
    /// An agent fails at random (`[faults]`); stale if the agent's fault epoch moved on.
    AgentFail { agent: AgentId, epoch: u64 },
    /// A failed agent is repaired and registers again, empty.
    AgentRepair { agent: AgentId, epoch: u64 },
    /// A disconnected agent missed `max_agent_ping_timeouts` pings and is removed.
    AgentPingTimeout { agent: AgentId, epoch: u64 },
    /// A disconnected framework's failover timeout expires and it is removed.
    FailoverTimeout { fw: FrameworkId, epoch: u64 },
}

impl Event {
    /// How error messages name the event ("invariant violated at t=3s after task end").
    pub fn kind(&self) -> &'static str {
        match self {
            Event::Tick => "allocation tick",
            Event::Offers { .. } => "offers arrival",
            Event::Answer { .. } => "framework answer",
            Event::TaskStart { .. } => "task start",
            Event::TaskEnd { .. } => "task end",
            Event::OfferTimeout { .. } => "offer timeout",
            Event::ExecutorIdle { .. } => "executor idle",
            Event::AgentFail { .. } => "agent failure",
            Event::AgentRepair { .. } => "agent repair",
            Event::AgentPingTimeout { .. } => "agent ping timeout",
            Event::FailoverTimeout { .. } => "framework failover timeout",
        }
    }
}
