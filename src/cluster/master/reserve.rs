//! Dynamic reservations (Mesos RESERVE / UNRESERVE offer operations): resources of an agent move
//! between its unreserved pool and a role's reservation. Kept apart from the offer table because
//! the conversion touches three ledgers at once (the agent's total, what holds the resources,
//! and the allocator's accounting) and must leave all three consistent.
//!
//! - On a framework's offer (Mesos `updateAllocation`): the offer's pools and the agent's total
//!   are converted; the framework keeps holding the offer. No filter changes.
//! - By the operator (Mesos `updateAvailable`): the agent's free resources and its total are
//!   converted. The master first rescinds offers on the agent, oldest first, until the free
//!   resources hold the amount (an operator call does not wait for frameworks to answer).
//!
//! Quota follows from the role table: a role's reservations count as consumed quota whether or
//! not they are allocated (Mesos QuotaAccountingReserve/UnreserveAllocatedResources), and
//! filters follow from pool-wise containment: a filter on unreserved resources does not cover
//! the same amounts reserved.

use super::Offer;
use super::{Master, Observer};
use crate::allocator::Change;
use crate::cluster::agent::{AgentId, Pools, RoleId};
use crate::cluster::event::Event;
use crate::cluster::ids::OfferId;
use crate::cluster::resources::Resources;
use crate::error::Result;
use crate::sim::engine::Ctx;

/// `p` with `r` moved from the unreserved pool into `role`'s reservation (`unreserve`: back),
/// or None when `p` does not hold `r` where it is taken from.
pub(crate) fn converted(p: &Pools, role: RoleId, r: &Resources, unreserve: bool) -> Option<Pools> {
    let mut out = p.clone();
    if unreserve {
        if !p.reserved_for(role).contains(r) {
            return None;
        }
        out.sub_reserved(role, *r);
        out.unres += *r;
    } else {
        if !p.unres.contains(r) {
            return None;
        }
        out.unres -= *r;
        out.add_reserved(role, *r);
    }
    Some(out)
}

impl Master {
    /// The oldest offer of `fw` in `role` on agent `a` that holds `r` where the operation takes
    /// it from.
    pub fn offer_for_operation(
        &mut self,
        fw: crate::cluster::ids::FrameworkId,
        role: RoleId,
        a: AgentId,
        r: &Resources,
        unreserve: bool,
    ) -> Option<OfferId> {
        self.materialize_agent(a);
        self.offers()
            .filter(|o| o.fw == fw && o.role == role && o.agent == a)
            .find(|o| converted(&o.pools, role, r, unreserve).is_some())
            .map(|o| o.id)
    }

    /// RESERVE / UNRESERVE on offer `id` (Mesos `updateAllocation`): false when the offer does
    /// not hold `r` where it is taken from.
    pub fn reserve_in_offer(
        &mut self,
        id: OfferId,
        r: &Resources,
        unreserve: bool,
        ctx: &Ctx<Event>,
    ) -> bool {
        let Some(o) = self.offer(id).cloned() else {
            return false;
        };
        match self.convert_offer(&o, r, unreserve, ctx) {
            Some(p) => {
                *self.offer_pools_mut(id).expect("present") = p;
                true
            }
            None => false,
        }
    }

    /// RESERVE in a framework's answer, on an offer already taken out of the table (the
    /// launches that follow draw from the converted pools). Refused, with the reason and
    /// nothing changed, when `r` is negative, when the offer's role is `*` (Mesos's
    /// `Resources::validate` of a RESERVE's resources: "Invalid reservation: role \"*\"
    /// cannot be reserved"), or when the offer's unreserved part does not hold `r`.
    pub fn reserve_in_taken_offer(
        &mut self,
        o: &mut Offer,
        r: &Resources,
        ctx: &Ctx<Event>,
    ) -> std::result::Result<(), String> {
        if !r.is_nonnegative() {
            return Err(format!("reserves {r}: a negative amount"));
        }
        if self.role(o.role).name() == "*" {
            return Err(format!(
                "reserves {r} on offer {} of role `*`, which cannot be reserved",
                o.id
            ));
        }
        match self.convert_offer(o, r, false, ctx) {
            Some(p) => {
                o.pools = p;
                Ok(())
            }
            None => Err(format!(
                "reserves {r} but offer {} holds {} unreserved",
                o.id, o.pools.unres
            )),
        }
    }

    /// The conversion of an offer's pools, applied to the agent's total and told to the
    /// allocator; returns the offer's new pools (None, and nothing changed, when the offer does
    /// not hold `r` where it is taken from).
    fn convert_offer(
        &mut self,
        o: &Offer,
        r: &Resources,
        unreserve: bool,
        ctx: &Ctx<Event>,
    ) -> Option<Pools> {
        let new_pools = converted(&o.pools, o.role, r, unreserve)?;
        let old_total = self.agents[o.agent.idx()].total.clone();
        let new_total =
            converted(&old_total, o.role, r, unreserve).expect("an offer is part of the total");
        self.convert_total(o.agent, o.role, r, unreserve, &old_total, new_total, ctx);
        // The framework's allocation changes kind, not amount: recovered as it was, allocated as
        // it is now, which is how the allocator's quota and sorter accounting learn of it.
        let (now, seq) = (ctx.now(), ctx.seq());
        let (fw, role, agent) = (o.fw, o.role, o.agent);
        for change in [
            Change::Recovered {
                fw,
                role,
                agent,
                pools: &o.pools,
            },
            Change::Allocated {
                fw,
                role,
                agent,
                pools: &new_pools,
            },
        ] {
            self.notify(now, seq, change);
        }
        Some(new_pools)
    }

    /// RESERVE / UNRESERVE by the operator on agent `a`'s free resources (Mesos
    /// `updateAvailable`), after rescinding offers on the agent, oldest first, until the free
    /// resources hold `r`. False when even then they do not (tasks use the resources).
    pub fn reserve_available(
        &mut self,
        a: AgentId,
        role: RoleId,
        r: &Resources,
        unreserve: bool,
        ctx: &mut Ctx<Event>,
        obs: &mut dyn Observer,
    ) -> Result<bool> {
        self.materialize_agent(a);
        loop {
            let free = &self.agents[a.idx()].free;
            if converted(free, role, r, unreserve).is_some() {
                break;
            }
            let Some(id) = self.offers().find(|o| o.agent == a).map(|o| o.id) else {
                return Ok(false);
            };
            self.rescind(id, ctx, obs)?;
        }
        self.touch(a);
        let free = self.agents[a.idx()].free.clone();
        self.agents[a.idx()].free = converted(&free, role, r, unreserve).expect("checked");
        let old_total = self.agents[a.idx()].total.clone();
        let new_total =
            converted(&old_total, role, r, unreserve).expect("free is part of the total");
        self.convert_total(a, role, r, unreserve, &old_total, new_total, ctx);
        Ok(true)
    }

    /// The agent's total after a conversion: the role's reservations, the free index's record
    /// of agents with reservations, and the allocator's totals (removed as they were, added as
    /// they are: the same amounts, split differently).
    #[allow(clippy::too_many_arguments)]
    fn convert_total(
        &mut self,
        a: AgentId,
        role: RoleId,
        r: &Resources,
        unreserve: bool,
        old_total: &Pools,
        new_total: Pools,
        ctx: &Ctx<Event>,
    ) {
        // Only active agents' reservations count (a down agent's come back when it rejoins).
        let active = self.agents[a.idx()].active;
        if active && unreserve {
            self.roles[role.idx()].reserved -= *r;
        } else if active {
            self.roles[role.idx()].reserved += *r;
        }
        self.agents[a.idx()].total = new_total.clone();
        let has_gpus = self.agents[a.idx()].has_gpus;
        self.free.register(a, !new_total.res.is_empty(), has_gpus);
        self.set_free_membership(a);
        if active {
            let (now, seq) = (ctx.now(), ctx.seq());
            for change in [
                Change::AgentRemoved {
                    agent: a,
                    total: old_total,
                },
                Change::AgentAdded {
                    agent: a,
                    total: &new_total,
                },
            ] {
                self.notify(now, seq, change);
            }
        }
        self.version += 1;
    }
}
