//! Synthetic workload generators (docs/generators.md). A generator is a streaming
//! [`JobSource`]: it draws the next job only when the engine asks for it, so a generated
//! workload of any length needs no memory beyond one row. Every draw comes from the run's
//! `Purpose::Workload` stream, so the same seed gives the same workload.
//!
//! - `facebook2009`: the delay-scheduling paper's Facebook job mix: job sizes drawn from its nine
//!   size bins, Poisson arrivals, per-job or shared inputs.
//! - `poisson`: a generic generator: frameworks, arrival rate, tasks per job, task shape, task
//!   durations (constant or exponential).

use super::{JobSource, TraceRow};
use crate::cluster::resources::Resources;
use crate::error::{Error, Result};
use crate::metrics::bins::BINS;
use crate::sim::rng::{stream, Purpose};
use crate::sim::time::{secs_to_us, SimDuration, SimTime};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

pub const KINDS: [&str; 2] = ["facebook2009", "poisson"];

/// Shares of the bins among Facebook's jobs, in percent, as the paper gives them (they add up
/// to 101; they are used as weights).
pub const FACEBOOK_SHARES: [u32; 9] = [39, 16, 14, 9, 6, 6, 4, 4, 3];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Dist {
    Constant,
    Exponential,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Inputs {
    None,
    PerJob,
    Shared,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Facebook2009,
    Poisson,
}

/// Where the generator table came from, for error messages.
#[derive(Clone, Debug)]
pub struct Origin {
    pub file: String,
    /// The file's text, to find the line of a key (empty: no lines).
    pub text: String,
    /// Prefix of the field names, e.g. `workload.generator`.
    pub prefix: String,
}

impl Origin {
    fn err(&self, key: &str, msg: impl Into<String>) -> Error {
        let start = self
            .text
            .lines()
            .position(|l| l.contains("generator"))
            .unwrap_or(0);
        let line = self
            .text
            .lines()
            .enumerate()
            .skip(start)
            .find(|(_, l)| l.contains(key))
            .map(|(i, _)| i + 1)
            .unwrap_or(0);
        let field = if self.prefix.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.prefix)
        };
        Error::input(&self.file, line, field, msg)
    }
}

/// Validated generator parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct Params {
    kind: Kind,
    jobs: Option<u64>,
    end_us: Option<i64>,
    frameworks: Vec<String>,
    mean_gap_s: f64,
    tasks: u32,
    tasks_max: u32,
    max_tasks: u32,
    shape: Resources,
    duration_s: f64,
    duration: Dist,
    inputs: Inputs,
    input_pool: u32,
}

const COMMON_KEYS: [&str; 13] = [
    "kind",
    "jobs",
    "end_s",
    "frameworks",
    "mean_gap_s",
    "cpus",
    "mem_mb",
    "duration_s",
    "duration",
    "inputs",
    "input_pool",
    "tasks",
    "tasks_max",
];

fn keys_of(kind: Kind) -> Vec<&'static str> {
    let mut v: Vec<&str> = COMMON_KEYS.to_vec();
    match kind {
        Kind::Facebook2009 => {
            v.retain(|k| *k != "tasks" && *k != "tasks_max");
            v.push("max_tasks");
        }
        Kind::Poisson => {}
    }
    v
}

impl Params {
    /// The most tasks one generated job can have (for the fuzz loop's bound on a case's size).
    pub fn largest_job(&self) -> u32 {
        self.tasks.max(self.tasks_max).max(self.max_tasks)
    }

    /// The shape of every generated task.
    pub fn shape(&self) -> Resources {
        self.shape
    }

    /// The frameworks jobs go to.
    pub fn frameworks(&self) -> &[String] {
        &self.frameworks
    }

    /// No job is submitted after this instant, when the table sets `end_s`.
    pub fn end(&self) -> Option<SimTime> {
        self.end_us.map(SimTime::from_us)
    }

    pub fn from_table(t: &toml::Table, origin: &Origin) -> Result<Params> {
        let kind_s = match t.get("kind") {
            Some(toml::Value::String(s)) => s.as_str(),
            Some(_) => return Err(origin.err("kind", "expected a string")),
            None => {
                return Err(origin.err(
                    "kind",
                    format!(
                        "required key `kind` is missing (one of {})",
                        KINDS.join(", ")
                    ),
                ))
            }
        };
        let kind = match kind_s {
            "facebook2009" => Kind::Facebook2009,
            "poisson" => Kind::Poisson,
            k => {
                return Err(origin.err(
                    "kind",
                    format!(
                        "unknown generator kind \"{k}\"{} (valid: {})",
                        crate::error::nearest(k, KINDS.iter().copied())
                            .map(|n| format!("; did you mean \"{n}\"?"))
                            .unwrap_or_default(),
                        KINDS.join(", ")
                    ),
                ))
            }
        };
        let valid = keys_of(kind);
        for k in t.keys() {
            if !valid.contains(&k.as_str()) {
                let hint = crate::error::nearest(k, valid.iter().copied())
                    .map(|n| format!("; did you mean `{n}`?"))
                    .unwrap_or_default();
                return Err(origin.err(
                    k,
                    format!(
                        "unknown key `{k}` for generator \"{kind_s}\"{hint} (valid keys: {})",
                        valid.join(", ")
                    ),
                ));
            }
        }
        let num = |k: &str| -> Result<Option<f64>> {
            match t.get(k) {
                None => Ok(None),
                Some(toml::Value::Integer(i)) => Ok(Some(*i as f64)),
                Some(toml::Value::Float(f)) if f.is_finite() => Ok(Some(*f)),
                Some(_) => Err(origin.err(k, "expected a number")),
            }
        };
        let pos = |k: &str, d: f64| -> Result<f64> {
            match num(k)? {
                None => Ok(d),
                Some(v) if v > 0.0 => Ok(v),
                Some(v) => Err(origin.err(k, format!("expected a number > 0, got {v}"))),
            }
        };
        let count = |k: &str, d: u32| -> Result<u32> {
            match num(k)? {
                None => Ok(d),
                Some(v) if v >= 1.0 && v.fract() == 0.0 && v <= u32::MAX as f64 => Ok(v as u32),
                Some(v) => Err(origin.err(k, format!("expected an integer >= 1, got {v}"))),
            }
        };
        let word = |k: &str, valid: &[&str], d: &'static str| -> Result<String> {
            match t.get(k) {
                None => Ok(d.to_string()),
                Some(toml::Value::String(s)) if valid.contains(&s.as_str()) => Ok(s.clone()),
                Some(v) => Err(origin.err(
                    k,
                    format!("expected one of \"{}\", got {v}", valid.join("\", \"")),
                )),
            }
        };
        let jobs = match num("jobs")? {
            None => None,
            Some(v) if v >= 0.0 && v.fract() == 0.0 => Some(v as u64),
            Some(v) => return Err(origin.err("jobs", format!("expected an integer >= 0, got {v}"))),
        };
        let end_us = match num("end_s")? {
            None => None,
            Some(v) if v >= 0.0 => Some(secs_to_us(v)),
            Some(v) => return Err(origin.err("end_s", format!("expected a number >= 0, got {v}"))),
        };
        // A generator must end: without either limit it stops after 100 jobs.
        let jobs = if jobs.is_none() && end_us.is_none() {
            Some(100)
        } else {
            jobs
        };
        let frameworks = match t.get("frameworks") {
            None => vec![match kind {
                Kind::Facebook2009 => "hadoop".to_string(),
                Kind::Poisson => "fw1".to_string(),
            }],
            Some(toml::Value::Integer(n)) if *n >= 1 && *n <= 100_000 => {
                let w = n.to_string().len();
                (1..=*n).map(|i| format!("fw{i:0w$}")).collect()
            }
            Some(toml::Value::Array(a)) if !a.is_empty() => {
                let mut v = Vec::new();
                for x in a {
                    match x.as_str() {
                        Some(s) if !s.is_empty() && !v.iter().any(|y: &String| y == s) => {
                            v.push(s.to_string())
                        }
                        _ => {
                            return Err(origin
                                .err("frameworks", "expected distinct, non-empty framework names"))
                        }
                    }
                }
                v
            }
            Some(_) => {
                return Err(origin.err(
                    "frameworks",
                    "expected a count (integer >= 1) or a list of names",
                ))
            }
        };
        let tasks = count("tasks", 10)?;
        let tasks_max = count("tasks_max", tasks)?;
        if tasks_max < tasks {
            return Err(origin.err("tasks_max", format!("expected >= tasks ({tasks})")));
        }
        let max_tasks = count("max_tasks", 3000)?;
        if max_tasks < 1501 {
            return Err(origin.err(
                "max_tasks",
                "expected >= 1501 (the largest bin is 1501 tasks and more)",
            ));
        }
        let inputs = match word(
            "inputs",
            &["none", "per_job", "shared"],
            match kind {
                Kind::Facebook2009 => "per_job",
                Kind::Poisson => "none",
            },
        )?
        .as_str()
        {
            "per_job" => Inputs::PerJob,
            "shared" => Inputs::Shared,
            _ => Inputs::None,
        };
        let duration = match word("duration", &["constant", "exponential"], "constant")?.as_str() {
            "exponential" => Dist::Exponential,
            _ => Dist::Constant,
        };
        Ok(Params {
            kind,
            jobs,
            end_us,
            frameworks,
            mean_gap_s: pos("mean_gap_s", 14.0)?,
            tasks,
            tasks_max,
            max_tasks,
            shape: Resources::new(pos("cpus", 1.0)?, pos("mem_mb", 1024.0)?, 0.0, 0.0),
            duration_s: pos("duration_s", 30.0)?,
            duration,
            inputs,
            input_pool: count("input_pool", 10)?,
        })
    }
}

/// A generator: a lazily drawn stream of job rows.
pub struct Generator {
    p: Params,
    rng: ChaCha8Rng,
    made: u64,
    t_us: i64,
    total_share: u32,
}

impl Generator {
    pub fn new(p: Params, seed: u64) -> Generator {
        Generator {
            rng: stream(seed, Purpose::Workload),
            made: 0,
            t_us: 0,
            total_share: FACEBOOK_SHARES.iter().sum(),
            p,
        }
    }

    /// Builds a generator from a `[workload] generator = {...}` table.
    pub fn from_table(t: &toml::Table, origin: &Origin, seed: u64) -> Result<Generator> {
        Ok(Generator::new(Params::from_table(t, origin)?, seed))
    }

    fn exp(&mut self, mean: f64) -> f64 {
        // 1 - u is in (0, 1], so the logarithm is finite.
        let u: f64 = self.rng.gen();
        -mean * (1.0 - u).ln()
    }

    fn job_tasks(&mut self) -> u32 {
        match self.p.kind {
            Kind::Poisson => self.rng.gen_range(self.p.tasks..=self.p.tasks_max),
            Kind::Facebook2009 => {
                let mut x = self.rng.gen_range(0..self.total_share);
                let mut bin = 0;
                while x >= FACEBOOK_SHARES[bin] {
                    x -= FACEBOOK_SHARES[bin];
                    bin += 1;
                }
                let (a, b) = BINS[bin];
                self.rng.gen_range(a..=b.min(self.p.max_tasks))
            }
        }
    }
}

impl JobSource for Generator {
    fn next_row(&mut self) -> Result<Option<TraceRow>> {
        if self.p.jobs.is_some_and(|n| self.made >= n) {
            return Ok(None);
        }
        // The first job arrives at 0; then Poisson arrivals.
        if self.made > 0 {
            let gap = self.exp(self.p.mean_gap_s);
            self.t_us += secs_to_us(gap);
        }
        if self.p.end_us.is_some_and(|e| self.t_us > e) {
            return Ok(None);
        }
        self.made += 1;
        let n = self.made;
        let fw = if self.p.frameworks.len() == 1 {
            0
        } else {
            self.rng.gen_range(0..self.p.frameworks.len())
        };
        let tasks = self.job_tasks();
        let duration_s = match self.p.duration {
            Dist::Constant => self.p.duration_s,
            Dist::Exponential => self.exp(self.p.duration_s),
        };
        let input = match self.p.inputs {
            Inputs::None => None,
            Inputs::PerJob => Some(format!("in-j{n}")),
            Inputs::Shared => Some(format!("pool-{}", self.rng.gen_range(0..self.p.input_pool))),
        };
        Ok(Some(TraceRow {
            job_id: format!("j{n}"),
            framework: self.p.frameworks[fw].clone(),
            submit: SimTime::from_us(self.t_us),
            tasks,
            shape: self.p.shape,
            // At least a microsecond: a zero-length task would end before it starts.
            duration: SimDuration::from_us(secs_to_us(duration_s).max(1)),
            priority: 0,
            input,
            preferred_nodes: None,
            line: 0,
            // A generated job is one row.
            last_of_job: true,
        }))
    }

    fn frameworks(&mut self) -> Result<Vec<String>> {
        Ok(self.p.frameworks.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::bins::bin_of;

    fn table(s: &str) -> toml::Table {
        s.parse().unwrap()
    }

    fn origin() -> Origin {
        Origin {
            file: "s.toml".into(),
            text: String::new(),
            prefix: "workload.generator".into(),
        }
    }

    fn rows(s: &str, seed: u64) -> Vec<TraceRow> {
        let mut g = Generator::from_table(&table(s), &origin(), seed).unwrap();
        let mut v = Vec::new();
        while let Some(r) = g.next_row().unwrap() {
            v.push(r);
        }
        v
    }

    #[test]
    fn facebook_mix_follows_the_shares() {
        let r = rows("kind = \"facebook2009\"\njobs = 20000\n", 1);
        assert_eq!(r.len(), 20000);
        let mut count = [0u32; 9];
        for x in &r {
            count[bin_of(x.tasks)] += 1;
            assert!(x.tasks <= 3000);
            assert_eq!(
                x.input.as_deref(),
                Some(format!("in-{}", x.job_id).as_str())
            );
        }
        for (i, &c) in count.iter().enumerate() {
            let want = FACEBOOK_SHARES[i] as f64 / 101.0;
            let got = c as f64 / 20000.0;
            assert!((got - want).abs() < 0.01, "bin {i}: {got} vs {want}");
        }
        // Poisson arrivals with a mean gap of 14 s.
        let mean = r.last().unwrap().submit.us() as f64 / 1e6 / 19999.0;
        assert!((mean - 14.0).abs() < 0.5, "{mean}");
        assert!(r.windows(2).all(|w| w[0].submit <= w[1].submit));
    }

    #[test]
    fn same_seed_same_rows_and_limits_end_the_stream() {
        let s = "kind = \"poisson\"\nend_s = 500\nmean_gap_s = 5\nframeworks = 3\ntasks = 2\ntasks_max = 4\nduration = \"exponential\"\ninputs = \"shared\"\ninput_pool = 2\n";
        let a = rows(s, 4);
        assert_eq!(a, rows(s, 4));
        assert_ne!(a, rows(s, 5));
        assert!(a.iter().all(|r| r.submit.us() <= 500_000_000));
        assert!(a.iter().all(|r| (2..=4).contains(&r.tasks)));
        assert!(a
            .iter()
            .all(|r| matches!(r.input.as_deref(), Some("pool-0") | Some("pool-1"))));
        let names: std::collections::BTreeSet<_> = a.iter().map(|r| r.framework.clone()).collect();
        assert_eq!(names.len(), 3);
    }

    #[test]
    fn unknown_keys_and_bad_values_are_input_errors() {
        let o = Origin {
            file: "s.toml".into(),
            text: "name = \"x\"\n[workload]\ngenerator = { kind = \"poisson\", taks = 3 }\n".into(),
            prefix: "workload.generator".into(),
        };
        let e = Params::from_table(&table("kind = \"poisson\"\ntaks = 3\n"), &o).unwrap_err();
        let m = e.to_string();
        assert!(
            m.contains("s.toml:3") && m.contains("workload.generator.taks"),
            "{m}"
        );
        assert_eq!(e.exit_code(), 2);
        let e = Params::from_table(&table("kind = \"facebook2009\"\ntasks = 3\n"), &o);
        assert!(e.is_err());
        let e = Params::from_table(&table("kind = \"poison\"\n"), &o).unwrap_err();
        assert!(e.to_string().contains("poisson"), "{e}");
        let e = Params::from_table(&table("kind = \"poisson\"\nmean_gap_s = -1\n"), &o);
        assert!(e.is_err());
    }
}
