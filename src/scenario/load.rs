//! Loading a scenario: TOML into the raw shapes, then validation and layering into the typed
//! configuration. Errors name the file, the line and the field, and say what was expected.

use super::events::{event_time, maintenance_phases, merge_derived, script_action};
use super::raw::*;
use super::sweep::expand_sweep;
use super::*;
use crate::cluster::resources::{FairnessExclusion, MinAllocatable, Resources, RES_NAMES};
use crate::error::{line_of, nearest, Error, Result};
use crate::sim::time::secs_to_us;
use std::path::Path;

/// A table header line: its dotted path (quotes dropped) and whether it is `[[array]]`.
fn header_of(line: &str) -> Option<(String, bool)> {
    let t = line.trim();
    let t = t.split('#').next().unwrap_or("").trim();
    let (inner, array) = if let Some(x) = t.strip_prefix("[[").and_then(|x| x.strip_suffix("]]")) {
        (x, true)
    } else if let Some(x) = t.strip_prefix('[').and_then(|x| x.strip_suffix(']')) {
        (x, false)
    } else {
        return None;
    };
    if inner.is_empty() || inner.contains(['=', '[', ']', ',']) {
        return None;
    }
    let path: Vec<String> = inner
        .split('.')
        .map(|p| p.trim().trim_matches('"').to_string())
        .collect();
    Some((path.join("."), array))
}

/// The key a line assigns (`key = ...`), unquoted.
fn key_of(line: &str) -> Option<&str> {
    let (k, _) = line.split_once('=')?;
    let k = k.trim().trim_matches('"');
    (!k.is_empty() && !k.starts_with(['[', '#', '{']) && !k.contains([' ', ','])).then_some(k)
}

/// Where `field` (a key of the table `line` is in, possibly `key.subkey` into an inline table)
/// is written: its line and its full dotted path. The search runs from `line` through the
/// table and its sub-tables (`[policy.master]` after `[[policy]]`); with `line` 0 it covers
/// the whole file. A key that is not written there keeps `line`.
pub(super) fn key_at(src: &str, line: usize, field: &str) -> (usize, String) {
    let lines: Vec<&str> = src.lines().collect();
    let governing = |l: usize| -> String {
        lines[..l.min(lines.len())]
            .iter()
            .rev()
            .find_map(|x| header_of(x))
            .map(|h| h.0)
            .unwrap_or_default()
    };
    let join = |base: &str, field: &str| -> String {
        let first = field.split('.').next().unwrap_or("");
        let base_first = base.split('.').next().unwrap_or("");
        if base.is_empty() || field.is_empty() || first == base_first {
            if field.is_empty() {
                base.to_string()
            } else {
                field.to_string()
            }
        } else {
            format!("{base}.{field}")
        }
    };
    let first = field.split('.').next().unwrap_or("");
    let base = if line == 0 {
        String::new()
    } else {
        governing(line)
    };
    // A field given by its full path (`workload.trace`) is searched by its last parts.
    let rel = match field.strip_prefix(&format!("{base}.")) {
        Some(r) if !base.is_empty() => r,
        _ => field,
    };
    let rel_first = rel.split('.').next().unwrap_or(first);
    let start = line.saturating_sub(1);
    let mut section = base.clone();
    for (i, l) in lines.iter().enumerate().skip(start) {
        if let Some((h, array)) = header_of(l) {
            if i == start {
                section = h;
                continue;
            }
            let sub = !array && !base.is_empty() && h.starts_with(&format!("{base}."));
            if line == 0 || sub {
                section = h;
                continue;
            }
            break;
        }
        if key_of(l) == Some(rel_first) {
            let path = if section == base {
                join(&base, field)
            } else {
                join(&section, rel)
            };
            return (i + 1, path);
        }
    }
    (line, join(&base, field))
}

/// Turns a toml error into an input error with line and, for unknown keys, a suggestion.
fn toml_error(file: &str, src: &str, e: &toml::de::Error) -> Error {
    let line = e.span().map(|s| line_of(src, s.start)).unwrap_or(0);
    let msg = e.message().trim().to_string();
    let mut field = String::new();
    let mut out = msg.clone();
    if let Some(rest) = msg.strip_prefix("unknown field `") {
        if let Some(end) = rest.find('`') {
            let bad = &rest[..end];
            field = bad.to_string();
            let expected: Vec<&str> = rest[end + 1..]
                .split('`')
                .enumerate()
                .filter(|(i, _)| i % 2 == 1)
                .map(|(_, s)| s)
                .collect();
            out = format!("unknown key `{bad}`");
            if let Some(home) = belongs_in(bad, &governing_header(src, line), &expected) {
                out.push_str(&format!("; it belongs in {home}"));
            } else if let Some(n) = nearest(bad, expected.iter().copied()) {
                out.push_str(&format!("; did you mean `{n}`?"));
            }
            if !expected.is_empty() {
                out.push_str(&format!(" (valid keys: {})", expected.join(", ")));
            }
        }
    } else if let Some(rest) = msg.strip_prefix("missing field `") {
        if let Some(end) = rest.find('`') {
            field = rest[..end].to_string();
            out = format!("required key `{field}` is missing");
        }
    } else if let Some(rest) = msg.strip_prefix("unknown variant `") {
        if let Some(end) = rest.find('`') {
            let bad = &rest[..end];
            field = "action".to_string();
            let expected: Vec<&str> = rest[end + 1..]
                .split('`')
                .enumerate()
                .filter(|(i, _)| i % 2 == 1)
                .map(|(_, s)| s)
                .collect();
            out = format!("unknown action `{bad}`");
            if let Some(n) = nearest(bad, expected.iter().copied()) {
                out.push_str(&format!("; did you mean `{n}`?"));
            }
            out.push_str(&format!(" (valid: {})", expected.join(", ")));
        }
    }
    let assigned = (line > 0)
        .then(|| src.lines().nth(line - 1).and_then(key_of))
        .flatten();
    if field.is_empty() {
        // A wrong type or value: the key is whatever the offending line assigns to.
        if let Some(key) = assigned {
            field = key.to_string();
        }
    } else if let Some(key) = assigned.filter(|k| *k != field && field != "action") {
        // A key inside an inline table (`agent = { mem = 2 }`).
        field = format!("{key}.{field}");
    }
    let base = governing_header(src, line);
    let path = if base.is_empty() || field.is_empty() {
        field
    } else {
        format!("{base}.{field}")
    };
    Error::input(file, line, path, out)
}

/// The path of the table header that governs `line` (1-based), "" at the top level.
fn governing_header(src: &str, line: usize) -> String {
    src.lines()
        .take(line)
        .collect::<Vec<_>>()
        .iter()
        .rev()
        .find_map(|l| header_of(l))
        .map(|h| h.0)
        .unwrap_or_default()
}

/// Where a key that is unknown in table `base` belongs, when it is a key of a table nearby
/// (a master key at the top level of a scenario or a policy file, say).
fn belongs_in(key: &str, base: &str, valid_here: &[&str]) -> Option<String> {
    use super::raw::{
        CLUSTER_KEYS, FAULTS_KEYS, FRAMEWORK_DEFAULTS_KEYS, LOCALITY_KEYS, MASTER_KEYS,
        WORKLOAD_KEYS,
    };
    let policy_file = base.is_empty() && valid_here.contains(&"allocator");
    let scenario = base.is_empty() && valid_here.contains(&"workload");
    let inline_policy = base == "policy";
    let homes: Vec<(&[&str], String)> = if policy_file || inline_policy {
        let p = if inline_policy { "policy." } else { "" };
        vec![
            (&MASTER_KEYS[..], format!("the [{p}master] table")),
            (
                &FRAMEWORK_DEFAULTS_KEYS[..],
                format!("the [{p}framework_defaults] table"),
            ),
        ]
    } else if scenario {
        vec![
            (&MASTER_KEYS[..], "the [master] table".to_string()),
            (&CLUSTER_KEYS[..], "the [cluster] table".to_string()),
            (&WORKLOAD_KEYS[..], "the [workload] table".to_string()),
            (&FAULTS_KEYS[..], "the [faults] table".to_string()),
            (&LOCALITY_KEYS[..], "the [locality] table".to_string()),
            (
                &FRAMEWORK_DEFAULTS_KEYS[..],
                "a [[frameworks]] table (or a policy's [framework_defaults])".to_string(),
            ),
        ]
    } else {
        Vec::new()
    };
    homes
        .into_iter()
        .find(|(keys, _)| keys.contains(&key))
        .map(|(_, home)| home)
}

pub fn read_text(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|e| Error::read(path, e))
}

fn resolve(dir: &Path, p: &str) -> PathBuf {
    let pb = PathBuf::from(p);
    if pb.is_absolute() {
        pb
    } else {
        dir.join(pb)
    }
}

pub(super) struct Ctx<'a> {
    file: &'a str,
    src: &'a str,
}

impl Ctx<'_> {
    /// An error about `field` of the table that `line` is in (or, with `line` 0, wherever
    /// the key is): it points at the key's own line and names it by its full path
    /// (`master.refuse_s`, `cluster.agent.cpus`).
    pub(super) fn err(&self, line: usize, field: &str, msg: impl Into<String>) -> Error {
        let (line, path) = key_at(self.src, line, field);
        Error::input(self.file, line, path, msg)
    }
    /// The line where `key =` (or `[key]`) first appears, for whole-file keys.
    pub(super) fn line_of_key(&self, key: &str) -> usize {
        // Callers name tables with or without their brackets.
        let key = key.trim_matches(|c| c == '[' || c == ']');
        for (i, l) in self.src.lines().enumerate() {
            let t = l.trim_start();
            if let Some(rest) = t.strip_prefix(key) {
                let rest = rest.trim_start();
                if rest.starts_with('=') {
                    return i + 1;
                }
            }
            if t.starts_with('[') && t.trim_matches(|c| c == '[' || c == ']' || c == ' ') == key {
                return i + 1;
            }
        }
        0
    }
    /// `v` must be finite, above 0 (or at least 0 when `zero_ok`) and at most `max`.
    pub(super) fn bounded(
        &self,
        line: usize,
        field: &str,
        v: f64,
        zero_ok: bool,
        max: f64,
    ) -> Result<f64> {
        let low_ok = if zero_ok { v >= 0.0 } else { v > 0.0 };
        if v.is_finite() && low_ok && v <= max {
            return Ok(v);
        }
        let low = if zero_ok { ">= 0" } else { "> 0" };
        let got = if v.is_finite() && v.abs() >= 1e15 {
            format!("{v:e}")
        } else {
            format!("{v}")
        };
        Err(self.err(
            line,
            field,
            format!("expected a finite number {low} and <= {max:e}, got {got}"),
        ))
    }
    pub(super) fn nonneg(&self, line: usize, field: &str, v: f64) -> Result<f64> {
        self.bounded(line, field, v, true, MAX_SECONDS)
    }
    pub(super) fn positive(&self, line: usize, field: &str, v: f64) -> Result<f64> {
        self.bounded(line, field, v, false, MAX_SECONDS)
    }
    pub(super) fn slowdown(&self, line: usize, field: &str, v: f64) -> Result<f64> {
        self.bounded(line, field, v, false, MAX_SLOWDOWN)
    }
    pub(super) fn time(&self, line: usize, field: &str, v: f64) -> Result<SimTime> {
        self.nonneg(line, field, v)?;
        Ok(SimTime::from_secs_f64(v))
    }
    pub(super) fn duration(&self, line: usize, field: &str, v: f64) -> Result<SimDuration> {
        self.nonneg(line, field, v)?;
        Ok(SimDuration::from_secs_f64(v))
    }
    pub(super) fn res(&self, line: usize, field: &str, r: &ResSpec) -> Result<Resources> {
        r.check().map_err(|(k, m)| {
            let f = if field.is_empty() {
                k.to_string()
            } else {
                format!("{field}.{k}")
            };
            self.err(line, &f, m)
        })?;
        Ok(r.to_resources())
    }
}

pub(super) fn check_role_name(ctx: &Ctx, line: usize, field: &str, role: &str) -> Result<()> {
    let ok = !role.is_empty()
        && (role == "*"
            || role.split('/').all(|p| {
                !p.is_empty()
                    && p != "."
                    && p != ".."
                    && !p.contains(char::is_whitespace)
                    && p != "*"
            }));
    if ok {
        Ok(())
    } else {
        Err(ctx.err(
            line,
            field,
            format!(
                "`{role}` is not a valid role name (use `*` or `a/b/c` paths of non-empty names)"
            ),
        ))
    }
}

pub(super) fn master_layer(
    ctx: &Ctx,
    base: &MasterConfig,
    raw: &MasterRaw,
    line: usize,
) -> Result<MasterConfig> {
    let mut m = base.clone();
    if let Some(v) = raw.allocation_interval_s {
        ctx.positive(line, "allocation_interval_s", v)?;
        m.allocation_interval = SimDuration::from_us(secs_to_us(v).max(1));
    }
    if let Some(v) = raw.refuse_s {
        m.refuse = ctx.duration(line, "refuse_s", v)?;
    }
    if let Some(v) = raw.offer_timeout_s {
        m.offer_timeout = ctx.duration(line, "offer_timeout_s", v)?;
    }
    if let Some(v) = raw.latency_s {
        m.latency = ctx.duration(line, "latency_s", v)?;
    }
    if let Some(v) = raw.executor_idle_s {
        m.executor_idle = ctx.duration(line, "executor_idle_s", v)?;
    }
    if let Some(v) = raw.agent_ping_timeout_s {
        ctx.positive(line, "agent_ping_timeout_s", v)?;
        m.agent_ping_timeout = SimDuration::from_us(secs_to_us(v).max(1));
    }
    if let Some(n) = raw.max_agent_ping_timeouts {
        if n == 0 {
            return Err(ctx.err(line, "max_agent_ping_timeouts", "expected an integer >= 1"));
        }
        m.max_agent_ping_timeouts = n;
    }
    let removal_s = m.agent_ping_timeout.as_secs_f64() * m.max_agent_ping_timeouts as f64;
    if removal_s > MAX_SECONDS {
        return Err(ctx.err(
            line,
            "max_agent_ping_timeouts",
            format!(
                "agent_ping_timeout_s x max_agent_ping_timeouts must be <= {MAX_SECONDS:e} s, got {removal_s}"
            ),
        ));
    }
    if let Some(s) = &raw.offer_mode {
        m.offer_mode = OfferMode::parse(s).ok_or_else(|| {
            ctx.err(
                line,
                "offer_mode",
                unknown_name("offer_mode", s, &OfferMode::NAMES),
            )
        })?;
    }
    if let Some(list) = &raw.min_allocatable {
        m.min_allocatable = min_allocatable_list(ctx, line, "min_allocatable", list)?;
    }
    if let Some(names) = &raw.whitelist {
        check_whitelist(ctx, line, "whitelist", names)?;
        m.whitelist = Some(names.clone());
    }
    if let Some(names) = &raw.fair_sharing_excluded_resource_names {
        m.fair_exclusion = FairnessExclusion::from_names(names).map_err(|n| {
            ctx.err(
                line,
                "fair_sharing_excluded_resource_names",
                unknown_name("resource", &n, &RES_NAMES),
            )
        })?;
    }
    Ok(m)
}

/// Checks a `[framework_defaults]` (or a framework's own keys) and types it.
fn framework_defaults(
    ctx: &Ctx,
    line: usize,
    d: &FrameworkDefaultsRaw,
) -> Result<FrameworkDefaults> {
    let scheduler = match &d.scheduler {
        None => None,
        Some(s) => Some(SchedulerKind::parse(s).ok_or_else(|| {
            ctx.err(
                line,
                "scheduler",
                unknown_name("scheduler", s, &SchedulerKind::NAMES),
            )
        })?),
    };
    let job_order = match &d.job_order {
        None => None,
        Some(s) => Some(JobOrder::parse(s).ok_or_else(|| {
            ctx.err(
                line,
                "job_order",
                unknown_name("job_order", s, &["fifo", "fair"]),
            )
        })?),
    };
    let dur = |k: &str, v: Option<f64>| -> Result<Option<SimDuration>> {
        v.map(|v| ctx.duration(line, k, v)).transpose()
    };
    let executor = match &d.executor {
        None => None,
        Some(e) => Some(ctx.res(line, "executor", e)?),
    };
    if d.max_attempts == Some(0) {
        return Err(ctx.err(line, "max_attempts", "expected an integer >= 1"));
    }
    Ok(FrameworkDefaults {
        scheduler,
        node_wait: dur("node_wait_s", d.node_wait_s)?,
        rack_wait: dur("rack_wait_s", d.rack_wait_s)?,
        decision: dur("decision_s", d.decision_s)?,
        decision_per_task: dur("decision_per_task_s", d.decision_per_task_s)?,
        suppress_when_idle: d.suppress_when_idle,
        refuse: dur("refuse_s", d.refuse_s)?,
        job_order,
        executor,
        executor_start: dur("executor_start_s", d.executor_start_s)?,
        max_attempts: d.max_attempts,
    })
}

/// The framework capabilities a scenario may name: `gpu` (Mesos's GPU_RESOURCES) and, as
/// extensions, `multi_role` (MULTI_ROLE, which a framework with several roles has anyway) and
/// `revocable_resources` (REVOCABLE_RESOURCES: may be offered revocable resources).
pub(super) const FRAMEWORK_CAPABILITIES: [&str; 3] = ["gpu", "multi_role", "revocable_resources"];

/// Every name of a framework's `capabilities` is one of [`FRAMEWORK_CAPABILITIES`].
pub(super) fn check_fw_capabilities(ctx: &Ctx, line: usize, caps: Option<&[String]>) -> Result<()> {
    for c in caps.into_iter().flatten() {
        if !FRAMEWORK_CAPABILITIES.contains(&c.as_str()) {
            return Err(ctx.err(
                line,
                "capabilities",
                unknown_name("capability", c, &FRAMEWORK_CAPABILITIES),
            ));
        }
    }
    Ok(())
}

/// An agent's `capabilities` (names of `AgentCapabilities::NAMES`; no key: all of them).
pub(super) fn agent_capabilities(
    ctx: &Ctx,
    line: usize,
    caps: Option<&[String]>,
) -> Result<Option<crate::cluster::agent::AgentCapabilities>> {
    use crate::cluster::agent::AgentCapabilities;
    match caps {
        None => Ok(None),
        Some(names) => AgentCapabilities::from_names(names).map(Some).map_err(|n| {
            ctx.err(
                line,
                "capabilities",
                unknown_name("agent capability", &n, &AgentCapabilities::NAMES),
            )
        }),
    }
}

/// A whitelist names agents (Mesos: hostnames, one a line); an empty name cannot be an agent's.
pub(super) fn check_whitelist(ctx: &Ctx, line: usize, field: &str, names: &[String]) -> Result<()> {
    if names.iter().any(|n| n.trim().is_empty()) {
        return Err(ctx.err(line, field, "expected agent names, got an empty name"));
    }
    Ok(())
}

/// A `min_allocatable` list: each entry is one alternative minimum.
pub(super) fn min_allocatable_list(
    ctx: &Ctx,
    line: usize,
    field: &str,
    list: &[ResSpec],
) -> Result<MinAllocatable> {
    let mut v = Vec::new();
    for r in list {
        v.push(ctx.res(line, field, r)?);
    }
    Ok(MinAllocatable(v))
}

pub(super) fn unknown_name(what: &str, got: &str, valid: &[&str]) -> String {
    let mut m = format!("unknown {what} \"{got}\"");
    if let Some(n) = nearest(got, valid.iter().copied()) {
        m.push_str(&format!("; did you mean \"{n}\"?"));
    }
    m.push_str(&format!(" (valid: {})", valid.join(", ")));
    m
}

/// Loads a policy file (`policies/*.toml`).
pub fn load_policy_file(path: &Path, base_master: &MasterConfig) -> Result<Policy> {
    let src = read_text(path)?;
    let file = path.display().to_string();
    let raw: PolicyRaw = toml::from_str(&src).map_err(|e| toml_error(&file, &src, &e))?;
    let ctx = Ctx {
        file: &file,
        src: &src,
    };
    policy_from_raw(&ctx, &raw, base_master, &file, 0)
}

fn policy_from_raw(
    ctx: &Ctx,
    raw: &PolicyRaw,
    base_master: &MasterConfig,
    source: &str,
    line: usize,
) -> Result<Policy> {
    let allocator = AllocatorKind::parse(&raw.allocator).ok_or_else(|| {
        let l = if line > 0 {
            line
        } else {
            ctx.line_of_key("allocator")
        };
        ctx.err(
            l,
            "allocator",
            unknown_name("allocator", &raw.allocator, &AllocatorKind::NAMES),
        )
    })?;
    if raw.name.is_empty() || raw.name.contains(['/', '\\']) || raw.name.starts_with('.') {
        return Err(ctx.err(
            line.max(ctx.line_of_key("name")),
            "name",
            "a policy name must be non-empty and usable as a folder name",
        ));
    }
    let master = match &raw.master {
        Some(m) => master_layer(ctx, base_master, m, line.max(ctx.line_of_key("master")))?,
        None => base_master.clone(),
    };
    let fd = framework_defaults(
        ctx,
        line.max(ctx.line_of_key("framework_defaults")),
        &raw.framework_defaults.clone().unwrap_or_default(),
    )?;
    let preempt_after = match raw.preempt_after_s {
        None => None,
        Some(v) => {
            let l = if line > 0 {
                line
            } else {
                ctx.line_of_key("preempt_after_s")
            };
            if allocator != AllocatorKind::Priority {
                return Err(ctx.err(
                    l,
                    "preempt_after_s",
                    "preemption applies only to the `priority` allocator",
                ));
            }
            Some(ctx.duration(l, "preempt_after_s", v)?)
        }
    };
    Ok(Policy {
        name: raw.name.clone(),
        allocator,
        master,
        framework_defaults: fd,
        source: source.to_string(),
        description: raw.description.clone().unwrap_or_default(),
        preempt_after,
    })
}

/// Loads and validates a scenario file.
pub fn load(path: &Path) -> Result<Scenario> {
    let src = read_text(path)?;
    load_str(path, &src)
}

pub fn load_str(path: &Path, src: &str) -> Result<Scenario> {
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let dir = if dir.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        dir
    };
    load_str_in(path, &dir, src)
}

/// Loads a scenario file whose relative paths are relative to `dir` instead of the file's own
/// folder: the Python package writes a scenario given as a dict to a temporary file, and its
/// paths are relative to the caller's working directory.
pub fn load_in(path: &Path, dir: &Path) -> Result<Scenario> {
    let src = read_text(path)?;
    load_str_in(path, dir, &src)
}

fn load_str_in(path: &Path, dir: &Path, src: &str) -> Result<Scenario> {
    let file = path.display().to_string();
    let raw: ScenarioRaw = toml::from_str(src).map_err(|e| toml_error(&file, src, &e))?;
    let dir = dir.to_path_buf();
    let ctx = Ctx { file: &file, src };

    if raw.name.is_empty() || raw.name.contains(['/', '\\']) || raw.name.starts_with('.') {
        return Err(ctx.err(
            ctx.line_of_key("name"),
            "name",
            "a scenario name must be non-empty and usable as a folder name",
        ));
    }
    let replications = raw.replications.unwrap_or(1);
    if replications == 0 {
        return Err(ctx.err(
            ctx.line_of_key("replications"),
            "replications",
            "expected an integer >= 1",
        ));
    }
    let end = match raw.end_s {
        Some(v) => Some(ctx.time(ctx.line_of_key("end_s"), "end_s", v)?),
        None => None,
    };

    let master = match &raw.master {
        Some(m) => master_layer(&ctx, &MasterConfig::default(), m, ctx.line_of_key("master"))?,
        None => MasterConfig::default(),
    };

    // Policies: files, inline tables, or the default single DRF policy.
    let mut policies = Vec::new();
    for p in raw.policies.iter().flatten() {
        let pp = resolve(&dir, p);
        if !pp.is_file() {
            return Err(ctx.err(
                ctx.line_of_key("policies"),
                "policies",
                format!("no policy file at {}", pp.display()),
            ));
        }
        policies.push(load_policy_file(&pp, &master)?);
    }
    for p in raw.policy.iter().flatten() {
        let line =
            find_line(src, &format!("name = \"{}\"", p.name)).max(ctx.line_of_key("[policy]"));
        policies.push(policy_from_raw(&ctx, p, &master, "inline", line)?);
    }
    if policies.is_empty() {
        policies.push(Policy {
            name: "drf".into(),
            allocator: AllocatorKind::Drf,
            master: master.clone(),
            framework_defaults: FrameworkDefaults::default(),
            source: "default".into(),
            description: String::new(),
            preempt_after: None,
        });
    }
    if let Some(sw) = &raw.sweep {
        policies = expand_sweep(&ctx, sw, &policies)?;
    }
    let mut seen = std::collections::BTreeSet::new();
    for p in &policies {
        if !seen.insert(p.name.clone()) {
            return Err(ctx.err(
                ctx.line_of_key("policies"),
                "policies",
                format!(
                    "two policies are named \"{}\"; names must be unique",
                    p.name
                ),
            ));
        }
    }

    // Cluster.
    let mut agents = Vec::new();
    // The table line of each explicit agent (None: generated or from the machines file), and
    // how many agents precede the machines file's.
    let mut agent_lines: Vec<Option<usize>> = Vec::new();
    let mut generated = 0;
    if let Some(c) = &raw.cluster {
        let cl = ctx.line_of_key("[cluster]");
        match (c.racks, c.agents_per_rack, &c.agent) {
            (None, None, None) => {}
            (Some(racks), Some(per), Some(shape)) => {
                if racks == 0 || per == 0 {
                    return Err(ctx.err(
                        cl,
                        if racks == 0 {
                            "racks"
                        } else {
                            "agents_per_rack"
                        },
                        "expected an integer >= 1",
                    ));
                }
                if racks as u64 * per as u64 > MAX_AGENTS {
                    return Err(ctx.err(cl, "agents_per_rack", format!("racks x agents_per_rack is {}, more than the {MAX_AGENTS} agents offersim simulates", racks as u64 * per as u64)));
                }
                let total = ctx.res(cl, "agent", shape)?;
                let width = (racks as u64 * per as u64).to_string().len();
                let mut k = 0u64;
                for r in 0..racks {
                    for _ in 0..per {
                        k += 1;
                        agents.push(AgentConfig {
                            name: format!("a{k:0width$}"),
                            rack: Some(format!("r{}", r + 1)),
                            total,
                            reserved: Vec::new(),
                            attributes: BTreeMap::new(),
                            add: SimTime::ZERO,
                            remove: None,
                        });
                    }
                }
            }
            _ => {
                return Err(ctx.err(
                    cl,
                    "cluster",
                    "a generated cluster needs all of `racks`, `agents_per_rack` and `agent`",
                ));
            }
        }
        generated = agents.len();
        agent_lines = vec![None; generated];
        for a in c.agents.iter().flatten() {
            let line = line_of(src, a.span().start);
            agents.push(agent_from_raw(&ctx, line, a.get_ref())?);
            agent_lines.push(Some(line));
        }
        generated = agents.len();
        if let Some(m) = &c.machines {
            let mp = resolve(&dir, m);
            if !mp.is_file() {
                return Err(ctx.err(
                    ctx.line_of_key("machines"),
                    "cluster.machines",
                    format!("no machines file at {}", mp.display()),
                ));
            }
            agents.extend(crate::workload::machines::read_machines(&mp)?);
        }
    }
    let mut names = std::collections::BTreeSet::new();
    for (k, a) in agents.iter().enumerate() {
        if !names.insert(a.name.clone()) {
            // Point at the second one: an explicit agent's table, or the machines file's key.
            let line = agent_lines.get(k).copied().flatten();
            let (line, field) = match line {
                Some(l) => (l, "name"),
                None if k >= generated => (ctx.line_of_key("machines"), "cluster.machines"),
                None => (ctx.line_of_key("[cluster]"), "cluster.racks"),
            };
            return Err(ctx.err(
                line,
                field,
                format!("agent name \"{}\" is used twice", a.name),
            ));
        }
    }

    // Workload.
    let (workload, block_replication) = match &raw.workload {
        None => (WorkloadSource::None, 3),
        Some(w) => {
            let wl = ctx.line_of_key("[workload]");
            let src = match (&w.trace, &w.generator) {
                (Some(_), Some(_)) => {
                    return Err(ctx.err(
                        wl,
                        "workload",
                        "give either `trace` or `generator`, not both",
                    ))
                }
                (Some(t), None) => {
                    let p = resolve(&dir, t);
                    if !p.is_file() {
                        return Err(ctx.err(
                            ctx.line_of_key("trace"),
                            "workload.trace",
                            format!("no trace file at {}", p.display()),
                        ));
                    }
                    if let Some(want) = &w.trace_sha256 {
                        let got = crate::report::sha256_file(&p)?;
                        if !got.eq_ignore_ascii_case(want.trim()) {
                            return Err(ctx.err(
                                ctx.line_of_key("trace_sha256"),
                                "workload.trace_sha256",
                                format!(
                                    "the trace {} has sha256 {got}, not {want}: it is not the \
                                     trace these results were made with",
                                    p.display()
                                ),
                            ));
                        }
                    }
                    WorkloadSource::Trace(p)
                }
                (None, Some(g)) => {
                    let origin = crate::workload::gen::Origin {
                        file: file.clone(),
                        text: src.to_string(),
                        prefix: "workload.generator".into(),
                    };
                    WorkloadSource::Generator(crate::workload::gen::Params::from_table(g, &origin)?)
                }
                (None, None) => WorkloadSource::None,
            };
            let br = w.block_replication.unwrap_or(3);
            if br == 0 {
                return Err(ctx.err(wl, "block_replication", "expected an integer >= 1"));
            }
            (src, br)
        }
    };

    // Frameworks.
    let mut frameworks = Vec::new();
    let mut fw_names = std::collections::BTreeSet::new();
    for f in raw.frameworks.iter().flatten() {
        let line = line_of(src, f.span().start);
        let fr = f.get_ref();
        if fr.name.is_empty() {
            return Err(ctx.err(line, "name", "a framework needs a non-empty name"));
        }
        if !fw_names.insert(fr.name.clone()) {
            return Err(ctx.err(
                line,
                "name",
                format!("framework \"{}\" is listed twice", fr.name),
            ));
        }
        for r in fr.roles.iter().flatten() {
            check_role_name(&ctx, line, "roles", r)?;
        }
        if fr.roles.as_ref().is_some_and(|r| r.is_empty()) {
            return Err(ctx.err(line, "roles", "a framework needs at least one role"));
        }
        check_fw_capabilities(&ctx, line, fr.capabilities.as_deref())?;
        let own = framework_defaults(&ctx, line, &defaults_of(fr))?;
        let add = ctx.time(line, "add_s", fr.add_s.unwrap_or(0.0))?;
        let min_allocatable = match &fr.min_allocatable {
            None => None,
            Some(list) => Some(min_allocatable_list(&ctx, line, "min_allocatable", list)?),
        };
        frameworks.push(FrameworkSpec {
            name: fr.name.clone(),
            line,
            roles: fr.roles.clone(),
            gpu_capable: fr.capabilities.iter().flatten().any(|c| c == "gpu"),
            multi_role: fr.capabilities.iter().flatten().any(|c| c == "multi_role"),
            revocable: fr
                .capabilities
                .iter()
                .flatten()
                .any(|c| c == "revocable_resources"),
            add,
            suppressed_roles: fr.suppressed_roles.clone().unwrap_or_default(),
            min_allocatable,
            own,
        });
    }

    // Roles.
    let mut roles = BTreeMap::new();
    for (name, r) in raw.roles.iter().flatten() {
        let line = find_line(src, &format!("[roles.{name}]"))
            .max(find_line(src, &format!("[roles.\"{name}\"]")));
        check_role_name(&ctx, line, "roles", name)?;
        let mut rc = RoleConfig::default();
        if let Some(w) = r.weight {
            rc.weight = ctx.positive(line, "weight", w)?;
        }
        rc.priority = r.priority.unwrap_or(0);
        if let Some(q) = &r.quota {
            q.check()
                .map_err(|(k, m)| ctx.err(line, &format!("quota.{k}"), m))?;
            rc.guarantees = q.to_guarantees();
            rc.limits = Some(q.to_limits());
        }
        if let Some(g) = &r.guarantees {
            rc.guarantees = ctx.res(line, "guarantees", g)?;
        }
        if let Some(l) = &r.limits {
            l.check()
                .map_err(|(k, m)| ctx.err(line, &format!("limits.{k}"), m))?;
            rc.limits = Some(l.to_limits());
        }
        roles.insert(name.clone(), rc);
    }

    // Events.
    let mut events = Vec::new();
    let mut derived = Vec::new();
    let mut last = SimTime::ZERO;
    for e in raw.events.iter().flatten() {
        let line = line_of(src, e.span().start);
        let ev = e.get_ref();
        let at = ctx.time(line, "at_s", event_time(ev))?;
        if at < last {
            return Err(ctx.err(
                line,
                "at_s",
                format!(
                    "events must be in time order: {} s comes after {} s",
                    at, last
                ),
            ));
        }
        last = at;
        let action = script_action(&ctx, line, ev)?;
        events.push(ScriptedEvent { at, line, action });
        maintenance_phases(&mut derived, events.last().expect("pushed"));
    }
    merge_derived(&mut events, derived);

    let locality = match &raw.locality {
        None => Locality {
            rack_slowdown: 1.0,
            off_rack_slowdown: 1.0,
        },
        Some(l) => {
            let line = ctx.line_of_key("[locality]");
            Locality {
                rack_slowdown: ctx.slowdown(
                    line,
                    "rack_slowdown",
                    l.rack_slowdown.unwrap_or(1.0),
                )?,
                off_rack_slowdown: ctx.slowdown(
                    line,
                    "off_rack_slowdown",
                    l.off_rack_slowdown.unwrap_or(1.0),
                )?,
            }
        }
    };
    let faults = match &raw.faults {
        None => Faults::default(),
        Some(f) => {
            let line = ctx.line_of_key("[faults]");
            match (f.agent_mtbf_s, f.agent_mttr_s) {
                (None, None) => Faults::default(),
                (Some(mtbf), Some(mttr)) => Faults {
                    agent_mtbf_s: Some(ctx.positive(
                        ctx.line_of_key("agent_mtbf_s"),
                        "agent_mtbf_s",
                        mtbf,
                    )?),
                    agent_mttr_s: ctx.positive(
                        ctx.line_of_key("agent_mttr_s"),
                        "agent_mttr_s",
                        mttr,
                    )?,
                },
                (None, Some(_)) => {
                    return Err(ctx.err(
                        line,
                        "agent_mtbf_s",
                        "`agent_mttr_s` needs `agent_mtbf_s` (mean seconds between failures)",
                    ))
                }
                (Some(_), None) => {
                    return Err(ctx.err(
                        line,
                        "agent_mttr_s",
                        "`agent_mtbf_s` needs `agent_mttr_s` (mean seconds to repair)",
                    ))
                }
            }
        }
    };
    let tolerance = raw
        .check
        .as_ref()
        .and_then(|c| c.tolerance.clone())
        .unwrap_or_default();
    let columns = &crate::metrics::files::SUMMARY_COLS[3..];
    for (k, v) in &tolerance {
        let line = ctx.line_of_key(k).max(ctx.line_of_key("tolerance"));
        if !columns.contains(&k.as_str()) {
            let mut m = format!("\"{k}\" is not a summary column");
            if let Some(n) = nearest(k, columns.iter().copied()) {
                m.push_str(&format!("; did you mean \"{n}\"?"));
            }
            m.push_str(&format!(" (expected one of: {})", columns.join(", ")));
            return Err(ctx.err(line, &format!("check.tolerance.{k}"), m));
        }
        if !v.is_finite() || *v < 0.0 {
            return Err(ctx.err(
                line,
                &format!("check.tolerance.{k}"),
                format!("expected a finite number >= 0, got {v}"),
            ));
        }
    }

    let outputs = match &raw.outputs {
        None => None,
        Some(o) => Some(Outputs::parse(o).ok_or_else(|| {
            ctx.err(
                ctx.line_of_key("outputs"),
                "outputs",
                unknown_name("outputs", o, &Outputs::NAMES),
            )
        })?),
    };

    Ok(Scenario {
        name: raw.name,
        description: raw.description.unwrap_or_default(),
        path: path.to_path_buf(),
        dir,
        seed: raw.seed.unwrap_or(1),
        replications,
        end,
        policies,
        agents,
        master,
        workload,
        block_replication,
        frameworks,
        roles,
        events,
        locality,
        tolerance,
        faults,
        outputs,
    })
}

fn find_line(src: &str, needle: &str) -> usize {
    src.lines()
        .position(|l| l.contains(needle))
        .map(|i| i + 1)
        .unwrap_or(0)
}

fn defaults_of(f: &FrameworkRaw) -> FrameworkDefaultsRaw {
    FrameworkDefaultsRaw {
        scheduler: f.scheduler.clone(),
        node_wait_s: f.node_wait_s,
        rack_wait_s: f.rack_wait_s,
        decision_s: f.decision_s,
        decision_per_task_s: f.decision_per_task_s,
        suppress_when_idle: f.suppress_when_idle,
        refuse_s: f.refuse_s,
        job_order: f.job_order.clone(),
        executor: f.executor.clone(),
        executor_start_s: f.executor_start_s,
        max_attempts: f.max_attempts,
    }
}

fn agent_from_raw(ctx: &Ctx, line: usize, a: &AgentSpecRaw) -> Result<AgentConfig> {
    if a.name.is_empty() {
        return Err(ctx.err(line, "name", "an agent needs a non-empty name"));
    }
    let total = ctx.res(
        line,
        "",
        &ResSpec {
            cpus: a.cpus,
            mem_mb: a.mem_mb,
            disk_mb: a.disk_mb,
            gpus: a.gpus,
        },
    )?;
    let reserved = reserved_list(ctx, line, &total, a.reserved.as_ref())?;
    let add = ctx.time(line, "add_s", a.add_s.unwrap_or(0.0))?;
    let remove = match a.remove_s {
        Some(v) => {
            let t = ctx.time(line, "remove_s", v)?;
            if t < add {
                return Err(ctx.err(line, "remove_s", "remove_s must not come before add_s"));
            }
            Some(t)
        }
        None => None,
    };
    Ok(AgentConfig {
        name: a.name.clone(),
        rack: a.rack.clone(),
        total,
        reserved,
        attributes: a.attributes.clone().unwrap_or_default(),
        add,
        remove,
    })
}

pub(super) fn reserved_list(
    ctx: &Ctx,
    line: usize,
    total: &Resources,
    r: Option<&OneOrMany<ReservedSpec>>,
) -> Result<Vec<(String, Resources)>> {
    let mut out: Vec<(String, Resources)> = Vec::new();
    let mut sum = Resources::ZERO;
    for rs in r.map(|r| r.to_vec()).unwrap_or_default() {
        check_role_name(ctx, line, "reserved.role", &rs.role)?;
        if rs.role == "*" {
            return Err(ctx.err(
                line,
                "reserved.role",
                "resources cannot be reserved for role `*`",
            ));
        }
        let res = ctx.res(
            line,
            "reserved",
            &ResSpec {
                cpus: rs.cpus,
                mem_mb: rs.mem_mb,
                disk_mb: rs.disk_mb,
                gpus: rs.gpus,
            },
        )?;
        sum += res;
        match out.iter_mut().find(|(n, _)| *n == rs.role) {
            Some((_, x)) => *x += res,
            None => out.push((rs.role.clone(), res)),
        }
    }
    if !total.contains(&sum) {
        return Err(ctx.err(
            line,
            "reserved",
            format!("reservations {sum} exceed the agent's total {total}"),
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<Scenario> {
        load_str(Path::new("t.toml"), s)
    }

    #[test]
    fn keys_are_found_on_their_own_line_by_their_full_path() {
        let src = "name = \"x\"\n[master]\nrefuse_s = 1\nmax_agent_ping_timeouts = 0\n\
                   [cluster]\nracks = 1\nagent = { cpus = 1e13 }\n[[policy]]\nname = \"p\"\n\
                   [policy.master]\noffer_mode = \"x\"\n[[frameworks]]\nname = \"f\"\n";
        assert_eq!(
            key_at(src, 2, "max_agent_ping_timeouts"),
            (4, "master.max_agent_ping_timeouts".into())
        );
        assert_eq!(
            key_at(src, 5, "agent.cpus"),
            (7, "cluster.agent.cpus".into())
        );
        assert_eq!(
            key_at(src, 9, "offer_mode"),
            (11, "policy.master.offer_mode".into())
        );
        assert_eq!(
            key_at(src, 0, "offer_mode"),
            (11, "policy.master.offer_mode".into())
        );
        assert_eq!(
            key_at(src, 12, "decision_s"),
            (12, "frameworks.decision_s".into())
        );
        assert_eq!(key_at(src, 1, "name"), (1, "name".into()));
        assert_eq!(key_at(src, 5, "cluster.racks"), (6, "cluster.racks".into()));
    }

    #[test]
    fn minimal_scenario_gets_defaults() {
        let s = parse("name = \"x\"\n").unwrap();
        assert_eq!(s.seed, 1);
        assert_eq!(s.replications, 1);
        assert_eq!(s.policies.len(), 1);
        assert_eq!(s.policies[0].name, "drf");
        assert_eq!(s.master.allocation_interval, SimDuration::from_secs(1));
    }

    #[test]
    fn unknown_key_is_reported_with_line_and_suggestion() {
        let e = parse("name = \"x\"\n[master]\nrefuse = 3\n").unwrap_err();
        let m = e.to_string();
        assert!(m.contains("t.toml:3"), "{m}");
        assert!(m.contains("refuse_s"), "{m}");
        assert_eq!(e.exit_code(), 2);
    }

    #[test]
    fn integers_are_accepted_as_numbers() {
        let s = parse("name = \"x\"\n[[events]]\nat_s = 1\naction = \"add_agent\"\nname = \"a1\"\ncpus = 2\nmem_mb = 1024\n").unwrap();
        assert_eq!(s.events.len(), 1);
        assert_eq!(s.events[0].at, SimTime::from_us(1_000_000));
        assert_eq!(s.events[0].line, 2);
    }

    #[test]
    fn events_out_of_order_are_rejected() {
        let e = parse("name = \"x\"\n[[events]]\nat_s = 2\naction = \"revive\"\nframework = \"f\"\n[[events]]\nat_s = 1\naction = \"revive\"\nframework = \"f\"\n").unwrap_err();
        assert!(e.to_string().contains("t.toml:7"), "{e}");
        assert!(e.to_string().contains("at_s"), "{e}");
    }

    #[test]
    fn unknown_action_suggests() {
        let e = parse("name = \"x\"\n[[events]]\nat_s = 2\naction = \"add_agnet\"\nname=\"a\"\n")
            .unwrap_err();
        assert!(e.to_string().contains("add_agent"), "{e}");
    }

    #[test]
    fn reservations_cannot_exceed_total() {
        let e = parse("name = \"x\"\n[[events]]\nat_s = 0\naction = \"add_agent\"\nname = \"a1\"\ncpus = 1\nmem_mb = 10\nreserved = [{ role = \"r\", cpus = 2 }]\n").unwrap_err();
        assert!(e.to_string().contains("reserved"), "{e}");
    }

    #[test]
    fn sweep_expands_every_policy_over_the_grid() {
        let s = parse(
            "name = \"x\"\n[[policy]]\nname = \"d\"\n[sweep]\nnode_wait_s = [0, 1.5]\nallocation_interval_s = [0.5, 1]\n",
        )
        .unwrap();
        let names: Vec<&str> = s.policies.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "d@allocation_interval_s=0.5+node_wait_s=0",
                "d@allocation_interval_s=0.5+node_wait_s=1.5",
                "d@allocation_interval_s=1+node_wait_s=0",
                "d@allocation_interval_s=1+node_wait_s=1.5"
            ]
        );
        assert_eq!(
            s.policies[0].master.allocation_interval,
            SimDuration::from_us(500_000)
        );
        assert_eq!(
            s.policies[1].framework_defaults.node_wait,
            Some(SimDuration::from_us(1_500_000))
        );
        let e = parse("name = \"x\"\n[sweep]\nnode_wait = [1]\n").unwrap_err();
        assert!(e.to_string().contains("node_wait_s"), "{e}");
    }

    #[test]
    fn generated_cluster_names_agents_and_racks() {
        let s = parse("name = \"x\"\n[cluster]\nracks = 2\nagents_per_rack = 3\nagent = { cpus = 4, mem_mb = 8192 }\n").unwrap();
        assert_eq!(s.agents.len(), 6);
        assert_eq!(s.agents[0].name, "a1");
        assert_eq!(s.agents[5].rack.as_deref(), Some("r2"));
    }
}
