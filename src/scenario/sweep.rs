//! `[sweep]`: a grid of values for master and framework-default keys, expanded into one variant
//! of every policy per grid point.

use super::load::{master_layer, Ctx};
use super::raw::MasterRaw;
use super::Policy;
use crate::error::{nearest, Result};
use crate::sim::SimDuration;

/// Keys a `[sweep]` may vary: the master's and the framework defaults' numeric keys.
pub const SWEEP_MASTER_KEYS: [&str; 5] = [
    "allocation_interval_s",
    "refuse_s",
    "offer_timeout_s",
    "latency_s",
    "executor_idle_s",
];
pub const SWEEP_FRAMEWORK_KEYS: [&str; 7] = [
    "node_wait_s",
    "rack_wait_s",
    "decision_s",
    "decision_per_task_s",
    "refuse_s",
    "executor_start_s",
    "suppress_when_idle",
];

/// `[sweep]`: every point of the grid (keys in name order, the first varying slowest) becomes a
/// variant of every policy, named `policy@key=value+key=value`. A key that is both a master and a
/// framework key (`refuse_s`) is swept as the master's default; set a framework's own refuse_s in
/// its table to pin it.
pub(super) fn expand_sweep(
    ctx: &Ctx,
    sw: &toml::Table,
    policies: &[Policy],
) -> Result<Vec<Policy>> {
    let line = ctx.line_of_key("[sweep]");
    let mut axes: Vec<(String, Vec<toml::Value>)> = Vec::new();
    for (k, v) in sw {
        if !SWEEP_MASTER_KEYS.contains(&k.as_str()) && !SWEEP_FRAMEWORK_KEYS.contains(&k.as_str()) {
            let all: Vec<&str> = SWEEP_MASTER_KEYS
                .iter()
                .chain(SWEEP_FRAMEWORK_KEYS.iter())
                .copied()
                .collect();
            let mut m = format!("`{k}` cannot be swept");
            if let Some(n) = nearest(k, all.iter().copied()) {
                m.push_str(&format!("; did you mean `{n}`?"));
            }
            m.push_str(&format!(" (sweepable: {})", all.join(", ")));
            return Err(ctx.err(line, &format!("sweep.{k}"), m));
        }
        let values = match v {
            toml::Value::Array(a) if !a.is_empty() => a.clone(),
            _ => {
                return Err(ctx.err(
                    line,
                    &format!("sweep.{k}"),
                    "expected a non-empty list of values",
                ))
            }
        };
        for x in &values {
            let ok = match x {
                toml::Value::Integer(i) => *i >= 0,
                toml::Value::Float(f) => f.is_finite() && *f >= 0.0,
                toml::Value::Boolean(_) => k == "suppress_when_idle",
                _ => false,
            };
            if !ok || (k == "suppress_when_idle") != matches!(x, toml::Value::Boolean(_)) {
                return Err(ctx.err(
                    line,
                    &format!("sweep.{k}"),
                    format!("expected numbers >= 0 (or booleans for suppress_when_idle), got {x}"),
                ));
            }
        }
        axes.push((k.clone(), values));
    }
    let mut points: Vec<Vec<(String, toml::Value)>> = vec![Vec::new()];
    for (k, vs) in &axes {
        let mut next = Vec::new();
        for p in &points {
            for v in vs {
                let mut q = p.clone();
                q.push((k.clone(), v.clone()));
                next.push(q);
            }
        }
        points = next;
    }
    let num = |v: &toml::Value| {
        v.as_float()
            .or_else(|| v.as_integer().map(|i| i as f64))
            .unwrap_or(0.0)
    };
    let secs = |v: &toml::Value| SimDuration::from_secs_f64(num(v));
    let mut out = Vec::new();
    for base in policies {
        for point in &points {
            let mut p = base.clone();
            let label: Vec<String> = point.iter().map(|(k, v)| format!("{k}={v}")).collect();
            p.name = format!("{}@{}", base.name, label.join("+"));
            let mut mraw = MasterRaw::default();
            for (k, v) in point {
                match k.as_str() {
                    "allocation_interval_s" => mraw.allocation_interval_s = Some(num(v)),
                    "refuse_s" => mraw.refuse_s = Some(num(v)),
                    "offer_timeout_s" => mraw.offer_timeout_s = Some(num(v)),
                    "latency_s" => mraw.latency_s = Some(num(v)),
                    "executor_idle_s" => mraw.executor_idle_s = Some(num(v)),
                    "node_wait_s" => p.framework_defaults.node_wait = Some(secs(v)),
                    "rack_wait_s" => p.framework_defaults.rack_wait = Some(secs(v)),
                    "decision_s" => p.framework_defaults.decision = Some(secs(v)),
                    "decision_per_task_s" => p.framework_defaults.decision_per_task = Some(secs(v)),
                    "executor_start_s" => p.framework_defaults.executor_start = Some(secs(v)),
                    "suppress_when_idle" => p.framework_defaults.suppress_when_idle = v.as_bool(),
                    _ => {}
                }
            }
            p.master = master_layer(ctx, &p.master, &mraw, line)?;
            out.push(p);
        }
    }
    Ok(out)
}
