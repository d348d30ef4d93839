//! Scripted events (`[[events]]`, DESIGN §4.3) typed at load: amounts become resources,
//! seconds become durations, scheduler names become kinds. Names of agents, frameworks and
//! roles are resolved when the event runs, against what exists then.

use super::load::{
    agent_capabilities, check_fw_capabilities, check_role_name, check_whitelist,
    min_allocatable_list, reserved_list, unknown_name, Ctx,
};
use super::raw::{EventRaw, ResSpec};
use super::ScriptedEvent;
use crate::cluster::agent::AgentCapabilities;
use crate::cluster::resources::{Limits, MinAllocatable, Resources};
use crate::error::Result;
use crate::scheduler::SchedulerKind;
use crate::sim::{SimDuration, SimTime};
use std::collections::BTreeMap;

/// Resources an agent brings in already allocated to a framework (`used` on `add_agent`).
#[derive(Clone, Debug, PartialEq)]
pub struct UsedSpec {
    pub framework: String,
    pub role: String,
    pub resources: Resources,
}

/// New amounts of an agent's total (`update_agent`): each given amount replaces that resource
/// of the total, reservations included.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TotalUpdate {
    /// The new amount per resource, in milli-units (None: unchanged).
    pub amounts: [Option<i64>; crate::cluster::resources::NRES],
}

impl TotalUpdate {
    /// `total` with the given amounts replaced.
    pub fn apply(&self, total: &Resources) -> Resources {
        let mut r = *total;
        for (i, a) in self.amounts.iter().enumerate() {
            if let Some(v) = a {
                r.0[i] = *v;
            }
        }
        r
    }
}

/// The part of an offer a `decline` returns (`resources = {...}`).
#[derive(Clone, Debug, PartialEq)]
pub struct DeclinePart {
    pub resources: Resources,
    /// The reservation the part is taken from (None: the unreserved pool).
    pub reserved_for: Option<String>,
    /// The part is revocable resources (`revocable = true`).
    pub revocable: bool,
}

/// What a scripted event does.
#[derive(Clone, Debug, PartialEq)]
pub enum ScriptAction {
    AddAgent {
        name: String,
        rack: Option<String>,
        total: Resources,
        attributes: BTreeMap<String, String>,
        reserved: Vec<(String, Resources)>,
        used: Vec<UsedSpec>,
        /// None: every capability.
        capabilities: Option<AgentCapabilities>,
        /// Revocable resources (zero: none).
        revocable: Resources,
    },
    RemoveAgent {
        agent: String,
    },
    /// Changed attributes clear the agent's filters; any change (attributes, total,
    /// capabilities) triggers an allocation for it. None: unchanged.
    UpdateAgent {
        agent: String,
        attributes: Option<BTreeMap<String, String>>,
        total: Option<TotalUpdate>,
        capabilities: Option<AgentCapabilities>,
        /// A new revocable total (None: unchanged).
        revocable: Option<Resources>,
    },
    AddFramework {
        name: String,
        roles: Option<Vec<String>>,
        scheduler: SchedulerKind,
        /// None: as the scenario's framework table says (or no GPUs).
        gpu_capable: Option<bool>,
        /// None: as the framework table says (or not declared).
        multi_role: Option<bool>,
        /// None: as the framework table says (or not declared).
        revocable: Option<bool>,
        suppressed_roles: Option<Vec<String>>,
        min_allocatable: Option<MinAllocatable>,
    },
    RemoveFramework {
        framework: String,
    },
    Suppress {
        framework: String,
        roles: Option<Vec<String>>,
    },
    Revive {
        framework: String,
        roles: Option<Vec<String>>,
    },
    Decline {
        framework: String,
        agent: Option<String>,
        role: Option<String>,
        /// None: the master's refuse_s.
        refuse: Option<SimDuration>,
        part: Option<DeclinePart>,
    },
    SetWeight {
        role: String,
        weight: f64,
    },
    SetQuota {
        role: String,
        guarantees: Resources,
        limits: Limits,
    },
    SetMinAllocatable {
        framework: String,
        role: Option<String>,
        min_allocatable: MinAllocatable,
    },
    /// The framework's scheduler disconnects (Mesos framework failover).
    FailFramework {
        framework: String,
        failover_timeout: SimDuration,
    },
    /// A disconnected framework re-registers within its failover timeout.
    ReregisterFramework {
        framework: String,
    },
    /// The agent stops answering the master's pings.
    DisconnectAgent {
        agent: String,
    },
    /// A disconnected agent answers again.
    ReconnectAgent {
        agent: String,
    },
    /// `reserve` (`unreserve: false`) or `unreserve`: a dynamic reservation made or undone on
    /// the framework's oldest offer on the agent (Mesos `updateAllocation`), or, without a
    /// framework, by the operator on the agent's free resources (Mesos `updateAvailable`).
    Reserve {
        agent: String,
        role: String,
        framework: Option<String>,
        resources: Resources,
        unreserve: bool,
    },
    /// Replaces the agent whitelist (None: every agent).
    UpdateWhitelist {
        agents: Option<Vec<String>>,
    },
    /// Gives the agents of `target` an unavailability (Mesos `updateUnavailability`): inverse
    /// offers from now on, DOWN at `start`, UP again at `start + duration`.
    ScheduleMaintenance {
        target: MaintenanceTarget,
        start: SimTime,
        duration: SimDuration,
    },
    /// Derived from `schedule_maintenance` (never written in a file): its window starts now.
    MaintenanceDown {
        target: MaintenanceTarget,
    },
    /// Derived from `schedule_maintenance`: its window ends now.
    MaintenanceUp {
        target: MaintenanceTarget,
    },
}

/// The agents a maintenance window covers, resolved when each of its events runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MaintenanceTarget {
    Agent(String),
    Rack(String),
}

impl ScriptAction {
    /// The `action` name as the file spells it.
    pub fn name(&self) -> &'static str {
        match self {
            ScriptAction::AddAgent { .. } => "add_agent",
            ScriptAction::RemoveAgent { .. } => "remove_agent",
            ScriptAction::UpdateAgent { .. } => "update_agent",
            ScriptAction::AddFramework { .. } => "add_framework",
            ScriptAction::RemoveFramework { .. } => "remove_framework",
            ScriptAction::Suppress { .. } => "suppress",
            ScriptAction::Revive { .. } => "revive",
            ScriptAction::Decline { .. } => "decline",
            ScriptAction::SetWeight { .. } => "set_weight",
            ScriptAction::SetQuota { .. } => "set_quota",
            ScriptAction::SetMinAllocatable { .. } => "set_min_allocatable",
            ScriptAction::FailFramework { .. } => "fail_framework",
            ScriptAction::ReregisterFramework { .. } => "reregister_framework",
            ScriptAction::DisconnectAgent { .. } => "disconnect_agent",
            ScriptAction::ReconnectAgent { .. } => "reconnect_agent",
            ScriptAction::Reserve {
                unreserve: false, ..
            } => "reserve",
            ScriptAction::Reserve {
                unreserve: true, ..
            } => "unreserve",
            ScriptAction::UpdateWhitelist { .. } => "update_whitelist",
            ScriptAction::ScheduleMaintenance { .. }
            | ScriptAction::MaintenanceDown { .. }
            | ScriptAction::MaintenanceUp { .. } => "schedule_maintenance",
        }
    }
}

pub(super) fn event_time(e: &EventRaw) -> f64 {
    match e {
        EventRaw::AddAgent { at_s, .. }
        | EventRaw::RemoveAgent { at_s, .. }
        | EventRaw::UpdateAgent { at_s, .. }
        | EventRaw::AddFramework { at_s, .. }
        | EventRaw::RemoveFramework { at_s, .. }
        | EventRaw::Suppress { at_s, .. }
        | EventRaw::Revive { at_s, .. }
        | EventRaw::Decline { at_s, .. }
        | EventRaw::SetWeight { at_s, .. }
        | EventRaw::SetQuota { at_s, .. }
        | EventRaw::SetMinAllocatable { at_s, .. }
        | EventRaw::FailFramework { at_s, .. }
        | EventRaw::ReregisterFramework { at_s, .. }
        | EventRaw::DisconnectAgent { at_s, .. }
        | EventRaw::ReconnectAgent { at_s, .. }
        | EventRaw::Reserve { at_s, .. }
        | EventRaw::Unreserve { at_s, .. }
        | EventRaw::UpdateWhitelist { at_s, .. }
        | EventRaw::ScheduleMaintenance { at_s, .. } => *at_s,
    }
}

/// `revocable_cpus` / `revocable_mem_mb`: a number (integer or float) that is finite, at least
/// 0 and within range; any other value is an error naming its key. None if neither is given.
fn revocable_keys(
    ctx: &Ctx,
    line: usize,
    cpus: &Option<toml::Value>,
    mem_mb: &Option<toml::Value>,
) -> Result<Option<Resources>> {
    if cpus.is_none() && mem_mb.is_none() {
        return Ok(None);
    }
    let mut amounts = [0.0; 2];
    for (i, (key, v)) in [("revocable_cpus", cpus), ("revocable_mem_mb", mem_mb)]
        .into_iter()
        .enumerate()
    {
        let x = match v {
            None => 0.0,
            Some(toml::Value::Integer(n)) => *n as f64,
            Some(toml::Value::Float(f)) => *f,
            Some(other) => {
                return Err(ctx.err(
                    line,
                    key,
                    format!("expected a number, got a {}", other.type_str()),
                ))
            }
        };
        if !x.is_finite() || !(0.0..=super::MAX_AMOUNT).contains(&x) {
            return Err(ctx.err(
                line,
                key,
                format!(
                    "expected a finite number between 0 and {:e}, got {x}",
                    super::MAX_AMOUNT
                ),
            ));
        }
        amounts[i] = x;
    }
    Ok(Some(Resources::cpus_mem(amounts[0], amounts[1])))
}

fn spec(cpus: f64, mem_mb: f64, disk_mb: f64, gpus: f64) -> ResSpec {
    ResSpec {
        cpus,
        mem_mb,
        disk_mb,
        gpus,
    }
}

/// Checks one event and types it.
pub(super) fn script_action(ctx: &Ctx, line: usize, e: &EventRaw) -> Result<ScriptAction> {
    let roles_ok = |field: &str, roles: &Option<Vec<String>>| -> Result<()> {
        for r in roles.iter().flatten() {
            check_role_name(ctx, line, field, r)?;
        }
        Ok(())
    };
    Ok(match e {
        EventRaw::AddAgent {
            name,
            cpus,
            mem_mb,
            disk_mb,
            gpus,
            rack,
            attributes,
            reserved,
            used,
            capabilities,
            revocable_cpus,
            revocable_mem_mb,
            ..
        } => {
            if name.is_empty() {
                return Err(ctx.err(line, "name", "an agent needs a non-empty name"));
            }
            let revocable =
                revocable_keys(ctx, line, revocable_cpus, revocable_mem_mb)?.unwrap_or_default();
            let capabilities = agent_capabilities(ctx, line, capabilities.as_deref())?;
            let total = ctx.res(line, "", &spec(*cpus, *mem_mb, *disk_mb, *gpus))?;
            let reserved = reserved_list(ctx, line, &total, reserved.as_ref())?;
            let mut sum = Resources::ZERO;
            let mut used_list = Vec::new();
            for u in used.iter().flat_map(|u| u.to_vec()) {
                check_role_name(ctx, line, "used.role", &u.role)?;
                let r = ctx.res(line, "used", &spec(u.cpus, u.mem_mb, u.disk_mb, u.gpus))?;
                sum += r;
                used_list.push(UsedSpec {
                    framework: u.framework.clone(),
                    role: u.role.clone(),
                    resources: r,
                });
            }
            if !total.contains(&sum) {
                return Err(ctx.err(
                    line,
                    "used",
                    format!("used resources {sum} exceed the agent's total {total}"),
                ));
            }
            ScriptAction::AddAgent {
                name: name.clone(),
                rack: rack.clone(),
                total,
                attributes: attributes.clone().unwrap_or_default(),
                reserved,
                used: used_list,
                capabilities,
                revocable,
            }
        }
        EventRaw::AddFramework {
            name,
            roles,
            scheduler,
            capabilities,
            suppressed_roles,
            min_allocatable,
            ..
        } => {
            if name.is_empty() {
                return Err(ctx.err(line, "name", "a framework needs a non-empty name"));
            }
            roles_ok("roles", roles)?;
            roles_ok("roles", suppressed_roles)?;
            let scheduler = match scheduler {
                None => SchedulerKind::Hold,
                Some(s) => SchedulerKind::parse(s).ok_or_else(|| {
                    ctx.err(
                        line,
                        "scheduler",
                        unknown_name("scheduler", s, &SchedulerKind::NAMES),
                    )
                })?,
            };
            check_fw_capabilities(ctx, line, capabilities.as_deref())?;
            let min_allocatable = match min_allocatable {
                None => None,
                Some(list) => Some(min_allocatable_list(ctx, line, "min_allocatable", list)?),
            };
            ScriptAction::AddFramework {
                name: name.clone(),
                roles: roles.clone(),
                scheduler,
                gpu_capable: capabilities.as_ref().map(|c| c.iter().any(|c| c == "gpu")),
                multi_role: capabilities
                    .as_ref()
                    .map(|c| c.iter().any(|c| c == "multi_role")),
                revocable: capabilities
                    .as_ref()
                    .map(|c| c.iter().any(|c| c == "revocable_resources")),
                suppressed_roles: suppressed_roles.clone(),
                min_allocatable,
            }
        }
        EventRaw::Decline {
            framework,
            agent,
            role,
            refuse_s,
            resources,
            ..
        } => {
            let refuse = match refuse_s {
                Some(v) => Some(ctx.duration(line, "refuse_s", *v)?),
                None => None,
            };
            let revocable = match resources.as_ref().and_then(|r| r.revocable.as_ref()) {
                None => false,
                Some(toml::Value::Boolean(b)) => *b,
                Some(other) => {
                    return Err(ctx.err(
                        line,
                        "resources.revocable",
                        format!("expected true or false, got a {}", other.type_str()),
                    ))
                }
            };
            if revocable && resources.as_ref().is_some_and(|r| r.reserved_for.is_some()) {
                return Err(ctx.err(
                    line,
                    "resources.revocable",
                    "revocable resources are unreserved: a part has `revocable` or `reserved_for`, not both",
                ));
            }
            let part = match resources {
                None => None,
                Some(r) => Some(DeclinePart {
                    resources: ctx.res(
                        line,
                        "resources",
                        &spec(r.cpus, r.mem_mb, r.disk_mb, r.gpus),
                    )?,
                    reserved_for: r.reserved_for.clone(),
                    revocable,
                }),
            };
            ScriptAction::Decline {
                framework: framework.clone(),
                agent: agent.clone(),
                role: role.clone(),
                refuse,
                part,
            }
        }
        EventRaw::SetWeight { role, weight, .. } => {
            check_role_name(ctx, line, "role", role)?;
            ctx.positive(line, "weight", *weight)?;
            ScriptAction::SetWeight {
                role: role.clone(),
                weight: *weight,
            }
        }
        EventRaw::SetQuota {
            role,
            guarantees,
            limits,
            ..
        } => {
            check_role_name(ctx, line, "role", role)?;
            let guarantees = match guarantees {
                Some(g) => ctx.res(line, "guarantees", g)?,
                None => Resources::ZERO,
            };
            let limits = match limits {
                Some(l) => {
                    l.check()
                        .map_err(|(k, m)| ctx.err(line, &format!("limits.{k}"), m))?;
                    l.to_limits()
                }
                None => Limits::NONE,
            };
            ScriptAction::SetQuota {
                role: role.clone(),
                guarantees,
                limits,
            }
        }
        EventRaw::SetMinAllocatable {
            framework,
            role,
            min_allocatable,
            ..
        } => ScriptAction::SetMinAllocatable {
            framework: framework.clone(),
            role: role.clone(),
            min_allocatable: min_allocatable_list(ctx, line, "min_allocatable", min_allocatable)?,
        },
        EventRaw::Suppress {
            framework, roles, ..
        } => {
            roles_ok("roles", roles)?;
            ScriptAction::Suppress {
                framework: framework.clone(),
                roles: roles.clone(),
            }
        }
        EventRaw::Revive {
            framework, roles, ..
        } => {
            roles_ok("roles", roles)?;
            ScriptAction::Revive {
                framework: framework.clone(),
                roles: roles.clone(),
            }
        }
        EventRaw::FailFramework {
            framework,
            failover_timeout_s,
            ..
        } => ScriptAction::FailFramework {
            framework: framework.clone(),
            failover_timeout: ctx.duration(
                line,
                "failover_timeout_s",
                failover_timeout_s.unwrap_or(0.0),
            )?,
        },
        EventRaw::RemoveAgent { agent, .. } => ScriptAction::RemoveAgent {
            agent: agent.clone(),
        },
        EventRaw::UpdateAgent {
            agent,
            attributes,
            cpus,
            mem_mb,
            disk_mb,
            gpus,
            capabilities,
            revocable_cpus,
            revocable_mem_mb,
            ..
        } => {
            let revocable = revocable_keys(ctx, line, revocable_cpus, revocable_mem_mb)?;
            // Checked as any amounts are (non-negative, finite, in range), at their own keys.
            let given = [*cpus, *mem_mb, *disk_mb, *gpus];
            let r = ctx.res(
                line,
                "",
                &spec(
                    cpus.unwrap_or(0.0),
                    mem_mb.unwrap_or(0.0),
                    disk_mb.unwrap_or(0.0),
                    gpus.unwrap_or(0.0),
                ),
            )?;
            let mut amounts = [None; crate::cluster::resources::NRES];
            for (i, g) in given.iter().enumerate() {
                if g.is_some() {
                    amounts[i] = Some(r.0[i]);
                }
            }
            let total = amounts
                .iter()
                .any(Option::is_some)
                .then_some(TotalUpdate { amounts });
            ScriptAction::UpdateAgent {
                agent: agent.clone(),
                attributes: attributes.clone(),
                total,
                capabilities: agent_capabilities(ctx, line, capabilities.as_deref())?,
                revocable,
            }
        }
        EventRaw::RemoveFramework { framework, .. } => ScriptAction::RemoveFramework {
            framework: framework.clone(),
        },
        EventRaw::ReregisterFramework { framework, .. } => ScriptAction::ReregisterFramework {
            framework: framework.clone(),
        },
        EventRaw::DisconnectAgent { agent, .. } => ScriptAction::DisconnectAgent {
            agent: agent.clone(),
        },
        EventRaw::ReconnectAgent { agent, .. } => ScriptAction::ReconnectAgent {
            agent: agent.clone(),
        },
        EventRaw::Reserve {
            agent,
            role,
            framework,
            resources,
            ..
        } => reserve_action(ctx, line, agent, role, framework, resources, false)?,
        EventRaw::Unreserve {
            agent,
            role,
            framework,
            resources,
            ..
        } => reserve_action(ctx, line, agent, role, framework, resources, true)?,
        EventRaw::UpdateWhitelist { agents, .. } => {
            if let Some(a) = agents {
                check_whitelist(ctx, line, "agents", a)?;
            }
            ScriptAction::UpdateWhitelist {
                agents: agents.clone(),
            }
        }
        EventRaw::ScheduleMaintenance {
            at_s,
            agent,
            rack,
            start_s,
            duration_s,
        } => {
            let target = match (agent, rack) {
                (Some(a), None) if !a.trim().is_empty() => MaintenanceTarget::Agent(a.clone()),
                (None, Some(r)) if !r.trim().is_empty() => MaintenanceTarget::Rack(r.clone()),
                (Some(_), Some(_)) => {
                    return Err(ctx.err(line, "rack", "expected `agent` or `rack`, not both"))
                }
                (Some(_), None) => {
                    return Err(ctx.err(line, "agent", "expected an agent name, got \"\""))
                }
                (None, Some(_)) => {
                    return Err(ctx.err(line, "rack", "expected a rack name, got \"\""))
                }
                (None, None) => {
                    return Err(ctx.err(
                        line,
                        "agent",
                        "expected `agent = \"..\"` or `rack = \"..\"` (the agents to drain)",
                    ))
                }
            };
            let start = ctx.time(line, "start_s", *start_s)?;
            if *start_s < *at_s {
                return Err(ctx.err(
                    line,
                    "start_s",
                    format!(
                        "expected a window that starts at or after the event ({at_s} s), got \
                         {start_s} s"
                    ),
                ));
            }
            ctx.positive(line, "duration_s", *duration_s)?;
            ScriptAction::ScheduleMaintenance {
                target,
                start,
                duration: SimDuration::from_secs_f64(*duration_s),
            }
        }
    })
}

/// Checks a `reserve` / `unreserve` event: a role name and a non-empty amount.
fn reserve_action(
    ctx: &Ctx,
    line: usize,
    agent: &str,
    role: &str,
    framework: &Option<String>,
    resources: &ResSpec,
    unreserve: bool,
) -> Result<ScriptAction> {
    check_role_name(ctx, line, "role", role)?;
    if role == "*" {
        return Err(ctx.err(
            line,
            "role",
            "resources are reserved for a named role, not `*`",
        ));
    }
    let r = ctx.res(line, "resources", resources)?;
    if r.is_zero() {
        return Err(ctx.err(
            line,
            "resources",
            "a reservation needs a positive amount of some resource",
        ));
    }
    Ok(ScriptAction::Reserve {
        agent: agent.to_string(),
        role: role.to_string(),
        framework: framework.clone(),
        resources: r,
        unreserve,
    })
}

/// A `schedule_maintenance` event brings two more: the window's start (DOWN) and end (UP),
/// on the event's own line so that their errors point at it.
pub(super) fn maintenance_phases(derived: &mut Vec<ScriptedEvent>, e: &ScriptedEvent) {
    if let ScriptAction::ScheduleMaintenance {
        target,
        start,
        duration,
    } = &e.action
    {
        derived.push(ScriptedEvent {
            at: *start,
            line: e.line,
            action: ScriptAction::MaintenanceDown {
                target: target.clone(),
            },
        });
        derived.push(ScriptedEvent {
            at: *start + *duration,
            line: e.line,
            action: ScriptAction::MaintenanceUp {
                target: target.clone(),
            },
        });
    }
}

/// Puts the derived events among the file's, in time order; at one instant the file's
/// events come first, then the derived ones in the order of their `schedule_maintenance`
/// lines (a stable sort: ties by insertion order).
pub(super) fn merge_derived(events: &mut Vec<ScriptedEvent>, derived: Vec<ScriptedEvent>) {
    if derived.is_empty() {
        return;
    }
    events.extend(derived);
    events.sort_by_key(|e| e.at);
}
