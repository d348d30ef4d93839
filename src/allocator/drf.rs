//! The DRF sorter, as Mesos's `DRFSorter`: it only keeps clients' allocations and shares and sorts
//! them; it never looks at agents or makes offers (that is the allocator's job).
//!
//! Clients are paths (`a`, `b/c`). A subtree competes with its siblings as one node whose
//! allocation and allocation count are the sums over the subtree. A client that is also a parent
//! (`a` beside `a/b`) is represented by a virtual leaf `a/.` of weight 1 inside its own subtree.
//! Order at every level: lower share, then lower allocation count, then path; paths are unique,
//! so the order is total.

use crate::cluster::resources::{FairnessExclusion, Resources};
use std::cmp::Ordering;
use std::collections::BTreeMap;

/// Index of a sorter node. Stable while the client exists; may be reused after removal.
pub type ClientId = usize;

#[derive(Clone, Debug)]
struct Node {
    path: String,
    parent: Option<usize>,
    children: Vec<usize>,
    internal: bool,
    is_virtual: bool,
    active: bool,
    alloc: Resources,
    count: u64,
    share: f64,
    /// Caller's tag for a client (a framework or role index); meaningless for internal nodes.
    tag: usize,
    live: bool,
    /// Internal node whose children are waiting for a full sort.
    dirty: bool,
}

impl Node {
    fn new(path: String, parent: Option<usize>) -> Node {
        Node {
            path,
            parent,
            children: Vec::new(),
            internal: false,
            is_virtual: false,
            active: false,
            alloc: Resources::ZERO,
            count: 0,
            share: 0.0,
            tag: usize::MAX,
            live: true,
            dirty: false,
        }
    }
}

/// Hierarchical weighted DRF sorter.
#[derive(Clone, Debug)]
pub struct DrfSorter {
    nodes: Vec<Node>,
    free: Vec<usize>,
    clients: BTreeMap<String, usize>,
    weights: BTreeMap<String, f64>,
    total: Resources,
    /// Shares of every node must be recomputed (totals or weights changed).
    stale_shares: bool,
    /// Internal nodes whose children must be re-sorted.
    unsorted: Vec<usize>,
    order: Vec<ClientId>,
    order_dirty: bool,
    /// Live internal nodes other than the root; 0 means the tree is flat and the root's sorted
    /// children are the order.
    internal_nodes: usize,
    /// Bumped whenever a client may have moved to another node (add, remove, a client becoming a
    /// parent), so callers can cache client ids and look them up again only when it changes.
    generation: u64,
    /// Names are taken whole, not split into a role path (framework sorters).
    flat_names: bool,
    /// Resources left out of every share (`DRFSorter::initialize(fairnessExcludeResourceNames)`).
    exclusion: FairnessExclusion,
}

const ROOT: usize = 0;

impl Default for DrfSorter {
    fn default() -> Self {
        Self::new()
    }
}

// The sorter's whole interface, as Mesos's `Sorter` has it: the hierarchical allocator uses part
// of it, the restated sorter tests all of it.
#[allow(dead_code)]
impl DrfSorter {
    pub fn new() -> DrfSorter {
        let mut root = Node::new(String::new(), None);
        root.internal = true;
        DrfSorter {
            nodes: vec![root],
            free: Vec::new(),
            clients: BTreeMap::new(),
            weights: BTreeMap::new(),
            total: Resources::ZERO,
            stale_shares: false,
            unsorted: Vec::new(),
            order: Vec::new(),
            order_dirty: false,
            internal_nodes: 0,
            generation: 0,
            flat_names: false,
            exclusion: FairnessExclusion::NONE,
        }
    }

    /// A sorter whose client names are opaque (no `/` hierarchy): the framework sorters.
    pub fn new_flat() -> DrfSorter {
        DrfSorter {
            flat_names: true,
            ..DrfSorter::new()
        }
    }

    pub fn generation(&self) -> u64 {
        self.generation
    }

    fn alloc_node(&mut self, n: Node) -> usize {
        if let Some(i) = self.free.pop() {
            self.nodes[i] = n;
            i
        } else {
            self.nodes.push(n);
            self.nodes.len() - 1
        }
    }

    fn weight_of(&self, idx: usize) -> f64 {
        let n = &self.nodes[idx];
        if n.is_virtual {
            return 1.0;
        }
        self.weights.get(&n.path).copied().unwrap_or(1.0)
    }

    fn compute_share(&self, idx: usize) -> f64 {
        self.share_of_alloc(idx, &self.nodes[idx].alloc)
    }

    fn share_of_alloc(&self, idx: usize, alloc: &Resources) -> f64 {
        let total = self.exclusion.share_total(&self.total);
        alloc.dominant_share(&total) / self.weight_of(idx)
    }

    /// Leaves the excluded resources out of every share from now on, as Mesos's
    /// `Sorter::initialize` does (it is called once, before any client is added).
    pub fn set_exclusion(&mut self, exclusion: FairnessExclusion) {
        self.exclusion = exclusion;
        self.stale_shares = true;
        self.order_dirty = true;
    }

    /// The share the client would have with `extra` more allocated (the whole allocator's
    /// bound: shares only grow within a run).
    pub fn share_with(&self, id: ClientId, extra: &Resources) -> f64 {
        self.share_of_alloc(id, &(self.nodes[id].alloc + *extra))
    }

    /// The client's share now, as the sort compares it.
    pub fn share_id(&self, id: ClientId) -> f64 {
        self.compute_share(id)
    }

    /// The client's grant count (the sort's second key).
    pub fn count_id(&self, id: ClientId) -> u64 {
        self.nodes[id].count
    }

    /// No client is a parent of another: every client competes directly at the root.
    pub fn is_flat(&self) -> bool {
        self.internal_nodes == 0
    }

    fn mark_dirty(&mut self, p: usize) {
        if !self.nodes[p].dirty {
            self.nodes[p].dirty = true;
            self.unsorted.push(p);
        }
        self.order_dirty = true;
    }

    fn mark_parent_unsorted(&mut self, idx: usize) {
        if let Some(p) = self.nodes[idx].parent {
            self.mark_dirty(p);
        }
        self.order_dirty = true;
    }

    /// Moves `child` to its place among its siblings after its key changed. Cheap (a binary
    /// search and a shift) when the level is sorted; otherwise the pending full sort covers it.
    fn reposition(&mut self, parent: usize, child: usize) {
        self.order_dirty = true;
        if self.stale_shares || self.nodes[parent].dirty {
            return;
        }
        let mut kids = std::mem::take(&mut self.nodes[parent].children);
        if let Some(at) = kids.iter().position(|&c| c == child) {
            kids.remove(at);
            let to = kids.partition_point(|&c| self.cmp_nodes(c, child) == Ordering::Less);
            kids.insert(to, child);
        }
        self.nodes[parent].children = kids;
    }

    fn find_child(&self, parent: usize, path: &str) -> Option<usize> {
        self.nodes[parent]
            .children
            .iter()
            .copied()
            .find(|&c| self.nodes[c].path == path)
    }

    /// Adds a client (inactive until `activate`). Adding an existing client is a no-op.
    pub fn add(&mut self, path: &str) -> ClientId {
        self.add_tagged(path, usize::MAX)
    }

    pub fn add_tagged(&mut self, path: &str, tag: usize) -> ClientId {
        if let Some(&id) = self.clients.get(path) {
            self.nodes[id].tag = tag;
            return id;
        }
        self.generation += 1;
        let mut cur = ROOT;
        let mut prefix = String::new();
        let parts: Vec<&str> = if self.flat_names {
            vec![path]
        } else {
            path.split('/').collect()
        };
        for (k, part) in parts.iter().enumerate() {
            if !prefix.is_empty() {
                prefix.push('/');
            }
            prefix.push_str(part);
            let last = k + 1 == parts.len();
            match self.find_child(cur, &prefix) {
                Some(child) => {
                    if !last && !self.nodes[child].internal {
                        self.make_internal(child);
                    }
                    cur = child;
                }
                None => {
                    let node = Node::new(prefix.clone(), Some(cur));
                    let id = self.alloc_node(node);
                    self.nodes[cur].children.push(id);
                    self.mark_dirty(cur);
                    if !last {
                        self.nodes[id].internal = true;
                        self.internal_nodes += 1;
                    }
                    cur = id;
                }
            }
        }
        // `cur` is the node for `path`. If it is internal, the client lives in a virtual leaf.
        let id = if self.nodes[cur].internal {
            let mut v = Node::new(format!("{path}/."), Some(cur));
            v.is_virtual = true;
            let vid = self.alloc_node(v);
            self.nodes[cur].children.push(vid);
            self.mark_dirty(cur);
            vid
        } else {
            cur
        };
        self.nodes[id].tag = tag;
        self.nodes[id].share = self.compute_share(id);
        self.clients.insert(path.to_string(), id);
        self.order_dirty = true;
        id
    }

    /// Turns leaf client `idx` into an internal node; its client state moves to a virtual leaf.
    fn make_internal(&mut self, idx: usize) {
        self.generation += 1;
        let path = self.nodes[idx].path.clone();
        let mut v = Node::new(format!("{path}/."), Some(idx));
        v.is_virtual = true;
        v.active = self.nodes[idx].active;
        v.alloc = self.nodes[idx].alloc;
        v.count = self.nodes[idx].count;
        v.tag = self.nodes[idx].tag;
        let vid = self.alloc_node(v);
        self.nodes[vid].share = self.compute_share(vid);
        self.internal_nodes += 1;
        let n = &mut self.nodes[idx];
        n.internal = true;
        n.active = false;
        n.children.push(vid);
        self.clients.insert(path, vid);
        self.mark_dirty(idx);
    }

    /// Removes a client; its allocation leaves its ancestors' sums.
    pub fn remove(&mut self, path: &str) {
        let Some(id) = self.clients.remove(path) else {
            return;
        };
        self.generation += 1;
        let alloc = self.nodes[id].alloc;
        let mut up = self.nodes[id].parent;
        while let Some(p) = up {
            self.nodes[p].alloc -= alloc;
            self.nodes[p].share = if p == ROOT {
                0.0
            } else {
                self.compute_share(p)
            };
            if let Some(pp) = self.nodes[p].parent {
                self.mark_dirty(pp);
            }
            up = self.nodes[p].parent;
        }
        let mut child = id;
        let mut parent = self.nodes[id].parent.expect("client has a parent");
        self.detach(parent, child);
        self.free_node(child);
        // Collapse: drop empty internal non-root nodes, and fold a lone virtual leaf back.
        loop {
            if parent == ROOT {
                break;
            }
            let kids = self.nodes[parent].children.len();
            if kids == 0 {
                child = parent;
                parent = self.nodes[child].parent.expect("non-root");
                self.detach(parent, child);
                self.free_node(child);
                continue;
            }
            if kids == 1 && self.nodes[self.nodes[parent].children[0]].is_virtual {
                let v = self.nodes[parent].children[0];
                let (active, alloc, count, tag) = {
                    let vn = &self.nodes[v];
                    (vn.active, vn.alloc, vn.count, vn.tag)
                };
                self.detach(parent, v);
                self.free_node(v);
                self.internal_nodes -= 1;
                let n = &mut self.nodes[parent];
                n.internal = false;
                // A leaf has no level to sort: a dirty mark left on it would keep it from being
                // queued (`mark_dirty`) when it becomes a parent again, and its children unsorted.
                n.dirty = false;
                n.active = active;
                n.alloc = alloc;
                n.count = count;
                n.tag = tag;
                let path = n.path.clone();
                self.nodes[parent].share = self.compute_share(parent);
                self.clients.insert(path, parent);
                self.mark_parent_unsorted(parent);
            }
            break;
        }
        self.order_dirty = true;
    }

    /// Removing a child keeps its siblings in order.
    fn detach(&mut self, parent: usize, child: usize) {
        self.nodes[parent].children.retain(|&c| c != child);
        self.order_dirty = true;
    }

    fn free_node(&mut self, idx: usize) {
        if self.nodes[idx].internal {
            self.internal_nodes -= 1;
        }
        self.nodes[idx].live = false;
        self.nodes[idx].children.clear();
        self.free.push(idx);
    }

    pub fn contains(&self, path: &str) -> bool {
        self.clients.contains_key(path)
    }

    pub fn id(&self, path: &str) -> Option<ClientId> {
        self.clients.get(path).copied()
    }

    /// Client name (the path, without any virtual-leaf suffix).
    pub fn name(&self, id: ClientId) -> &str {
        let p = &self.nodes[id].path;
        p.strip_suffix("/.").unwrap_or(p)
    }

    pub fn tag(&self, id: ClientId) -> usize {
        self.nodes[id].tag
    }

    pub fn count(&self) -> usize {
        self.clients.len()
    }

    pub fn activate(&mut self, path: &str) {
        if let Some(id) = self.id(path) {
            self.set_active(id, true);
        }
    }

    pub fn deactivate(&mut self, path: &str) {
        if let Some(id) = self.id(path) {
            self.set_active(id, false);
        }
    }

    pub fn set_active(&mut self, id: ClientId, active: bool) {
        if self.nodes[id].active != active {
            self.nodes[id].active = active;
            self.order_dirty = true;
        }
    }

    pub fn is_active(&self, id: ClientId) -> bool {
        self.nodes[id].active
    }

    /// Adds `r` to the client's allocation and counts one grant for it and every ancestor.
    pub fn allocated(&mut self, path: &str, r: &Resources) {
        let id = self.clients[path];
        self.allocated_id(id, r);
    }

    pub fn allocated_id(&mut self, id: ClientId, r: &Resources) {
        self.apply(id, r, true, 1);
    }

    /// `n` grants at once, of `r` in all (as `n` calls of `allocated_id` that add up to `r`).
    pub fn allocated_n(&mut self, id: ClientId, r: &Resources, n: u64) {
        self.apply(id, r, true, n);
    }

    /// Subtracts `r` from the client's allocation; the count is untouched.
    pub fn unallocated(&mut self, path: &str, r: &Resources) {
        let id = self.clients[path];
        self.unallocated_id(id, r);
    }

    pub fn unallocated_id(&mut self, id: ClientId, r: &Resources) {
        self.apply(id, r, false, 0);
    }

    /// Replaces part of an allocation without counting a grant (Mesos's `update`).
    pub fn update(&mut self, path: &str, old: &Resources, new: &Resources) {
        let id = self.clients[path];
        self.apply(id, old, false, 0);
        self.apply(id, new, true, 0);
    }

    fn apply(&mut self, id: ClientId, r: &Resources, add: bool, count: u64) {
        let mut cur = Some(id);
        while let Some(i) = cur {
            if i == ROOT {
                break;
            }
            {
                let n = &mut self.nodes[i];
                if add {
                    n.alloc += *r;
                } else {
                    n.alloc -= *r;
                }
                n.count += count;
            }
            self.nodes[i].share = self.compute_share(i);
            let p = self.nodes[i].parent;
            if let Some(p) = p {
                self.reposition(p, i);
            }
            cur = p;
        }
        self.order_dirty = true;
    }

    pub fn allocation(&self, path: &str) -> Resources {
        self.id(path)
            .map(|i| self.nodes[i].alloc)
            .unwrap_or_default()
    }

    pub fn allocation_id(&self, id: ClientId) -> Resources {
        self.nodes[id].alloc
    }

    pub fn allocation_count(&self, path: &str) -> u64 {
        self.id(path).map(|i| self.nodes[i].count).unwrap_or(0)
    }

    /// The allocation of a whole subtree (`a` with everything below it).
    pub fn subtree_allocation(&self, path: &str) -> Resources {
        let mut cur = ROOT;
        let mut prefix = String::new();
        for part in path.split('/') {
            if !prefix.is_empty() {
                prefix.push('/');
            }
            prefix.push_str(part);
            match self.find_child(cur, &prefix) {
                Some(c) => cur = c,
                None => return Resources::ZERO,
            }
        }
        self.nodes[cur].alloc
    }

    pub fn total(&self) -> Resources {
        self.total
    }

    pub fn add_total(&mut self, r: &Resources) {
        self.total += *r;
        self.stale_shares = true;
        self.order_dirty = true;
    }

    pub fn remove_total(&mut self, r: &Resources) {
        self.total -= *r;
        self.stale_shares = true;
        self.order_dirty = true;
    }

    pub fn set_total(&mut self, r: Resources) {
        self.total = r;
        self.stale_shares = true;
        self.order_dirty = true;
    }

    /// Sets the weight of a path (a client or an inner node of the tree).
    pub fn update_weight(&mut self, path: &str, weight: f64) {
        self.weights.insert(path.to_string(), weight);
        self.stale_shares = true;
        self.order_dirty = true;
    }

    pub fn weight(&self, path: &str) -> f64 {
        self.weights.get(path).copied().unwrap_or(1.0)
    }

    /// The client's current share (weighted). Used by invariant checks and metrics.
    pub fn share(&self, path: &str) -> f64 {
        match self.id(path) {
            Some(id) => self.compute_share(id),
            None => 0.0,
        }
    }

    fn cmp_nodes(&self, a: usize, b: usize) -> Ordering {
        let (x, y) = (&self.nodes[a], &self.nodes[b]);
        x.share
            .total_cmp(&y.share)
            .then(x.count.cmp(&y.count))
            .then_with(|| x.path.cmp(&y.path))
    }

    /// Brings every level into order (full sorts only where needed), and the flattened order of
    /// a hierarchical tree up to date.
    pub fn ensure_sorted(&mut self) {
        if !self.order_dirty {
            return;
        }
        if self.internal_nodes > 0 {
            self.refresh();
            return;
        }
        // A flat tree's order is the root's children, sorted here; `order` (what `sort` and
        // `sort_tags` return) is rebuilt only by `refresh`, so the flag stays set for it.
        self.sort_levels();
    }

    /// Clients in order, inactive ones included (skip them with `is_active`); call
    /// `ensure_sorted` first. Reading this in place costs nothing per call, unlike `sort`.
    pub fn ordered(&self) -> &[ClientId] {
        if self.internal_nodes == 0 {
            &self.nodes[ROOT].children
        } else {
            &self.order
        }
    }

    fn refresh(&mut self) {
        if !self.order_dirty {
            return;
        }
        self.sort_levels();
        self.order.clear();
        let mut stack: Vec<(usize, usize)> = vec![(ROOT, 0)];
        while let Some((n, k)) = stack.pop() {
            if k < self.nodes[n].children.len() {
                stack.push((n, k + 1));
                let c = self.nodes[n].children[k];
                if self.nodes[c].internal {
                    stack.push((c, 0));
                } else if self.nodes[c].active {
                    self.order.push(c);
                }
            }
        }
        self.order_dirty = false;
    }

    fn sort_levels(&mut self) {
        if self.stale_shares {
            for i in 1..self.nodes.len() {
                if self.nodes[i].live {
                    self.nodes[i].share = self.compute_share(i);
                }
            }
            self.stale_shares = false;
            self.unsorted.clear();
            for i in 0..self.nodes.len() {
                if self.nodes[i].live && self.nodes[i].internal {
                    self.nodes[i].dirty = true;
                    self.unsorted.push(i);
                }
            }
        }
        let mut todo = std::mem::take(&mut self.unsorted);
        todo.sort_unstable();
        todo.dedup();
        for p in todo {
            if !self.nodes[p].live || !self.nodes[p].internal {
                continue;
            }
            let mut kids = std::mem::take(&mut self.nodes[p].children);
            kids.sort_by(|&a, &b| self.cmp_nodes(a, b));
            self.nodes[p].children = kids;
            self.nodes[p].dirty = false;
        }
    }

    /// Active clients in DRF order.
    pub fn sort(&mut self) -> &[ClientId] {
        self.refresh();
        &self.order
    }

    /// Active clients' tags in DRF order, written into `out` (cleared first).
    pub fn sort_tags(&mut self, out: &mut Vec<usize>) {
        self.refresh();
        out.clear();
        out.extend(self.order.iter().map(|&i| self.nodes[i].tag));
    }

    /// Active clients' names in DRF order (convenience for tests and debugging).
    pub fn sorted_names(&mut self) -> Vec<String> {
        self.refresh();
        self.order
            .iter()
            .map(|&i| self.name(i).to_string())
            .collect()
    }

    /// Every client with its current allocation (for invariant checks).
    pub fn clients(&self) -> impl Iterator<Item = (&str, ClientId)> {
        self.clients.iter().map(|(k, &v)| (k.as_str(), v))
    }
}

#[cfg(test)]
mod tests {
    //! Restatements of Mesos's `sorter_tests.cpp` cases (../shared/conformance/README.md).
    use super::*;

    fn r(c: f64, m: f64) -> Resources {
        Resources::cpus_mem(c, m)
    }

    fn add_active(s: &mut DrfSorter, name: &str) {
        s.add(name);
        s.activate(name);
    }

    /// A sorter over 100 cpus and 100 GB with one active client, a, holding a tenth of it.
    fn holding_a() -> DrfSorter {
        let mut s = DrfSorter::new();
        s.set_total(r(100.0, 100.0));
        add_active(&mut s, "a");
        s.allocated("a", &r(10.0, 10.0));
        s
    }

    /// The names of `ordered()` after `ensure_sorted()` (what the lazy walk reads).
    fn ordered_names(s: &mut DrfSorter) -> Vec<&str> {
        s.ensure_sorted();
        s.ordered().iter().map(|&i| s.name(i)).collect()
    }

    #[test]
    fn sort_after_ensure_sorted_on_a_flat_sorter_is_not_stale() {
        // The lazy walk calls ensure_sorted and reads the root's children in place; stage 1 of
        // a quota run then calls sort_tags, which must see the allocation made in between.
        let mut s = DrfSorter::new_flat();
        s.set_total(r(10.0, 100.0));
        s.add_tagged("a", 0);
        s.activate("a");
        s.add_tagged("b", 1);
        s.activate("b");
        let mut tags = Vec::new();
        s.sort_tags(&mut tags);
        assert_eq!(tags, vec![0, 1]);
        s.allocated("a", &r(5.0, 0.0));
        s.ensure_sorted();
        assert_eq!(
            s.ordered().iter().map(|&c| s.tag(c)).collect::<Vec<_>>(),
            vec![1, 0]
        );
        s.sort_tags(&mut tags);
        assert_eq!(tags, vec![1, 0], "sort_tags after ensure_sorted");
    }

    #[test]
    fn share_with_bounds_the_share_after_more_grants() {
        let mut s = DrfSorter::new_flat();
        s.set_total(r(10.0, 100.0));
        let a = s.add("a");
        s.activate("a");
        s.update_weight("a", 2.0);
        s.allocated("a", &r(1.0, 10.0));
        assert_eq!(s.share_id(a), 0.05);
        assert_eq!(s.share_with(a, &r(1.0, 50.0)), 0.3);
        s.allocated("a", &r(1.0, 50.0));
        assert_eq!(s.share_id(a), 0.3);
        assert_eq!(s.count_id(a), 2);
        assert!(s.is_flat());
        let mut h = DrfSorter::new();
        h.add("x/y");
        assert!(!h.is_flat());
    }

    #[test]
    fn s1_drf_basic_with_changing_totals() {
        let mut s = DrfSorter::new();
        s.set_total(r(100.0, 100.0));
        add_active(&mut s, "a");
        s.allocated("a", &r(5.0, 5.0));
        add_active(&mut s, "b");
        s.allocated("b", &r(6.0, 6.0));
        assert_eq!(s.sorted_names(), ["a", "b"]);
        add_active(&mut s, "c");
        s.allocated("c", &r(1.0, 1.0));
        add_active(&mut s, "d");
        s.allocated("d", &r(3.0, 1.0));
        assert_eq!(s.sorted_names(), ["c", "d", "a", "b"]);
        s.remove("a");
        s.unallocated("b", &r(4.0, 4.0));
        assert_eq!(s.sorted_names(), ["c", "b", "d"]);
        add_active(&mut s, "e");
        s.allocated("e", &r(1.0, 5.0));
        s.set_total(r(50.0, 100.0));
        assert_eq!(s.sorted_names(), ["c", "b", "e", "d"]);
        s.set_total(r(50.0, 200.0));
        add_active(&mut s, "f");
        s.allocated("f", &r(5.0, 1.0));
        s.allocated("c", &r(0.0, 15.0));
        assert_eq!(s.sorted_names(), ["e", "b", "d", "c", "f"]);
        assert_eq!(s.count(), 5);
        s.deactivate("d");
        assert_eq!(s.sorted_names(), ["e", "b", "c", "f"]);
        assert_eq!(s.count(), 5);
        s.activate("d");
        assert_eq!(s.sorted_names(), ["e", "b", "d", "c", "f"]);
    }

    #[test]
    fn s2_weighted_drf_and_update_weight() {
        let mut s = DrfSorter::new();
        s.set_total(r(100.0, 100.0));
        add_active(&mut s, "a");
        s.allocated("a", &r(5.0, 5.0));
        s.update_weight("b", 2.0);
        add_active(&mut s, "b");
        s.allocated("b", &r(6.0, 6.0));
        assert_eq!(s.sorted_names(), ["b", "a"]);
        add_active(&mut s, "c");
        s.allocated("c", &r(4.0, 4.0));
        assert_eq!(s.sorted_names(), ["b", "c", "a"]);
        s.update_weight("d", 10.0);
        add_active(&mut s, "d");
        s.allocated("d", &r(10.0, 20.0));
        assert_eq!(s.sorted_names(), ["d", "b", "c", "a"]);
        s.remove("b");
        assert_eq!(s.sorted_names(), ["d", "c", "a"]);
        s.allocated("d", &r(10.0, 25.0));
        assert_eq!(s.sorted_names(), ["c", "d", "a"]);
        s.update_weight("e", 0.1);
        add_active(&mut s, "e");
        s.allocated("e", &r(1.0, 1.0));
        assert_eq!(s.sorted_names(), ["c", "d", "a", "e"]);
        s.remove("a");
        assert_eq!(s.sorted_names(), ["c", "d", "e"]);

        let mut u = DrfSorter::new();
        u.set_total(r(100.0, 100.0));
        add_active(&mut u, "a");
        u.allocated("a", &r(5.0, 5.0));
        add_active(&mut u, "b");
        u.allocated("b", &r(6.0, 6.0));
        assert_eq!(u.sorted_names(), ["a", "b"]);
        u.update_weight("b", 2.0);
        assert_eq!(u.sorted_names(), ["b", "a"]);
    }

    #[test]
    fn s3_allocation_count_breaks_share_ties() {
        let mut s = DrfSorter::new();
        s.set_total(r(100.0, 100.0));
        for n in ["a", "b", "c", "d", "e"] {
            add_active(&mut s, n);
        }
        s.allocated("a", &r(3.0, 3.0));
        s.allocated("b", &r(3.0, 3.0));
        s.allocated("e", &r(3.0, 3.0));
        for _ in 0..3 {
            s.allocated("c", &r(1.0, 1.0));
        }
        s.allocated("d", &r(2.0, 2.0));
        s.allocated("d", &r(1.0, 1.0));
        assert_eq!(s.sorted_names(), ["a", "b", "e", "d", "c"]);
        s.unallocated("c", &r(3.0, 3.0));
        assert_eq!(s.sorted_names(), ["c", "a", "b", "e", "d"]);
        s.allocated("c", &r(3.0, 3.0));
        assert_eq!(s.sorted_names(), ["a", "b", "e", "d", "c"]);
        s.deactivate("c");
        s.activate("c");
        assert_eq!(s.sorted_names(), ["a", "b", "e", "d", "c"]);
        s.unallocated("c", &r(3.0, 3.0));
        s.allocated("c", &r(3.0, 3.0));
        assert_eq!(s.allocation_count("c"), 5);
        assert_eq!(s.sorted_names(), ["a", "b", "e", "d", "c"]);
        s.deactivate("a");
        s.unallocated("a", &r(1.0, 3.0));
        s.allocated("a", &r(1.0, 3.0));
        assert_eq!(s.allocation_count("a"), 2);
        assert_eq!(s.sorted_names(), ["b", "e", "d", "c"]);
        s.activate("a");
        assert_eq!(s.sorted_names(), ["b", "e", "a", "d", "c"]);
    }

    #[test]
    fn s4_hierarchical_subtrees_compete_as_one_node() {
        let mut s = DrfSorter::new();
        s.set_total(r(100.0, 100.0));
        for n in ["a", "b/c", "b/d"] {
            add_active(&mut s, n);
        }
        assert_eq!(s.sorted_names(), ["a", "b/c", "b/d"]);
        s.allocated("a", &r(6.0, 6.0));
        assert_eq!(s.sorted_names(), ["b/c", "b/d", "a"]);
        s.allocated("b/c", &r(4.0, 4.0));
        s.allocated("b/d", &r(3.0, 3.0));
        assert_eq!(s.sorted_names(), ["a", "b/d", "b/c"]);
        s.allocated("a", &r(2.0, 2.0));
        assert_eq!(s.sorted_names(), ["b/d", "b/c", "a"]);
        add_active(&mut s, "b/e/f");
        assert_eq!(s.sorted_names(), ["b/e/f", "b/d", "b/c", "a"]);
        s.allocated("b/e/f", &r(3.5, 3.5));
        assert_eq!(s.sorted_names(), ["a", "b/d", "b/e/f", "b/c"]);
        s.remove("b/e/f");
        assert_eq!(s.sorted_names(), ["b/d", "b/c", "a"]);
        s.update("b/c", &r(4.0, 4.0), &r(1.0, 1.0));
        assert_eq!(s.sorted_names(), ["b/c", "b/d", "a"]);
        add_active(&mut s, "b/e/f");
        s.allocated("b/e/f", &r(3.5, 3.5));
        assert_eq!(s.sorted_names(), ["b/c", "b/d", "b/e/f", "a"]);
    }

    #[test]
    fn s8_update_total_flips_dominant_resource() {
        let mut s = DrfSorter::new();
        s.set_total(r(10.0, 100.0));
        add_active(&mut s, "a");
        add_active(&mut s, "b");
        s.allocated("a", &r(2.0, 1.0));
        s.allocated("b", &r(1.0, 2.0));
        assert_eq!(s.sorted_names(), ["b", "a"]);
        s.set_total(r(100.0, 10.0));
        assert_eq!(s.sorted_names(), ["a", "b"]);

        let mut m = DrfSorter::new();
        m.add_total(&r(5.0, 50.0));
        m.add_total(&r(5.0, 50.0));
        add_active(&mut m, "a");
        add_active(&mut m, "b");
        m.allocated("a", &r(2.0, 1.0));
        m.allocated("b", &r(1.0, 3.0));
        assert_eq!(m.sorted_names(), ["b", "a"]);
        m.remove_total(&r(5.0, 50.0));
        m.add_total(&r(95.0, 50.0));
        assert_eq!(m.sorted_names(), ["a", "b"]);
    }

    #[test]
    fn parent_client_gets_virtual_leaf() {
        let mut s = holding_a();
        add_active(&mut s, "a/b");
        add_active(&mut s, "c");
        s.allocated("c", &r(5.0, 5.0));
        // Subtree a = .10 > c = .05; inside a, a/b (0) before a itself (.10).
        assert_eq!(s.sorted_names(), ["c", "a/b", "a"]);
        assert_eq!(s.allocation("a"), r(10.0, 10.0));
        assert_eq!(s.subtree_allocation("a"), r(10.0, 10.0));
        s.remove("a/b");
        assert_eq!(s.sorted_names(), ["c", "a"]);
        assert_eq!(s.allocation_count("a"), 1);
        s.remove("a");
        assert_eq!(s.sorted_names(), ["c"]);
    }

    #[test]
    fn a_flat_sorter_takes_slashed_names_whole() {
        // Hierarchical: a/b and a/c compete as subtree a (6) against d (5); flat: each alone.
        let mut orders = Vec::new();
        for mut s in [DrfSorter::new(), DrfSorter::new_flat()] {
            s.set_total(r(100.0, 100.0));
            for (n, c) in [("a/b", 3.0), ("a/c", 3.0), ("d", 5.0)] {
                add_active(&mut s, n);
                s.allocated(n, &r(c, c));
            }
            orders.push((s.is_flat(), s.sorted_names()));
        }
        assert_eq!(
            orders[0],
            (false, vec!["d".into(), "a/b".into(), "a/c".into()])
        );
        assert_eq!(
            orders[1],
            (true, vec!["a/b".into(), "a/c".into(), "d".into()])
        );
    }

    #[test]
    fn generation_moves_whenever_a_client_may_have_moved() {
        let mut s = DrfSorter::new();
        let mut last = s.generation();
        let mut moved = |s: &DrfSorter, expect: bool, what: &str| {
            let g = s.generation();
            assert_eq!(g != last, expect, "{what}: {last} -> {g}");
            assert!(g >= last, "{what}: generations only grow");
            last = g;
        };
        s.add("a");
        moved(&s, true, "add a");
        s.add("a");
        moved(&s, false, "add a again");
        s.allocated("a", &r(1.0, 1.0));
        s.activate("a");
        moved(&s, false, "allocate, activate");
        // a becomes a parent: its client state moves to the virtual leaf a/.
        s.add("a/b");
        moved(&s, true, "add a/b");
        s.remove("a/b");
        moved(&s, true, "remove a/b");
        s.remove("a");
        moved(&s, true, "remove a");
    }

    #[test]
    fn excluded_resources_count_in_no_share() {
        let mut s = DrfSorter::new();
        s.set_total(Resources::new(10.0, 100.0, 0.0, 2.0));
        add_active(&mut s, "gpu");
        s.allocated("gpu", &Resources::new(1.0, 10.0, 0.0, 2.0));
        add_active(&mut s, "cpu");
        s.allocated("cpu", &r(3.0, 10.0));
        assert_eq!(s.share("gpu"), 1.0);
        assert_eq!(s.sorted_names(), ["cpu", "gpu"]);
        s.set_exclusion(FairnessExclusion::from_names(&["gpus"]).unwrap());
        assert_eq!(s.share("gpu"), 0.1);
        assert_eq!(s.share("cpu"), 0.3);
        assert_eq!(s.sorted_names(), ["gpu", "cpu"]);
    }

    #[test]
    fn accessors_read_back_what_was_set() {
        let mut s = DrfSorter::new();
        s.add_total(&r(10.0, 100.0));
        assert_eq!(s.total(), r(10.0, 100.0));
        s.update_weight("b", 2.0);
        assert_eq!((s.weight("b"), s.weight("a")), (2.0, 1.0));
        let a = s.add_tagged("a", 7);
        let b = s.add_tagged("b", 8);
        assert!(s.contains("a") && !s.contains("c"));
        assert!(!s.is_active(a));
        s.set_active(a, true);
        assert!(s.is_active(a) && !s.is_active(b));
        // Three grants at once: the allocation and the count of three single grants.
        s.allocated_n(b, &r(4.0, 20.0), 3);
        assert_eq!(s.allocation_id(b), r(4.0, 20.0));
        assert_eq!((s.count_id(b), s.allocation_count("b")), (3, 3));
        // Weighted share: max(4/10, 20/100) / 2.
        assert_eq!(s.share("b"), 0.2);
        assert_eq!(s.share("c"), 0.0, "no such client");
        let clients: Vec<(String, usize)> = s
            .clients()
            .map(|(n, id)| (n.to_string(), s.tag(id)))
            .collect();
        assert_eq!(clients, [("a".to_string(), 7), ("b".to_string(), 8)]);
        assert_eq!(s.allocation("c"), Resources::ZERO);
    }

    #[test]
    fn removing_nested_clients_folds_the_tree_back_to_flat() {
        let mut s = DrfSorter::new();
        s.set_total(r(100.0, 100.0));
        add_active(&mut s, "c");
        // A chain of two internal nodes, emptied by one removal.
        add_active(&mut s, "a/b/c");
        assert!(!s.is_flat());
        s.remove("a/b/c");
        assert!(s.is_flat(), "a and a/b dropped");
        assert_eq!(s.subtree_allocation("a"), Resources::ZERO);
        // A parent client whose only child leaves is a leaf again.
        add_active(&mut s, "a");
        s.allocated("a", &r(2.0, 2.0));
        add_active(&mut s, "a/b");
        assert!(!s.is_flat());
        s.remove("a/b");
        assert!(s.is_flat(), "a/. folded back into a");
        assert_eq!(s.allocation("a"), r(2.0, 2.0));
        assert_eq!(ordered_names(&mut s), ["c", "a"]);
    }

    #[test]
    fn a_virtual_leaf_with_siblings_is_not_folded() {
        let mut s = holding_a();
        add_active(&mut s, "a/b");
        add_active(&mut s, "a/c");
        // Before any sort a's children are [a/., a/b, a/c]: after a/c leaves, the virtual leaf
        // is first of two, and must stay.
        s.remove("a/c");
        assert!(!s.is_flat());
        assert_eq!(s.sorted_names(), ["a/b", "a"]);
        assert_eq!(s.subtree_allocation("a"), r(10.0, 10.0));
    }

    #[test]
    fn ensure_sorted_brings_a_hierarchical_order_up_to_date() {
        let mut s = DrfSorter::new();
        s.set_total(r(100.0, 100.0));
        for n in ["a", "b/c", "b/d"] {
            add_active(&mut s, n);
        }
        s.allocated("a", &r(6.0, 6.0));
        s.allocated("b/c", &r(2.0, 2.0));
        assert_eq!(ordered_names(&mut s), ["b/d", "b/c", "a"]);
        let sorted: Vec<ClientId> = s.sort().to_vec();
        assert_eq!(sorted, s.ordered());
        s.allocated("b/d", &r(5.0, 5.0));
        assert_eq!(ordered_names(&mut s), ["a", "b/c", "b/d"]);
    }

    #[test]
    fn a_leaf_made_a_parent_after_a_full_sort_sorts_its_children() {
        let mut s = holding_a();
        assert_eq!(s.sorted_names(), ["a"]);
        add_active(&mut s, "a/b");
        add_active(&mut s, "c");
        s.allocated("c", &r(5.0, 5.0));
        // Subtree a (.10) after c (.05); inside a, a/b (0) before the virtual leaf a (.10).
        assert_eq!(s.sorted_names(), ["c", "a/b", "a"]);
    }

    #[test]
    fn a_parent_folded_and_made_a_parent_again_sorts_its_children() {
        let mut s = holding_a();
        add_active(&mut s, "a/b");
        // Folded before any sort, then a full sort, then a parent again.
        s.remove("a/b");
        assert_eq!(s.sorted_names(), ["a"]);
        add_active(&mut s, "a/c");
        assert_eq!(s.sorted_names(), ["a/c", "a"]);
        s.allocated("a/c", &r(20.0, 20.0));
        assert_eq!(s.sorted_names(), ["a", "a/c"]);
    }

    #[test]
    fn removing_a_nested_client_recomputes_its_ancestors_shares() {
        // a = a/x .20 + a/y .05 = .25 against b .12; after a/y leaves, a (.20) still comes after
        // b, so its share must be recomputed from what is left, not dropped to nothing.
        let mut s = DrfSorter::new();
        s.set_total(r(100.0, 100.0));
        for (n, c) in [("a/x", 20.0), ("a/y", 5.0), ("b", 12.0)] {
            add_active(&mut s, n);
            s.allocated(n, &r(c, c));
        }
        assert_eq!(s.sorted_names(), ["b", "a/y", "a/x"]);
        s.remove("a/y");
        assert_eq!(s.sorted_names(), ["b", "a/x"]);
        assert_eq!(s.subtree_allocation("a"), r(20.0, 20.0));
    }

    #[test]
    fn siblings_under_an_inner_node_make_no_client_of_it() {
        // b is only a level of the tree: adding b/c and then b/d must not turn b into a parent
        // client (a virtual leaf b/.) as adding a/x under a client a does.
        let mut s = DrfSorter::new();
        for n in ["b/c", "b/d", "b/e/f"] {
            add_active(&mut s, n);
        }
        assert_eq!(s.count(), 3);
        assert!(!s.contains("b") && !s.contains("b/e"));
        let names: Vec<&str> = s.clients().map(|(n, _)| n).collect();
        assert_eq!(names, ["b/c", "b/d", "b/e/f"]);
    }

    #[test]
    fn removed_totals_leave_the_shares() {
        // 10 cpus are added twice and one 5 is taken away: shares are of the 5 left.
        let mut s = DrfSorter::new();
        s.add_total(&r(5.0, 50.0));
        s.add_total(&r(5.0, 50.0));
        s.remove_total(&r(5.0, 0.0));
        assert_eq!(s.total(), r(5.0, 100.0));
        add_active(&mut s, "a");
        s.allocated("a", &r(1.0, 10.0));
        assert_eq!(s.share("a"), 0.2);
    }
}
