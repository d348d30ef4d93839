//! The inputs of a run: the cluster table's agent joins and leaves, framework subscriptions,
//! scripted events and trace rows, each a time-ordered stream. Within one instant they come in
//! that order (so an event at time 0 may name the cluster's agents and listed frameworks), and
//! the trace is streamed: only its next row is held.

use crate::error::Result;
use crate::scenario::{Scenario, ScriptedEvent};
use crate::sim::SimTime;
use crate::workload::{JobSource, TraceRow};
use std::collections::BTreeSet;
use std::sync::Arc;

/// One input due now.
pub(crate) enum Input {
    /// Agent `i` of the scenario's cluster table joins.
    AgentJoins(usize),
    /// Agent `i` of the cluster table leaves.
    AgentLeaves(usize),
    /// A framework subscribes (listed, or named by the workload).
    FrameworkJoins(String),
    Script(ScriptedEvent),
    Row(TraceRow),
}

pub(crate) struct Inputs {
    scenario: Arc<Scenario>,
    /// (time, join?, cluster-table index), time-sorted.
    agent_changes: Vec<(SimTime, bool, usize)>,
    agent_pos: usize,
    fw_joins: Vec<(SimTime, String)>,
    fw_pos: usize,
    script_pos: usize,
    source: Box<dyn JobSource>,
    next_row: Option<TraceRow>,
    /// The source has given its last row (not: the rows were discarded at the horizon).
    rows_exhausted: bool,
}

impl Inputs {
    pub fn new(scenario: Arc<Scenario>, mut source: Box<dyn JobSource>) -> Result<Inputs> {
        // Agents of the cluster table join at their add_s (0 for most).
        let mut agent_changes = Vec::new();
        for (i, a) in scenario.agents.iter().enumerate() {
            agent_changes.push((a.add, true, i));
            if let Some(r) = a.remove {
                agent_changes.push((r, false, i));
            }
        }
        agent_changes.sort_by_key(|&(t, join, i)| (t, !join, i));
        // Frameworks: those listed, then those the workload names, subscribe at add_s / 0.
        let mut joins: Vec<(SimTime, String)> = Vec::new();
        let listed: BTreeSet<String> = scenario.frameworks.iter().map(|f| f.name.clone()).collect();
        for f in &scenario.frameworks {
            joins.push((f.add, f.name.clone()));
        }
        for name in source.frameworks()? {
            if !listed.contains(&name) {
                joins.push((SimTime::ZERO, name));
            }
        }
        joins.sort_by_key(|(t, _)| *t); // stable: listed first, then trace order
        let next_row = source.next_row()?;
        Ok(Inputs {
            scenario,
            agent_changes,
            agent_pos: 0,
            fw_joins: joins,
            fw_pos: 0,
            script_pos: 0,
            rows_exhausted: next_row.is_none(),
            source,
            next_row,
        })
    }

    /// Frameworks the scenario names up front (listed or in the trace).
    pub fn planned_frameworks(&self) -> usize {
        self.fw_joins.len()
    }

    /// The instant of the next input (None: there are no more).
    pub fn next_time(&self) -> Option<SimTime> {
        [
            self.scenario.events.get(self.script_pos).map(|e| e.at),
            self.agent_changes.get(self.agent_pos).map(|c| c.0),
            self.fw_joins.get(self.fw_pos).map(|j| j.0),
            self.next_row.as_ref().map(|r| r.submit),
        ]
        .into_iter()
        .flatten()
        .min()
    }

    /// Whether every row of the source has arrived.
    pub fn rows_exhausted(&self) -> bool {
        self.rows_exhausted
    }

    pub fn done(&self) -> bool {
        self.next_time().is_none()
    }

    /// Inputs past the horizon never arrive.
    pub fn discard(&mut self) {
        self.script_pos = self.scenario.events.len();
        self.agent_pos = self.agent_changes.len();
        self.fw_pos = self.fw_joins.len();
        self.next_row = None;
    }

    /// The next input due at `now`, in the order of the module's rule.
    pub fn pop_due(&mut self, now: SimTime) -> Result<Option<Input>> {
        if let Some(&(t, join, i)) = self.agent_changes.get(self.agent_pos) {
            if t <= now {
                self.agent_pos += 1;
                return Ok(Some(if join {
                    Input::AgentJoins(i)
                } else {
                    Input::AgentLeaves(i)
                }));
            }
        }
        if let Some((t, _)) = self.fw_joins.get(self.fw_pos) {
            if *t <= now {
                let name = self.fw_joins[self.fw_pos].1.clone();
                self.fw_pos += 1;
                return Ok(Some(Input::FrameworkJoins(name)));
            }
        }
        if let Some(e) = self.scenario.events.get(self.script_pos) {
            if e.at <= now {
                let e = e.clone();
                self.script_pos += 1;
                return Ok(Some(Input::Script(e)));
            }
        }
        if self.next_row.as_ref().is_some_and(|r| r.submit <= now) {
            let row = self.next_row.take().expect("checked");
            self.next_row = self.source.next_row()?;
            self.rows_exhausted = self.next_row.is_none();
            return Ok(Some(Input::Row(row)));
        }
        Ok(None)
    }
}
