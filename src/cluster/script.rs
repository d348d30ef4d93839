//! The interpreter of scripted events (`[[events]]`, DESIGN §4.3): names are resolved against
//! what exists when the event runs (an error names the event's line), then the parts are asked
//! in turn, as for any other input.

use super::agent::{AgentId, Pools, RoleId};
use super::event::Event;
use super::ids::{FrameworkId, OfferId};
use super::{Cluster, FrameworkSide};
use crate::error::{Error, Result};
use crate::scenario::{DeclinePart, FrameworkConfig, ScriptAction, ScriptedEvent};
use crate::sim::engine::Ctx;

fn did_you_mean<'a>(name: &str, names: impl Iterator<Item = &'a str>) -> String {
    crate::error::nearest(name, names)
        .map(|n| format!("; did you mean \"{n}\"?"))
        .unwrap_or_default()
}

impl Cluster<'_> {
    /// An error about `field` of event `e`, at the key's own line.
    pub(super) fn script_err(&self, e: &ScriptedEvent, field: &str, msg: String) -> Error {
        let (line, path) = crate::scenario::locate_key(&self.scenario.path, e.line, field);
        Error::input(self.scenario.path.display().to_string(), line, path, msg)
    }

    fn fw_named(&self, ctx: &Ctx<Event>, e: &ScriptedEvent, name: &str) -> Result<FrameworkId> {
        match self.master.framework_named(name) {
            Some(f) if !self.master.framework(f).is_removed() => Ok(f),
            _ => {
                let names = self
                    .master
                    .frameworks()
                    .iter()
                    .filter(|f| !f.is_removed())
                    .map(|f| f.name.as_str());
                Err(self.script_err(
                    e,
                    "framework",
                    format!(
                        "no subscribed framework named \"{name}\" at {} s{}",
                        ctx.now(),
                        did_you_mean(name, names)
                    ),
                ))
            }
        }
    }

    pub(super) fn agent_named(
        &self,
        ctx: &Ctx<Event>,
        e: &ScriptedEvent,
        name: &str,
    ) -> Result<AgentId> {
        self.master.agent_named(name).ok_or_else(|| {
            let names = self.master.agents().iter().map(|a| a.name.as_str());
            self.script_err(
                e,
                "agent",
                format!(
                    "no agent named \"{name}\" at {} s{}",
                    ctx.now(),
                    did_you_mean(name, names)
                ),
            )
        })
    }

    /// The framework's roles that an event names (all of them when it names none).
    fn roles_of(
        &self,
        e: &ScriptedEvent,
        fw: FrameworkId,
        roles: &Option<Vec<String>>,
    ) -> Result<Vec<RoleId>> {
        let f = self.master.framework(fw);
        match roles {
            None => Ok(self.master.fw_roles(fw)),
            Some(names) => {
                let mut out = Vec::new();
                for n in names {
                    match self
                        .master
                        .role_named(n)
                        .filter(|r| f.role_index(*r).is_some())
                    {
                        Some(r) => out.push(r),
                        None => {
                            return Err(self.script_err(
                                e,
                                "roles",
                                format!(
                                    "framework \"{}\" is not subscribed to role \"{n}\"",
                                    f.name()
                                ),
                            ))
                        }
                    }
                }
                Ok(out)
            }
        }
    }

    pub(super) fn apply_script(&mut self, ctx: &mut Ctx<Event>, e: &ScriptedEvent) -> Result<()> {
        match &e.action {
            ScriptAction::AddAgent {
                name,
                rack,
                total,
                attributes,
                reserved,
                used,
                capabilities,
                revocable,
            } => {
                if self.master.agent_named(name).is_some() {
                    return Err(self.script_err(
                        e,
                        "name",
                        format!("an agent named \"{name}\" is already registered"),
                    ));
                }
                let mut u = Vec::new();
                for x in used {
                    let fw = self.fw_named(ctx, e, &x.framework)?;
                    let role = match self.master.role_named(&x.role) {
                        Some(r) if self.master.framework(fw).role_index(r).is_some() => r,
                        _ => {
                            return Err(self.script_err(
                                e,
                                "used.role",
                                format!(
                                    "framework \"{}\" is not subscribed to role \"{}\"",
                                    x.framework, x.role
                                ),
                            ))
                        }
                    };
                    u.push((fw, role, x.resources));
                }
                self.add_agent(
                    ctx,
                    name,
                    rack.as_deref(),
                    *total,
                    reserved,
                    attributes.clone(),
                    &u,
                    capabilities.unwrap_or_default(),
                    *revocable,
                )?;
            }
            ScriptAction::RemoveAgent { agent } => {
                let a = self.agent_named(ctx, e, agent)?;
                self.remove_agent(ctx, a)?;
            }
            ScriptAction::UpdateAgent {
                agent,
                attributes,
                total,
                capabilities,
                revocable,
            } => {
                let a = self.agent_named(ctx, e, agent)?;
                self.update_agent(ctx, e, a, attributes, total, capabilities, *revocable)?;
            }
            ScriptAction::AddFramework {
                name,
                roles,
                scheduler,
                gpu_capable,
                multi_role,
                revocable,
                suppressed_roles,
                min_allocatable,
            } => {
                if self
                    .master
                    .framework_named(name)
                    .is_some_and(|f| !self.master.framework(f).is_removed())
                {
                    return Err(self.script_err(
                        e,
                        "name",
                        format!("a framework named \"{name}\" is already subscribed"),
                    ));
                }
                let mut cfg =
                    FrameworkConfig::layered(name, self.scenario.framework(name), &self.policy);
                cfg.scheduler.kind = *scheduler;
                if let Some(r) = roles {
                    cfg.roles = r.clone();
                }
                if let Some(g) = gpu_capable {
                    cfg.gpu_capable = *g;
                }
                if let Some(m) = multi_role {
                    cfg.multi_role = *m;
                }
                if let Some(r) = revocable {
                    cfg.revocable = *r;
                }
                if let Some(s) = suppressed_roles {
                    cfg.suppressed_roles = s.clone();
                }
                if let Some(m) = min_allocatable {
                    cfg.min_allocatable = Some(m.clone());
                }
                let has_workload = FrameworkSide::runs_workload(cfg.scheduler.kind);
                self.add_framework(ctx, cfg, has_workload)?;
            }
            ScriptAction::RemoveFramework { framework } => {
                let fw = self.fw_named(ctx, e, framework)?;
                self.remove_framework(ctx, fw)?;
            }
            ScriptAction::Suppress { framework, roles } => {
                let fw = self.fw_named(ctx, e, framework)?;
                let rs = self.roles_of(e, fw, roles)?;
                self.master.suppress(fw, &rs, ctx.now(), ctx.seq());
            }
            ScriptAction::Revive { framework, roles } => {
                let fw = self.fw_named(ctx, e, framework)?;
                let rs = self.roles_of(e, fw, roles)?;
                self.fws.revived(fw);
                self.master.revive(fw, &rs, ctx, self.obs)?;
            }
            ScriptAction::Decline {
                framework,
                agent,
                role,
                refuse,
                part,
            } => self.decline(ctx, e, framework, agent, role, *refuse, part.as_ref())?,
            ScriptAction::SetWeight { role, weight } => {
                self.master.set_weight(role, *weight, ctx, self.obs)?;
            }
            ScriptAction::SetQuota {
                role,
                guarantees,
                limits,
            } => {
                if self
                    .master
                    .set_quota(role, *guarantees, *limits, ctx.now(), ctx.seq())
                    .is_err()
                {
                    return Err(self.script_err(
                        e,
                        "role",
                        "quota can only be set on top-level roles, as in Mesos".into(),
                    ));
                }
            }
            ScriptAction::SetMinAllocatable {
                framework,
                role,
                min_allocatable,
            } => {
                let fw = self.fw_named(ctx, e, framework)?;
                let roles = role.clone().map(|r| vec![r]);
                let rs = self.roles_of(e, fw, &roles)?;
                self.master.set_min_allocatable(fw, &rs, min_allocatable);
            }
            ScriptAction::FailFramework {
                framework,
                failover_timeout,
            } => {
                let fw = self.fw_named(ctx, e, framework)?;
                if self.faults.fw_disconnected(fw) {
                    return Err(self.script_err(
                        e,
                        "framework",
                        format!("framework \"{framework}\" is already disconnected"),
                    ));
                }
                self.master.rescind_framework(fw, ctx, self.obs)?;
                self.master.clear_filters(fw, None);
                self.master.set_fw_active(fw, false, ctx.now(), ctx.seq());
                self.faults
                    .framework_disconnected(fw, *failover_timeout, ctx);
            }
            ScriptAction::ReregisterFramework { framework } => {
                let fw = self.fw_named(ctx, e, framework)?;
                if !self.faults.fw_disconnected(fw) {
                    return Err(self.script_err(
                        e,
                        "framework",
                        format!(
                            "framework \"{framework}\" is not disconnected (a `fail_framework` \
                             event must come first)"
                        ),
                    ));
                }
                self.faults.framework_reregistered(fw);
                self.master.set_fw_active(fw, true, ctx.now(), ctx.seq());
                self.master.allocate_all(ctx, self.obs)?;
            }
            ScriptAction::DisconnectAgent { agent } => {
                let a = self.agent_named(ctx, e, agent)?;
                // A down agent ignores disconnects (it is not there to answer anyway).
                if self.master.agent(a).active && !self.faults.is_disconnected(a) {
                    let cfg = self.master.cfg();
                    let after = cfg.agent_ping_timeout * cfg.max_agent_ping_timeouts as i64;
                    self.master.mark_disconnected(a, true);
                    self.master.leave_free_set(a);
                    self.master.rescind_agent(a, ctx, self.obs)?;
                    self.faults.agent_disconnected(a, after, ctx);
                }
            }
            ScriptAction::ReconnectAgent { agent } => {
                // Reconnecting reactivates a disconnected agent, re-registers one removed as
                // unreachable, and does nothing to a failed one (its repair brings it back).
                let a = self.agent_named(ctx, e, agent)?;
                if self.faults.agent_reconnected(a) {
                    self.master.set_connected(a, true);
                } else if self.faults.down(a) == super::faults::Down::Unreachable {
                    self.rejoin_agent(ctx, a)?;
                }
            }
            ScriptAction::Reserve {
                agent,
                role,
                framework,
                resources,
                unreserve,
            } => self.reserve(
                ctx,
                e,
                agent,
                role,
                framework.as_deref(),
                resources,
                *unreserve,
            )?,
            ScriptAction::UpdateWhitelist { agents } => {
                self.master.update_whitelist(agents.as_deref());
            }
            ScriptAction::ScheduleMaintenance {
                target,
                start,
                duration,
            } => self.schedule_maintenance(ctx, e, target, *start, *duration)?,
            ScriptAction::MaintenanceDown { target } => self.maintenance_down(ctx, e, target)?,
            ScriptAction::MaintenanceUp { target } => self.maintenance_up(ctx, e, target)?,
        }
        Ok(())
    }

    /// `update_agent` (Mesos's `updateSlave`): changed attributes clear the agent's filters;
    /// a changed attribute, total, revocable total or capability runs an allocation for the
    /// agent.
    #[allow(clippy::too_many_arguments)]
    fn update_agent(
        &mut self,
        ctx: &mut Ctx<Event>,
        e: &ScriptedEvent,
        a: AgentId,
        attributes: &Option<std::collections::BTreeMap<String, String>>,
        total: &Option<crate::scenario::TotalUpdate>,
        capabilities: &Option<super::agent::AgentCapabilities>,
        revocable: Option<crate::cluster::resources::Resources>,
    ) -> Result<()> {
        let mut updated = false;
        if let Some(attrs) = attributes {
            updated |= self.master.update_attributes(a, attrs.clone());
        }
        if let Some(c) = capabilities {
            updated |= self.master.update_capabilities(a, *c);
        }
        if let Some(t) = total {
            let new = t.apply(&self.master.agent(a).total().regular());
            match self.master.update_total(a, new, ctx.now(), ctx.seq()) {
                Ok(changed) => updated |= changed,
                Err(reserved) => {
                    let field = ["cpus", "mem_mb", "disk_mb", "gpus"]
                        .into_iter()
                        .enumerate()
                        .find(|&(i, _)| new.0[i] < reserved.0[i])
                        .map_or("cpus", |(_, k)| k);
                    return Err(self.script_err(
                        e,
                        field,
                        format!(
                            "the new total {new} does not hold the agent's reservations {reserved}"
                        ),
                    ));
                }
            }
            if updated {
                self.fws.placement_changed();
            }
        }
        if let Some(r) = revocable {
            updated |= self.master.update_revocable(a, r, ctx.now(), ctx.seq());
        }
        if updated {
            self.master.allocate_agent(a, ctx, self.obs)?;
        }
        Ok(())
    }

    /// `reserve` / `unreserve`: on the framework's oldest offer on the agent that holds the
    /// amount, or, without a framework, by the operator on the agent's free resources.
    #[allow(clippy::too_many_arguments)]
    fn reserve(
        &mut self,
        ctx: &mut Ctx<Event>,
        e: &ScriptedEvent,
        agent: &str,
        role: &str,
        framework: Option<&str>,
        r: &crate::cluster::resources::Resources,
        unreserve: bool,
    ) -> Result<()> {
        let a = self.agent_named(ctx, e, agent)?;
        if !self.master.agent(a).active {
            return Err(self.script_err(
                e,
                "agent",
                format!("agent \"{agent}\" is down at {} s", ctx.now()),
            ));
        }
        let what = if unreserve { "unreserve" } else { "reserve" };
        let role_id = match (unreserve, self.master.role_named(role)) {
            (_, Some(rid)) => rid,
            (true, None) => {
                return Err(self.script_err(e, "role", format!("no role named \"{role}\"")))
            }
            (false, None) => self.master.ensure_role(role),
        };
        match framework {
            Some(name) => {
                let fw = self.fw_named(ctx, e, name)?;
                let found = self
                    .master
                    .offer_for_operation(fw, role_id, a, r, unreserve)
                    .filter(|&id| self.master.reserve_in_offer(id, r, unreserve, ctx));
                if found.is_none() {
                    let from = if unreserve {
                        format!("reserved for \"{role}\"")
                    } else {
                        "unreserved".to_string()
                    };
                    return Err(self.script_err(
                        e,
                        "resources",
                        format!(
                            "no outstanding offer of \"{name}\" in role \"{role}\" on \"{agent}\" \
                             holds {r} {from} to {what}"
                        ),
                    ));
                }
            }
            None => {
                if !self
                    .master
                    .reserve_available(a, role_id, r, unreserve, ctx, self.obs)?
                {
                    return Err(self.script_err(
                        e,
                        "resources",
                        format!(
                            "agent \"{agent}\" has not {r} {} free to {what} (tasks use it)",
                            if unreserve {
                                "reserved for the role"
                            } else {
                                "unreserved"
                            }
                        ),
                    ));
                }
            }
        }
        Ok(())
    }

    /// `decline`: all matching offers, or a part taken from the oldest matching offer that
    /// holds it.
    #[allow(clippy::too_many_arguments)]
    fn decline(
        &mut self,
        ctx: &mut Ctx<Event>,
        e: &ScriptedEvent,
        framework: &str,
        agent: &Option<String>,
        role: &Option<String>,
        refuse: Option<crate::sim::SimDuration>,
        part: Option<&DeclinePart>,
    ) -> Result<()> {
        let fw = self.fw_named(ctx, e, framework)?;
        let agent = match agent {
            Some(a) => Some(self.agent_named(ctx, e, a)?),
            None => None,
        };
        let role = match role {
            Some(r) => Some(
                self.master
                    .role_named(r)
                    .ok_or_else(|| self.script_err(e, "role", format!("no role named \"{r}\"")))?,
            ),
            None => None,
        };
        let refuse = refuse.unwrap_or(self.master.cfg().refuse);
        if part.is_some() {
            // A part comes from the oldest matching offer that holds it: every offer needs its
            // id, so offers kept in bulk are listed one by one first.
            self.master.materialize_bulks_of(fw);
        }
        let ids: Vec<OfferId> = self
            .master
            .offers()
            .filter(|o| {
                o.fw == fw && agent.is_none_or(|a| o.agent == a) && role.is_none_or(|r| o.role == r)
            })
            .map(|o| o.id)
            .collect();
        let part = match part {
            None => None,
            Some(p) => {
                let mut pools = Pools::default();
                match &p.reserved_for {
                    Some(rr) => {
                        let rid = self.master.role_named(rr).ok_or_else(|| {
                            self.script_err(
                                e,
                                "resources.reserved_for",
                                format!("no role named \"{rr}\""),
                            )
                        })?;
                        pools.add_reserved(rid, p.resources);
                    }
                    None if p.revocable => pools.rev = p.resources,
                    None => pools.unres = p.resources,
                }
                Some(pools)
            }
        };
        match part {
            // The whole of every matching offer.
            None => {
                for id in ids {
                    self.master.decline(id, None, refuse, ctx, self.obs);
                }
                self.master
                    .decline_in_bulks(fw, role, agent, refuse, ctx, self.obs);
            }
            // A part: from the first matching offer (oldest first) that holds it.
            Some(_) if ids.is_empty() => {}
            Some(p) => {
                let Some(id) = ids
                    .iter()
                    .copied()
                    .find(|&id| self.master.offer(id).is_some_and(|o| o.pools.contains(&p)))
                else {
                    return Err(self.script_err(
                        e,
                        "resources",
                        format!(
                            "no outstanding offer of \"{framework}\" matching the event holds the declined {}",
                            p.total()
                        ),
                    ));
                };
                self.master.decline(id, Some(p), refuse, ctx, self.obs);
            }
        }
        Ok(())
    }
}
