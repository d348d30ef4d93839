//! The raw shapes of scenario and policy files, as serde reads them. Unknown keys are errors
//! everywhere (`deny_unknown_fields`); nothing here is validated yet: `load` turns these into
//! the typed configuration of `scenario/mod.rs`.

use super::MAX_AMOUNT;
use crate::cluster::resources::Resources;
use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

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
    /// Err((key, message)) for the first amount out of range.
    pub(super) fn check(&self) -> std::result::Result<(), (&'static str, String)> {
        for (k, v) in [
            ("cpus", self.cpus),
            ("mem_mb", self.mem_mb),
            ("disk_mb", self.disk_mb),
            ("gpus", self.gpus),
        ] {
            if !v.is_finite() || !(0.0..=MAX_AMOUNT).contains(&v) {
                return Err((
                    k,
                    format!("expected a finite number between 0 and {MAX_AMOUNT:e}, got {v}"),
                ));
            }
        }
        Ok(())
    }
}

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
    /// Err((key, message)) for the first amount out of range.
    pub(super) fn check(&self) -> std::result::Result<(), (&'static str, String)> {
        for (k, v) in [
            ("cpus", self.cpus),
            ("mem_mb", self.mem_mb),
            ("disk_mb", self.disk_mb),
            ("gpus", self.gpus),
        ] {
            if let Some(v) = v {
                if !v.is_finite() || !(0.0..=MAX_AMOUNT).contains(&v) {
                    return Err((
                        k,
                        format!("expected a finite number between 0 and {MAX_AMOUNT:e}, got {v}"),
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

/// The keys of `[master]`, `[framework_defaults]`, `[cluster]`, `[workload]`, `[faults]` and
/// `[locality]`, to tell a user where a key written in the wrong table belongs (a test keeps
/// them in step with the structs).
pub const MASTER_KEYS: [&str; 11] = [
    "allocation_interval_s",
    "refuse_s",
    "offer_timeout_s",
    "latency_s",
    "executor_idle_s",
    "min_allocatable",
    "agent_ping_timeout_s",
    "max_agent_ping_timeouts",
    "offer_mode",
    "fair_sharing_excluded_resource_names",
    "whitelist",
];
pub const FRAMEWORK_DEFAULTS_KEYS: [&str; 11] = [
    "scheduler",
    "node_wait_s",
    "rack_wait_s",
    "decision_s",
    "decision_per_task_s",
    "suppress_when_idle",
    "refuse_s",
    "job_order",
    "executor",
    "executor_start_s",
    "max_attempts",
];
pub const CLUSTER_KEYS: [&str; 5] = ["racks", "agents_per_rack", "agent", "agents", "machines"];
pub const WORKLOAD_KEYS: [&str; 4] = ["trace", "trace_sha256", "generator", "block_replication"];
pub const FAULTS_KEYS: [&str; 2] = ["agent_mtbf_s", "agent_mttr_s"];
pub const LOCALITY_KEYS: [&str; 2] = ["rack_slowdown", "off_rack_slowdown"];

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
    pub fair_sharing_excluded_resource_names: Option<Vec<String>>,
    pub whitelist: Option<Vec<String>>,
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
    /// The trace's expected sha256 (results' inputs/ record it); checked at load.
    pub trace_sha256: Option<String>,
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
        /// The agent's capabilities (`multi_role`, `hierarchical_role`; no key: all).
        capabilities: Option<Vec<String>>,
        /// Revocable (oversubscribed) resources besides the regular ones. Read as any value so
        /// that a value of the wrong type is named by its key (the tagged enum's own error
        /// would name no field).
        revocable_cpus: Option<toml::Value>,
        revocable_mem_mb: Option<toml::Value>,
    },
    RemoveAgent {
        at_s: f64,
        agent: String,
    },
    /// New attributes, totals (each key given replaces that amount of the total) or
    /// capabilities; what is not given stays.
    UpdateAgent {
        at_s: f64,
        agent: String,
        attributes: Option<BTreeMap<String, String>>,
        cpus: Option<f64>,
        mem_mb: Option<f64>,
        disk_mb: Option<f64>,
        gpus: Option<f64>,
        capabilities: Option<Vec<String>>,
        /// A new revocable total (either key given: both replaced, a missing one by 0).
        revocable_cpus: Option<toml::Value>,
        revocable_mem_mb: Option<toml::Value>,
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
    /// A dynamic reservation (Mesos RESERVE): of a framework's offer, or by the operator.
    Reserve {
        at_s: f64,
        agent: String,
        role: String,
        framework: Option<String>,
        resources: ResSpec,
    },
    /// Undoes a dynamic reservation (Mesos UNRESERVE).
    Unreserve {
        at_s: f64,
        agent: String,
        role: String,
        framework: Option<String>,
        resources: ResSpec,
    },
    /// Replaces the agent whitelist (no `agents`: every agent may be offered again).
    UpdateWhitelist {
        at_s: f64,
        agents: Option<Vec<String>>,
    },
    /// A maintenance window on one agent or on every agent of a rack (Mesos's maintenance
    /// schedule: an unavailability from `start_s` for `duration_s`).
    ScheduleMaintenance {
        at_s: f64,
        agent: Option<String>,
        rack: Option<String>,
        start_s: f64,
        duration_s: f64,
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
    /// The part is revocable resources (a boolean; read as any value so that a wrong type is
    /// named by its key).
    pub revocable: Option<toml::Value>,
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
    pub outputs: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every listed key is one the table's struct knows (a wrong value may follow, an unknown
    /// key may not), and the struct knows no key the list lacks.
    #[test]
    fn key_lists_match_the_tables() {
        fn known<T: serde::de::DeserializeOwned>(key: &str) -> bool {
            let e = toml::from_str::<T>(&format!("{key} = 1e99")).err();
            !e.is_some_and(|e| e.message().contains("unknown field"))
        }
        fn all_listed<T: serde::de::DeserializeOwned>(keys: &[&str]) -> bool {
            let Err(e) = toml::from_str::<T>("zzz_not_a_key = 1") else {
                return false;
            };
            let msg = e.message().to_string();
            let expected = msg
                .split("expected")
                .nth(1)
                .unwrap_or("")
                .matches('`')
                .count()
                / 2;
            expected == keys.len()
        }
        for k in MASTER_KEYS {
            assert!(known::<MasterRaw>(k), "{k}");
        }
        for k in FRAMEWORK_DEFAULTS_KEYS {
            assert!(known::<FrameworkDefaultsRaw>(k), "{k}");
        }
        for k in CLUSTER_KEYS {
            assert!(known::<ClusterRaw>(k), "{k}");
        }
        for k in WORKLOAD_KEYS {
            assert!(known::<WorkloadRaw>(k), "{k}");
        }
        for k in FAULTS_KEYS {
            assert!(known::<FaultsRaw>(k), "{k}");
        }
        for k in LOCALITY_KEYS {
            assert!(known::<LocalityRaw>(k), "{k}");
        }
        assert!(all_listed::<MasterRaw>(&MASTER_KEYS));
        assert!(all_listed::<FrameworkDefaultsRaw>(&FRAMEWORK_DEFAULTS_KEYS));
        assert!(all_listed::<ClusterRaw>(&CLUSTER_KEYS));
        assert!(all_listed::<WorkloadRaw>(&WORKLOAD_KEYS));
        assert!(all_listed::<FaultsRaw>(&FAULTS_KEYS));
        assert!(all_listed::<LocalityRaw>(&LOCALITY_KEYS));
    }
}
