//! The events of the simulation. Payloads are small indices so that the queue stays cheap.

/// One event in the queue. Indices refer to the world's tables.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    /// Periodic allocation over all agents.
    Tick,
    /// External inputs for this instant (scripted events, agent joins/leaves, trace rows) are due.
    Inputs,
    /// The offers one allocation run made to a framework reach its scheduler together (one
    /// ResourceOffersMessage in Mesos); `batch` indexes the world's batch table.
    Offers { fw: u32, batch: u32 },
    /// A framework finishes deciding on an offer and its answer reaches the master.
    Answer { fw: u32 },
    /// A task begins to run on its agent (after latency and executor start-up).
    TaskStart { task: u32 },
    /// A task's duration is over.
    TaskEnd { task: u32 },
    /// An outstanding offer times out and is rescinded.
    OfferTimeout { offer: u64 },
    /// An idle executor's resources are released.
    ExecutorIdle { fw: u32, agent: u32, epoch: u64 },
    /// An agent fails at random (`[faults]`); stale if the agent's fault epoch moved on.
    AgentFail { agent: u32, epoch: u64 },
    /// A failed agent is repaired and registers again, empty.
    AgentRepair { agent: u32, epoch: u64 },
    /// A disconnected agent missed `max_agent_ping_timeouts` pings and is removed.
    AgentPingTimeout { agent: u32, epoch: u64 },
    /// A disconnected framework's failover timeout expires and it is removed.
    FailoverTimeout { fw: u32, epoch: u64 },
}

impl Event {
    pub fn kind(&self) -> &'static str {
        match self {
            Event::Tick => "allocation tick",
            Event::Inputs => "inputs",
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
