//! The `greedy` scheduler: launches every pending task that fits, jobs in job order (`fifo`:
//! submission; `fair`: fewest running tasks first), and declines the rest with the default
//! filter. When tasks have locality preferences it takes a job's node-local tasks first, then
//! rack-local, then any (naive Hadoop).

use super::index::{Filler, Open};
use super::{Decision, JobOrder, OfferView, Scheduler, WorkView};
use crate::cluster::resources::Resources;

pub struct Greedy {
    fill: Filler,
}

impl Greedy {
    pub fn new() -> Greedy {
        Greedy::with_order(JobOrder::Fifo)
    }

    pub fn with_order(order: JobOrder) -> Greedy {
        Greedy {
            fill: Filler::new(order),
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
        self.fill.fill(offer, work, &mut Open, out);
    }

    /// With nothing pending, an offer fits no task: nothing to do.
    fn done(&self, work: &WorkView) -> bool {
        work.is_idle()
    }
}
