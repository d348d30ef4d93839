//! The progress bar of long runs: simulated time and events per second on stderr, only when
//! stderr is a terminal and `--quiet` is not given. It observes the engine through its progress
//! callback and never writes to a results file.

use crate::sim::engine::Progress;
use crate::sim::time::SimTime;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::time::Instant;

/// A bar for one run; `callback` goes to the engine, `finish` clears the line afterwards.
pub struct RunBar {
    bar: Option<ProgressBar>,
}

impl RunBar {
    /// `end` is the scenario's horizon when it has one (then the bar shows a fraction).
    pub fn new(quiet: bool, label: &str, end: Option<SimTime>) -> (RunBar, Option<Progress>) {
        if quiet || !std::io::stderr().is_terminal() {
            return (RunBar { bar: None }, None);
        }
        let bar = match end {
            Some(e) => {
                let b = ProgressBar::with_draw_target(
                    Some(e.0.max(1) as u64),
                    ProgressDrawTarget::stderr(),
                );
                b.set_style(
                    ProgressStyle::with_template("{prefix} [{bar:30}] {percent:>3}% {msg}")
                        .expect("static template")
                        .progress_chars("=> "),
                );
                b
            }
            None => {
                let b = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
                b.set_style(
                    ProgressStyle::with_template("{prefix} {spinner} {msg}")
                        .expect("static template"),
                );
                b
            }
        };
        bar.set_prefix(label.to_string());
        let started = Instant::now();
        let b = bar.clone();
        let cb: Progress = Box::new(move |t: SimTime, events: u64| {
            let wall = started.elapsed().as_secs_f64().max(1e-9);
            if b.length().is_some() {
                b.set_position(t.0.max(0) as u64);
            }
            b.set_message(format!(
                "simulated {:.0} s, {events} events, {:.0} events/s",
                t.as_secs_f64(),
                events as f64 / wall
            ));
        });
        (RunBar { bar: Some(bar) }, Some(cb))
    }

    pub fn finish(self) {
        if let Some(b) = self.bar {
            b.finish_and_clear();
        }
    }
}
