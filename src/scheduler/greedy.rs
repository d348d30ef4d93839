//! The `greedy` scheduler: launches every pending task that fits, in job submission order, and
//! declines the rest with the default filter. When tasks have locality preferences it takes the
//! node-local tasks of each job first, then rack-local, then any (naive Hadoop).

use super::{Decision, Launch, OfferView, Scheduler, WorkView};
use crate::cluster::resources::Resources;
use crate::cluster::task::Locality;

pub struct Greedy {
    scratch: Vec<(u8, u32, u32)>,
}

impl Greedy {
    pub fn new() -> Greedy {
        Greedy {
            scratch: Vec::new(),
        }
    }
}

impl Default for Greedy {
    fn default() -> Self {
        Self::new()
    }
}

/// Takes `shape` (plus the executor once) out of `left` if it fits.
pub fn take(left: &mut Resources, executor: &mut Resources, shape: &Resources) -> bool {
    let need = *shape + *executor;
    if left.contains(&need) {
        *left -= need;
        *executor = Resources::ZERO;
        true
    } else {
        false
    }
}

impl Scheduler for Greedy {
    fn name(&self) -> &str {
        "greedy"
    }

    fn on_offer(&mut self, offer: &OfferView, work: &WorkView, out: &mut Decision) {
        let mut left = offer.resources;
        let mut exec = offer.executor;
        for &g in work.pending.values() {
            if !work.min_allocatable.allows(&left) {
                break;
            }
            let group = &work.groups[g as usize];
            if !left.contains(&group.shape) {
                continue;
            }
            if group.prefs.is_none() {
                for t in work.pending_tasks(g) {
                    if !take(&mut left, &mut exec, &group.shape) {
                        break;
                    }
                    out.launch.push(Launch { group: g, task: t });
                }
            } else {
                // Node-local tasks first, then rack-local, then the rest.
                self.scratch.clear();
                for t in work.pending_tasks(g) {
                    let rank = match (work.locality)(g, t, offer.agent) {
                        Locality::NodeLocal => 0,
                        Locality::RackLocal => 1,
                        _ => 2,
                    };
                    self.scratch.push((rank, t, g));
                }
                self.scratch.sort_unstable();
                for &(_, t, g) in &self.scratch {
                    if !take(&mut left, &mut exec, &group.shape) {
                        break;
                    }
                    out.launch.push(Launch { group: g, task: t });
                }
            }
        }
    }
}
