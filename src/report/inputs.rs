//! The inputs snapshot of a results folder (`inputs/scenario.toml` and the policy files it
//! lists), read back as plain TOML for the report: the scenario's name and description, a policy's
//! settings (for the paper figures, which plot a metric against a policy's parameter), and the
//! cluster's totals when the scenario states them. Read leniently: the snapshot is what a run
//! copied, and a report must still be drawn when it is missing or from an older offersim.

use crate::error::{Error, Result};
use crate::report::INPUTS_DIR;
use std::path::Path;
use toml::Value;

/// The snapshot: the files verbatim (for the report's Inputs section) and the scenario parsed.
#[derive(Clone, Debug, Default)]
pub struct Inputs {
    /// (file name, text), the scenario first, then policy files by name.
    pub files: Vec<(String, String)>,
    pub scenario: Option<Value>,
}

impl Inputs {
    pub fn read(dir: &Path) -> Result<Inputs> {
        let idir = dir.join(INPUTS_DIR);
        let mut names: Vec<String> = std::fs::read_dir(&idir)
            .into_iter()
            .flatten()
            .flatten()
            .filter(|e| e.path().is_file())
            .map(|e| e.file_name().to_string_lossy().to_string())
            // The copied trace and machines file are data, not text to show.
            .filter(|f| f.ends_with(".toml"))
            .collect();
        names.sort_by_key(|f| (f != "scenario.toml", f.clone()));
        let mut files = Vec::new();
        for f in names {
            let p = idir.join(&f);
            let text = std::fs::read_to_string(&p).map_err(|e| Error::read(&p, e))?;
            files.push((f, text));
        }
        let scenario = files
            .iter()
            .find(|(f, _)| f == "scenario.toml")
            .and_then(|(_, t)| toml::from_str::<Value>(t).ok());
        Ok(Inputs { files, scenario })
    }

    fn str_key(&self, key: &str) -> Option<String> {
        self.scenario
            .as_ref()?
            .get(key)?
            .as_str()
            .map(str::to_string)
    }

    pub fn name(&self) -> Option<String> {
        self.str_key("name")
    }

    pub fn description(&self) -> Option<String> {
        self.str_key("description")
    }

    /// A policy's table: an inline `[[policy]]` with that name, or a listed policy file whose
    /// `name` it is.
    fn policy_table(&self, name: &str) -> Option<Value> {
        let s = self.scenario.as_ref()?;
        if let Some(list) = s.get("policy").and_then(Value::as_array) {
            if let Some(p) = list
                .iter()
                .find(|p| p.get("name").and_then(Value::as_str) == Some(name))
            {
                return Some(p.clone());
            }
        }
        self.files
            .iter()
            .filter(|(f, _)| f.starts_with("policy-"))
            .filter_map(|(_, t)| toml::from_str::<Value>(t).ok())
            .find(|p| p.get("name").and_then(Value::as_str) == Some(name))
    }

    /// A setting of a policy as the run saw it: a `[sweep]` value in the policy's name
    /// (`base@key=value+...`) first, then the policy's `[master]` or `[framework_defaults]`
    /// key, then the scenario's `[master]` key. `allocator` is the policy's allocator.
    pub fn policy_setting(&self, policy: &str, key: &str) -> Option<Value> {
        let (base, sweep) = match policy.split_once('@') {
            Some((b, s)) => (b, Some(s)),
            None => (policy, None),
        };
        if let Some(s) = sweep {
            for kv in s.split('+') {
                if let Some((k, v)) = kv.split_once('=') {
                    if k == key {
                        return toml::from_str::<Value>(&format!("v = {v}"))
                            .ok()
                            .and_then(|t| t.get("v").cloned())
                            .or_else(|| Some(Value::String(v.to_string())));
                    }
                }
            }
        }
        let p = self.policy_table(base);
        if key == "allocator" {
            return p.and_then(|p| p.get("allocator").cloned());
        }
        for table in ["master", "framework_defaults"] {
            if let Some(v) = p
                .as_ref()
                .and_then(|p| p.get(table))
                .and_then(|t| t.get(key))
            {
                return Some(v.clone());
            }
        }
        self.scenario
            .as_ref()?
            .get("master")
            .and_then(|m| m.get(key))
            .cloned()
    }

    /// A number-valued policy setting.
    pub fn policy_number(&self, policy: &str, key: &str) -> Option<f64> {
        self.policy_setting(policy, key).and_then(|v| number(&v))
    }

    /// A string-valued policy setting.
    pub fn policy_str(&self, policy: &str, key: &str) -> Option<String> {
        self.policy_setting(policy, key)
            .and_then(|v| v.as_str().map(str::to_string))
    }

    /// A scenario key by path (`["workload", "block_replication"]`).
    pub fn scenario_value(&self, path: &[&str]) -> Option<&Value> {
        let mut v = self.scenario.as_ref()?;
        for k in path {
            v = v.get(*k)?;
        }
        Some(v)
    }

    /// The number of agents and the totals of `resource` (`cpus`, `mem_mb`) of the cluster the
    /// scenario states: generated agents plus `[[cluster.agents]]`. None when it names a
    /// machines file (not in the snapshot) or has agents that join or leave.
    pub fn cluster_total(&self, resource: &str) -> Option<(u64, f64)> {
        let c = self.scenario_value(&["cluster"])?;
        if c.get("machines").is_some() {
            return None;
        }
        let mut agents = 0u64;
        let mut total = 0.0;
        if let (Some(r), Some(n), Some(a)) = (
            c.get("racks").and_then(number),
            c.get("agents_per_rack").and_then(number),
            c.get("agent"),
        ) {
            let k = (r * n) as u64;
            agents += k;
            total += k as f64 * a.get(resource).and_then(number).unwrap_or(0.0);
        }
        for a in c
            .get("agents")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if a.get("add_s").and_then(number).unwrap_or(0.0) > 0.0 || a.get("remove_s").is_some() {
                return None;
            }
            agents += 1;
            total += a.get(resource).and_then(number).unwrap_or(0.0);
        }
        (agents > 0).then_some((agents, total))
    }
}

pub fn number(v: &Value) -> Option<f64> {
    v.as_float().or_else(|| v.as_integer().map(|i| i as f64))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inputs(text: &str) -> Inputs {
        Inputs {
            files: vec![("scenario.toml".into(), text.into())],
            scenario: toml::from_str(text).ok(),
        }
    }

    #[test]
    fn policy_settings_come_from_sweep_policy_then_scenario() {
        let i = inputs(
            r#"
name = "x"
[master]
refuse_s = 3
[[policy]]
name = "p"
allocator = "drf"
[policy.master]
offer_mode = "cell"
[policy.framework_defaults]
decision_s = 10
"#,
        );
        assert_eq!(i.policy_number("p", "decision_s"), Some(10.0));
        assert_eq!(i.policy_str("p", "offer_mode").as_deref(), Some("cell"));
        assert_eq!(i.policy_number("p", "refuse_s"), Some(3.0));
        assert_eq!(i.policy_str("p", "allocator").as_deref(), Some("drf"));
        assert_eq!(
            i.policy_number("p@decision_s=0.5+node_wait_s=2", "decision_s"),
            Some(0.5)
        );
        assert_eq!(i.policy_number("q", "decision_s"), None);
    }

    #[test]
    fn cluster_totals_of_generated_and_listed_agents() {
        let i = inputs(
            r#"
[cluster]
racks = 2
agents_per_rack = 3
agent = { cpus = 4, mem_mb = 100 }
[[cluster.agents]]
name = "a"
cpus = 1
mem_mb = 10
"#,
        );
        assert_eq!(i.cluster_total("cpus"), Some((7, 25.0)));
        assert_eq!(i.cluster_total("mem_mb"), Some((7, 610.0)));
        assert_eq!(
            inputs("[cluster]\nmachines = \"m.csv\"\n").cluster_total("cpus"),
            None
        );
    }
}
