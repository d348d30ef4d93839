//! Typed ids of the model. Agents, roles, racks and frameworks are numbered in registration
//! order and never reused within a run, so a plain index suffices. Jobs, task groups and tasks
//! live in slabs whose slots are reused; their keys carry a generation, so a key of a job that
//! ended never names the job that took its slot.

use std::fmt;

macro_rules! index_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub(crate) u32);

        impl $name {
            /// The id with index `i` (ids are dense, in registration order).
            pub const fn new(i: u32) -> Self {
                $name(i)
            }
            /// The position in registration order, for indexing tables.
            #[inline]
            pub const fn idx(self) -> usize {
                self.0 as usize
            }
            #[inline]
            pub const fn raw(self) -> u32 {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
            }
        }
    };
}

index_id!(
    /// An agent, in registration order (a failed agent that comes back keeps its id).
    AgentId
);
index_id!(
    /// A role of the master's role table (created on first use, ancestors first).
    RoleId
);
index_id!(
    /// A rack (an agent without one is its own rack).
    RackId
);
index_id!(
    /// A framework, in subscription order (a framework that subscribes again after removal
    /// gets a new id).
    FrameworkId
);

/// An offer, numbered in creation order from 1 (the `offer_id` column).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct OfferId(pub(crate) u64);

impl OfferId {
    pub const fn raw(self) -> u64 {
        self.0
    }
}

impl fmt::Display for OfferId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A slot of a [`GenSlab`] and the generation of its occupant.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Key {
    slot: u32,
    generation: u32,
}

impl Key {
    /// The slot (ordering by key is ordering by slot: tie-breaks that used slab keys keep them).
    pub const fn slot(self) -> u32 {
        self.slot
    }
}

macro_rules! slab_key {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub(crate) Key);

        impl From<Key> for $name {
            fn from(k: Key) -> Self {
                $name(k)
            }
        }
        impl From<$name> for Key {
            fn from(k: $name) -> Key {
                k.0
            }
        }
        impl $name {
            pub const fn slot(self) -> u32 {
                self.0.slot
            }
            /// The key as one integer (generation in the high half, slot in the low half), for
            /// bindings that hand keys out as plain numbers (the Python package).
            pub const fn to_bits(self) -> u64 {
                ((self.0.generation as u64) << 32) | self.0.slot as u64
            }
            /// The key [`Self::to_bits`] made. Any number makes some key; one that names
            /// nothing live finds nothing (lookups check the generation).
            pub const fn from_bits(bits: u64) -> Self {
                $name(Key {
                    slot: bits as u32,
                    generation: (bits >> 32) as u32,
                })
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}.{}", self.0.slot, self.0.generation)
            }
        }
    };
}

slab_key!(
    /// A job of a framework's workload (one per `job_id`).
    JobKey
);
slab_key!(
    /// A group of identical tasks: one trace row.
    GroupKey
);
slab_key!(
    /// A launched task (staging or running).
    TaskKey
);

/// A slab with generational keys: slots are reused last-freed first (as `slab::Slab` does, so
/// orders that depend on slots stay as they were), and a stale key finds nothing.
#[derive(Clone, Debug)]
pub struct GenSlab<K, T> {
    slab: slab::Slab<T>,
    generations: Vec<u32>,
    _key: std::marker::PhantomData<K>,
}

impl<K, T> Default for GenSlab<K, T> {
    fn default() -> Self {
        GenSlab {
            slab: slab::Slab::new(),
            generations: Vec::new(),
            _key: std::marker::PhantomData,
        }
    }
}

impl<K: From<Key> + Into<Key> + Copy, T> GenSlab<K, T> {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn insert(&mut self, v: T) -> K {
        let slot = self.slab.insert(v);
        if self.generations.len() <= slot {
            self.generations.resize(slot + 1, 0);
        }
        self.generations[slot] = self.generations[slot].wrapping_add(1);
        K::from(Key {
            slot: slot as u32,
            generation: self.generations[slot],
        })
    }

    #[inline]
    fn live(&self, k: Key) -> bool {
        self.generations.get(k.slot as usize) == Some(&k.generation)
            && self.slab.contains(k.slot as usize)
    }

    #[inline]
    pub fn get(&self, k: K) -> Option<&T> {
        let k = k.into();
        if self.live(k) {
            self.slab.get(k.slot as usize)
        } else {
            None
        }
    }

    #[inline]
    pub fn get_mut(&mut self, k: K) -> Option<&mut T> {
        let k = k.into();
        if self.live(k) {
            self.slab.get_mut(k.slot as usize)
        } else {
            None
        }
    }

    pub fn contains(&self, k: K) -> bool {
        self.live(k.into())
    }

    /// Removes a live entry; panics on a stale key (callers check first).
    pub fn remove(&mut self, k: K) -> T {
        let k = k.into();
        assert!(self.live(k), "stale key {}.{}", k.slot, k.generation);
        self.slab.remove(k.slot as usize)
    }

    pub fn len(&self) -> usize {
        self.slab.len()
    }

    /// Live entries in slot order.
    pub fn iter(&self) -> impl Iterator<Item = (K, &T)> + '_ {
        self.slab.iter().map(|(slot, v)| {
            (
                K::from(Key {
                    slot: slot as u32,
                    generation: self.generations[slot],
                }),
                v,
            )
        })
    }

    /// Empties the slab, yielding its entries in slot order.
    pub fn drain(&mut self) -> Vec<(K, T)> {
        let keys: Vec<K> = self.iter().map(|(k, _)| k).collect();
        keys.into_iter()
            .map(|k| {
                let v = self.remove(k);
                (k, v)
            })
            .collect()
    }
}

impl<K: From<Key> + Into<Key> + Copy, T> std::ops::Index<K> for GenSlab<K, T> {
    type Output = T;
    #[inline]
    fn index(&self, k: K) -> &T {
        let key: Key = k.into();
        self.get(k)
            .unwrap_or_else(|| panic!("stale key {}.{}", key.slot, key.generation))
    }
}

impl<K: From<Key> + Into<Key> + Copy, T> std::ops::IndexMut<K> for GenSlab<K, T> {
    #[inline]
    fn index_mut(&mut self, k: K) -> &mut T {
        let key: Key = k.into();
        self.get_mut(k)
            .unwrap_or_else(|| panic!("stale key {}.{}", key.slot, key.generation))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reused_slots_get_new_keys_and_stale_keys_find_nothing() {
        let mut s: GenSlab<JobKey, &str> = GenSlab::new();
        let a = s.insert("a");
        let b = s.insert("b");
        assert_eq!((a.slot(), b.slot()), (0, 1));
        s.remove(a);
        let c = s.insert("c");
        assert_eq!(c.slot(), 0, "slots are reused last-freed first");
        assert_ne!(a, c);
        assert!(s.get(a).is_none());
        assert_eq!(s[c], "c");
        let order: Vec<&str> = s.iter().map(|(_, v)| *v).collect();
        assert_eq!(order, ["c", "b"]);
        assert_eq!(s.drain().len(), 2);
        assert_eq!(s.len(), 0);
    }

    #[test]
    fn keys_round_trip_through_bits_and_a_stale_one_stays_stale() {
        let mut s: GenSlab<GroupKey, u8> = GenSlab::new();
        let a = s.insert(1);
        s.remove(a);
        let b = s.insert(2);
        assert_eq!(GroupKey::from_bits(b.to_bits()), b);
        assert_ne!(a.to_bits(), b.to_bits(), "same slot, another generation");
        assert!(s.get(GroupKey::from_bits(a.to_bits())).is_none());
        assert!(s.get(GroupKey::from_bits(u64::MAX)).is_none());
    }
}
