//! Progress on the terminal while a plan runs, for any `--jobs`: a line with the runs done out
//! of the total and an ETA for the whole plan, and a bar per running run with its simulated
//! time as a share of its horizon, tasks per second and its own ETA. Bars refresh by wall time
//! (a few times a second), whatever the engine's pace; each finished run leaves a one-line
//! summary. Nothing is drawn when stderr is not a terminal or with `--quiet`. It only watches:
//! nothing here reaches a results file.

use crate::experiment::{Progress, RunOutcome, RunWatch, Watch};
use crate::sim::time::SimTime;
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How often a bar is redrawn.
const REFRESH: Duration = Duration::from_millis(200);

/// The share of work done by each running run, by slot, for the plan's ETA.
#[derive(Default)]
struct Plan {
    runs: usize,
    done: usize,
    running: Vec<Option<f64>>,
    started: Option<Instant>,
}

impl Plan {
    /// Runs' worth of work done: finished runs, plus the parts of those running that have a
    /// horizon.
    fn work_done(&self) -> f64 {
        self.done as f64 + self.running.iter().flatten().sum::<f64>()
    }
}

/// The terminal's watch.
pub struct Terminal {
    on: bool,
    multi: MultiProgress,
    overall: Mutex<Option<ProgressBar>>,
    plan: Arc<Mutex<Plan>>,
}

impl Terminal {
    pub fn new(quiet: bool) -> Terminal {
        let on = !quiet && std::io::stderr().is_terminal();
        Terminal {
            on,
            multi: MultiProgress::with_draw_target(if on {
                ProgressDrawTarget::stderr()
            } else {
                ProgressDrawTarget::hidden()
            }),
            overall: Mutex::new(None),
            plan: Arc::default(),
        }
    }

    fn refresh_overall(&self) {
        if let Some(b) = self.overall_handle() {
            refresh_overall(&b, &self.plan);
        }
    }
}

fn refresh_overall(bar: &ProgressBar, plan: &Mutex<Plan>) {
    let p = plan.lock().unwrap_or_else(|e| e.into_inner());
    let wall = p.started.map(|s| s.elapsed().as_secs_f64()).unwrap_or(0.0);
    let work = p.work_done();
    let eta = if work > 0.0 && p.runs > 0 {
        format!(
            ", ETA {}",
            clock(wall * (p.runs as f64 - work).max(0.0) / work)
        )
    } else {
        String::new()
    };
    bar.set_position(p.done as u64);
    bar.set_message(format!(
        "runs {}/{} done, {} running, {} elapsed{eta}",
        p.done,
        p.runs,
        p.running.iter().filter(|r| r.is_some()).count(),
        clock(wall)
    ));
}

/// Wall seconds as `1:05` or `2:03:04`.
pub fn clock(s: f64) -> String {
    let s = s.max(0.0).round() as u64;
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    } else {
        format!("{}:{:02}", s / 60, s % 60)
    }
}

/// A rate for people: 950, 12.3k, 4.56M.
pub fn rate(x: f64) -> String {
    if x >= 1e6 {
        format!("{:.3}M", x / 1e6)
    } else if x >= 1e4 {
        format!("{:.1}k", x / 1e3)
    } else if x >= 1e3 {
        format!("{:.2}k", x / 1e3)
    } else {
        format!("{x:.0}")
    }
}

impl Watch for Terminal {
    fn begin(&self, runs: usize, _jobs: usize) {
        let mut p = self.plan.lock().unwrap_or_else(|e| e.into_inner());
        *p = Plan {
            runs,
            done: 0,
            running: Vec::new(),
            started: Some(Instant::now()),
        };
        drop(p);
        // One run alone needs no plan line: its bar says it all.
        if self.on && runs > 1 {
            let bar = self.multi.add(ProgressBar::new(runs as u64));
            bar.set_style(ProgressStyle::with_template("{msg}").expect("static template"));
            *self.overall.lock().unwrap_or_else(|e| e.into_inner()) = Some(bar);
            self.refresh_overall();
        }
    }

    fn start(&self, label: &str, horizon: Option<SimTime>) -> Box<dyn RunWatch> {
        let slot = {
            let mut p = self.plan.lock().unwrap_or_else(|e| e.into_inner());
            match p.running.iter().position(|r| r.is_none()) {
                Some(i) => {
                    p.running[i] = Some(0.0);
                    i
                }
                None => {
                    p.running.push(Some(0.0));
                    p.running.len() - 1
                }
            }
        };
        let bar = self.on.then(|| {
            let b = match horizon {
                Some(_) => {
                    let b = ProgressBar::new(1000);
                    b.set_style(
                        ProgressStyle::with_template("{prefix:>18} [{bar:24}] {percent:>3}% {msg}")
                            .expect("static template")
                            .progress_chars("=> "),
                    );
                    b
                }
                None => {
                    let b = ProgressBar::new_spinner();
                    b.set_style(
                        ProgressStyle::with_template("{prefix:>18} {spinner} {msg}")
                            .expect("static template"),
                    );
                    b
                }
            };
            let b = self.multi.add(b);
            b.set_prefix(label.to_string());
            b.set_message("starting");
            b
        });
        Box::new(TerminalRun {
            label: label.to_string(),
            on: self.on,
            horizon: horizon.filter(|h| h.us() > 0),
            bar,
            multi: self.multi.clone(),
            started: Instant::now(),
            last_draw: None,
            slot,
            plan: self.plan.clone(),
            overall: self.overall_handle(),
        })
    }

    fn end(&self) {
        if let Some(b) = self
            .overall
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
        {
            b.finish_and_clear();
        }
    }
}

impl Terminal {
    fn overall_handle(&self) -> Option<ProgressBar> {
        self.overall
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

struct TerminalRun {
    label: String,
    on: bool,
    horizon: Option<SimTime>,
    bar: Option<ProgressBar>,
    multi: MultiProgress,
    started: Instant,
    last_draw: Option<Instant>,
    slot: usize,
    plan: Arc<Mutex<Plan>>,
    overall: Option<ProgressBar>,
}

impl TerminalRun {
    fn fraction(&self, now: SimTime) -> Option<f64> {
        self.horizon
            .map(|h| (now.us() as f64 / h.us() as f64).clamp(0.0, 0.999))
    }
}

impl RunWatch for TerminalRun {
    fn progress(&mut self, p: &Progress) {
        let Some(bar) = self.bar.as_ref() else {
            return;
        };
        let t = Instant::now();
        if self.last_draw.is_some_and(|l| t - l < REFRESH) {
            return;
        }
        self.last_draw = Some(t);
        let wall = (t - self.started).as_secs_f64().max(1e-9);
        let f = self.fraction(p.now);
        let mut msg = format!(
            "{} {:.0} s simulated, {} tasks/s",
            match self.horizon {
                Some(h) if p.now > h => "draining:".to_string(),
                Some(h) => format!("of {:.0} s:", h.as_secs_f64()),
                None => "at".to_string(),
            },
            p.now.as_secs_f64(),
            rate(p.tasks_finished as f64 / wall),
        );
        if let Some(f) = f.filter(|&f| f > 0.0) {
            bar.set_position((f * 1000.0) as u64);
            if self.horizon.is_some_and(|h| p.now <= h) {
                msg.push_str(&format!(", ETA {}", clock(wall * (1.0 - f) / f)));
            }
        }
        bar.set_message(msg);
        if let Some(slot) = self
            .plan
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .running
            .get_mut(self.slot)
        {
            *slot = Some(f.unwrap_or(0.0));
        }
        if let Some(o) = &self.overall {
            refresh_overall(o, &self.plan);
        }
    }

    fn done(self: Box<Self>, outcome: Option<&RunOutcome>) {
        {
            let mut p = self.plan.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(s) = p.running.get_mut(self.slot) {
                *s = None;
            }
            if outcome.is_some() {
                p.done += 1;
            }
        }
        if let Some(b) = &self.bar {
            b.finish_and_clear();
            self.multi.remove(b);
        }
        if let (true, Some(o)) = (self.on, outcome) {
            let wall = o.wall_s.max(1e-9);
            let _ = self.multi.println(format!(
                "{}: {} tasks finished, {:.0} s simulated, in {:.2} s ({} tasks/s, {} events/s{})",
                self.label,
                o.tasks_finished,
                o.end.as_secs_f64(),
                o.wall_s,
                rate(o.tasks_finished as f64 / wall),
                rate(o.events as f64 / wall),
                o.peak_rss_mb
                    .map(|m| format!(", peak RSS {m:.0} MB"))
                    .unwrap_or_default(),
            ));
        }
        if let Some(o) = &self.overall {
            refresh_overall(o, &self.plan);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clocks_and_rates_read_like_a_person_writes_them() {
        assert_eq!(clock(65.2), "1:05");
        assert_eq!(clock(7384.0), "2:03:04");
        assert_eq!(rate(950.0), "950");
        assert_eq!(rate(12_345.0), "12.3k");
        assert_eq!(rate(4_560_000.0), "4.560M");
    }
}
