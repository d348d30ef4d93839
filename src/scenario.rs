//! Scenario and policy files (TOML) turned into a validated run configuration. Everything the
//! simulation needs is checked here, before anything runs, with file:line:field errors.

use crate::cluster::resources::{MinAllocatable, Resources};
use crate::error::{line_of, nearest, Error, Result};
use crate::sim::time::{secs_to_us, SimTime};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use toml::Spanned;

// ---------------------------------------------------------------------------------------------
// Raw file structures (serde). Unknown keys are errors everywhere.
// ---------------------------------------------------------------------------------------------

#[derive(Deserialize, Debug, Clone, Default, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ResSpec {
    #[serde(default)]
    pub cpus: f64,
    #[serde(default)]
    pub mem_mb: f64,
    #[serde(default)]
    pub disk_mb: f64,
    #[serde(default)]
    pub gpus: f64,
}

impl ResSpec {
    pub fn to_resources(&self) -> Resources {
        Resources::new(self.cpus, self.mem_mb, self.disk_mb, self.gpus)
    }
    fn check(&self) -> std::result::Result<(), String> {
        for (k, v) in [
            ("cpus", self.cpus),
            ("mem_mb", self.mem_mb),
            ("disk_mb", self.disk_mb),
            ("gpus", self.gpus),
        ] {
            if !v.is_finite() || !(0.0..=MAX_AMOUNT).contains(&v) {
                return Err(format!(
                    "{k} must be a finite number between 0 and {MAX_AMOUNT:e}, got {v}"
                ));
            }
        }
        Ok(())
    }
}

/// The largest resource amount an input may name. Amounts are summed in fixed point (i64
/// thousandths) over every agent, so an unbounded amount could overflow the cluster total.
pub const MAX_AMOUNT: f64 = 1e12;
/// The largest number of seconds an input may name (about 31 years). Times are summed in i64
/// microseconds (a submit time plus a slowed-down duration, a timer plus its delay), so bounding
/// every input keeps every sum far from overflow.
pub const MAX_SECONDS: f64 = 1e9;
/// The largest locality slowdown factor: a slowed-down duration must stay within i64 µs.
pub const MAX_SLOWDOWN: f64 = 1e3;

/// A quota limit table: a resource that is not listed has no limit.
#[derive(Deserialize, Debug, Clone, Default, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LimitSpec {
    pub cpus: Option<f64>,
    pub mem_mb: Option<f64>,
    pub disk_mb: Option<f64>,
    pub gpus: Option<f64>,
}

impl LimitSpec {
    pub fn to_limits(&self) -> crate::allocator::Limits {
        let f = |x: Option<f64>| {
            x.map(crate::cluster::resources::to_milli)
                .unwrap_or(i64::MAX)
        };
        crate::allocator::Limits([f(self.cpus), f(self.mem_mb), f(self.disk_mb), f(self.gpus)])
    }
    pub fn to_guarantees(&self) -> Resources {
        Resources::new(
            self.cpus.unwrap_or(0.0),
            self.mem_mb.unwrap_or(0.0),
            self.disk_mb.unwrap_or(0.0),
            self.gpus.unwrap_or(0.0),
        )
    }
    fn check(&self) -> std::result::Result<(), String> {
        for (k, v) in [
            ("cpus", self.cpus),
            ("mem_mb", self.mem_mb),
            ("disk_mb", self.disk_mb),
            ("gpus", self.gpus),
        ] {
            if let Some(v) = v {
                if !v.is_finite() || !(0.0..=MAX_AMOUNT).contains(&v) {
                    return Err(format!(
                        "{k} must be a finite number between 0 and {MAX_AMOUNT:e}, got {v}"
                    ));
                }
            }
        }
        Ok(())
    }
}

#[derive(Deserialize, Debug, Clone, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ReservedSpec {
    pub role: String,
    #[serde(default)]
    pub cpus: f64,
    #[serde(default)]
    pub mem_mb: f64,
    #[serde(default)]
    pub disk_mb: f64,
    #[serde(default)]
    pub gpus: f64,
}

#[derive(Deserialize, Debug, Clone, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct UsedSpec {
    pub framework: String,
    #[serde(default = "star")]
    pub role: String,
    #[serde(default)]
    pub cpus: f64,
    #[serde(default)]
    pub mem_mb: f64,
    #[serde(default)]
    pub disk_mb: f64,
    #[serde(default)]
    pub gpus: f64,
}

fn star() -> String {
    "*".to_string()
}

/// One table or a list of tables (`reserved = {..}` or `reserved = [{..}, ..]`).
#[derive(Deserialize, Debug, Clone, PartialEq)]
#[serde(untagged)]
pub enum OneOrMany<T> {
    One(T),
    Many(Vec<T>),
}

impl<T: Clone> OneOrMany<T> {
    pub fn to_vec(&self) -> Vec<T> {
        match self {
            OneOrMany::One(t) => vec![t.clone()],
            OneOrMany::Many(v) => v.clone(),
        }
    }
}

#[derive(Deserialize, Debug, Clone, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AgentSpecRaw {
    pub name: String,
    pub rack: Option<String>,
    pub cpus: f64,
    pub mem_mb: f64,
    #[serde(default)]
    pub disk_mb: f64,
    #[serde(default)]
    pub gpus: f64,
    pub add_s: Option<f64>,
    pub remove_s: Option<f64>,
    pub reserved: Option<OneOrMany<ReservedSpec>>,
    pub attributes: Option<BTreeMap<String, String>>,
}

#[derive(Deserialize, Debug, Clone, Default)]
#[serde(deny_unknown_fields)]
pub struct ClusterRaw {
    pub racks: Option<u32>,
    pub agents_per_rack: Option<u32>,
    pub agent: Option<ResSpec>,
    pub agents: Option<Vec<Spanned<AgentSpecRaw>>>,
    pub machines: Option<String>,
}

#[derive(Deserialize, Debug, Clone, Default, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct MasterRaw {
    pub allocation_interval_s: Option<f64>,
    pub refuse_s: Option<f64>,
    pub offer_timeout_s: Option<f64>,
    pub latency_s: Option<f64>,
    pub executor_idle_s: Option<f64>,
    pub min_allocatable: Option<Vec<ResSpec>>,
    pub agent_ping_timeout_s: Option<f64>,
    pub max_agent_ping_timeouts: Option<u32>,
    pub offer_mode: Option<String>,
}

/// `[faults]`: random agent failures (both keys in seconds; no key, no failures).
#[derive(Deserialize, Debug, Clone, Default, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FaultsRaw {
    pub agent_mtbf_s: Option<f64>,
    pub agent_mttr_s: Option<f64>,
}

#[derive(Deserialize, Debug, Clone, Default)]
#[serde(deny_unknown_fields)]
pub struct WorkloadRaw {
    pub trace: Option<String>,
    pub generator: Option<toml::Table>,
    pub block_replication: Option<u32>,
}

#[derive(Deserialize, Debug, Clone, Default, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FrameworkDefaultsRaw {
    pub scheduler: Option<String>,
    pub node_wait_s: Option<f64>,
    pub rack_wait_s: Option<f64>,
    pub decision_s: Option<f64>,
    pub decision_per_task_s: Option<f64>,
    pub suppress_when_idle: Option<bool>,
    pub refuse_s: Option<f64>,
    pub job_order: Option<String>,
    pub executor: Option<ResSpec>,
    pub executor_start_s: Option<f64>,
    pub max_attempts: Option<u32>,
}

#[derive(Deserialize, Debug, Clone, Default, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FrameworkRaw {
    pub name: String,
    pub roles: Option<Vec<String>>,
    pub capabilities: Option<Vec<String>>,
    pub add_s: Option<f64>,
    pub suppressed_roles: Option<Vec<String>>,
    pub min_allocatable: Option<Vec<ResSpec>>,
    pub scheduler: Option<String>,
    pub node_wait_s: Option<f64>,
    pub rack_wait_s: Option<f64>,
    pub decision_s: Option<f64>,
    pub decision_per_task_s: Option<f64>,
    pub suppress_when_idle: Option<bool>,
    pub refuse_s: Option<f64>,
    pub job_order: Option<String>,
    pub executor: Option<ResSpec>,
    pub executor_start_s: Option<f64>,
    pub max_attempts: Option<u32>,
}

#[derive(Deserialize, Debug, Clone, Default)]
#[serde(deny_unknown_fields)]
pub struct RoleRaw {
    pub weight: Option<f64>,
    pub priority: Option<i64>,
    pub quota: Option<LimitSpec>,
    pub guarantees: Option<ResSpec>,
    pub limits: Option<LimitSpec>,
}

#[derive(Deserialize, Debug, Clone, Default)]
#[serde(deny_unknown_fields)]
pub struct PolicyRaw {
    pub name: String,
    #[serde(default = "drf_name")]
    pub allocator: String,
    pub description: Option<String>,
    /// `priority` allocator: preempt lower-priority roles for a role that waited this long.
    pub preempt_after_s: Option<f64>,
    pub master: Option<MasterRaw>,
    pub framework_defaults: Option<FrameworkDefaultsRaw>,
}

fn drf_name() -> String {
    "drf".to_string()
}

/// Scripted events, `[[events]]`, tagged by `action`.
#[derive(Deserialize, Debug, Clone, PartialEq)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum EventRaw {
    AddAgent {
        at_s: f64,
        name: String,
        cpus: f64,
        mem_mb: f64,
        #[serde(default)]
        disk_mb: f64,
        #[serde(default)]
        gpus: f64,
        rack: Option<String>,
        attributes: Option<BTreeMap<String, String>>,
        reserved: Option<OneOrMany<ReservedSpec>>,
        used: Option<OneOrMany<UsedSpec>>,
    },
    RemoveAgent {
        at_s: f64,
        agent: String,
    },
    UpdateAgent {
        at_s: f64,
        agent: String,
        attributes: Option<BTreeMap<String, String>>,
    },
    AddFramework {
        at_s: f64,
        name: String,
        roles: Option<Vec<String>>,
        scheduler: Option<String>,
        capabilities: Option<Vec<String>>,
        suppressed_roles: Option<Vec<String>>,
        min_allocatable: Option<Vec<ResSpec>>,
    },
    RemoveFramework {
        at_s: f64,
        framework: String,
    },
    Suppress {
        at_s: f64,
        framework: String,
        roles: Option<Vec<String>>,
    },
    Revive {
        at_s: f64,
        framework: String,
        roles: Option<Vec<String>>,
    },
    Decline {
        at_s: f64,
        framework: String,
        agent: Option<String>,
        role: Option<String>,
        refuse_s: Option<f64>,
        resources: Option<DeclineResRaw>,
    },
    SetWeight {
        at_s: f64,
        role: String,
        weight: f64,
    },
    SetQuota {
        at_s: f64,
        role: String,
        guarantees: Option<ResSpec>,
        limits: Option<LimitSpec>,
    },
    SetMinAllocatable {
        at_s: f64,
        framework: String,
        role: Option<String>,
        min_allocatable: Vec<ResSpec>,
    },
    /// The framework's scheduler disconnects (Mesos framework failover).
    FailFramework {
        at_s: f64,
        framework: String,
        failover_timeout_s: Option<f64>,
    },
    /// A disconnected framework re-registers within its failover timeout.
    ReregisterFramework {
        at_s: f64,
        framework: String,
    },
    /// The agent stops answering the master's pings.
    DisconnectAgent {
        at_s: f64,
        agent: String,
    },
    /// A disconnected agent answers again.
    ReconnectAgent {
        at_s: f64,
        agent: String,
    },
}

#[derive(Deserialize, Debug, Clone, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DeclineResRaw {
    #[serde(default)]
    pub cpus: f64,
    #[serde(default)]
    pub mem_mb: f64,
    #[serde(default)]
    pub disk_mb: f64,
    #[serde(default)]
    pub gpus: f64,
    pub reserved_for: Option<String>,
}

#[derive(Deserialize, Debug, Clone, Default)]
#[serde(deny_unknown_fields)]
pub struct LocalityRaw {
    pub rack_slowdown: Option<f64>,
    pub off_rack_slowdown: Option<f64>,
}

#[derive(Deserialize, Debug, Clone, Default)]
#[serde(deny_unknown_fields)]
pub struct CheckRaw {
    pub tolerance: Option<BTreeMap<String, f64>>,
}

#[derive(Deserialize, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub struct ScenarioRaw {
    pub name: String,
    pub description: Option<String>,
    pub seed: Option<u64>,
    pub replications: Option<u32>,
    pub end_s: Option<f64>,
    pub policies: Option<Vec<String>>,
    pub policy: Option<Vec<PolicyRaw>>,
    pub cluster: Option<ClusterRaw>,
    pub master: Option<MasterRaw>,
    pub workload: Option<WorkloadRaw>,
    pub frameworks: Option<Vec<Spanned<FrameworkRaw>>>,
    pub roles: Option<BTreeMap<String, RoleRaw>>,
    pub events: Option<Vec<Spanned<EventRaw>>>,
    pub locality: Option<LocalityRaw>,
    pub check: Option<CheckRaw>,
    pub sweep: Option<toml::Table>,
    pub faults: Option<FaultsRaw>,
}

// ---------------------------------------------------------------------------------------------
// Validated configuration.
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Debug, PartialEq)]
pub struct MasterConfig {
    pub allocation_interval: SimTime,
    pub refuse_s: f64,
    /// 0 = offers never time out.
    pub offer_timeout: SimTime,
    pub latency: SimTime,
    pub executor_idle: SimTime,
    pub min_allocatable: MinAllocatable,
    /// Mesos's `--agent_ping_timeout` (15 s).
    pub agent_ping_timeout: SimTime,
    /// Mesos's `--max_agent_ping_timeouts` (5): an unreachable agent is removed after
    /// `agent_ping_timeout * max_agent_ping_timeouts`.
    pub max_agent_ping_timeouts: u32,
    pub offer_mode: OfferMode,
}

impl Default for MasterConfig {
    fn default() -> Self {
        MasterConfig {
            allocation_interval: SimTime(1_000_000),
            refuse_s: 5.0,
            offer_timeout: SimTime(0),
            latency: SimTime(0),
            executor_idle: SimTime(0),
            min_allocatable: MinAllocatable::default(),
            agent_ping_timeout: SimTime(15_000_000),
            max_agent_ping_timeouts: 5,
            offer_mode: OfferMode::PerAgent,
        }
    }
}

/// How an allocation run hands out the free resources (`[master] offer_mode`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OfferMode {
    /// Mesos 1.11: agent by agent, the frameworks re-sorted after every grant.
    #[default]
    PerAgent,
    /// The Omega study's Mesos model: the first framework in the allocator's order that can
    /// take anything gets every agent it can take; the others get nothing from that run.
    Cell,
}

impl OfferMode {
    pub const NAMES: [&'static str; 2] = ["per_agent", "cell"];
    pub fn parse(s: &str) -> Option<OfferMode> {
        Some(match s {
            "per_agent" => OfferMode::PerAgent,
            "cell" => OfferMode::Cell,
            _ => return None,
        })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AllocatorKind {
    Drf,
    Priority,
    Random,
    Static,
}

impl AllocatorKind {
    pub const NAMES: [&'static str; 4] = ["drf", "priority", "random", "static"];
    pub fn parse(s: &str) -> Option<AllocatorKind> {
        Some(match s {
            "drf" => AllocatorKind::Drf,
            "priority" => AllocatorKind::Priority,
            "random" => AllocatorKind::Random,
            "static" => AllocatorKind::Static,
            _ => return None,
        })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SchedulerKind {
    Greedy,
    Delay,
    Hold,
}

impl SchedulerKind {
    pub const NAMES: [&'static str; 3] = ["greedy", "delay", "hold"];
    pub fn parse(s: &str) -> Option<SchedulerKind> {
        Some(match s {
            "greedy" => SchedulerKind::Greedy,
            "delay" => SchedulerKind::Delay,
            "hold" => SchedulerKind::Hold,
            _ => return None,
        })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobOrder {
    Fifo,
    Fair,
}

/// Framework-side settings after layering: framework table > policy defaults > built-ins.
#[derive(Clone, Debug, PartialEq)]
pub struct FrameworkConfig {
    pub name: String,
    pub roles: Vec<String>,
    pub gpu_capable: bool,
    pub add: SimTime,
    pub suppressed_roles: Vec<String>,
    pub min_allocatable: Option<MinAllocatable>,
    pub scheduler: SchedulerKind,
    pub node_wait_s: f64,
    pub rack_wait_s: f64,
    pub decision: SimTime,
    pub decision_per_task: SimTime,
    pub suppress_when_idle: bool,
    /// The filter duration this framework asks for when it declines (None: master's refuse_s).
    pub refuse_s: Option<f64>,
    pub job_order: JobOrder,
    pub executor: Resources,
    pub executor_start: SimTime,
    /// Scheduling attempts after which a job not fully scheduled is abandoned (None: never).
    pub max_attempts: Option<u32>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Policy {
    pub name: String,
    pub allocator: AllocatorKind,
    pub master: MasterConfig,
    pub framework_defaults: FrameworkDefaultsRaw,
    /// Where the policy came from ("inline" or a file path), for the report.
    pub source: String,
    pub description: String,
    /// Preemption for the `priority` allocator (None: never preempt).
    pub preempt_after: Option<SimTime>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct AgentConfig {
    pub name: String,
    pub rack: Option<String>,
    pub total: Resources,
    pub reserved: Vec<(String, Resources)>,
    pub attributes: BTreeMap<String, String>,
    pub add: SimTime,
    pub remove: Option<SimTime>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct RoleConfig {
    pub weight: f64,
    pub priority: i64,
    pub guarantees: Resources,
    pub limits: Option<crate::allocator::Limits>,
}

impl Default for RoleConfig {
    fn default() -> Self {
        RoleConfig {
            weight: 1.0,
            priority: 0,
            guarantees: Resources::ZERO,
            limits: None,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum WorkloadSource {
    None,
    Trace(PathBuf),
    Generator(toml::Table),
}

#[derive(Clone, Debug, PartialEq)]
pub struct ScriptedEvent {
    pub at: SimTime,
    pub line: usize,
    pub action: EventRaw,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Locality {
    pub rack_slowdown: f64,
    pub off_rack_slowdown: f64,
}

/// Random agent failures: each agent fails after an exponential time with mean `agent_mtbf_s`
/// and comes back, empty, after an exponential repair time with mean `agent_mttr_s`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Faults {
    /// None: agents never fail at random.
    pub agent_mtbf_s: Option<f64>,
    pub agent_mttr_s: f64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    pub name: String,
    pub description: String,
    pub path: PathBuf,
    pub dir: PathBuf,
    pub seed: u64,
    pub replications: u32,
    pub end: Option<SimTime>,
    pub policies: Vec<Policy>,
    pub agents: Vec<AgentConfig>,
    pub master: MasterConfig,
    pub workload: WorkloadSource,
    pub block_replication: u32,
    /// Raw framework tables (layered with a policy's defaults at run time).
    pub frameworks: Vec<FrameworkRaw>,
    pub roles: BTreeMap<String, RoleConfig>,
    pub events: Vec<ScriptedEvent>,
    pub locality: Locality,
    pub tolerance: BTreeMap<String, f64>,
    pub faults: Faults,
}

// ---------------------------------------------------------------------------------------------
// Loading and validation.
// ---------------------------------------------------------------------------------------------

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
            if let Some(n) = nearest(bad, expected.iter().copied()) {
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
    if field.is_empty() && line > 0 {
        // A wrong type or value: the key is whatever the offending line assigns to.
        if let Some((key, _)) = src.lines().nth(line - 1).and_then(|l| l.split_once('=')) {
            let key = key.trim().trim_matches('"');
            if !key.is_empty() && !key.starts_with('[') && !key.contains(['{', ',']) {
                field = key.to_string();
            }
        }
    }
    Error::input(file, line, field, out)
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

struct Ctx<'a> {
    file: &'a str,
    src: &'a str,
}

impl Ctx<'_> {
    fn err(&self, line: usize, field: &str, msg: impl Into<String>) -> Error {
        Error::input(self.file, line, field, msg)
    }
    /// The line where `key =` (or `[key]`) first appears, for whole-file keys.
    fn line_of_key(&self, key: &str) -> usize {
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
    fn bounded(&self, line: usize, field: &str, v: f64, zero_ok: bool, max: f64) -> Result<f64> {
        let low_ok = if zero_ok { v >= 0.0 } else { v > 0.0 };
        if v.is_finite() && low_ok && v <= max {
            return Ok(v);
        }
        let low = if zero_ok { ">= 0" } else { "> 0" };
        Err(self.err(
            line,
            field,
            format!("expected a finite number {low} and <= {max:e}, got {v}"),
        ))
    }
    fn nonneg(&self, line: usize, field: &str, v: f64) -> Result<f64> {
        self.bounded(line, field, v, true, MAX_SECONDS)
    }
    fn positive(&self, line: usize, field: &str, v: f64) -> Result<f64> {
        self.bounded(line, field, v, false, MAX_SECONDS)
    }
    fn slowdown(&self, line: usize, field: &str, v: f64) -> Result<f64> {
        self.bounded(line, field, v, false, MAX_SLOWDOWN)
    }
    fn time(&self, line: usize, field: &str, v: f64) -> Result<SimTime> {
        self.nonneg(line, field, v)?;
        Ok(SimTime(secs_to_us(v)))
    }
    fn res(&self, line: usize, field: &str, r: &ResSpec) -> Result<Resources> {
        r.check().map_err(|m| self.err(line, field, m))?;
        Ok(r.to_resources())
    }
}

fn check_role_name(ctx: &Ctx, line: usize, field: &str, role: &str) -> Result<()> {
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

fn master_layer(
    ctx: &Ctx,
    base: &MasterConfig,
    raw: &MasterRaw,
    line: usize,
) -> Result<MasterConfig> {
    let mut m = base.clone();
    if let Some(v) = raw.allocation_interval_s {
        ctx.positive(line, "allocation_interval_s", v)?;
        m.allocation_interval = SimTime(secs_to_us(v).max(1));
    }
    if let Some(v) = raw.refuse_s {
        m.refuse_s = ctx.nonneg(line, "refuse_s", v)?;
    }
    if let Some(v) = raw.offer_timeout_s {
        m.offer_timeout = ctx.time(line, "offer_timeout_s", v)?;
    }
    if let Some(v) = raw.latency_s {
        m.latency = ctx.time(line, "latency_s", v)?;
    }
    if let Some(v) = raw.executor_idle_s {
        m.executor_idle = ctx.time(line, "executor_idle_s", v)?;
    }
    if let Some(v) = raw.agent_ping_timeout_s {
        ctx.positive(line, "agent_ping_timeout_s", v)?;
        m.agent_ping_timeout = SimTime(secs_to_us(v).max(1));
    }
    if let Some(n) = raw.max_agent_ping_timeouts {
        if n == 0 {
            return Err(ctx.err(line, "max_agent_ping_timeouts", "expected an integer >= 1"));
        }
        m.max_agent_ping_timeouts = n;
    }
    let removal_s = m.agent_ping_timeout.0 as f64 / 1e6 * m.max_agent_ping_timeouts as f64;
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
        let mut v = Vec::new();
        for r in list {
            v.push(ctx.res(line, "min_allocatable", r)?);
        }
        m.min_allocatable = MinAllocatable(v);
    }
    Ok(m)
}

fn check_defaults(ctx: &Ctx, line: usize, d: &FrameworkDefaultsRaw) -> Result<()> {
    if let Some(s) = &d.scheduler {
        if SchedulerKind::parse(s).is_none() {
            return Err(ctx.err(
                line,
                "scheduler",
                unknown_name("scheduler", s, &SchedulerKind::NAMES),
            ));
        }
    }
    if let Some(s) = &d.job_order {
        if s != "fifo" && s != "fair" {
            return Err(ctx.err(
                line,
                "job_order",
                format!("expected \"fifo\" or \"fair\", got \"{s}\""),
            ));
        }
    }
    for (k, v) in [
        ("node_wait_s", d.node_wait_s),
        ("rack_wait_s", d.rack_wait_s),
        ("decision_s", d.decision_s),
        ("decision_per_task_s", d.decision_per_task_s),
        ("refuse_s", d.refuse_s),
        ("executor_start_s", d.executor_start_s),
    ] {
        if let Some(v) = v {
            ctx.nonneg(line, k, v)?;
        }
    }
    if let Some(e) = &d.executor {
        ctx.res(line, "executor", e)?;
    }
    if d.max_attempts == Some(0) {
        return Err(ctx.err(line, "max_attempts", "expected an integer >= 1"));
    }
    Ok(())
}

fn unknown_name(what: &str, got: &str, valid: &[&str]) -> String {
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
    let fd = raw.framework_defaults.clone().unwrap_or_default();
    check_defaults(ctx, line.max(ctx.line_of_key("framework_defaults")), &fd)?;
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
            Some(ctx.time(l, "preempt_after_s", v)?)
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
    let file = path.display().to_string();
    let raw: ScenarioRaw = toml::from_str(src).map_err(|e| toml_error(&file, src, &e))?;
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let dir = if dir.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        dir
    };
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
            framework_defaults: FrameworkDefaultsRaw::default(),
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
        for a in c.agents.iter().flatten() {
            let line = line_of(src, a.span().start);
            agents.push(agent_from_raw(&ctx, line, a.get_ref())?);
        }
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
    for a in &agents {
        if !names.insert(a.name.clone()) {
            return Err(ctx.err(
                ctx.line_of_key("[cluster]"),
                "name",
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
                    WorkloadSource::Trace(p)
                }
                (None, Some(g)) => WorkloadSource::Generator(g.clone()),
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
        for c in fr.capabilities.iter().flatten() {
            if c != "gpu" {
                return Err(ctx.err(
                    line,
                    "capabilities",
                    unknown_name("capability", c, &["gpu"]),
                ));
            }
        }
        check_defaults(&ctx, line, &defaults_of(fr))?;
        if let Some(v) = fr.add_s {
            ctx.nonneg(line, "add_s", v)?;
        }
        for r in fr.min_allocatable.iter().flatten() {
            ctx.res(line, "min_allocatable", r)?;
        }
        frameworks.push(fr.clone());
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
            q.check().map_err(|m| ctx.err(line, "quota", m))?;
            rc.guarantees = q.to_guarantees();
            rc.limits = Some(q.to_limits());
        }
        if let Some(g) = &r.guarantees {
            rc.guarantees = ctx.res(line, "guarantees", g)?;
        }
        if let Some(l) = &r.limits {
            l.check().map_err(|m| ctx.err(line, "limits", m))?;
            rc.limits = Some(l.to_limits());
        }
        roles.insert(name.clone(), rc);
    }

    // Events.
    let mut events = Vec::new();
    let mut last = SimTime::ZERO;
    for e in raw.events.iter().flatten() {
        let line = line_of(src, e.span().start);
        let ev = e.get_ref().clone();
        let at = ctx.time(line, "at_s", event_time(&ev))?;
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
        validate_event(&ctx, line, &ev)?;
        events.push(ScriptedEvent {
            at,
            line,
            action: ev,
        });
    }

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
    })
}

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
fn expand_sweep(ctx: &Ctx, sw: &toml::Table, policies: &[Policy]) -> Result<Vec<Policy>> {
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
                    "node_wait_s" => p.framework_defaults.node_wait_s = Some(num(v)),
                    "rack_wait_s" => p.framework_defaults.rack_wait_s = Some(num(v)),
                    "decision_s" => p.framework_defaults.decision_s = Some(num(v)),
                    "decision_per_task_s" => {
                        p.framework_defaults.decision_per_task_s = Some(num(v))
                    }
                    "executor_start_s" => p.framework_defaults.executor_start_s = Some(num(v)),
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

/// The most agents a cluster may have: far beyond any real cell (12,500 in the Google trace),
/// and small enough that a typo cannot exhaust memory before anything runs.
pub const MAX_AGENTS: u64 = 1_000_000;

fn find_line(src: &str, needle: &str) -> usize {
    src.lines()
        .position(|l| l.contains(needle))
        .map(|i| i + 1)
        .unwrap_or(0)
}

pub fn defaults_of(f: &FrameworkRaw) -> FrameworkDefaultsRaw {
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
        "cpus",
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

fn reserved_list(
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

pub fn event_time(e: &EventRaw) -> f64 {
    match e {
        EventRaw::AddAgent { at_s, .. }
        | EventRaw::RemoveAgent { at_s, .. }
        | EventRaw::UpdateAgent { at_s, .. }
        | EventRaw::AddFramework { at_s, .. }
        | EventRaw::RemoveFramework { at_s, .. }
        | EventRaw::Suppress { at_s, .. }
        | EventRaw::Revive { at_s, .. }
        | EventRaw::Decline { at_s, .. }
        | EventRaw::SetWeight { at_s, .. }
        | EventRaw::SetQuota { at_s, .. }
        | EventRaw::SetMinAllocatable { at_s, .. }
        | EventRaw::FailFramework { at_s, .. }
        | EventRaw::ReregisterFramework { at_s, .. }
        | EventRaw::DisconnectAgent { at_s, .. }
        | EventRaw::ReconnectAgent { at_s, .. } => *at_s,
    }
}

/// Static checks of one event (names are resolved against the live cluster at run time).
fn validate_event(ctx: &Ctx, line: usize, e: &EventRaw) -> Result<()> {
    match e {
        EventRaw::AddAgent {
            name,
            cpus,
            mem_mb,
            disk_mb,
            gpus,
            reserved,
            used,
            ..
        } => {
            if name.is_empty() {
                return Err(ctx.err(line, "name", "an agent needs a non-empty name"));
            }
            let total = ctx.res(
                line,
                "cpus",
                &ResSpec {
                    cpus: *cpus,
                    mem_mb: *mem_mb,
                    disk_mb: *disk_mb,
                    gpus: *gpus,
                },
            )?;
            let res = reserved_list(ctx, line, &total, reserved.as_ref())?;
            let mut sum = Resources::ZERO;
            for u in used.iter().flat_map(|u| u.to_vec()) {
                check_role_name(ctx, line, "used.role", &u.role)?;
                sum += ctx.res(
                    line,
                    "used",
                    &ResSpec {
                        cpus: u.cpus,
                        mem_mb: u.mem_mb,
                        disk_mb: u.disk_mb,
                        gpus: u.gpus,
                    },
                )?;
            }
            let _ = res;
            if !total.contains(&sum) {
                return Err(ctx.err(
                    line,
                    "used",
                    format!("used resources {sum} exceed the agent's total {total}"),
                ));
            }
        }
        EventRaw::AddFramework {
            name,
            roles,
            scheduler,
            capabilities,
            suppressed_roles,
            min_allocatable,
            ..
        } => {
            if name.is_empty() {
                return Err(ctx.err(line, "name", "a framework needs a non-empty name"));
            }
            for r in roles
                .iter()
                .flatten()
                .chain(suppressed_roles.iter().flatten())
            {
                check_role_name(ctx, line, "roles", r)?;
            }
            if let Some(s) = scheduler {
                if SchedulerKind::parse(s).is_none() {
                    return Err(ctx.err(
                        line,
                        "scheduler",
                        unknown_name("scheduler", s, &SchedulerKind::NAMES),
                    ));
                }
            }
            for c in capabilities.iter().flatten() {
                if c != "gpu" {
                    return Err(ctx.err(
                        line,
                        "capabilities",
                        unknown_name("capability", c, &["gpu"]),
                    ));
                }
            }
            for r in min_allocatable.iter().flatten() {
                ctx.res(line, "min_allocatable", r)?;
            }
        }
        EventRaw::Decline {
            refuse_s,
            resources,
            ..
        } => {
            if let Some(v) = refuse_s {
                ctx.nonneg(line, "refuse_s", *v)?;
            }
            if let Some(r) = resources {
                ctx.res(
                    line,
                    "resources",
                    &ResSpec {
                        cpus: r.cpus,
                        mem_mb: r.mem_mb,
                        disk_mb: r.disk_mb,
                        gpus: r.gpus,
                    },
                )?;
            }
        }
        EventRaw::SetWeight { role, weight, .. } => {
            check_role_name(ctx, line, "role", role)?;
            ctx.positive(line, "weight", *weight)?;
        }
        EventRaw::SetQuota {
            role,
            guarantees,
            limits,
            ..
        } => {
            check_role_name(ctx, line, "role", role)?;
            if let Some(g) = guarantees {
                ctx.res(line, "guarantees", g)?;
            }
            if let Some(l) = limits {
                l.check().map_err(|m| ctx.err(line, "limits", m))?;
            }
        }
        EventRaw::SetMinAllocatable {
            min_allocatable, ..
        } => {
            for r in min_allocatable {
                ctx.res(line, "min_allocatable", r)?;
            }
        }
        EventRaw::Suppress { roles, .. } | EventRaw::Revive { roles, .. } => {
            for r in roles.iter().flatten() {
                check_role_name(ctx, line, "roles", r)?;
            }
        }
        EventRaw::FailFramework {
            failover_timeout_s: Some(v),
            ..
        } => {
            ctx.nonneg(line, "failover_timeout_s", *v)?;
        }
        EventRaw::RemoveAgent { .. }
        | EventRaw::UpdateAgent { .. }
        | EventRaw::RemoveFramework { .. }
        | EventRaw::FailFramework { .. }
        | EventRaw::ReregisterFramework { .. }
        | EventRaw::DisconnectAgent { .. }
        | EventRaw::ReconnectAgent { .. } => {}
    }
    Ok(())
}

/// Layers a framework's own keys over a policy's defaults and the built-in defaults.
pub fn framework_config(
    name: &str,
    own: Option<&FrameworkRaw>,
    policy: &Policy,
) -> FrameworkConfig {
    let d = &policy.framework_defaults;
    let o = own.map(defaults_of).unwrap_or_default();
    let pick_f = |a: Option<f64>, b: Option<f64>, dflt: f64| a.or(b).unwrap_or(dflt);
    let scheduler = o
        .scheduler
        .as_deref()
        .or(d.scheduler.as_deref())
        .and_then(SchedulerKind::parse)
        .unwrap_or(SchedulerKind::Greedy);
    let job_order = match o.job_order.as_deref().or(d.job_order.as_deref()) {
        Some("fair") => JobOrder::Fair,
        _ => JobOrder::Fifo,
    };
    FrameworkConfig {
        name: name.to_string(),
        roles: own
            .and_then(|f| f.roles.clone())
            .unwrap_or_else(|| vec!["*".into()]),
        gpu_capable: own
            .and_then(|f| f.capabilities.as_ref())
            .is_some_and(|c| c.iter().any(|c| c == "gpu")),
        add: SimTime(secs_to_us(own.and_then(|f| f.add_s).unwrap_or(0.0))),
        suppressed_roles: own
            .and_then(|f| f.suppressed_roles.clone())
            .unwrap_or_default(),
        min_allocatable: own
            .and_then(|f| f.min_allocatable.as_ref())
            .map(|v| MinAllocatable(v.iter().map(ResSpec::to_resources).collect())),
        scheduler,
        node_wait_s: pick_f(o.node_wait_s, d.node_wait_s, 5.0),
        rack_wait_s: pick_f(o.rack_wait_s, d.rack_wait_s, 5.0),
        decision: SimTime(secs_to_us(pick_f(o.decision_s, d.decision_s, 0.0))),
        decision_per_task: SimTime(secs_to_us(pick_f(
            o.decision_per_task_s,
            d.decision_per_task_s,
            0.0,
        ))),
        suppress_when_idle: o
            .suppress_when_idle
            .or(d.suppress_when_idle)
            .unwrap_or(true),
        refuse_s: o.refuse_s.or(d.refuse_s),
        job_order,
        executor: o
            .executor
            .as_ref()
            .or(d.executor.as_ref())
            .map(ResSpec::to_resources)
            .unwrap_or_default(),
        executor_start: SimTime(secs_to_us(pick_f(
            o.executor_start_s,
            d.executor_start_s,
            0.0,
        ))),
        max_attempts: o.max_attempts.or(d.max_attempts),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<Scenario> {
        load_str(Path::new("t.toml"), s)
    }

    #[test]
    fn minimal_scenario_gets_defaults() {
        let s = parse("name = \"x\"\n").unwrap();
        assert_eq!(s.seed, 1);
        assert_eq!(s.replications, 1);
        assert_eq!(s.policies.len(), 1);
        assert_eq!(s.policies[0].name, "drf");
        assert_eq!(s.master.allocation_interval, SimTime(1_000_000));
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
        assert_eq!(s.events[0].at, SimTime(1_000_000));
        assert_eq!(s.events[0].line, 2);
    }

    #[test]
    fn events_out_of_order_are_rejected() {
        let e = parse("name = \"x\"\n[[events]]\nat_s = 2\naction = \"revive\"\nframework = \"f\"\n[[events]]\nat_s = 1\naction = \"revive\"\nframework = \"f\"\n").unwrap_err();
        assert!(e.to_string().contains("t.toml:6"), "{e}");
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
        assert_eq!(s.policies[0].master.allocation_interval, SimTime(500_000));
        assert_eq!(s.policies[1].framework_defaults.node_wait_s, Some(1.5));
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
