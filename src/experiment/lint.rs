//! Names that match nothing, found before anything runs: a role configured that no framework
//! uses, a listed framework the workload never names (so it never gets work) or that subscribes
//! after the end, tasks that no agent of the cluster can ever hold, a resource the trace asks
//! for that no agent has, agents with GPUs and no framework that may use them. Each is a warning
//! naming the thing and, where one is near, the real name it was probably meant to be. A
//! scenario without such a problem gets no warning.
//!
//! The trace is read once, streamed ([`crate::workload::trace::survey`]); that pass also finds
//! the input errors of a trace (a job id under two frameworks, a header and no rows) and the
//! last submit, which is the horizon progress bars measure against when there is no `end_s`.

use crate::cluster::resources::{fmt_milli, Resources, NRES, RES_NAMES};
use crate::error::{nearest, Result};
use crate::scenario::{Scenario, ScriptAction, WorkloadSource};
use crate::sim::SimTime;
use crate::workload::trace::{survey, Fit, Survey};
use std::collections::BTreeSet;

/// What the look before the run found.
#[derive(Clone, Debug, Default)]
pub struct Lint {
    /// One line each, without the `warning: ` prefix.
    pub warnings: Vec<String>,
    /// The last submit of the workload, when known.
    pub last_submit: Option<SimTime>,
}

/// The framework an event names (`add_framework`'s `name`, or its `framework` key).
fn event_framework(a: &ScriptAction) -> Option<&str> {
    match a {
        ScriptAction::AddFramework { name, .. } => Some(name),
        ScriptAction::RemoveFramework { framework }
        | ScriptAction::Suppress { framework, .. }
        | ScriptAction::Revive { framework, .. }
        | ScriptAction::Decline { framework, .. }
        | ScriptAction::SetMinAllocatable { framework, .. }
        | ScriptAction::FailFramework { framework, .. }
        | ScriptAction::ReregisterFramework { framework } => Some(framework),
        _ => None,
    }
}

fn did_you_mean<'a>(word: &str, names: impl IntoIterator<Item = &'a str>) -> String {
    nearest(word, names)
        .map(|n| format!("; did you mean `{n}`?"))
        .unwrap_or_default()
}

fn count(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Looks at a scenario (and streams its trace) for names that match nothing.
pub fn lint(s: &Scenario) -> Result<Lint> {
    let mut out = Lint::default();
    let file = s.path.display().to_string();

    // Agents: the cluster table and scripted joins.
    let mut totals: Vec<Resources> = s.agents.iter().map(|a| a.total).collect();
    for e in &s.events {
        if let ScriptAction::AddAgent { total, .. } = &e.action {
            totals.push(*total);
        }
    }

    // Frameworks: listed, named by the workload, added by events.
    let gpu: BTreeSet<String> = s
        .frameworks
        .iter()
        .filter(|f| f.gpu_capable)
        .map(|f| f.name.clone())
        .collect();
    gpu_warning(s, &totals, &gpu, &mut out.warnings);
    whitelist_warnings(s, &file, &mut out.warnings);
    let fit = if totals.is_empty() {
        Fit::default()
    } else {
        Fit::new(&totals, gpu)
    };
    let (workload_fws, sv): (Vec<String>, Option<Survey>) = match &s.workload {
        WorkloadSource::None => (Vec::new(), None),
        WorkloadSource::Trace(p) => {
            let sv = survey(p, &fit)?;
            out.last_submit = Some(sv.last_submit);
            (sv.frameworks.clone(), Some(sv))
        }
        WorkloadSource::Generator(g) => {
            if fit.check {
                let shapes = &fit.without_gpus;
                if !shapes.iter().any(|a| a.contains(&g.shape())) {
                    out.warnings.push(format!(
                        "{file}: every generated task asks for {}, which no agent can hold \
                         (the largest agents: {}); none will run",
                        g.shape(),
                        shapes_text(shapes)
                    ));
                }
            }
            out.last_submit = g.end();
            (g.frameworks().to_vec(), None)
        }
    };
    let mut event_fws: BTreeSet<&str> = BTreeSet::new();
    let mut event_roles: Vec<&str> = Vec::new();
    for e in &s.events {
        if let Some(f) = event_framework(&e.action) {
            event_fws.insert(f);
        }
        if let ScriptAction::AddFramework { roles, .. } = &e.action {
            match roles {
                Some(r) => event_roles.extend(r.iter().map(String::as_str)),
                None => event_roles.push("*"),
            }
        }
    }

    // Listed frameworks that never get work, or never subscribe.
    if !matches!(s.workload, WorkloadSource::None) {
        let named: BTreeSet<&str> = workload_fws.iter().map(String::as_str).collect();
        for f in &s.frameworks {
            let held = f.own.scheduler == Some(crate::scheduler::SchedulerKind::Hold);
            if !named.contains(f.name.as_str()) && !event_fws.contains(f.name.as_str()) && !held {
                out.warnings.push(format!(
                    "{file}:{}: framework `{}` is listed in [[frameworks]] but the workload \
                     never names it, so it never gets work{}",
                    key_line(s, f.line, "name"),
                    f.name,
                    did_you_mean(
                        &f.name,
                        named.iter().copied().filter(|n| s.framework(n).is_none())
                    )
                ));
            }
        }
    }
    if let Some(end) = s.end {
        for f in s.frameworks.iter().filter(|f| f.add > end) {
            out.warnings.push(format!(
                "{file}:{}: framework `{}` subscribes at add_s = {} s, after end_s = {} s: it \
                 never subscribes",
                key_line(s, f.line, "add_s"),
                f.name,
                f.add.as_secs_f64(),
                end.as_secs_f64()
            ));
        }
    }

    // Roles no framework uses. A framework in `a/b` uses `a` too (its subtree competes as one).
    let mut used: BTreeSet<String> = BTreeSet::new();
    let mut use_role = |r: &str| {
        let mut acc = String::new();
        for part in r.split('/') {
            if !acc.is_empty() {
                acc.push('/');
            }
            acc.push_str(part);
            used.insert(acc.clone());
        }
    };
    for f in &s.frameworks {
        match &f.roles {
            Some(rs) => rs.iter().for_each(|r| use_role(r)),
            None => use_role("*"),
        }
    }
    for name in &workload_fws {
        if s.framework(name).is_none() {
            use_role("*");
        }
    }
    event_roles.iter().for_each(|r| use_role(r));
    let real: Vec<&str> = used.iter().map(String::as_str).collect();
    for name in s.roles.keys() {
        if !used.contains(name) {
            out.warnings.push(format!(
                "{file}:{}: role `{name}` is configured in [roles] but no framework uses it{}",
                line_of_role(s, name),
                did_you_mean(name, real.iter().copied())
            ));
        }
    }

    // What the trace asks for against what the agents have.
    if let (Some(sv), true) = (&sv, fit.check) {
        let trace = s.workload_file();
        let mut most = [0i64; NRES];
        for t in &totals {
            for (k, m) in most.iter_mut().enumerate() {
                *m = (*m).max(t.0[k]);
            }
        }
        for k in 0..NRES {
            if sv.asking[k] > 0 && most[k] == 0 {
                out.warnings.push(format!(
                    "{trace}: {} tasks ask for {}, which no agent has: they can never run \
                     (give the agents {}, in [cluster] or the machines file)",
                    count(sv.asking[k]),
                    RES_NAMES[k],
                    RES_NAMES[k]
                ));
            }
        }
        if sv.unfit_tasks > 0 {
            let ex = &sv.unfit[0];
            let shapes = fit.shapes(&ex.framework);
            let missing: Vec<String> = (0..NRES)
                .filter(|&k| ex.shape.0[k] > 0 && shapes.iter().all(|a| a.0[k] < ex.shape.0[k]))
                .map(|k| {
                    format!(
                        "{} {} (agents have at most {})",
                        RES_NAMES[k],
                        fmt_milli(ex.shape.0[k]),
                        fmt_milli(shapes.iter().map(|a| a.0[k]).max().unwrap_or(0))
                    )
                })
                .collect();
            let why = if shapes.is_empty() {
                format!(
                    "framework `{}` has no GPU capability and every agent has GPUs",
                    ex.framework
                )
            } else if missing.is_empty() {
                format!("no agent has {} all at once", ex.shape)
            } else {
                format!("it asks for {}", missing.join(", "))
            };
            out.warnings.push(format!(
                "{trace}: {} of {} tasks (in {} row{}) can be held by no agent of the cluster \
                 and will never run; e.g. job `{}` at line {}: {why}",
                count(sv.unfit_tasks),
                count(sv.tasks),
                count(sv.unfit_rows),
                if sv.unfit_rows == 1 { "" } else { "s" },
                ex.job_id,
                ex.line,
            ));
        }
    }
    Ok(out)
}

/// Agents with GPUs are offered only to frameworks with the GPU capability (as in Mesos): with
/// none, those agents are never offered, and a cluster of GPU agents makes no offer at all.
/// Whitelisted names (the scenario's and each policy's `[master] whitelist`, `update_whitelist`
/// events) that no agent of the cluster or of an `add_agent` event has: such a name lets nothing
/// through, so it is probably a typo.
fn whitelist_warnings(s: &Scenario, file: &str, out: &mut Vec<String>) {
    let mut agents: BTreeSet<&str> = s.agents.iter().map(|a| a.name.as_str()).collect();
    for e in &s.events {
        if let ScriptAction::AddAgent { name, .. } = &e.action {
            agents.insert(name);
        }
    }
    let mut listed: BTreeSet<&str> = BTreeSet::new();
    let masters = std::iter::once(&s.master).chain(s.policies.iter().map(|p| &p.master));
    for names in masters.filter_map(|m| m.whitelist.as_ref()) {
        listed.extend(names.iter().map(String::as_str));
    }
    for e in &s.events {
        if let ScriptAction::UpdateWhitelist {
            agents: Some(names),
        } = &e.action
        {
            listed.extend(names.iter().map(String::as_str));
        }
    }
    for name in listed {
        if !agents.contains(name) {
            out.push(format!(
                "{file}: the whitelist names agent `{name}`, which the scenario never has{}",
                did_you_mean(name, agents.iter().copied())
            ));
        }
    }
}

fn gpu_warning(s: &Scenario, totals: &[Resources], gpu: &BTreeSet<String>, out: &mut Vec<String>) {
    let with_gpus = totals
        .iter()
        .filter(|t| t.0[crate::cluster::resources::GPUS] > 0)
        .count();
    let scripted = s.events.iter().any(|e| {
        matches!(
            e.action,
            ScriptAction::AddFramework {
                gpu_capable: Some(true),
                ..
            }
        )
    });
    if with_gpus == 0 || !gpu.is_empty() || scripted {
        return;
    }
    let all = if with_gpus == totals.len() {
        "every agent has GPUs, so no offer is ever made"
    } else {
        "those agents are never offered"
    };
    out.push(format!(
        "{}: {} of {} agents have GPUs but no framework has the GPU capability          (`capabilities = [\"gpu\"]` in [[frameworks]]); as in Mesos, {all}",
        s.path.display(),
        count(with_gpus as u64),
        count(totals.len() as u64),
    ));
}

fn shapes_text(shapes: &[Resources]) -> String {
    if shapes.is_empty() {
        return "none".into();
    }
    shapes
        .iter()
        .take(3)
        .map(|s| s.to_string())
        .collect::<Vec<_>>()
        .join("; ")
}

/// The line of `key =` at or after `from` (a table's first line), or `from`.
fn key_line(s: &Scenario, from: usize, key: &str) -> usize {
    let text = std::fs::read_to_string(&s.path).unwrap_or_default();
    text.lines()
        .enumerate()
        .skip(from.saturating_sub(1))
        .find(|(_, l)| {
            l.trim_start()
                .strip_prefix(key)
                .is_some_and(|r| r.trim_start().starts_with('='))
        })
        .map(|(i, _)| i + 1)
        .unwrap_or(from)
}

fn line_of_role(s: &Scenario, name: &str) -> usize {
    let text = std::fs::read_to_string(&s.path).unwrap_or_default();
    text.lines()
        .position(|l| {
            let t = l.trim();
            t == format!("[roles.{name}]") || t == format!("[roles.\"{name}\"]")
        })
        .map(|i| i + 1)
        .unwrap_or(0)
}
