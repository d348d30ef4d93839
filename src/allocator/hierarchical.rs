//! The hierarchical allocator of Mesos 1.11 (`HierarchicalAllocatorProcess::__generateOffers`):
//! stage 1 serves unmet quota guarantees, stage 2 serves everyone, both walking shuffled agents,
//! then roles in sorter order, then frameworks in sorter order. The role order is the only thing
//! the three built-in policies change: DRF (Mesos), strict priority, or weighted random.
//! See docs/mesos-semantics.md for the rules restated from the Mesos sources.

use super::drf::DrfSorter;
use super::{Allocator, Change, Grant, OfferMode, PreemptView, Run, View};
use crate::cluster::agent::{AgentId, Pools, RoleId};
use crate::cluster::ids::{FrameworkId, TaskKey};
use crate::cluster::resources::{FairnessExclusion, Resources};
use crate::sim::bitset::BitSet;
use crate::sim::{SimDuration, SimTime};
use rand::seq::SliceRandom;
use rand::{Rng, RngCore};
use std::collections::BTreeMap;

#[path = "whole.rs"]
mod whole;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Order {
    /// Mesos's DRF sorter for roles and for frameworks within a role.
    Drf,
    /// Strict priority between roles (higher first), DRF within one priority level.
    Priority,
    /// Weighted random order, like Mesos's random sorter, redrawn for every agent.
    Random,
}

#[derive(Clone)]
pub struct Hierarchical {
    order: Order,
    roles: DrfSorter,
    /// One framework sorter per role id (created when the first framework subscribes).
    fws: Vec<Option<DrfSorter>>,
    total: Resources,
    total_unres: Resources,
    /// Offered or used unreserved resources per role (exactly that role).
    alloc_unres: Vec<Resources>,
    alloc_unres_sum: Resources,
    /// Cached sorter client ids: per role (role sorter generation, id), and per framework
    /// (role, framework sorter generation, id). Names are looked up again only after the
    /// sorter's structure changed.
    role_ids: Vec<(u64, usize)>,
    fw_ids: Vec<Vec<(RoleId, u64, usize)>>,
    // Scratch, reused between runs.
    agent_order: Vec<AgentId>,
    grants: Vec<Grant>,
    role_list: Vec<usize>,
    fw_list: Vec<usize>,
    consumed: Vec<Resources>,
    /// Strict-priority preemption (`preempt_after_s`): None, never.
    preempt_after: Option<SimDuration>,
    /// When each waiting top-level role last launched a task or started waiting.
    role_progress: BTreeMap<RoleId, SimTime>,
    /// Always walk agent by agent (tests compare the whole-agent runs of `whole.rs` with it).
    agent_by_agent: bool,
    /// `[master] fair_sharing_excluded_resource_names`, given to every sorter it creates.
    exclusion: FairnessExclusion,
}

impl Hierarchical {
    pub fn new(order: Order) -> Hierarchical {
        Hierarchical {
            order,
            roles: DrfSorter::new(),
            fws: Vec::new(),
            total: Resources::ZERO,
            total_unres: Resources::ZERO,
            alloc_unres: Vec::new(),
            alloc_unres_sum: Resources::ZERO,
            role_ids: Vec::new(),
            fw_ids: Vec::new(),
            agent_order: Vec::new(),
            grants: Vec::new(),
            role_list: Vec::new(),
            fw_list: Vec::new(),
            consumed: Vec::new(),
            preempt_after: None,
            role_progress: BTreeMap::new(),
            agent_by_agent: false,
            exclusion: FairnessExclusion::NONE,
        }
    }

    /// The same allocator without the whole-agent shortcut: every run walks agent by agent.
    pub fn agent_by_agent(mut self) -> Hierarchical {
        self.agent_by_agent = true;
        self
    }

    /// Every sorter client's (name, allocation, grant count), role sorter first, then each
    /// role's framework sorter by role id, then the unreserved allocations per role and their
    /// sum that quota headroom is computed from (named `unres:<role>` and `unres`, count 0):
    /// what two runs with equal outcomes must agree on.
    pub fn sorter_state(&self) -> Vec<(String, Resources, u64)> {
        let mut out: Vec<(String, Resources, u64)> = self
            .roles
            .clients()
            .map(|(n, id)| {
                (
                    n.to_string(),
                    self.roles.allocation_id(id),
                    self.roles.count_id(id),
                )
            })
            .collect();
        for (r, s) in self.fws.iter().enumerate() {
            if let Some(s) = s {
                out.extend(
                    s.clients()
                        .map(|(n, id)| (format!("{r}:{n}"), s.allocation_id(id), s.count_id(id))),
                );
            }
        }
        for (r, a) in self.alloc_unres.iter().enumerate() {
            out.push((format!("unres:{r}"), *a, 0));
        }
        out.push(("unres".to_string(), self.alloc_unres_sum, 0));
        out
    }

    /// Preempts for a top-level role that waited `after` (the `priority` allocator).
    pub fn with_preemption(mut self, after: Option<SimDuration>) -> Hierarchical {
        self.preempt_after = after;
        self
    }

    fn ensure_role(&mut self, v: &View, role: RoleId) {
        let r = role.idx();
        if self.fws.len() <= r {
            self.fws.resize_with(r + 1, || None);
            self.alloc_unres.resize(r + 1, Resources::ZERO);
        }
        if self.fws[r].is_none() {
            let mut s = DrfSorter::new_flat();
            s.set_exclusion(self.exclusion);
            s.set_total(self.total);
            self.fws[r] = Some(s);
        }
        let name = &v.roles[r].name;
        if !self.roles.contains(name) {
            // Weights are per path: set every level of the chain before adding.
            for &c in &v.roles[r].chain {
                let ri = &v.roles[c.idx()];
                self.roles.update_weight(&ri.name, ri.weight);
            }
            self.roles.add_tagged(name, r);
            self.roles.activate(name);
        }
    }

    fn sync_activity(&mut self, v: &View, fw: FrameworkId, role: RoleId) {
        let f = &v.frameworks[fw.idx()];
        let Some(ri) = f.role_index(role) else { return };
        let active = f.wants_offers(ri);
        if let Some(Some(s)) = self.fws.get_mut(role.idx()) {
            if let Some(id) = s.id(&f.name) {
                s.set_active(id, active);
            }
        }
    }

    /// The role's client id in the role sorter (cached until the sorter's structure changes).
    fn role_cid(&mut self, v: &View, role: usize) -> Option<usize> {
        let generation = self.roles.generation();
        if self.role_ids.len() <= role {
            self.role_ids.resize(role + 1, (u64::MAX, usize::MAX));
        }
        let (g, id) = self.role_ids[role];
        if g == generation {
            return (id != usize::MAX).then_some(id);
        }
        let id = self.roles.id(&v.roles[role].name);
        self.role_ids[role] = (generation, id.unwrap_or(usize::MAX));
        id
    }

    /// The framework's client id in the role's framework sorter (cached likewise).
    fn fw_cid(&mut self, v: &View, fw: usize, role: usize) -> Option<usize> {
        let s = self.fws.get(role)?.as_ref()?;
        let generation = s.generation();
        if self.fw_ids.len() <= fw {
            self.fw_ids.resize_with(fw + 1, Vec::new);
        }
        let slot = self.fw_ids[fw]
            .iter()
            .position(|e| e.0 == RoleId::new(role as u32));
        if let Some(k) = slot {
            let (_, g, id) = self.fw_ids[fw][k];
            if g == generation {
                return (id != usize::MAX).then_some(id);
            }
        }
        let id = s.id(&v.frameworks[fw].name);
        let entry = (
            RoleId::new(role as u32),
            generation,
            id.unwrap_or(usize::MAX),
        );
        match slot {
            Some(k) => self.fw_ids[fw][k] = entry,
            None => self.fw_ids[fw].push(entry),
        }
        id
    }

    /// Adds (or removes) an allocation in both sorters; an addition counts one grant.
    fn account(&mut self, v: &View, fw: usize, role: usize, total: &Resources, add: bool) {
        self.account_n(v, fw, role, total, if add { Some(1) } else { None });
    }

    /// Adds an allocation made of `grants` grants (`Some`), or removes one (`None`).
    fn account_n(
        &mut self,
        v: &View,
        fw: usize,
        role: usize,
        total: &Resources,
        grants: Option<u64>,
    ) {
        if let Some(id) = self.role_cid(v, role) {
            match grants {
                Some(n) => self.roles.allocated_n(id, total, n),
                None => self.roles.unallocated_id(id, total),
            }
        }
        if let Some(id) = self.fw_cid(v, fw, role) {
            let s = self.fws[role]
                .as_mut()
                .expect("sorter exists when an id does");
            match grants {
                Some(n) => s.allocated_n(id, total, n),
                None => s.unallocated_id(id, total),
            }
        }
    }

    /// The (framework, role index) pairs that want offers now.
    fn wanting(v: &View) -> Vec<(FrameworkId, usize)> {
        let mut out = Vec::new();
        for (i, f) in v.frameworks.iter().enumerate() {
            for ri in 0..f.roles.len() {
                if f.wants_offers(ri) {
                    out.push((FrameworkId::new(i as u32), ri));
                }
            }
        }
        out
    }

    /// Accounts for a bulk grant of `agents` whole to (fw, role) and hands it to the run.
    fn record_all(
        &mut self,
        v: &View,
        run: &mut Run,
        fw: FrameworkId,
        role: RoleId,
        agents: BitSet,
    ) {
        let (total, unres) = v.usable_total(role, &agents);
        self.account_n(v, fw.idx(), role.idx(), &total, Some(agents.len() as u64));
        self.alloc_unres[role.idx()] += unres;
        self.alloc_unres_sum += unres;
        run.grant_all(fw, role, agents);
    }

    fn track(&mut self, v: &View, fw: FrameworkId, role: RoleId, pools: &Pools, add: bool) {
        let r = role.idx();
        let total = pools.total();
        if add {
            self.ensure_role(v, role);
            let fname = &v.frameworks[fw.idx()].name;
            let s = self.fws[r].as_mut().expect("role sorter");
            if !s.contains(fname) {
                s.add_tagged(fname, fw.idx());
            }
            self.account(v, fw.idx(), r, &total, true);
            self.alloc_unres[r] += pools.unres;
            self.alloc_unres_sum += pools.unres;
        } else {
            self.account(v, fw.idx(), r, &total, false);
            if r < self.alloc_unres.len() {
                self.alloc_unres[r] -= pools.unres;
                self.alloc_unres_sum -= pools.unres;
            }
            let f = &v.frameworks[fw.idx()];
            if f.removed || f.role_index(role).is_none() {
                self.maybe_untrack(v, fw, role);
            }
        }
    }

    /// Drops a framework from a role it left once it holds nothing there, and the role once it
    /// has no framework (Mesos's `tryUntrackFrameworkUnderRole`).
    fn maybe_untrack(&mut self, v: &View, fw: FrameworkId, role: RoleId) {
        let r = role.idx();
        let f = &v.frameworks[fw.idx()];
        let subscribed = !f.removed && f.role_index(role).is_some();
        let Some(Some(s)) = self.fws.get_mut(r) else {
            return;
        };
        if !subscribed && s.contains(&f.name) && s.allocation(&f.name).is_zero() {
            s.remove(&f.name);
        }
        if s.count() == 0 {
            self.fws[r] = None;
            let name = &v.roles[r].name;
            self.roles.remove(name);
        }
    }

    /// The role order for one agent, as role ids, into `self.role_list`.
    fn role_order(&mut self, v: &View, rng: &mut dyn RngCore) {
        self.roles.sort_tags(&mut self.role_list);
        match self.order {
            Order::Drf => {}
            Order::Priority => {
                // Stable: DRF order is kept within one priority level.
                self.role_list
                    .sort_by_key(|&r| std::cmp::Reverse(v.roles[r].priority));
            }
            Order::Random => {
                let weights = relative_weights(v, &self.role_list);
                weighted_shuffle(&mut self.role_list, &weights, rng);
            }
        }
    }

    fn fw_order(&mut self, role: usize, rng: &mut dyn RngCore) {
        match self.fws.get_mut(role).and_then(|s| s.as_mut()) {
            Some(s) => s.sort_tags(&mut self.fw_list),
            None => self.fw_list.clear(),
        }
        if self.order == Order::Random {
            self.fw_list.shuffle(rng);
        }
    }

    fn record(
        &mut self,
        v: &View,
        fw: usize,
        role: usize,
        agent: AgentId,
        offer: &Pools,
        out: &mut Vec<Grant>,
    ) {
        let total = offer.total();
        self.account(v, fw, role, &total, true);
        self.alloc_unres[role] += offer.unres;
        self.alloc_unres_sum += offer.unres;
        out.push(Grant {
            fw: FrameworkId::new(fw as u32),
            role: RoleId::new(role as u32),
            agent,
            pools: offer.clone(),
        });
    }
}

impl Hierarchical {
    /// The Omega study's Mesos model (`offer_mode = "cell"`): the whole free cell goes to one
    /// framework, which then holds it for one decision (pessimistic locking). The first framework
    /// in stage 2's order (roles, then frameworks within a role, sorted once for the run, since
    /// only one framework gains) that can take at least one agent gets every shuffled candidate
    /// agent it can take: allocatable, capable, not filtered. There are no quota stages: the
    /// Omega model has no quota, and guarantees or limits would split the cell again.
    fn allocate_cell(&mut self, v: &View, run: &mut Run) {
        self.role_order(v, run.rng());
        let roles = std::mem::take(&mut self.role_list);
        'roles: for &role in &roles {
            self.fw_order(role, run.rng());
            let fws = std::mem::take(&mut self.fw_list);
            for &fw in &fws {
                let rid = RoleId::new(role as u32);
                let Some(ridx) = v.frameworks[fw].role_index(rid) else {
                    continue;
                };
                let fid = FrameworkId::new(fw as u32);
                let s = v.offerable(fid, ridx, run.candidates);
                if !s.is_empty() {
                    if v.revocable {
                        // One grant per agent, each what this framework may be offered there
                        // (revocable resources only if it is capable of them).
                        let mut out = std::mem::take(&mut self.grants);
                        out.clear();
                        for agent in keyed_agents(run, &s) {
                            let offer = v.offer_for(fid, &v.agents[agent.idx()].free, rid);
                            self.record(v, fw, role, agent, &offer, &mut out);
                        }
                        for g in out.drain(..) {
                            run.grant(g);
                        }
                        self.grants = out;
                    } else {
                        self.record_all(v, run, fid, rid, s);
                    }
                    self.fw_list = fws;
                    break 'roles;
                }
            }
            self.fw_list = fws;
        }
        self.role_list = roles;
    }
}

/// The members of `set` in the run's keyed order (the order `whole.rs` replays).
fn keyed_agents(run: &mut Run, set: &BitSet) -> Vec<AgentId> {
    run.keyed(set).all().into_iter().map(AgentId::new).collect()
}

/// Mesos random sorter weights: each active leaf's weight relative to its siblings, multiplied
/// down the tree (a role that is also a parent sits in a `.` leaf of weight 1).
fn relative_weights(v: &View, roles: &[usize]) -> Vec<f64> {
    let paths: Vec<Vec<String>> = roles
        .iter()
        .map(|&r| {
            let name = &v.roles[r].name;
            let mut p: Vec<String> = name.split('/').map(str::to_string).collect();
            let is_parent = roles
                .iter()
                .any(|&o| v.roles[o].name.starts_with(&format!("{name}/")));
            if is_parent {
                p.push(".".into());
            }
            p
        })
        .collect();
    let weight_of = |prefix: &[String]| -> f64 {
        if prefix.last().map(String::as_str) == Some(".") {
            return 1.0;
        }
        let name = prefix.join("/");
        v.roles
            .iter()
            .find(|r| r.name == name)
            .map(|r| r.weight)
            .unwrap_or(1.0)
    };
    paths
        .iter()
        .map(|p| {
            let mut rw = 1.0;
            for depth in 1..=p.len() {
                let me = &p[..depth];
                // Distinct siblings at this depth that lead to an active leaf.
                let mut sibs: Vec<&[String]> = paths
                    .iter()
                    .filter(|q| q.len() >= depth && q[..depth - 1] == p[..depth - 1])
                    .map(|q| &q[..depth])
                    .collect();
                sibs.sort();
                sibs.dedup();
                let sum: f64 = sibs.iter().map(|s| weight_of(s)).sum();
                rw *= weight_of(me) / sum;
            }
            rw
        })
        .collect()
}

/// Efraimidis–Spirakis weighted sampling without replacement: larger u^(1/w) first.
fn weighted_shuffle(items: &mut Vec<usize>, weights: &[f64], rng: &mut dyn RngCore) {
    let mut keyed: Vec<(f64, usize, usize)> = items
        .iter()
        .zip(weights)
        .enumerate()
        .map(|(i, (&it, &w))| {
            let u: f64 = rng.gen();
            (-(u.powf(1.0 / w)), i, it)
        })
        .collect();
    keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    items.clear();
    items.extend(keyed.into_iter().map(|(_, _, it)| it));
}

impl Allocator for Hierarchical {
    fn name(&self) -> &str {
        match self.order {
            Order::Drf => "drf",
            Order::Priority => "priority",
            Order::Random => "random",
        }
    }

    fn notify(&mut self, v: &View, change: Change) {
        match change {
            Change::AgentAdded { total, .. } => {
                let t = total.total();
                self.total += t;
                self.total_unres += total.unres;
                self.roles.add_total(&t);
                for s in self.fws.iter_mut().flatten() {
                    s.add_total(&t);
                }
            }
            Change::AgentRemoved { total, .. } => {
                let t = total.total();
                self.total -= t;
                self.total_unres -= total.unres;
                self.roles.remove_total(&t);
                for s in self.fws.iter_mut().flatten() {
                    s.remove_total(&t);
                }
            }
            Change::FrameworkAdded { fw } => {
                let f = &v.frameworks[fw.idx()];
                for fr in &f.roles {
                    self.ensure_role(v, fr.role);
                    let s = self.fws[fr.role.idx()].as_mut().expect("role sorter");
                    s.add_tagged(&f.name, fw.idx());
                }
                for fr in &f.roles {
                    self.sync_activity(v, fw, fr.role);
                }
            }
            Change::FrameworkRemoved { fw } => {
                let f = &v.frameworks[fw.idx()];
                let roles: Vec<RoleId> = (0..self.fws.len() as u32)
                    .map(RoleId::new)
                    .filter(|&r| {
                        self.fws[r.idx()]
                            .as_ref()
                            .is_some_and(|s| s.contains(&f.name))
                    })
                    .collect();
                for r in roles {
                    if let Some(Some(s)) = self.fws.get_mut(r.idx()) {
                        s.remove(&f.name);
                    }
                    self.maybe_untrack(v, fw, r);
                }
            }
            Change::ActivityChanged { fw, role } => self.sync_activity(v, fw, role),
            Change::Allocated {
                fw, role, pools, ..
            } => self.track(v, fw, role, pools, true),
            Change::Recovered {
                fw, role, pools, ..
            } => self.track(v, fw, role, pools, false),
            Change::WeightChanged { role } => {
                let ri = &v.roles[role.idx()];
                self.roles.update_weight(&ri.name, ri.weight);
            }
            Change::QuotaChanged { .. } => {}
        }
    }

    fn allocate(&mut self, v: &View, run: &mut Run) {
        if run.candidates.is_empty() || self.roles.count() == 0 {
            return;
        }
        // Nobody wants offers: a run costs nothing per agent.
        let pairs = Self::wanting(v);
        if pairs.is_empty() {
            return;
        }
        if v.offer_mode == OfferMode::Cell {
            self.allocate_cell(v, run);
            return;
        }
        let quota_on = v.roles.iter().any(|r| r.parent.is_none() && r.has_quota());
        // The bulk and whole-agent shortcuts offer what a role may use of whole agents, which
        // is not what each framework may be offered once revocable resources exist: the walk
        // below is exact for them.
        let shortcuts = !v.revocable;
        if shortcuts && !quota_on && pairs.len() == 1 {
            // One framework in one role wants offers: it gets every agent it can be offered,
            // whatever the sorters say, in one bulk grant.
            let (fw, ridx) = pairs[0];
            let role = v.frameworks[fw.idx()].roles[ridx].role;
            let s = v.offerable(fw, ridx, run.candidates);
            if !s.is_empty() {
                self.record_all(v, run, fw, role, s);
            }
            return;
        }
        if shortcuts && self.order == Order::Drf && !quota_on && self.allocate_whole(v, run, &pairs)
        {
            return;
        }
        // Agents no framework that wants offers could be offered (filtered for all of them,
        // say) cost nothing: they are not walked.
        let mut eligible = BitSet::default();
        for &(fw, ridx) in &pairs {
            eligible.union_with(&v.eligible(fw, ridx, run.candidates));
        }
        if eligible.is_empty() {
            return;
        }
        self.agent_order = keyed_agents(run, &eligible);
        let mut out = std::mem::take(&mut self.grants);
        out.clear();
        self.walk(v, run, &eligible, quota_on, &mut out);
        for g in out.drain(..) {
            run.grant(g);
        }
        self.grants = out;
    }

    fn preempt(&mut self, pv: &PreemptView, out: &mut Vec<TaskKey>) {
        self.preempt_tasks(pv, out);
    }

    fn framework_share(&self, fw: &str, role: &str) -> Option<f64> {
        self.share_of(fw, role)
    }

    fn set_fairness_exclusion(&mut self, exclusion: FairnessExclusion) {
        // The random order keeps no shares (Mesos's `RandomSorter::initialize` ignores the
        // names); setting it anyway is harmless because that order never reads them.
        self.exclusion = exclusion;
        self.roles.set_exclusion(exclusion);
        for s in self.fws.iter_mut().flatten() {
            s.set_exclusion(exclusion);
        }
    }
}

impl Hierarchical {
    /// Stages 1 and 2 of Mesos's `__generateOffers` over `self.agent_order`.
    fn walk(
        &mut self,
        v: &View,
        run: &mut Run,
        eligible: &BitSet,
        quota_on: bool,
        out: &mut Vec<Grant>,
    ) {
        // Quota bookkeeping (Mesos: rolesConsumedQuota, requiredHeadroom, availableHeadroom).
        let mut required = Resources::ZERO;
        let mut headroom = Resources::ZERO;
        if quota_on {
            self.consumed.clear();
            self.consumed.resize(v.roles.len(), Resources::ZERO);
            for (r, ri) in v.roles.iter().enumerate() {
                let a = self.alloc_unres.get(r).copied().unwrap_or_default();
                self.consumed[ri.top.idx()] += a + ri.reserved;
            }
            for (r, ri) in v.roles.iter().enumerate() {
                if ri.parent.is_none() {
                    required += ri.guarantees.saturating_sub(&self.consumed[r]);
                }
            }
            // Mesos: total - offered/allocated - unallocated reservations, which is the
            // unreserved part that nobody holds.
            headroom = self.total_unres.saturating_sub(&self.alloc_unres_sum);
        }

        let first_out = out.len();
        let mut remaining: BTreeMap<AgentId, Pools> = BTreeMap::new();

        // Stage 1: roles with unmet guarantees.
        if !required.is_zero() {
            let order = std::mem::take(&mut self.agent_order);
            for &agent in &order {
                let mut free = v.agents[agent.idx()].free.clone();
                self.role_order(v, run.rng());
                let roles = std::mem::take(&mut self.role_list);
                for &role in &roles {
                    if free.is_empty() {
                        break;
                    }
                    let ri = &v.roles[role];
                    if ri.parent.is_some() || ri.guarantees.is_zero() {
                        continue;
                    }
                    let mut unsat = ri.guarantees.saturating_sub(&self.consumed[role]);
                    if unsat.is_zero() {
                        continue;
                    }
                    self.fw_order(role, run.rng());
                    let fws = std::mem::take(&mut self.fw_list);
                    for &fw in &fws {
                        if unsat.is_zero() {
                            break;
                        }
                        let f = &v.frameworks[fw];
                        let Some(ridx) = f.role_index(RoleId::new(role as u32)) else {
                            continue;
                        };
                        let avail = v.usable_by(&free, RoleId::new(role as u32));
                        if avail.is_empty() {
                            break;
                        }
                        if !v.allocatable(FrameworkId::new(fw as u32), ridx, &avail.total())
                            || !v.capable(FrameworkId::new(fw as u32), agent)
                        {
                            continue;
                        }
                        let g_off = unsat.min(&avail.unres);
                        if g_off.is_zero() {
                            continue;
                        }
                        let mut offer = Pools::unreserved(g_off);
                        offer.add_reserved(
                            RoleId::new(role as u32),
                            avail.reserved_for(RoleId::new(role as u32)),
                        );
                        // Stage 1 offers revocable resources whole too, once the role makes
                        // progress towards its guarantees (they never count towards them).
                        offer.rev = avail.rev;
                        v.strip_incapable(FrameworkId::new(fw as u32), &mut offer);
                        let mut additional = avail.unres - g_off;
                        if !ri.limits.is_unlimited() {
                            additional = ri
                                .limits
                                .minus(&self.consumed[role])
                                .minus(&g_off)
                                .shrink(&additional);
                        }
                        if !required.is_zero() && !additional.is_zero() {
                            additional = additional.min(&headroom.saturating_sub(&required));
                        }
                        offer.unres += additional;
                        if !v.allocatable(FrameworkId::new(fw as u32), ridx, &offer.total())
                            || v.filtered(
                                FrameworkId::new(fw as u32),
                                RoleId::new(role as u32),
                                agent,
                                &offer,
                            )
                        {
                            continue;
                        }
                        free.sub(&offer);
                        self.record(v, fw, role, agent, &offer, out);
                        let inc = g_off + additional;
                        unsat = unsat.saturating_sub(&inc);
                        self.consumed[role] += inc;
                        required = required.saturating_sub(&g_off);
                        headroom = headroom.saturating_sub(&inc);
                    }
                    self.fw_list = fws;
                }
                self.role_list = roles;
                remaining.insert(agent, free);
            }
            self.agent_order = keyed_agents(run, eligible);
            let _ = order;
        }

        // Index stage-1 grants so that stage 2 merges into them: one offer per (fw, role, agent).
        let stage1: BTreeMap<(AgentId, FrameworkId, RoleId), usize> = (first_out..out.len())
            .map(|i| ((out[i].agent, out[i].fw, out[i].role), i))
            .collect();

        // Stage 2: everyone. Mesos fixes the role order once per agent and the framework order
        // once per (agent, role) before granting. For DRF we read the sorters' orders in place
        // and copy the rest of an order only when a grant leaves something on the agent, so an
        // agent costs what it inspects, not the number of roles and frameworks.
        let lazy = self.order == Order::Drf;
        let order = std::mem::take(&mut self.agent_order);
        let mut roles: Vec<usize> = std::mem::take(&mut self.role_list);
        let mut fws: Vec<usize> = std::mem::take(&mut self.fw_list);
        for &agent in &order {
            let mut free = match remaining.remove(&agent) {
                Some(p) => p,
                None => v.agents[agent.idx()].free.clone(),
            };
            if free.is_empty() {
                continue;
            }
            let mut roles_copied = !lazy;
            if lazy {
                self.roles.ensure_sorted();
            } else {
                self.role_order(v, run.rng());
                std::mem::swap(&mut roles, &mut self.role_list);
            }
            let mut rpos = 0usize;
            loop {
                if free.is_empty() {
                    break;
                }
                let role = if roles_copied {
                    match roles.get(rpos) {
                        Some(&r) => r,
                        None => break,
                    }
                } else {
                    match self.roles.ordered().get(rpos) {
                        Some(&c) if self.roles.is_active(c) => self.roles.tag(c),
                        Some(_) => {
                            rpos += 1;
                            continue;
                        }
                        None => break,
                    }
                };
                rpos += 1;
                let ri = &v.roles[role];
                let limited = ri.parent.is_none() && !ri.limits.is_unlimited();
                let quota_role = quota_on && ri.parent.is_none() && ri.has_quota();
                let mut fws_copied = !lazy;
                if lazy {
                    match self.fws.get_mut(role).and_then(|s| s.as_mut()) {
                        Some(s) => s.ensure_sorted(),
                        None => continue,
                    }
                } else {
                    self.fw_order(role, run.rng());
                    std::mem::swap(&mut fws, &mut self.fw_list);
                }
                let mut fpos = 0usize;
                loop {
                    let fw = if fws_copied {
                        match fws.get(fpos) {
                            Some(&f) => f,
                            None => break,
                        }
                    } else {
                        let s = self.fws[role].as_ref().expect("sorted above");
                        match s.ordered().get(fpos) {
                            Some(&c) if s.is_active(c) => s.tag(c),
                            Some(_) => {
                                fpos += 1;
                                continue;
                            }
                            None => break,
                        }
                    };
                    fpos += 1;
                    let f = &v.frameworks[fw];
                    let Some(ridx) = f.role_index(RoleId::new(role as u32)) else {
                        continue;
                    };
                    let avail = v.usable_by(&free, RoleId::new(role as u32));
                    if avail.is_empty() {
                        break;
                    }
                    if !v.allocatable(FrameworkId::new(fw as u32), ridx, &avail.total())
                        || !v.capable(FrameworkId::new(fw as u32), agent)
                    {
                        continue;
                    }
                    // Reservations and revocable resources are offered whole, outside quota
                    // limits and headroom; revocable ones only to frameworks capable of them
                    // (`stripIncapableResources`).
                    let mut offer = Pools {
                        unres: Resources::ZERO,
                        res: avail.res.clone(),
                        rev: avail.rev,
                    };
                    v.strip_incapable(FrameworkId::new(fw as u32), &mut offer);
                    let mut additional = avail.unres;
                    if limited {
                        additional = ri.limits.minus(&self.consumed[role]).shrink(&additional);
                    }
                    if !required.is_zero() && !additional.is_zero() {
                        additional = additional.min(&headroom.saturating_sub(&required));
                    }
                    offer.unres = additional;
                    if !v.allocatable(FrameworkId::new(fw as u32), ridx, &offer.total())
                        || v.filtered(
                            FrameworkId::new(fw as u32),
                            RoleId::new(role as u32),
                            agent,
                            &offer,
                        )
                    {
                        continue;
                    }
                    free.sub(&offer);
                    if !free.is_empty() {
                        // The grant below reorders the sorters; keep the orders as they were.
                        if !roles_copied {
                            roles.clear();
                            roles.extend(
                                self.roles.ordered()[rpos..]
                                    .iter()
                                    .filter(|&&c| self.roles.is_active(c))
                                    .map(|&c| self.roles.tag(c)),
                            );
                            rpos = 0;
                            roles_copied = true;
                        }
                        if !fws_copied {
                            let s = self.fws[role].as_ref().expect("sorted above");
                            fws.clear();
                            fws.extend(
                                s.ordered()[fpos..]
                                    .iter()
                                    .filter(|&&c| s.is_active(c))
                                    .map(|&c| s.tag(c)),
                            );
                            fpos = 0;
                            fws_copied = true;
                        }
                    }
                    match stage1.get(&(
                        agent,
                        FrameworkId::new(fw as u32),
                        RoleId::new(role as u32),
                    )) {
                        Some(&i) => {
                            // Same (fw, role, agent) as a stage-1 grant: one offer.
                            let total = offer.total();
                            self.account(v, fw, role, &total, true);
                            self.alloc_unres[role] += offer.unres;
                            self.alloc_unres_sum += offer.unres;
                            out[i].pools.add(&offer);
                        }
                        None => self.record(v, fw, role, agent, &offer, out),
                    }
                    if quota_role {
                        self.consumed[role] += additional;
                    }
                    headroom = headroom.saturating_sub(&additional);
                }
            }
        }
        self.role_list = roles;
        self.fw_list = fws;
        self.agent_order = order;
    }

    fn preempt_tasks(&mut self, pv: &PreemptView, out: &mut Vec<TaskKey>) {
        let Some(after) = self.preempt_after else {
            return;
        };
        let v = pv.base();
        let now = pv.now();
        // Pending work and the first pending shape per top-level role (first framework first).
        let mut waiting: BTreeMap<RoleId, Resources> = BTreeMap::new();
        for (i, f) in v.frameworks.iter().enumerate() {
            if f.removed {
                continue;
            }
            if let Some((_, shape)) = pv.waiting(FrameworkId::new(i as u32)) {
                let top = v.roles[f.roles[0].role.idx()].top;
                waiting.entry(top).or_insert(shape);
            }
        }
        self.role_progress.retain(|r, _| waiting.contains_key(r));
        let mut order: Vec<(i64, RoleId, Resources)> = waiting
            .iter()
            .map(|(&r, &shape)| (v.roles[r.idx()].priority, r, shape))
            .collect();
        order.sort_by_key(|&(p, r, _)| (std::cmp::Reverse(p), r));
        let mut chosen: Vec<TaskKey> = Vec::new();
        for (prio, r, need) in order {
            let since = *self.role_progress.entry(r).or_insert(now);
            if now - since < after {
                continue;
            }
            // A task that no agent could hold even with every task on it gone (it is larger
            // than any agent's unreserved resources plus those reserved within r's subtree)
            // gains nothing from preemption: preempting for it would kill and resubmit victims
            // every `after` seconds for ever (issue 19, found by the property tests).
            let fits_somewhere = v.agents.iter().any(|a| {
                let mut usable = a.total.unres;
                for (role, res) in &a.total.res {
                    if v.roles[role.idx()].top == r {
                        usable += *res;
                    }
                }
                a.active && !a.disconnected && usable.contains(&need)
            });
            if !fits_somewhere {
                continue;
            }
            // Victims: tasks of the lowest-priority role below r, latest launched first
            // (earlier choices of this tick are gone already).
            let mut victims: Vec<(i64, SimTime, TaskKey, Resources)> = pv
                .running()
                .filter(|t| !chosen.contains(&t.key))
                .map(|t| {
                    let top = v.roles[t.role.idx()].top;
                    (v.roles[top.idx()].priority, t.launched, t.key, t.resources)
                })
                .filter(|&(p, _, _, _)| p < prio)
                .collect();
            let Some(lowest) = victims.iter().map(|v| v.0).min() else {
                continue;
            };
            victims.retain(|v| v.0 == lowest);
            victims.sort_by_key(|&(_, launched, k, _)| {
                (std::cmp::Reverse(launched), std::cmp::Reverse(k.slot()))
            });
            let mut freed = Resources::ZERO;
            for (_, _, k, res) in victims {
                if freed.contains(&need) {
                    break;
                }
                freed += res;
                chosen.push(k);
                out.push(k);
            }
            self.role_progress.insert(r, now);
        }
    }

    fn share_of(&self, fw: &str, role: &str) -> Option<f64> {
        let r = self.roles.id(role)?;
        let sorter = self.fws.get(self.roles.tag(r))?.as_ref()?;
        sorter.id(fw).map(|_| sorter.share(fw))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::rng::{stream, Purpose};

    #[test]
    fn weighted_shuffle_puts_heavier_items_first_in_proportion() {
        let mut rng = stream(9, Purpose::RandomSorter);
        let mut first = [0u32; 2];
        for _ in 0..20_000 {
            let mut items = vec![0usize, 1];
            weighted_shuffle(&mut items, &[3.0, 1.0], &mut rng);
            first[items[0]] += 1;
        }
        let p = first[0] as f64 / 20_000.0;
        assert!(
            (p - 0.75).abs() < 0.02,
            "weight 3 of 4 should come first 75% of the time, got {p}"
        );
    }

    #[test]
    fn limits_shrink_only_limited_resources() {
        let l = super::super::Limits([1000, i64::MAX, i64::MAX, i64::MAX]);
        let r = Resources::cpus_mem(2.0, 1024.0);
        assert_eq!(l.shrink(&r), Resources::cpus_mem(1.0, 1024.0));
        assert_eq!(
            l.minus(&Resources::cpus_mem(0.25, 50.0)).shrink(&r),
            Resources::cpus_mem(0.75, 1024.0)
        );
        assert!(super::super::Limits::NONE.is_unlimited());
    }
}
