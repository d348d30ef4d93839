//! The event loop, generic over a [`Model`]: it pops events in (time, insertion sequence) order,
//! lets external inputs in when the clock reaches them, and asks the model to integrate its
//! metrics over every stretch of time. It knows nothing of clusters, offers or tasks.
//!
//! External inputs (the model's scripted events, joins and trace rows) enter the queue when the
//! clock reaches their instant, behind everything already scheduled for that instant: an input
//! at the same instant as a periodic event already in the queue runs after it.

use super::queue::EventQueue;
use super::time::{SimDuration, SimTime};
use std::ops::ControlFlow;

/// What the loop pops: the model's own events, or the marker that inputs are due.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step<E> {
    /// External inputs for this instant are due ([`Model::take_inputs`]).
    Inputs,
    Event(E),
}

/// The model's handle on time and the queue while it handles a step.
pub struct Ctx<E> {
    now: SimTime,
    seq: u64,
    queue: EventQueue<Step<E>>,
    events: u64,
}

impl<E> Default for Ctx<E> {
    fn default() -> Self {
        Ctx {
            now: SimTime::ZERO,
            seq: 0,
            queue: EventQueue::with_capacity(1024),
            events: 0,
        }
    }
}

impl<E> Ctx<E> {
    pub fn new() -> Ctx<E> {
        Ctx::default()
    }

    /// A context whose clock reads `now`, for driving a model's parts directly in tests (the
    /// loop itself never moves the clock back).
    pub fn at_time(now: SimTime) -> Ctx<E> {
        Ctx {
            now,
            ..Ctx::default()
        }
    }

    /// The next scheduled step's instant and event (None: nothing, or inputs), for tests.
    pub fn peek_event(&self) -> Option<SimTime> {
        self.queue.peek_time()
    }

    /// Pops the next scheduled model event and moves the clock to it (tests of a model's
    /// parts; inputs markers are skipped).
    pub fn pop_event(&mut self) -> Option<(SimTime, E)> {
        while let Some((t, seq, step)) = self.queue.pop_with_seq() {
            if let Step::Event(e) = step {
                self.now = self.now.max(t);
                self.seq = seq;
                return Some((t, e));
            }
        }
        None
    }

    /// The current instant.
    #[inline]
    pub fn now(&self) -> SimTime {
        self.now
    }

    /// The insertion sequence number of the step being handled: timers that are checked lazily
    /// compare against it to expire in exact event order.
    #[inline]
    pub fn seq(&self) -> u64 {
        self.seq
    }

    /// Schedules `ev` at `t`; among events of one instant it runs after all earlier pushes.
    #[inline]
    pub fn at(&mut self, t: SimTime, ev: E) {
        self.queue.push(t, Step::Event(ev));
    }

    /// Schedules `ev` after `d`.
    #[inline]
    pub fn after(&mut self, d: SimDuration, ev: E) {
        self.queue.push(self.now + d, Step::Event(ev));
    }

    /// Takes a sequence number without scheduling anything: a timer that is checked lazily
    /// orders against events exactly as if it had been pushed now.
    #[inline]
    pub fn reserve_seq(&mut self) -> u64 {
        self.queue.reserve_seq()
    }

    /// Steps handled so far (events and input batches).
    pub fn events(&self) -> u64 {
        self.events
    }

    /// The most steps pending at once so far.
    pub fn peak_pending(&self) -> usize {
        self.queue.peak_len()
    }
}

/// A model the loop can drive.
pub trait Model {
    type Event: Copy;
    type Error;

    /// Schedules the model's first events (a periodic tick, say).
    fn start(&mut self, ctx: &mut Ctx<Self::Event>) -> Result<(), Self::Error>;
    /// The instant of the next external input not yet taken (None: no more inputs).
    fn next_input_time(&self) -> Option<SimTime>;
    /// Inputs past the horizon never arrive: forget them.
    fn discard_inputs(&mut self);
    /// Applies every input due at `ctx.now()`.
    fn take_inputs(&mut self, ctx: &mut Ctx<Self::Event>) -> Result<(), Self::Error>;
    fn handle(&mut self, ctx: &mut Ctx<Self::Event>, ev: Self::Event) -> Result<(), Self::Error>;
    /// Time is about to move on to `to`: integrate what held since the last call.
    fn advance(&mut self, to: SimTime);
    /// Called after every step (invariant checks, when enabled).
    fn after_step(
        &mut self,
        ctx: &Ctx<Self::Event>,
        step: Step<Self::Event>,
    ) -> Result<(), Self::Error>;
    /// Nothing left to do: the loop stops.
    fn finished(&self, ctx: &Ctx<Self::Event>) -> bool;
    /// The error to report when a step is due before the current instant (a bug).
    fn time_went_back(&self, step: Step<Self::Event>, from: SimTime, to: SimTime) -> Self::Error;
}

/// A progress callback: (simulated time, steps so far), called every [`PROGRESS_EVERY`] steps.
/// `Break` stops the run where it is (the caller asked to stop: Ctrl-C); the loop then returns
/// at once, without moving the clock to the horizon.
pub type Progress<'a> = &'a mut dyn FnMut(SimTime, u64) -> ControlFlow<()>;
/// A power of two, so the check in the loop is a mask. Small enough that a watcher refreshing
/// by wall time sees the run a few times a second even when steps are whole allocation runs
/// over a large cell, and that a stop request is answered promptly; the call costs about as
/// much as one cheap step, so 1 in 256 is noise.
pub const PROGRESS_EVERY: u64 = 1 << 8;

/// Runs `model` until it is finished, the queue is empty, or the next step is past `horizon`;
/// then moves the clock to the horizon if the model did not finish before it. Returns the
/// instant the run ended at (or was stopped at, when `progress` returned `Break`).
pub fn run<M: Model>(
    model: &mut M,
    ctx: &mut Ctx<M::Event>,
    horizon: Option<SimTime>,
    mut progress: Option<Progress>,
) -> Result<SimTime, M::Error> {
    model.start(ctx)?;
    let mut inputs_queued = false;
    loop {
        // Inputs due no later than the next queued step enter the queue now.
        if !inputs_queued {
            if let Some(t) = model.next_input_time() {
                if ctx.queue.peek_time().is_none_or(|q| t <= q) {
                    if horizon.is_some_and(|e| t > e) {
                        model.discard_inputs();
                        continue;
                    }
                    ctx.queue.push(t, Step::Inputs);
                    inputs_queued = true;
                }
            }
        }
        let Some(t) = ctx.queue.peek_time() else {
            break;
        };
        if horizon.is_some_and(|e| t > e) {
            break;
        }
        let (t, seq, step) = ctx.queue.pop_with_seq().expect("peeked");
        ctx.seq = seq;
        if t < ctx.now {
            return Err(model.time_went_back(step, ctx.now, t));
        }
        if t > ctx.now {
            model.advance(t);
            ctx.now = t;
        }
        ctx.events += 1;
        if ctx.events & (PROGRESS_EVERY - 1) == 0 {
            if let Some(p) = progress.as_mut() {
                if p(ctx.now, ctx.events).is_break() {
                    return Ok(ctx.now);
                }
            }
        }
        match step {
            Step::Inputs => {
                inputs_queued = false;
                model.take_inputs(ctx)?;
            }
            Step::Event(ev) => model.handle(ctx, ev)?,
        }
        model.after_step(ctx, step)?;
        if model.finished(ctx) {
            break;
        }
    }
    let end = match horizon {
        Some(e) if !model.finished(ctx) => e.max(ctx.now),
        _ => ctx.now,
    };
    if end > ctx.now {
        model.advance(end);
        ctx.now = end;
    }
    Ok(ctx.now)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A toy model: a tick every 10 µs that counts, inputs at 5 and 25, and a log of what ran.
    struct Toy {
        inputs: Vec<SimTime>,
        log: Vec<(i64, &'static str)>,
        advanced: Vec<i64>,
    }

    impl Model for Toy {
        type Event = ();
        type Error = String;
        fn start(&mut self, ctx: &mut Ctx<()>) -> Result<(), String> {
            ctx.at(SimTime::from_us(10), ());
            Ok(())
        }
        fn next_input_time(&self) -> Option<SimTime> {
            self.inputs.first().copied()
        }
        fn discard_inputs(&mut self) {
            self.inputs.clear();
        }
        fn take_inputs(&mut self, ctx: &mut Ctx<()>) -> Result<(), String> {
            self.inputs.remove(0);
            self.log.push((ctx.now().us(), "input"));
            Ok(())
        }
        fn handle(&mut self, ctx: &mut Ctx<()>, _: ()) -> Result<(), String> {
            self.log.push((ctx.now().us(), "tick"));
            ctx.after(SimDuration::from_us(10), ());
            Ok(())
        }
        fn advance(&mut self, to: SimTime) {
            self.advanced.push(to.us());
        }
        fn after_step(&mut self, _: &Ctx<()>, _: Step<()>) -> Result<(), String> {
            Ok(())
        }
        fn finished(&self, _: &Ctx<()>) -> bool {
            false
        }
        fn time_went_back(&self, _: Step<()>, _: SimTime, _: SimTime) -> String {
            "back".into()
        }
    }

    #[test]
    fn inputs_run_after_events_already_queued_for_their_instant_and_horizon_is_reached() {
        let mut m = Toy {
            inputs: vec![
                SimTime::from_us(5),
                SimTime::from_us(20),
                SimTime::from_us(99),
            ],
            log: Vec::new(),
            advanced: Vec::new(),
        };
        let mut ctx = Ctx::new();
        let end = run(&mut m, &mut ctx, Some(SimTime::from_us(35)), None).unwrap();
        assert_eq!(
            m.log,
            [
                (5, "input"),
                (10, "tick"),
                (20, "tick"),
                (20, "input"),
                (30, "tick")
            ]
        );
        assert_eq!(end, SimTime::from_us(35));
        assert_eq!(m.advanced, [5, 10, 20, 30, 35]);
    }
}
