//! Outstanding offers, the batches an allocation run sends, and decline filters: offers are
//! numbered in creation order; a rescind returns an offer without a filter; a decline returns it
//! (or part of it) with one.

use super::{Master, Observer};
use crate::cluster::agent::{AgentId, Pools, RoleId};
use crate::cluster::event::Event;
use crate::cluster::framework::{Filter, Framework};
use crate::cluster::ids::{FrameworkId, OfferId};
use crate::error::Result;
use crate::metrics::observe::{Observation, OfferOutcome};
use crate::sim::engine::Ctx;
use crate::sim::{SimDuration, SimTime};
use slab::Slab;
use std::collections::BTreeMap;

/// Filters last at most a year, as in Mesos.
const MAX_FILTER: SimDuration = SimDuration::from_secs(365 * 24 * 3600);

/// An outstanding offer.
#[derive(Clone, Debug)]
pub(crate) struct Offer {
    pub id: OfferId,
    pub fw: FrameworkId,
    pub role: RoleId,
    pub agent: AgentId,
    pub pools: Pools,
}

#[derive(Default)]
pub(super) struct Offers {
    table: BTreeMap<OfferId, Offer>,
    /// The last offer id handed out (ids start at 1).
    last: u64,
    /// Offer batches on their way to frameworks (one per framework per allocation run).
    batches: Slab<Vec<OfferId>>,
    filters_installed: u64,
    filters_live_after_sweep: u64,
}

impl Offers {
    pub fn insert(
        &mut self,
        fw: FrameworkId,
        role: RoleId,
        agent: AgentId,
        pools: Pools,
    ) -> OfferId {
        self.last += 1;
        let id = OfferId(self.last);
        self.table.insert(
            id,
            Offer {
                id,
                fw,
                role,
                agent,
                pools,
            },
        );
        id
    }

    pub fn get(&self, id: OfferId) -> Option<&Offer> {
        self.table.get(&id)
    }

    /// Outstanding offers in offer order.
    pub fn iter(&self) -> impl Iterator<Item = &Offer> + '_ {
        self.table.values()
    }

    pub fn new_batch(&mut self, ids: Vec<OfferId>) -> u32 {
        self.batches.insert(ids) as u32
    }

    /// Installs a filter on (role, agent) for `dur` (at least the allocation interval, at most a
    /// year); `seq` is the sequence number its expiry would have had as an event.
    #[allow(clippy::too_many_arguments)]
    pub fn install_filter(
        &mut self,
        f: &mut Framework,
        role: RoleId,
        agent: AgentId,
        refused: &Pools,
        now: SimTime,
        dur: SimDuration,
        seq: u64,
        cur_seq: u64,
    ) {
        let expires = now + dur.min(MAX_FILTER);
        let v = f.filters.entry((role, agent)).or_default();
        v.retain(|x| x.live(now, cur_seq));
        v.push(Filter {
            refused: refused.clone(),
            expires,
            seq,
        });
        self.filters_installed += 1;
    }
}

impl Master {
    /// The offers of a batch, as they reach the framework (some may be gone since).
    pub fn take_batch(&mut self, batch: u32) -> Vec<OfferId> {
        self.offers.batches.remove(batch as usize)
    }

    /// Takes an offer out of the table to apply a framework's answer to it.
    pub fn take_offer(&mut self, id: OfferId) -> Option<Offer> {
        let o = self.offers.table.remove(&id)?;
        self.frameworks[o.fw.idx()].outstanding_offers -= 1;
        Some(o)
    }

    /// Takes an outstanding offer back with no filter.
    pub fn rescind(
        &mut self,
        id: OfferId,
        ctx: &mut Ctx<Event>,
        obs: &mut dyn Observer,
    ) -> Result<()> {
        let Some(o) = self.take_offer(id) else {
            return Ok(());
        };
        self.recover(o.fw, o.role, o.agent, &o.pools, None, ctx, obs);
        obs.observe(
            ctx.now(),
            Observation::OfferResolved {
                id,
                outcome: OfferOutcome::Rescinded,
            },
        );
        Ok(())
    }

    /// Rescinds the outstanding offers that `pick` selects, in offer order.
    pub fn rescind_where(
        &mut self,
        pick: impl Fn(&Offer) -> bool,
        ctx: &mut Ctx<Event>,
        obs: &mut dyn Observer,
    ) -> Result<()> {
        let ids: Vec<OfferId> = self
            .offers
            .iter()
            .filter(|o| pick(o))
            .map(|o| o.id)
            .collect();
        for id in ids {
            self.rescind(id, ctx, obs)?;
        }
        Ok(())
    }

    /// Returns `part` of offer `id` (all of it when None) with a filter of `refuse`; an offer
    /// emptied this way is declined. The caller has checked that the offer holds `part`.
    pub fn decline(
        &mut self,
        id: OfferId,
        part: Option<Pools>,
        refuse: SimDuration,
        ctx: &mut Ctx<Event>,
        obs: &mut dyn Observer,
    ) {
        let Some(o) = self.offers.table.get_mut(&id) else {
            return;
        };
        let (fw, role, agent) = (o.fw, o.role, o.agent);
        let give = part.unwrap_or_else(|| o.pools.clone());
        o.pools.sub(&give);
        if o.pools.is_empty() {
            self.take_offer(id);
            obs.observe(
                ctx.now(),
                Observation::OfferResolved {
                    id,
                    outcome: OfferOutcome::Declined,
                },
            );
        }
        self.recover(fw, role, agent, &give, Some(refuse), ctx, obs);
    }

    /// Drops expired filters once enough have been installed since the last sweep, so memory
    /// follows the live filters (expiry itself is checked lazily and exactly).
    pub fn sweep_filters(&mut self, now: SimTime, seq: u64) {
        let o = &mut self.offers;
        if o.filters_installed < o.filters_live_after_sweep.max(4096) {
            return;
        }
        let mut live = 0u64;
        for f in self.frameworks.iter_mut() {
            f.filters.retain(|_, v| {
                v.retain(|x| x.live(now, seq));
                live += v.len() as u64;
                !v.is_empty()
            });
        }
        o.filters_live_after_sweep = live;
        o.filters_installed = 0;
    }

    /// Drops a framework's filters for `roles` (all its roles when None).
    pub fn clear_filters(&mut self, fw: FrameworkId, roles: Option<&[RoleId]>) {
        let f = &mut self.frameworks[fw.idx()];
        match roles {
            Some(rs) if !f.roles.iter().all(|r| rs.contains(&r.role)) => {
                f.filters.retain(|(r, _), _| !rs.contains(r))
            }
            _ => f.filters.clear(),
        }
    }

    /// Drops every framework's filters on an agent (its attributes changed, or it left).
    pub fn clear_agent_filters(&mut self, agent: AgentId) {
        for f in self.frameworks.iter_mut() {
            f.filters.retain(|(_, a), _| *a != agent);
        }
    }
}
