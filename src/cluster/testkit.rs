//! Helpers for the unit tests of the model's parts: a default policy, a master with the DRF
//! allocator, agents and frameworks, and an observer that keeps a line per offer outcome.

use super::agent::AgentId;
use super::event::Event;
use super::ids::FrameworkId;
use super::master::Master;
use super::resources::Resources;
use crate::allocator::AllocatorKind;
use crate::metrics::observe::{Observation, Observer};
use crate::scenario::{FrameworkConfig, FrameworkDefaults, MasterConfig, Policy};
use crate::sim::engine::Ctx;
use crate::sim::SimTime;
use std::collections::BTreeMap;

/// Keeps what the tests look at: offers made and resolved, tasks and jobs that ended, tasks
/// dropped.
#[derive(Default)]
pub struct Log(pub Vec<String>);

impl Observer for Log {
    fn observe(&mut self, now: SimTime, o: Observation<'_>) {
        let line = match o {
            Observation::OfferMade {
                id,
                framework,
                agent,
                resources,
                ..
            } => format!("{now} offer {id} to {framework} on {agent}: {resources}"),
            Observation::OfferResolved { id, outcome } => {
                format!("{now} offer {id} {}", outcome.as_str())
            }
            Observation::TaskEnded { task, state, .. } => {
                format!("{now} task {} {}", task.job_index, state.as_str())
            }
            Observation::JobEnded { job, end, .. } => match end {
                Some(e) => format!("{now} job {} ended at {e}", job.id),
                None => format!("{now} job {} unfinished", job.id),
            },
            Observation::TasksUnscheduled { count } if count > 0 => {
                format!("{now} {count} unscheduled")
            }
            Observation::JobAbandoned => format!("{now} job abandoned"),
            _ => return,
        };
        self.0.push(line);
    }
}

pub fn policy(defaults: FrameworkDefaults) -> Policy {
    Policy {
        name: "test".into(),
        allocator: AllocatorKind::Drf,
        master: MasterConfig::default(),
        framework_defaults: defaults,
        source: "test".into(),
        description: String::new(),
        preempt_after: None,
    }
}

/// A DRF master that reports every offer as a row (the log keeps one line per offer).
pub fn master() -> Master {
    let mut m = Master::new(
        MasterConfig::default(),
        BTreeMap::new(),
        crate::allocator::build(AllocatorKind::Drf, None),
        1,
        0,
    );
    m.report_offer_rows(true);
    m
}

pub fn agent(m: &mut Master, ctx: &Ctx<Event>, log: &mut Log, name: &str, r: Resources) -> AgentId {
    m.add_agent(
        name,
        Some("r1"),
        r,
        &[],
        BTreeMap::new(),
        &[],
        ctx.now(),
        ctx.seq(),
        log,
    )
    .0
}

/// A framework config with the built-in defaults over `defaults`.
pub fn config(name: &str, defaults: FrameworkDefaults) -> FrameworkConfig {
    FrameworkConfig::layered(name, None, &policy(defaults))
}

/// Subscribes a framework to the master (not suppressed).
pub fn framework(
    m: &mut Master,
    ctx: &Ctx<Event>,
    log: &mut Log,
    cfg: &FrameworkConfig,
) -> FrameworkId {
    m.add_framework(cfg, false, ctx.now(), ctx.seq(), log)
}

pub fn cpus_mem(c: f64, mem: f64) -> Resources {
    Resources::cpus_mem(c, mem)
}
