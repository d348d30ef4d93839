//! Outstanding offers, the batches an allocation run sends, and decline filters. Offers are
//! numbered in creation order; a rescind returns an offer without a filter; a decline returns it
//! (or part of it) with one.
//!
//! An offer is one of two kinds:
//! - one by one (`Offer` in the table): what most allocation runs make;
//! - in bulk (`Bulk`): the agents one run offers whole to one framework (a single framework
//!   wanting offers, or Omega's whole-cell offers). The bulk is a set of agents and a seeded
//!   order drawn as the framework reads it; offer ids are a range, position `i` of the order
//!   getting `first + i`. An agent offered whole keeps its free resources (they are what it
//!   offers) and leaves the free set. Before its free resources change (a task on it ends),
//!   its offer is set apart with the amount it holds (`parts`), as a one-by-one offer would be.
//!   What the framework does not take goes back in one step, with one filter record
//!   ([`crate::cluster::framework::BulkFilter`]).
//!
//! Both kinds are the same offers: a run makes the same ones, in the same order, with the same
//! outcomes, whichever way they are kept; bulk only saves the work per agent nobody looks at.

use super::{Master, Observer};
use crate::cluster::agent::{AgentId, Pools, RoleId};
use crate::cluster::event::Event;
use crate::cluster::framework::{BulkFilter, Filter, Framework};
use crate::cluster::ids::{FrameworkId, OfferId};
use crate::cluster::resources::Resources;
use crate::error::Result;
use crate::metrics::observe::{Observation, OfferOutcome};
use crate::sim::bitset::BitSet;
use crate::sim::engine::Ctx;
use crate::sim::permutation::KeyedOrder;
use crate::sim::{SimDuration, SimTime};
use slab::Slab;
use std::collections::BTreeMap;

/// Filters last at most a year, as in Mesos.
const MAX_FILTER: SimDuration = SimDuration::from_secs(365 * 24 * 3600);
/// Declines of at most this many whole agents install per-agent filters instead of a bulk
/// record (`install_declined`). The unit tests below exercise the records on small clusters,
/// so there every decline makes one; the scenario tests run the threshold.
fn small_decline() -> usize {
    if cfg!(test) {
        0
    } else {
        64
    }
}

/// An outstanding offer, one by one.
#[derive(Clone, Debug)]
pub(crate) struct Offer {
    pub id: OfferId,
    pub fw: FrameworkId,
    pub role: RoleId,
    pub agent: AgentId,
    pub pools: Pools,
}

/// A bulk offer's key (its slot, and a generation so a stale key finds nothing).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct BulkKey {
    slot: u32,
    generation: u32,
}

/// The offers of one batch, in offer order.
#[derive(Clone, Debug)]
pub(crate) enum Segment {
    Ones(Vec<OfferId>),
    Bulk(BulkKey),
}

/// Where an offer of a batch is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum OfferRef {
    One(OfferId),
    InBulk {
        bulk: BulkKey,
        agent: AgentId,
        id: OfferId,
    },
}

pub(super) struct Bulk {
    generation: u32,
    fw: FrameworkId,
    role: RoleId,
    /// The id of position 0 of the order.
    first: u64,
    order: KeyedOrder,
    /// Agents offered whole: the offer is the agent's free resources.
    whole: BitSet,
    whole_n: u64,
    /// What `whole` holds, per word of the free set (to give back to the free index).
    word_sums: Vec<(u32, Resources)>,
    whole_total: Resources,
    /// Agents whose offer is set apart from their free resources (reservations, or their free
    /// resources changed since), by agent.
    parts: BTreeMap<AgentId, Pools>,
    /// Offers are reported one by one (offer rows are written).
    rows: bool,
}

impl Bulk {
    fn contains(&self, a: AgentId) -> bool {
        self.whole.contains(a.raw()) || self.parts.contains_key(&a)
    }

    fn outstanding(&self) -> u64 {
        self.whole_n + self.parts.len() as u64
    }

    /// The id of agent `a`'s offer, when offers are reported one by one.
    fn id_of(&self, a: AgentId) -> Option<OfferId> {
        if self.rows {
            self.id(a)
        } else {
            None
        }
    }

    /// The id of agent `a`'s offer: `first` plus its position in the order.
    fn id(&self, a: AgentId) -> Option<OfferId> {
        self.order
            .position(a.raw())
            .map(|p| OfferId(self.first + p as u64))
    }

    /// Takes agent `a` out of `whole` (its free resources `free`).
    fn leave_whole(&mut self, a: AgentId, free: Resources) {
        self.whole.remove(a.raw());
        self.whole_n -= 1;
        self.whole_total -= free;
        let w = a.raw() / 64;
        if let Ok(k) = self.word_sums.binary_search_by_key(&w, |e| e.0) {
            self.word_sums[k].1 -= free;
        }
    }
}

#[derive(Default)]
pub(super) struct Offers {
    table: BTreeMap<OfferId, Offer>,
    /// The last offer id handed out (ids start at 1).
    last: u64,
    /// Offer batches on their way to frameworks (one per framework per allocation run).
    batches: Slab<Vec<Segment>>,
    bulks: Slab<Bulk>,
    generations: Vec<u32>,
    /// Agents offered whole in some bulk.
    held: BitSet,
    /// Agents in some bulk filter record (a superset: records expire without clearing it).
    bulk_filtered: BitSet,
    filters_installed: u64,
    filters_live_after_sweep: u64,
    /// Agents whose free resources or per-agent filters changed since the last
    /// `Master::refresh_blocked` (in the order they changed, each once; `changed_set` dedups).
    changed: Vec<AgentId>,
    changed_set: BitSet,
    /// Per-agent filters' expiries: the agents of the filters expiring at each (expires, seq),
    /// earliest first (filters installed together share one entry, and there are few such
    /// keys). A refresh rechecks the agents whose filters expired since, in event order.
    /// Agents of filters dropped early stay until their time (a recheck then finds nothing)
    /// or until a sweep rebuilds it.
    expiry: BTreeMap<(SimTime, u64), Vec<u32>>,
    /// Agents in `expiry`, counted with repeats.
    expiry_len: usize,
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

    /// The id the next offer will get.
    pub fn next_id(&self) -> OfferId {
        OfferId(self.last + 1)
    }

    pub fn get(&self, id: OfferId) -> Option<&Offer> {
        self.table.get(&id)
    }

    /// Outstanding one-by-one offers in offer order.
    pub fn iter(&self) -> impl Iterator<Item = &Offer> + '_ {
        self.table.values()
    }

    /// Agents held whole in some bulk.
    pub fn held(&self) -> &BitSet {
        &self.held
    }

    pub fn new_batch(&mut self, segments: Vec<Segment>) -> u32 {
        self.batches.insert(segments) as u32
    }

    fn bulk(&self, k: BulkKey) -> Option<&Bulk> {
        self.bulks
            .get(k.slot as usize)
            .filter(|b| b.generation == k.generation)
    }

    fn bulk_mut(&mut self, k: BulkKey) -> Option<&mut Bulk> {
        self.bulks
            .get_mut(k.slot as usize)
            .filter(|b| b.generation == k.generation)
    }

    fn bulk_keys(&self) -> Vec<BulkKey> {
        self.bulks
            .iter()
            .map(|(slot, b)| BulkKey {
                slot: slot as u32,
                generation: b.generation,
            })
            .collect()
    }

    /// Frees a bulk with nothing outstanding.
    fn drop_if_empty(&mut self, k: BulkKey) {
        if self.bulk(k).is_some_and(|b| b.outstanding() == 0) {
            self.bulks.remove(k.slot as usize);
        }
    }

    /// Agent `a`'s free resources or per-agent filters changed: the next refresh rechecks it.
    #[inline]
    pub fn note_changed(&mut self, a: AgentId) {
        if !self.changed_set.contains(a.raw()) {
            self.changed_set.insert(a.raw());
            self.changed.push(a);
        }
    }

    /// A per-agent filter of `f`'s `role` on `agent` expiring at (expires, seq) was installed.
    fn note_filter(
        &mut self,
        f: &mut Framework,
        role: RoleId,
        agent: AgentId,
        expires: SimTime,
        seq: u64,
    ) {
        f.index.note_filter(role, agent);
        self.note_changed(agent);
        self.expiry
            .entry((expires, seq))
            .or_default()
            .push(agent.raw());
        self.expiry_len += 1;
    }

    /// Whether every framework's blocked-agent index is exact at (now, seq): nothing changed
    /// since the last refresh and no filter expired since.
    pub fn blocked_exact(&self, now: SimTime, seq: u64) -> bool {
        self.changed.is_empty()
            && self
                .expiry
                .first_key_value()
                .is_none_or(|(&k, _)| k > (now, seq))
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
        self.note_filter(f, role, agent, expires, seq);
    }
}

/// What a bulk gives back.
struct Returned {
    fw: FrameworkId,
    role: RoleId,
    whole: BitSet,
    word_sums: Vec<(u32, Resources)>,
    whole_total: Resources,
    parts: Vec<(AgentId, Pools)>,
    ids: Vec<OfferId>,
    count: u64,
}

impl Master {
    /// The offers of a batch, as they reach the framework (some may be gone since).
    pub fn take_batch(&mut self, batch: u32) -> Vec<Segment> {
        self.offers.batches.remove(batch as usize)
    }

    /// Takes an offer out of the table to apply a framework's answer to it.
    pub fn take_offer(&mut self, id: OfferId) -> Option<Offer> {
        let o = self.offers.table.remove(&id)?;
        self.frameworks[o.fw.idx()].outstanding_offers -= 1;
        Some(o)
    }

    // ------------------------------------------------------------------------------------------
    // Bulk offers.
    // ------------------------------------------------------------------------------------------

    /// Offers each of `agents` whole (what `role` may use of its free resources) to `fw`, in
    /// the seeded order of `order_rng`. Agents with reservations are set apart with what the
    /// role may use of them; the rest are held whole.
    pub(super) fn grant_bulk(
        &mut self,
        fw: FrameworkId,
        role: RoleId,
        agents: BitSet,
        order_rng: rand_chacha::ChaCha8Rng,
        ctx: &mut Ctx<Event>,
        obs: &mut dyn Observer,
    ) -> Segment {
        let now = ctx.now();
        let n = agents.len() as u64;
        let first = self.offers.last + 1;
        self.offers.last += n;
        let mut whole = agents.clone();
        let set_apart = if self.free.reserved().is_empty() {
            BitSet::default()
        } else {
            whole.subtract(self.free.reserved());
            agents.and(self.free.reserved())
        };
        let whole_n = n - set_apart.len() as u64;
        let mut parts = BTreeMap::new();
        let mut total = Resources::ZERO;
        for a in set_apart.iter().map(AgentId::new) {
            self.touch(a);
            let usable = view!(self, now, ctx.seq()).usable_by(&self.agents[a.idx()].free, role);
            self.agents[a.idx()].free.sub(&usable);
            self.set_free_membership(a);
            total += usable.total();
            parts.insert(a, usable);
        }
        let word_sums = self.free.take(&whole);
        let whole_total = word_sums
            .iter()
            .fold(Resources::ZERO, |acc, &(_, r)| acc + r);
        self.offers.held.union_with(&whole);
        total += whole_total;
        let ridx = self.frameworks[fw.idx()].role_index(role);
        self.add_allocation(fw, ridx, total);
        self.frameworks[fw.idx()].outstanding_offers += n as u32;
        let mut order_rng = order_rng;
        let order = KeyedOrder::from_set(agents, &mut order_rng);
        let rows = self.offer_rows;
        if rows {
            // Offer rows are written: every offer is reported now, in offer order.
            for (i, a) in order.all().into_iter().enumerate() {
                let agent = AgentId::new(a);
                let r = parts
                    .get(&agent)
                    .map(Pools::total)
                    .unwrap_or_else(|| self.free.contrib(agent));
                obs.observe(
                    now,
                    Observation::OfferMade {
                        id: OfferId(first + i as u64),
                        framework: &self.frameworks[fw.idx()].name,
                        role: &self.roles[role.idx()].name,
                        agent: &self.agents[agent.idx()].name,
                        resources: &r,
                        // The master refuses bulk grants once agents have revocable resources.
                        revocable: &Resources::ZERO,
                    },
                );
            }
        } else {
            obs.observe(now, Observation::OffersMade { count: n });
        }
        self.note_share(now, fw, role, obs);
        let slot = self.offers.bulks.vacant_key();
        if self.offers.generations.len() <= slot {
            self.offers.generations.resize(slot + 1, 0);
        }
        self.offers.generations[slot] = self.offers.generations[slot].wrapping_add(1);
        let generation = self.offers.generations[slot];
        self.offers.bulks.insert(Bulk {
            generation,
            fw,
            role,
            first,
            order,
            whole,
            whole_n,
            word_sums,
            whole_total,
            parts,
            rows,
        });
        Segment::Bulk(BulkKey {
            slot: slot as u32,
            generation,
        })
    }

    /// The next outstanding offer of a bulk at or after position `*cursor` (advanced past it):
    /// its id, agent and what it offers.
    pub fn bulk_next(&self, k: BulkKey, cursor: &mut u32) -> Option<(OfferId, AgentId, Pools)> {
        let len = self.bulk_len(k);
        while *cursor < len {
            let i = *cursor;
            *cursor += 1;
            if let Some(o) = self.bulk_at(k, i) {
                return Some(o);
            }
        }
        None
    }

    /// The offer at position `pos` of a bulk, if it is still outstanding: its id, agent and
    /// what it offers.
    pub fn bulk_at(&self, k: BulkKey, pos: u32) -> Option<(OfferId, AgentId, Pools)> {
        let b = self.offers.bulk(k)?;
        let a = AgentId::new(b.order.get(pos)?);
        let id = OfferId(b.first + pos as u64);
        if b.whole.contains(a.raw()) {
            return Some((id, a, self.agents[a.idx()].free.clone()));
        }
        b.parts.get(&a).map(|p| (id, a, p.clone()))
    }

    /// The position of agent `a`'s offer in a bulk, if it is still outstanding.
    pub fn bulk_position(&self, k: BulkKey, a: AgentId) -> Option<u32> {
        let b = self.offers.bulk(k)?;
        if !b.contains(a) {
            return None;
        }
        b.order.position(a.raw())
    }

    /// How many positions a bulk's order has (outstanding or not).
    pub fn bulk_len(&self, k: BulkKey) -> u32 {
        self.offers.bulk(k).map_or(0, |b| b.order.len())
    }

    /// The framework and role of a bulk (None once it is gone).
    pub fn bulk_owner(&self, k: BulkKey) -> Option<(FrameworkId, RoleId)> {
        self.offers.bulk(k).map(|b| (b.fw, b.role))
    }

    /// Takes the offer of `agent` out of a bulk to apply an answer to it (the framework launched
    /// on it): it becomes a one-by-one offer with id `id`.
    pub fn take_from_bulk(&mut self, k: BulkKey, agent: AgentId, id: OfferId) -> Option<Offer> {
        let b = self.offers.bulk(k)?;
        let (fw, role) = (b.fw, b.role);
        let pools = if b.whole.contains(agent.raw()) {
            self.touch_filters(agent);
            let free = std::mem::take(&mut self.agents[agent.idx()].free);
            let b = self.offers.bulk_mut(k).expect("checked");
            b.leave_whole(agent, free.total());
            self.offers.held.remove(agent.raw());
            self.set_free_membership(agent);
            free
        } else {
            self.offers.bulk_mut(k)?.parts.remove(&agent)?
        };
        self.frameworks[fw.idx()].outstanding_offers -= 1;
        self.offers.drop_if_empty(k);
        Some(Offer {
            id,
            fw,
            role,
            agent,
            pools,
        })
    }

    /// Everything a bulk still offers goes back: declined with a filter of `refuse`, or
    /// rescinded (`refuse` None).
    pub fn return_bulk(
        &mut self,
        k: BulkKey,
        refuse: Option<SimDuration>,
        ctx: &mut Ctx<Event>,
        obs: &mut dyn Observer,
    ) {
        if self.offers.bulk(k).is_none() {
            return;
        }
        let b = self.offers.bulks.remove(k.slot as usize);
        let r = Returned {
            fw: b.fw,
            role: b.role,
            count: b.outstanding(),
            ids: if b.rows {
                {
                    let mut v: Vec<OfferId> = b
                        .whole
                        .iter()
                        .map(AgentId::new)
                        .chain(b.parts.keys().copied())
                        .filter_map(|a| b.id_of(a))
                        .collect();
                    v.sort_unstable();
                    v
                }
            } else {
                Vec::new()
            },
            whole: b.whole,
            word_sums: b.word_sums,
            whole_total: b.whole_total,
            parts: b.parts.into_iter().collect(),
        };
        self.give_back(r, refuse, ctx, obs);
    }

    fn give_back(
        &mut self,
        r: Returned,
        refuse: Option<SimDuration>,
        ctx: &mut Ctx<Event>,
        obs: &mut dyn Observer,
    ) {
        let (now, seq) = (ctx.now(), ctx.seq());
        let fw = r.fw;
        self.frameworks[fw.idx()].outstanding_offers -= r.count as u32;
        // The agents offered whole come back unchanged (an agent that left or disconnected
        // had its offer rescinded, and set apart, first).
        self.offers.held.subtract(&r.whole);
        let back = r.whole;
        self.free.restore(&back, &r.word_sums);
        {
            let f = &mut self.frameworks[fw.idx()];
            f.allocated -= r.whole_total;
            if let Some(ri) = f.role_index(r.role) {
                f.roles[ri].allocated -= r.whole_total;
            }
        }
        if !r.whole_total.is_zero() {
            let pools = Pools::unreserved(r.whole_total);
            self.notify(
                now,
                seq,
                crate::allocator::Change::Recovered {
                    fw,
                    role: r.role,
                    agent: AgentId::new(0),
                    pools: &pools,
                },
            );
            self.note_share(now, fw, r.role, obs);
        }
        if let Some(dur) = refuse {
            let removed = self.frameworks[fw.idx()].removed;
            if !dur.is_zero() && !removed && !back.is_empty() {
                let dur = dur.max(self.cfg.allocation_interval).min(MAX_FILTER);
                let fseq = ctx.reserve_seq();
                self.install_declined(fw, r.role, back, (now, seq), now + dur, fseq);
            }
        }
        // Offers set apart are returned one by one, as one-by-one offers are.
        for (a, pools) in r.parts {
            self.recover(fw, r.role, a, &pools, refuse, ctx, obs);
        }
        let outcome = if refuse.is_some() {
            OfferOutcome::Declined
        } else {
            OfferOutcome::Rescinded
        };
        if r.ids.is_empty() {
            if r.count > 0 {
                obs.observe(
                    now,
                    Observation::OffersResolved {
                        count: r.count,
                        outcome,
                    },
                );
            }
        } else {
            for id in r.ids {
                obs.observe(now, Observation::OfferResolved { id, outcome });
            }
        }
    }

    /// Rescinds the offer of agent `a` wherever it is held (in a bulk, or one by one).
    fn rescind_in_bulks(
        &mut self,
        pick: impl Fn(FrameworkId, RoleId) -> bool,
        agent: Option<AgentId>,
        ctx: &mut Ctx<Event>,
        obs: &mut dyn Observer,
    ) {
        for k in self.offers.bulk_keys() {
            let Some(b) = self.offers.bulk(k) else {
                continue;
            };
            if !pick(b.fw, b.role) {
                continue;
            }
            match agent {
                None => self.return_bulk(k, None, ctx, obs),
                Some(a) if b.contains(a) => {
                    self.set_apart(a);
                    let b = self.offers.bulk_mut(k).expect("present");
                    let pools = b.parts.remove(&a).expect("set apart");
                    let (fw, role, id) = (b.fw, b.role, b.id_of(a));
                    self.frameworks[fw.idx()].outstanding_offers -= 1;
                    self.offers.drop_if_empty(k);
                    self.recover(fw, role, a, &pools, None, ctx, obs);
                    let now = ctx.now();
                    match id {
                        Some(id) => obs.observe(
                            now,
                            Observation::OfferResolved {
                                id,
                                outcome: OfferOutcome::Rescinded,
                            },
                        ),
                        None => obs.observe(
                            now,
                            Observation::OffersResolved {
                                count: 1,
                                outcome: OfferOutcome::Rescinded,
                            },
                        ),
                    }
                }
                Some(_) => {}
            }
        }
    }

    /// Declines whatever of (fw, role) matches in bulks: everything, or the offer of `agent`
    /// (scripted declines).
    pub fn decline_in_bulks(
        &mut self,
        fw: FrameworkId,
        role: Option<RoleId>,
        agent: Option<AgentId>,
        refuse: SimDuration,
        ctx: &mut Ctx<Event>,
        obs: &mut dyn Observer,
    ) {
        for k in self.offers.bulk_keys() {
            let Some(b) = self.offers.bulk(k) else {
                continue;
            };
            if b.fw != fw || role.is_some_and(|r| r != b.role) {
                continue;
            }
            match agent {
                None => self.return_bulk(k, Some(refuse), ctx, obs),
                Some(a) if b.contains(a) => {
                    let id = self.materialize(k, a);
                    self.decline(id, None, refuse, ctx, obs);
                }
                Some(_) => {}
            }
        }
    }

    /// Moves every offer of the framework's bulks into the one-by-one table (scripted partial
    /// declines pick an offer by id among all).
    pub fn materialize_bulks_of(&mut self, fw: FrameworkId) {
        for k in self.offers.bulk_keys() {
            if self.offers.bulk(k).is_some_and(|b| b.fw == fw) {
                self.materialize_bulk(k);
            }
        }
    }

    /// Moves every outstanding bulk into the one-by-one table (tests look offers up by id).
    #[cfg(test)]
    pub fn materialize_all_bulks(&mut self) {
        for k in self.offers.bulk_keys() {
            self.materialize_bulk(k);
        }
    }

    /// Moves every offer of a bulk into the one-by-one table; returns their (position, id) in
    /// offer order.
    pub fn materialize_bulk(&mut self, k: BulkKey) -> Vec<(u32, OfferId)> {
        let Some(b) = self.offers.bulk_mut(k) else {
            return Vec::new();
        };
        let first = b.first;
        let all = b.order.all();
        let mut out = Vec::new();
        for (pos, a) in all.into_iter().enumerate() {
            let agent = AgentId::new(a);
            if !self.offers.bulk(k).is_some_and(|b| b.contains(agent)) {
                continue;
            }
            let id = OfferId(first + pos as u64);
            let offer = self.take_from_bulk(k, agent, id).expect("member");
            self.frameworks[offer.fw.idx()].outstanding_offers += 1;
            self.offers.table.insert(id, offer);
            out.push((pos as u32, id));
        }
        out
    }

    /// Moves agent `a`'s offer out of a bulk into the one-by-one table; returns its id.
    fn materialize(&mut self, k: BulkKey, a: AgentId) -> OfferId {
        let b = self.offers.bulk(k).expect("present");
        let id = b.id(a).expect("member");
        let offer = self.take_from_bulk(k, a, id).expect("member");
        self.frameworks[offer.fw.idx()].outstanding_offers += 1;
        self.offers.table.insert(id, offer);
        id
    }

    /// Moves agent `a`'s offers out of every bulk into the one-by-one table (an offer
    /// operation on the agent names one offer).
    pub(super) fn materialize_agent(&mut self, a: AgentId) {
        for k in self.offers.bulk_keys() {
            if self.bulk_contains(k, a) {
                self.materialize(k, a);
            }
        }
    }

    /// A one-by-one offer's pools, for an offer operation to convert in place (`reserve.rs`).
    pub(super) fn offer_pools_mut(&mut self, id: OfferId) -> Option<&mut Pools> {
        self.offers.table.get_mut(&id).map(|o| &mut o.pools)
    }

    /// Whether agent `a`'s offer is still in bulk `k`.
    pub fn bulk_contains(&self, k: BulkKey, a: AgentId) -> bool {
        self.offers.bulk(k).is_some_and(|b| b.contains(a))
    }

    /// Declines the offers of `agents` that are still in bulk `k` with a filter of `refuse`
    /// (the framework looked at them and launched nothing).
    pub fn decline_from_bulk(
        &mut self,
        k: BulkKey,
        agents: &BitSet,
        refuse: SimDuration,
        ctx: &mut Ctx<Event>,
        obs: &mut dyn Observer,
    ) {
        let Some(b) = self.offers.bulk_mut(k) else {
            return;
        };
        let mut whole = agents.and(&b.whole);
        let mut word_sums: Vec<(u32, Resources)> = Vec::new();
        let mut whole_total = Resources::ZERO;
        for a in whole.iter() {
            let r = self.free.contrib(AgentId::new(a));
            whole_total += r;
            match word_sums.last_mut() {
                Some(e) if e.0 == a / 64 => e.1 += r,
                _ => word_sums.push((a / 64, r)),
            }
        }
        let b = self.offers.bulk_mut(k).expect("present");
        for &(w, r) in &word_sums {
            if let Ok(i) = b.word_sums.binary_search_by_key(&w, |e| e.0) {
                b.word_sums[i].1 -= r;
            }
        }
        let n_whole = whole.len() as u64;
        b.whole.subtract(&whole);
        b.whole_n -= n_whole;
        b.whole_total -= whole_total;
        let mut parts = Vec::new();
        for a in agents.iter().map(AgentId::new) {
            if let Some(p) = b.parts.remove(&a) {
                parts.push((a, p));
            }
        }
        let ids = if b.rows {
            {
                let mut v: Vec<OfferId> = whole
                    .iter()
                    .map(AgentId::new)
                    .chain(parts.iter().map(|(a, _)| *a))
                    .filter_map(|a| b.id_of(a))
                    .collect();
                v.sort_unstable();
                v
            }
        } else {
            Vec::new()
        };
        let count = n_whole + parts.len() as u64;
        let r = Returned {
            fw: b.fw,
            role: b.role,
            whole: std::mem::take(&mut whole),
            word_sums,
            whole_total,
            parts,
            ids,
            count,
        };
        self.offers.drop_if_empty(k);
        self.give_back(r, Some(refuse), ctx, obs);
    }

    /// An agent offered whole in a bulk has its offer set apart: the amount it offers leaves
    /// its free resources (which are about to change).
    fn set_apart(&mut self, a: AgentId) {
        if !self.offers.held.contains(a.raw()) {
            return;
        }
        for k in self.offers.bulk_keys() {
            if !self
                .offers
                .bulk(k)
                .is_some_and(|b| b.whole.contains(a.raw()))
            {
                continue;
            }
            let free = std::mem::take(&mut self.agents[a.idx()].free);
            let b = self.offers.bulk_mut(k).expect("present");
            b.leave_whole(a, free.total());
            b.parts.insert(a, free);
            self.offers.held.remove(a.raw());
            self.set_free_membership(a);
            return;
        }
    }

    /// Bulk filter records on agent `a` become per-agent filters with what was refused (the
    /// agent's free resources, unchanged since the decline), as its free resources are about to
    /// change.
    fn touch_filters(&mut self, a: AgentId) {
        if !self.offers.bulk_filtered.contains(a.raw()) {
            return;
        }
        self.offers.bulk_filtered.remove(a.raw());
        let refused = self.agents[a.idx()].free.clone();
        for f in self.frameworks.iter_mut() {
            for k in 0..f.bulk_filters.len() {
                if !f.bulk_filters[k].agents.contains(a.raw()) {
                    continue;
                }
                let bf = &mut f.bulk_filters[k];
                bf.agents.remove(a.raw());
                let (role, expires, seq) = (bf.role, bf.expires, bf.seq);
                f.filters.entry((role, a)).or_default().push(Filter {
                    refused: refused.clone(),
                    expires,
                    seq,
                });
                self.offers.note_filter(f, role, a, expires, seq);
            }
        }
    }

    /// Filters for `agents`, declined whole by `fw`'s `role` together (one sequence number):
    /// one bulk record, or, for a few agents, the per-agent filters that the record would
    /// become on each agent's next change (what was refused is the agent's free resources).
    /// The two are the same filters; a record costs a bit set as wide as the cluster in every
    /// allocation run while it lives, so small declines, which runs after revives make by the
    /// thousand, are cheaper one by one.
    fn install_declined(
        &mut self,
        fw: FrameworkId,
        role: RoleId,
        agents: BitSet,
        (now, cur_seq): (SimTime, u64),
        expires: SimTime,
        seq: u64,
    ) {
        if agents.len() <= small_decline() {
            for a in agents.iter() {
                let a = AgentId::new(a);
                let refused = self.agents[a.idx()].free.clone();
                let v = self.frameworks[fw.idx()]
                    .filters
                    .entry((role, a))
                    .or_default();
                // Filters that expired stay expired: dropped here as `install_filter` does.
                v.retain(|x| x.live(now, cur_seq));
                v.push(Filter {
                    refused,
                    expires,
                    seq,
                });
                self.offers.filters_installed += 1;
                self.offers
                    .note_filter(&mut self.frameworks[fw.idx()], role, a, expires, seq);
            }
            return;
        }
        self.offers.bulk_filtered.union_with(&agents);
        self.frameworks[fw.idx()].bulk_filters.push(BulkFilter {
            role,
            agents,
            expires,
            seq,
        });
        self.offers.filters_installed += 1;
    }

    /// Agent `a`'s free resources are about to change: what assumed them unchanged (bulk filter
    /// records, a bulk offer of it whole) is made explicit first.
    pub(super) fn touch(&mut self, a: AgentId) {
        self.touch_filters(a);
        self.set_apart(a);
    }

    // ------------------------------------------------------------------------------------------
    // Rescinds and declines.
    // ------------------------------------------------------------------------------------------

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

    /// Rescinds the outstanding one-by-one offers that `pick` selects, in offer order.
    fn rescind_ones(
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

    /// Rescinds every offer on agent `a`.
    pub fn rescind_agent(
        &mut self,
        a: AgentId,
        ctx: &mut Ctx<Event>,
        obs: &mut dyn Observer,
    ) -> Result<()> {
        self.rescind_ones(|o| o.agent == a, ctx, obs)?;
        self.rescind_in_bulks(|_, _| true, Some(a), ctx, obs);
        Ok(())
    }

    /// Rescinds every offer to framework `fw`.
    pub fn rescind_framework(
        &mut self,
        fw: FrameworkId,
        ctx: &mut Ctx<Event>,
        obs: &mut dyn Observer,
    ) -> Result<()> {
        self.rescind_ones(|o| o.fw == fw, ctx, obs)?;
        self.rescind_in_bulks(|f, _| f == fw, None, ctx, obs);
        Ok(())
    }

    /// Rescinds every outstanding offer.
    pub fn rescind_all(&mut self, ctx: &mut Ctx<Event>, obs: &mut dyn Observer) -> Result<()> {
        self.rescind_ones(|_| true, ctx, obs)?;
        self.rescind_in_bulks(|_, _| true, None, ctx, obs);
        Ok(())
    }

    /// The offers of one run time out: those still outstanding are rescinded, in offer order.
    pub fn time_out(
        &mut self,
        from: OfferId,
        to: OfferId,
        ctx: &mut Ctx<Event>,
        obs: &mut dyn Observer,
    ) -> Result<()> {
        let ids: Vec<OfferId> = self
            .offers
            .table
            .range(from..=to)
            .map(|(&id, _)| id)
            .collect();
        for id in ids {
            self.rescind(id, ctx, obs)?;
        }
        for k in self.offers.bulk_keys() {
            if self
                .offers
                .bulk(k)
                .is_some_and(|b| b.first >= from.0 && b.first <= to.0)
            {
                self.return_bulk(k, None, ctx, obs);
            }
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
            for f in self.frameworks.iter_mut() {
                f.bulk_filters
                    .retain(|b| b.live(now, seq) && !b.agents.is_empty());
            }
            return;
        }
        let mut live = 0u64;
        let mut dropped: Vec<AgentId> = Vec::new();
        for f in self.frameworks.iter_mut() {
            f.filters.retain(|&(_, a), v| {
                let before = v.len();
                v.retain(|x| x.live(now, seq));
                if v.len() != before {
                    dropped.push(a);
                }
                live += v.len() as u64;
                !v.is_empty()
            });
            f.bulk_filters
                .retain(|b| b.live(now, seq) && !b.agents.is_empty());
            live += f.bulk_filters.len() as u64;
        }
        // An agent whose filters expired since the last refresh may still be blocked in an
        // index, and the expiry map rebuilt below no longer names it: recheck it then.
        for a in dropped {
            o.note_changed(a);
        }
        o.filters_live_after_sweep = live;
        o.filters_installed = 0;
        // The expiry heap keeps entries of filters dropped early (revives, removed agents):
        // rebuilt from the live filters when those outnumber them, so memory follows them too.
        if o.expiry_len as u64 > 2 * live + 4096 {
            o.expiry.clear();
            o.expiry_len = 0;
            // Map order only decides the order of agents within one key, which a refresh
            // only collects into a set.
            for f in self.frameworks.iter() {
                for (&(_, a), v) in f.filters.iter() {
                    for x in v {
                        o.expiry
                            .entry((x.expires, x.seq))
                            .or_default()
                            .push(a.raw());
                        o.expiry_len += 1;
                    }
                }
            }
        }
        // Rebuild the union of the records still alive.
        o.bulk_filtered.clear();
        for f in self.frameworks.iter() {
            for b in &f.bulk_filters {
                o.bulk_filtered.union_with(&b.agents);
            }
        }
    }

    /// Makes every framework's blocked-agent index exact at (now, seq): the agents whose
    /// per-agent filters expired since are rechecked with those logged as changed, each for
    /// the frameworks that have filters on it. The cost follows the changes, not the agents.
    pub(super) fn refresh_blocked(&mut self, now: SimTime, seq: u64) {
        let o = &mut self.offers;
        while o
            .expiry
            .first_key_value()
            .is_some_and(|(&k, _)| k <= (now, seq))
        {
            let (_, agents) = o.expiry.pop_first().expect("present");
            o.expiry_len -= agents.len();
            for a in agents {
                o.note_changed(AgentId::new(a));
            }
        }
        let mut changed = std::mem::take(&mut o.changed);
        for &a in &changed {
            o.changed_set.remove(a.raw());
            let free = &self.agents[a.idx()].free;
            for f in self.frameworks.iter_mut() {
                if f.index.any_has(a) {
                    f.index.recheck(&mut f.filters, a, now, seq, |r| {
                        crate::allocator::usable_by(&self.roles, free, r)
                    });
                }
            }
        }
        changed.clear();
        self.offers.changed = changed;
    }

    /// Drops a framework's filters for `roles` (all its roles when None).
    pub fn clear_filters(&mut self, fw: FrameworkId, roles: Option<&[RoleId]>) {
        let f = &mut self.frameworks[fw.idx()];
        match roles {
            Some(rs) if !f.roles.iter().all(|r| rs.contains(&r.role)) => {
                f.filters.retain(|(r, _), _| !rs.contains(r));
                f.bulk_filters.retain(|b| !rs.contains(&b.role));
                f.index.clear_roles(Some(rs));
            }
            _ => {
                f.filters.clear();
                f.bulk_filters.clear();
                f.index.clear_roles(None);
            }
        }
    }

    /// Drops every framework's filters on an agent (its attributes changed, or it left).
    pub fn clear_agent_filters(&mut self, agent: AgentId) {
        self.offers.bulk_filtered.remove(agent.raw());
        for f in self.frameworks.iter_mut() {
            f.filters.retain(|(_, a), _| *a != agent);
            f.index.clear_agent(agent);
            for b in f.bulk_filters.iter_mut() {
                b.agents.remove(agent.raw());
            }
        }
    }

    /// The agents of the bulks offered to `fw` and what each offers (for invariant checks):
    /// (agent, amount).
    pub fn bulk_holdings(&self) -> Vec<(FrameworkId, AgentId, Pools)> {
        let mut out = Vec::new();
        for (_, b) in self.offers.bulks.iter() {
            for a in b.whole.iter().map(AgentId::new) {
                out.push((b.fw, a, self.agents[a.idx()].free.clone()));
            }
            for (a, p) in &b.parts {
                out.push((b.fw, *a, p.clone()));
            }
        }
        out
    }
}

/// Offers one answer declines whole, gathered so that they go back with one filter record
/// (until the next launch of the answer, which ends the group).
#[derive(Debug, Default)]
pub(crate) struct DeclineGroup {
    /// Offers still in a bulk, by bulk.
    in_bulk: Vec<(BulkKey, BitSet)>,
    /// One-by-one offers returned already, by role: their filter is the group's.
    ones: Vec<(FrameworkId, RoleId, BitSet)>,
}

impl DeclineGroup {
    pub fn add_in_bulk(&mut self, k: BulkKey, a: AgentId) {
        match self.in_bulk.iter_mut().find(|(b, _)| *b == k) {
            Some((_, s)) => s.insert(a.raw()),
            None => self.in_bulk.push((k, BitSet::single(a.raw()))),
        }
    }
}

impl Master {
    /// Declines a one-by-one offer whole (the framework launched nothing on it). When it was
    /// everything its agent has free (an agent without reservations), its filter joins the
    /// group's record; otherwise it gets a per-agent filter now.
    pub fn decline_grouped(
        &mut self,
        o: Offer,
        refuse: SimDuration,
        group: &mut DeclineGroup,
        ctx: &mut Ctx<Event>,
        obs: &mut dyn Observer,
    ) {
        let ag = &self.agents[o.agent.idx()];
        let whole = ag.active
            && ag.free.is_empty()
            && !self.free.reserved().contains(o.agent.raw())
            && !refuse.is_zero()
            && !self.frameworks[o.fw.idx()].removed;
        if whole {
            self.recover(o.fw, o.role, o.agent, &o.pools, None, ctx, obs);
            match group
                .ones
                .iter_mut()
                .find(|(f, r, _)| *f == o.fw && *r == o.role)
            {
                Some((_, _, s)) => s.insert(o.agent.raw()),
                None => group
                    .ones
                    .push((o.fw, o.role, BitSet::single(o.agent.raw()))),
            }
        } else if !o.pools.is_empty() {
            self.recover(o.fw, o.role, o.agent, &o.pools, Some(refuse), ctx, obs);
        }
        obs.observe(
            ctx.now(),
            Observation::OfferResolved {
                id: o.id,
                outcome: OfferOutcome::Declined,
            },
        );
    }

    /// Installs the group's filters and returns its offers still in bulks.
    pub fn flush_declines(
        &mut self,
        group: &mut DeclineGroup,
        refuse: SimDuration,
        ctx: &mut Ctx<Event>,
        obs: &mut dyn Observer,
    ) {
        for (k, agents) in std::mem::take(&mut group.in_bulk) {
            self.decline_from_bulk(k, &agents, refuse, ctx, obs);
        }
        for (fw, role, agents) in std::mem::take(&mut group.ones) {
            let dur = refuse.max(self.cfg.allocation_interval).min(MAX_FILTER);
            let seq = ctx.reserve_seq();
            self.install_declined(
                fw,
                role,
                agents,
                (ctx.now(), ctx.seq()),
                ctx.now() + dur,
                seq,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::testkit::{agent, config, cpus_mem, framework, master, Log};

    fn at(s: f64) -> Ctx<Event> {
        Ctx::at_time(SimTime::from_secs_f64(s))
    }

    /// A summary-mode master (no offer rows) with `n` 4-cpu agents and framework `f`.
    fn cluster(n: usize) -> (Master, Ctx<Event>, Log, Vec<AgentId>, FrameworkId) {
        let mut m = master();
        m.report_offer_rows(false);
        let ctx = at(0.0);
        let mut log = Log::default();
        let agents = (0..n)
            .map(|i| {
                agent(
                    &mut m,
                    &ctx,
                    &mut log,
                    &format!("a{i}"),
                    cpus_mem(4.0, 4096.0),
                )
            })
            .collect();
        let f = framework(&mut m, &ctx, &mut log, &config("f", Default::default()));
        (m, ctx, log, agents, f)
    }

    fn bulk_of(m: &Master) -> BulkKey {
        let keys = m.offers.bulk_keys();
        assert_eq!(keys.len(), 1, "one bulk");
        keys[0]
    }

    #[test]
    fn a_lone_framework_gets_every_free_agent_in_one_bulk_numbered_in_offer_order() {
        let (mut m, mut ctx, mut log, agents, f) = cluster(5);
        m.allocate_all(&mut ctx, &mut log).unwrap();
        assert_eq!(m.offers().count(), 0, "nothing one by one");
        assert_eq!(m.offers.held().len(), 5);
        assert!(m.free_agents().is_empty());
        assert_eq!(m.framework(f).outstanding_offers, 5);
        assert_eq!(*m.framework(f).allocated(), cpus_mem(20.0, 20480.0));
        // Reading the bulk in order gives ids 1..=5, each agent once.
        let k = bulk_of(&m);
        let mut cursor = 0;
        let mut read = Vec::new();
        while let Some((id, a, pools)) = m.bulk_next(k, &mut cursor) {
            assert_eq!(pools.total(), cpus_mem(4.0, 4096.0));
            read.push((id, a));
        }
        let ids: Vec<u64> = read.iter().map(|(id, _)| id.0).collect();
        assert_eq!(ids, [1, 2, 3, 4, 5]);
        let mut seen: Vec<AgentId> = read.iter().map(|&(_, a)| a).collect();
        seen.sort();
        assert_eq!(seen, agents);
        // Moving the bulk into the table keeps every id and agent.
        let moved = m.materialize_bulk(k);
        assert_eq!(moved.len(), 5);
        let table: Vec<(OfferId, AgentId)> = m.offers().map(|o| (o.id, o.agent)).collect();
        assert_eq!(table, read);
        assert_eq!(m.framework(f).outstanding_offers, 5);
    }

    #[test]
    fn summary_and_row_modes_make_the_same_offers_in_the_same_order() {
        let order = |rows: bool| {
            let (mut m, mut ctx, mut log, _, _) = cluster(40);
            m.report_offer_rows(rows);
            m.allocate_all(&mut ctx, &mut log).unwrap();
            let k = bulk_of(&m);
            let mut cursor = 0;
            let mut v = Vec::new();
            while let Some((id, a, _)) = m.bulk_next(k, &mut cursor) {
                v.push((id, a));
            }
            (v, log.0)
        };
        let (summary, summary_log) = order(false);
        let (rows, rows_log) = order(true);
        assert_eq!(summary, rows);
        assert!(summary_log.is_empty(), "no rows in summary mode");
        assert_eq!(rows_log.len(), 40, "a row per offer");
        assert!(
            rows_log[0].starts_with("0 offer 1 to f on "),
            "{}",
            rows_log[0]
        );
    }

    /// The filter answers of a bulk decline equal those of declining each offer one by one, at
    /// every time around the expiry and for every offer an unchanged agent can make (its free
    /// resources or part of them: an agent whose free resources grow leaves the record first,
    /// as the next test shows).
    #[test]
    fn a_bulk_decline_filters_exactly_as_per_agent_declines_would() {
        let declined = |bulk: bool| {
            let (mut m, mut ctx, mut log, agents, f) = cluster(6);
            m.allocate_all(&mut ctx, &mut log).unwrap();
            let k = bulk_of(&m);
            if bulk {
                m.return_bulk(k, Some(SimDuration::from_secs(5)), &mut ctx, &mut log);
                assert_eq!(m.framework(f).bulk_filters.len(), 1, "one record");
            } else {
                for (_, id) in m.materialize_bulk(k) {
                    m.decline(id, None, SimDuration::from_secs(5), &mut ctx, &mut log);
                }
                assert!(m.framework(f).bulk_filters.is_empty());
            }
            assert_eq!(m.free_agents().len(), 6);
            (m, agents, f)
        };
        let (bm, agents, f) = declined(true);
        let (pm, _, _) = declined(false);
        let role = bm.fw_roles(f)[0];
        for t in [0.0, 4.9, 4.999999, 5.0, 5.000001, 60.0] {
            let now = SimTime::from_secs_f64(t);
            for &a in &agents {
                for (c, mem) in [(1.0, 0.0), (1.0, 4096.0), (4.0, 4096.0)] {
                    let offer = Pools::unreserved(cpus_mem(c, mem));
                    assert_eq!(
                        bm.framework(f).is_filtered(role, a, &offer, now, u64::MAX),
                        pm.framework(f).is_filtered(role, a, &offer, now, u64::MAX),
                        "t={t} agent {a:?} cpus {c}"
                    );
                }
            }
        }
        // And the next runs offer the same: nothing before 5 s, everything after.
        for (mut m, expect_at_1, expect_at_6) in [(bm, 0, 6), (pm, 0, 6)] {
            let mut log = Log::default();
            m.allocate_all(&mut at(1.0), &mut log).unwrap();
            m.materialize_all_bulks();
            assert_eq!(m.offers().count(), expect_at_1);
            m.allocate_all(&mut at(6.0), &mut log).unwrap();
            m.materialize_all_bulks();
            assert_eq!(m.offers().count(), expect_at_6);
        }
    }

    /// The blocked-agent index follows what changes: a filter blocks its agent while what the
    /// agent has free is within what was refused, stops when the agent gets more back, and
    /// stops at its expiry in event order; a revive empties it.
    #[test]
    fn the_blocked_index_follows_free_resources_expiry_and_revive() {
        let (mut m, mut ctx, mut log, agents, f) = cluster(2);
        m.allocate_all(&mut ctx, &mut log).unwrap();
        let k = bulk_of(&m);
        let ids: Vec<OfferId> = m
            .materialize_bulk(k)
            .into_iter()
            .map(|(_, id)| id)
            .collect();
        let id_of = |m: &Master, a: AgentId| {
            ids.iter()
                .copied()
                .find(|&id| m.offer(id).unwrap().agent == a)
                .unwrap()
        };
        let (on_a0, on_a1) = (id_of(&m, agents[0]), id_of(&m, agents[1]));
        let five = SimDuration::from_secs(5);
        let one = Pools::unreserved(cpus_mem(1.0, 0.0));
        // a0: 1 cpu declined (3 stay offered), a1 declined whole.
        m.decline(on_a0, Some(one), five, &mut ctx, &mut log);
        m.decline(on_a1, None, five, &mut ctx, &mut log);
        // f's blocked agents after a refresh at (t, seq).
        fn blocked(m: &mut Master, t: f64, seq: u64) -> Vec<AgentId> {
            let now = SimTime::from_secs_f64(t);
            m.refresh_blocked(now, seq);
            assert!(m.offers.blocked_exact(now, seq));
            let f = &m.frameworks[0];
            let b = f.index.blocked(f.roles[0].role).cloned();
            b.unwrap_or_default().iter().map(AgentId::new).collect()
        }
        assert!(!m.offers.blocked_exact(SimTime::from_secs_f64(1.0), 0));
        assert_eq!(
            blocked(&mut m, 1.0, 0),
            agents,
            "1 cpu free on a0: within what it refused"
        );
        // a0 gets its other 3 cpus back: more than it refused, so no longer blocked.
        m.rescind(on_a0, &mut ctx, &mut log).unwrap();
        assert!(!m.offers.blocked_exact(SimTime::from_secs_f64(1.0), 0));
        assert_eq!(blocked(&mut m, 1.0, 0), [agents[1]]);
        // a1's filter expires at 5 s, after the events its expiry would have preceded.
        let role = m.fw_roles(f)[0];
        let expiry_seq = m.framework(f).filters[&(role, agents[1])][0].seq;
        assert_eq!(blocked(&mut m, 5.0, expiry_seq - 1), [agents[1]]);
        assert!(blocked(&mut m, 5.0, expiry_seq).is_empty());
        // A revive drops the filters and what they blocked.
        let (mut m, mut ctx, mut log, agents, f) = cluster(1);
        m.allocate_all(&mut ctx, &mut log).unwrap();
        let k = bulk_of(&m);
        let (_, id) = m.materialize_bulk(k)[0];
        m.decline(id, None, five, &mut ctx, &mut log);
        assert_eq!(blocked(&mut m, 1.0, 0), agents);
        m.clear_filters(f, None);
        assert!(blocked(&mut m, 1.0, 0).is_empty());
    }

    #[test]
    fn a_changed_agent_leaves_the_bulk_filter_as_a_per_agent_filter_of_what_was_refused() {
        let (mut m, mut ctx, mut log, agents, f) = cluster(2);
        m.allocate_all(&mut ctx, &mut log).unwrap();
        let k = bulk_of(&m);
        m.return_bulk(k, Some(SimDuration::from_secs(5)), &mut ctx, &mut log);
        let role = m.fw_roles(f)[0];
        // A second framework is offered both agents: they change, and leave f's record as
        // per-agent filters of what f refused.
        let g = framework(&mut m, &ctx, &mut log, &config("g", Default::default()));
        m.allocate_all(&mut ctx, &mut log).unwrap();
        m.materialize_all_bulks();
        let on_a0 = m.offers().find(|o| o.agent == agents[0]).unwrap().id;
        assert_eq!(m.offer(on_a0).unwrap().fw, g);
        let bf = &m.framework(f).bulk_filters[0];
        assert!(bf.agents.is_empty(), "both left the record");
        for &a in &agents {
            let v = &m.framework(f).filters[&(role, a)];
            assert_eq!(v.len(), 1);
            assert_eq!(v[0].refused.total(), cpus_mem(4.0, 4096.0));
        }
        let four = Pools::unreserved(cpus_mem(4.0, 4096.0));
        let now = ctx.now();
        assert!(m
            .framework(f)
            .is_filtered(role, agents[0], &four, now, u64::MAX));
        m.rescind(on_a0, &mut ctx, &mut log).unwrap();
        // a0 is back whole: still filtered for f (4 cpus is what it refused) until 5 s.
        assert!(m
            .framework(f)
            .is_filtered(role, agents[0], &four, now, u64::MAX));
        let more = Pools::unreserved(cpus_mem(4.0, 8192.0));
        assert!(!m
            .framework(f)
            .is_filtered(role, agents[0], &more, now, u64::MAX));
        let later = SimTime::from_secs_f64(5.1);
        assert!(!m.framework(f).is_filtered(role, agents[0], &four, later, 0));
    }

    #[test]
    fn a_bulk_offer_whose_agent_changes_is_set_apart_with_what_it_offered() {
        let mut m = master();
        m.report_offer_rows(false);
        let mut ctx = at(0.0);
        let mut log = Log::default();
        let a0 = agent(&mut m, &ctx, &mut log, "a0", cpus_mem(4.0, 4096.0));
        let a1 = agent(&mut m, &ctx, &mut log, "a1", cpus_mem(4.0, 4096.0));
        // g holds half of a0.
        let g = framework(&mut m, &ctx, &mut log, &config("g", Default::default()));
        m.allocate_all(&mut ctx, &mut log).unwrap();
        m.materialize_all_bulks();
        let ids: Vec<(OfferId, AgentId)> = m.offers().map(|o| (o.id, o.agent)).collect();
        for &(id, a) in &ids {
            let keep = Pools::unreserved(cpus_mem(2.0, 2048.0));
            if a == a0 {
                let back = m.offer(id).unwrap().pools.clone();
                let mut back = back;
                back.sub(&keep);
                m.decline(id, Some(back), SimDuration::ZERO, &mut ctx, &mut log);
            } else {
                m.decline(id, None, SimDuration::ZERO, &mut ctx, &mut log);
            }
        }
        let roles = m.fw_roles(g);
        m.suppress(g, &roles, ctx.now(), ctx.seq());
        // f gets what is free, in one bulk: half of a0, all of a1.
        let f = framework(&mut m, &ctx, &mut log, &config("f", Default::default()));
        m.allocate_all(&mut ctx, &mut log).unwrap();
        let k = bulk_of(&m);
        assert_eq!(*m.framework(f).allocated(), cpus_mem(6.0, 6144.0));
        // g's half comes back while a0 is offered whole to f: f's offer keeps what it had.
        let g_a0 = ids.iter().find(|&&(_, a)| a == a0).unwrap().0;
        m.decline(g_a0, None, SimDuration::ZERO, &mut ctx, &mut log);
        assert!(!m.offers.held().contains(a0.raw()), "set apart");
        assert!(m.offers.held().contains(a1.raw()));
        assert_eq!(m.agent(a0).free().total(), cpus_mem(2.0, 2048.0));
        assert_eq!(*m.framework(f).allocated(), cpus_mem(6.0, 6144.0));
        let moved = m.materialize_bulk(k);
        assert_eq!(moved.len(), 2);
        let f_a0 = m.offers().find(|o| o.agent == a0).unwrap();
        assert_eq!(f_a0.pools.total(), cpus_mem(2.0, 2048.0));
        assert!(m.free_agents().contains(a0.raw()), "g's half is free again");
    }
}
