//! The progress bar of long runs: simulated time and events per second on stderr, only when
//! stderr is a terminal and `--quiet` is not given. It observes the engine through its progress
//! callback and never writes to a results file.

use crate::experiment::{RunOutcome, RunWatch, Watch};
use crate::sim::time::SimTime;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::time::Instant;

/// A progress callback: (simulated time, events so far).
type Progress = Box<dyn FnMut(SimTime, u64)>;

/// The terminal's watch: a bar for a run that goes alone, a line per finished run.
pub struct Terminal {
    quiet: bool,
}

impl Terminal {
    pub fn new(quiet: bool) -> Terminal {
        Terminal { quiet }
    }
}

struct TerminalRun {
    label: String,
    quiet: bool,
    bar: RunBar,
    progress: Option<Progress>,
}

impl Watch for Terminal {
    fn start(&self, label: &str, horizon: Option<SimTime>, parallel: bool) -> Box<dyn RunWatch> {
        let (bar, progress) = RunBar::new(self.quiet || parallel, label, horizon);
        Box::new(TerminalRun {
            label: label.to_string(),
            quiet: self.quiet,
            bar,
            progress,
        })
    }
}

impl RunWatch for TerminalRun {
    fn progress(&mut self, now: SimTime, events: u64) {
        if let Some(p) = self.progress.as_mut() {
            p(now, events);
        }
    }

    fn done(self: Box<Self>, outcome: Option<&RunOutcome>) {
        self.bar.finish();
        if let (false, Some(o)) = (self.quiet, outcome) {
            eprintln!(
                "{}: {} events, {} tasks in {:.2} s wall ({:.0} events/s, peak RSS {} MB)",
                self.label,
                o.events,
                o.tasks_finished,
                o.wall_s,
                o.events as f64 / o.wall_s.max(1e-9),
                o.peak_rss_mb
                    .map(|m| format!("{m:.0}"))
                    .unwrap_or_else(|| "?".into()),
            );
        }
    }
}

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
                    Some(e.us().max(1) as u64),
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
                b.set_position(t.us().max(0) as u64);
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
