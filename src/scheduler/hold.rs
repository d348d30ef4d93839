//! The `hold` scheduler: keeps every offer until a scripted `decline` returns it. It exists to
//! restate Mesos allocator tests, where the test body plays the framework.

use super::{Decision, OfferView, Scheduler, WorkView};

pub struct Hold;

impl Scheduler for Hold {
    fn name(&self) -> &str {
        "hold"
    }

    fn on_offer(&mut self, _offer: &OfferView, _work: &WorkView, out: &mut Decision) {
        out.hold = true;
    }
}
