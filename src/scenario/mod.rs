//! Scenario and policy files (TOML) turned into a typed run configuration. Everything the
//! simulation needs is parsed and checked here, before anything runs, with file:line:field
//! errors; nothing downstream reads a string of the file again or falls back silently.
//!
//! - `raw.rs`: the files' shapes as serde reads them (unknown keys are errors).
//! - `load.rs`: loading, validation and layering (policy files, `[master]`, cluster, roles).
//! - `events.rs`: `[[events]]` into [`ScriptAction`]s.
//! - `sweep.rs`: `[sweep]` grids into policy variants.
//!
//! Names of agents, frameworks and roles stay names: they refer to things that exist only while
//! the simulation runs, and are resolved then (with an error naming the event's line).

mod events;
mod load;
mod raw;
mod sweep;

pub use events::{DeclinePart, MaintenanceTarget, ScriptAction, TotalUpdate, UsedSpec};
pub use load::{load, load_in, load_policy_file, load_str, read_text};

/// Where `field` of the table at `line` of the scenario file `path` is written, and its full
/// path (`events.framework`): for errors found while the scenario runs.
pub(crate) fn locate_key(path: &std::path::Path, line: usize, field: &str) -> (usize, String) {
    let src = std::fs::read_to_string(path).unwrap_or_default();
    load::key_at(&src, line, field)
}
pub use sweep::{SWEEP_FRAMEWORK_KEYS, SWEEP_MASTER_KEYS};

use crate::allocator::{AllocatorKind, OfferMode};
use crate::cluster::resources::{FairnessExclusion, Limits, MinAllocatable, Resources};
use crate::scheduler::{JobOrder, SchedulerKind, SchedulerSpec};
use crate::sim::{SimDuration, SimTime};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// The largest resource amount an input may name. Amounts are summed in fixed point (i64
/// thousandths) over every agent, so an unbounded amount could overflow the cluster total.
pub const MAX_AMOUNT: f64 = 1e12;
/// The largest number of seconds an input may name (about 31 years). Times are summed in i64
/// microseconds (a submit time plus a slowed-down duration, a timer plus its delay), so bounding
/// every input keeps every sum far from overflow.
pub const MAX_SECONDS: f64 = 1e9;
/// The largest locality slowdown factor: a slowed-down duration must stay within i64 µs.
pub const MAX_SLOWDOWN: f64 = 1e3;
/// The most agents a cluster may have: far beyond any real cell (12,500 in the Google trace),
/// and small enough that a typo cannot exhaust memory before anything runs.
pub const MAX_AGENTS: u64 = 1_000_000;

/// The master's settings (`[master]`, layered: scenario, then a policy's overrides, then a sweep
/// point).
#[derive(Clone, Debug, PartialEq)]
pub struct MasterConfig {
    pub allocation_interval: SimDuration,
    /// The filter a decline installs unless the framework asks for another (0: none).
    pub refuse: SimDuration,
    /// Zero: offers never time out.
    pub offer_timeout: SimDuration,
    pub latency: SimDuration,
    pub executor_idle: SimDuration,
    pub min_allocatable: MinAllocatable,
    /// Mesos's `--agent_ping_timeout` (15 s).
    pub agent_ping_timeout: SimDuration,
    /// Mesos's `--max_agent_ping_timeouts` (5): an unreachable agent is removed after
    /// `agent_ping_timeout * max_agent_ping_timeouts`.
    pub max_agent_ping_timeouts: u32,
    pub offer_mode: OfferMode,
    /// Mesos's `--fair_sharing_excluded_resource_names` (none by default).
    pub fair_exclusion: FairnessExclusion,
    /// Mesos's `--whitelist`: the names of the agents that may be offered (None: all).
    pub whitelist: Option<Vec<String>>,
}

impl Default for MasterConfig {
    fn default() -> Self {
        MasterConfig {
            allocation_interval: SimDuration::from_secs(1),
            refuse: SimDuration::from_secs(5),
            offer_timeout: SimDuration::ZERO,
            latency: SimDuration::ZERO,
            executor_idle: SimDuration::ZERO,
            min_allocatable: MinAllocatable::default(),
            agent_ping_timeout: SimDuration::from_secs(15),
            max_agent_ping_timeouts: 5,
            offer_mode: OfferMode::PerAgent,
            fair_exclusion: FairnessExclusion::NONE,
            whitelist: None,
        }
    }
}

/// Framework-side keys that a policy's `[framework_defaults]` may set and a framework's own
/// table may override. `None`: not set at this layer.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FrameworkDefaults {
    pub scheduler: Option<SchedulerKind>,
    pub node_wait: Option<SimDuration>,
    pub rack_wait: Option<SimDuration>,
    pub decision: Option<SimDuration>,
    pub decision_per_task: Option<SimDuration>,
    pub suppress_when_idle: Option<bool>,
    pub refuse: Option<SimDuration>,
    pub job_order: Option<JobOrder>,
    pub executor: Option<Resources>,
    pub executor_start: Option<SimDuration>,
    pub max_attempts: Option<u32>,
}

/// A `[[frameworks]]` table: what the scenario says of one framework.
#[derive(Clone, Debug, PartialEq)]
pub struct FrameworkSpec {
    pub name: String,
    pub line: usize,
    /// None: `["*"]`.
    pub roles: Option<Vec<String>>,
    pub gpu_capable: bool,
    /// `capabilities = ["multi_role"]` (a framework with several roles has it anyway).
    pub multi_role: bool,
    /// `capabilities = ["revocable_resources"]`: may be offered revocable resources.
    pub revocable: bool,
    pub add: SimTime,
    pub suppressed_roles: Vec<String>,
    pub min_allocatable: Option<MinAllocatable>,
    pub own: FrameworkDefaults,
}

/// Framework settings after layering: the framework's table > the policy's defaults >
/// built-ins.
#[derive(Clone, Debug, PartialEq)]
pub struct FrameworkConfig {
    pub name: String,
    pub roles: Vec<String>,
    pub gpu_capable: bool,
    /// Declared MULTI_ROLE capability (several roles imply it).
    pub multi_role: bool,
    /// Declared REVOCABLE_RESOURCES capability.
    pub revocable: bool,
    pub add: SimTime,
    pub suppressed_roles: Vec<String>,
    pub min_allocatable: Option<MinAllocatable>,
    pub scheduler: SchedulerSpec,
    pub decision: SimDuration,
    pub decision_per_task: SimDuration,
    pub suppress_when_idle: bool,
    /// The filter this framework asks for when it declines (None: the master's).
    pub refuse: Option<SimDuration>,
    pub executor: Resources,
    pub executor_start: SimDuration,
    /// Scheduling attempts after which a job not fully scheduled is abandoned (None: never).
    pub max_attempts: Option<u32>,
}

impl FrameworkConfig {
    /// Layers a framework's own keys over a policy's defaults and the built-in defaults.
    pub fn layered(name: &str, own: Option<&FrameworkSpec>, policy: &Policy) -> FrameworkConfig {
        let d = &policy.framework_defaults;
        let o = own.map(|f| f.own.clone()).unwrap_or_default();
        let dur = |a: Option<SimDuration>, b: Option<SimDuration>, dflt: SimDuration| {
            a.or(b).unwrap_or(dflt)
        };
        FrameworkConfig {
            name: name.to_string(),
            roles: own
                .and_then(|f| f.roles.clone())
                .unwrap_or_else(|| vec!["*".into()]),
            gpu_capable: own.is_some_and(|f| f.gpu_capable),
            multi_role: own.is_some_and(|f| f.multi_role),
            revocable: own.is_some_and(|f| f.revocable),
            add: own.map(|f| f.add).unwrap_or(SimTime::ZERO),
            suppressed_roles: own.map(|f| f.suppressed_roles.clone()).unwrap_or_default(),
            min_allocatable: own.and_then(|f| f.min_allocatable.clone()),
            scheduler: SchedulerSpec {
                kind: o.scheduler.or(d.scheduler).unwrap_or(SchedulerKind::Greedy),
                job_order: o.job_order.or(d.job_order).unwrap_or(JobOrder::Fifo),
                node_wait: dur(o.node_wait, d.node_wait, SimDuration::from_secs(5)),
                rack_wait: dur(o.rack_wait, d.rack_wait, SimDuration::from_secs(5)),
            },
            decision: dur(o.decision, d.decision, SimDuration::ZERO),
            decision_per_task: dur(o.decision_per_task, d.decision_per_task, SimDuration::ZERO),
            suppress_when_idle: o
                .suppress_when_idle
                .or(d.suppress_when_idle)
                .unwrap_or(true),
            refuse: o.refuse.or(d.refuse),
            executor: o.executor.or(d.executor).unwrap_or_default(),
            executor_start: dur(o.executor_start, d.executor_start, SimDuration::ZERO),
            max_attempts: o.max_attempts.or(d.max_attempts),
        }
    }
}

/// A named policy: an allocator with master and framework-side settings.
#[derive(Clone, Debug, PartialEq)]
pub struct Policy {
    pub name: String,
    pub allocator: AllocatorKind,
    pub master: MasterConfig,
    pub framework_defaults: FrameworkDefaults,
    /// Where the policy came from ("inline" or a file path), for the report.
    pub source: String,
    pub description: String,
    /// Preemption for the `priority` allocator (None: never preempt).
    pub preempt_after: Option<SimDuration>,
}

/// An agent of the cluster table.
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

/// `[roles.NAME]`.
#[derive(Clone, Debug, PartialEq)]
pub struct RoleConfig {
    pub weight: f64,
    pub priority: i64,
    pub guarantees: Resources,
    pub limits: Option<Limits>,
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

/// Where the jobs come from.
#[derive(Clone, Debug, PartialEq)]
pub enum WorkloadSource {
    None,
    Trace(PathBuf),
    Generator(crate::workload::gen::Params),
}

/// One `[[events]]` entry, typed, with the line it came from for run-time errors.
#[derive(Clone, Debug, PartialEq)]
pub struct ScriptedEvent {
    pub at: SimTime,
    pub line: usize,
    pub action: ScriptAction,
}

/// `[locality]`: task duration multipliers by locality.
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

/// Which files a run writes into its folder (`--outputs`, or the scenario's `outputs` key).
/// Each level adds to the one before; none grows with offers x agents except `All`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Outputs {
    /// The small per-run files: frameworks.csv, utilization.csv, bins.csv (scale runs).
    Summary,
    /// Also tasks.csv, jobs.csv and shares.csv (bounded to a row per framework and role per
    /// allocation interval).
    #[default]
    Default,
    /// Also offers.csv, a row per offer.
    All,
}

impl Outputs {
    pub const NAMES: [&'static str; 3] = ["summary", "default", "all"];

    pub fn parse(s: &str) -> Option<Outputs> {
        match s {
            "summary" => Some(Outputs::Summary),
            "default" => Some(Outputs::Default),
            "all" => Some(Outputs::All),
            _ => None,
        }
    }
}

/// A loaded scenario.
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
    pub frameworks: Vec<FrameworkSpec>,
    pub roles: BTreeMap<String, RoleConfig>,
    pub events: Vec<ScriptedEvent>,
    pub locality: Locality,
    pub tolerance: BTreeMap<String, f64>,
    pub faults: Faults,
    /// The `outputs` key (None: not given; `--outputs` wins over it).
    pub outputs: Option<Outputs>,
}

impl Scenario {
    /// It schedules maintenance (and so writes inverse_offers.csv).
    pub fn uses_maintenance(&self) -> bool {
        self.events
            .iter()
            .any(|e| matches!(e.action, ScriptAction::ScheduleMaintenance { .. }))
    }
    /// It gives agents revocable resources, declares the `revocable_resources` capability or
    /// declines a revocable part (offers.csv then has the revocable columns).
    pub fn uses_revocable(&self) -> bool {
        self.frameworks.iter().any(|f| f.revocable)
            || self.events.iter().any(|e| match &e.action {
                ScriptAction::AddAgent { revocable, .. } => !revocable.is_zero(),
                ScriptAction::UpdateAgent { revocable, .. } => revocable.is_some(),
                ScriptAction::AddFramework { revocable, .. } => revocable == &Some(true),
                ScriptAction::Decline { part, .. } => part.as_ref().is_some_and(|p| p.revocable),
                _ => false,
            })
    }
    /// The framework table of that name, if the scenario lists one.
    pub fn framework(&self, name: &str) -> Option<&FrameworkSpec> {
        self.frameworks.iter().find(|f| f.name == name)
    }

    /// The path of the workload trace, or "workload" when it is generated (for error messages).
    pub fn workload_file(&self) -> String {
        match &self.workload {
            WorkloadSource::Trace(p) => p.display().to_string(),
            _ => "workload".to_string(),
        }
    }
}
