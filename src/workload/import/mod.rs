//! `offersim import`: converters from public trace formats to the native trace (DESIGN §4.1) and
//! machines files. Each format reads its input in one pass; the shared sink applies the
//! down-sampling options and sorts rows by submit time with a bounded, spilling sort.

pub mod alibaba;
pub mod google2011;
pub mod input;
pub mod sink;
pub mod swf;
pub mod swim;
pub mod writer;

use crate::error::{Error, Result};
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

pub use sink::{ImportRow, Sink};
pub use writer::MachineRow;

/// The formats `offersim import` knows, by their command-line names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Google2011,
    Alibaba2018,
    AlibabaGpu2023,
    Swim,
    Swf,
}

impl Format {
    pub const NAMES: [&'static str; 5] = [
        "google2011",
        "alibaba2018",
        "alibaba-gpu2023",
        "swim",
        "swf",
    ];

    pub fn parse(s: &str) -> Option<Format> {
        Some(match s {
            "google2011" => Format::Google2011,
            "alibaba2018" => Format::Alibaba2018,
            "alibaba-gpu2023" => Format::AlibabaGpu2023,
            "swim" => Format::Swim,
            "swf" => Format::Swf,
            _ => return None,
        })
    }
}

/// Every modelling parameter of every importer, with its documented default (docs/importers.md).
/// One struct so that the command line and the tests share the defaults.
#[derive(clap::Args, Debug, Clone)]
pub struct Params {
    /// Keep only jobs submitted at or after this time (trace seconds); times are rebased to it.
    #[arg(long)]
    pub from_s: Option<f64>,
    /// Keep only jobs submitted before this time (trace seconds).
    #[arg(long)]
    pub to_s: Option<f64>,
    /// Keep this fraction of jobs, chosen per job id by a generator seeded with --seed.
    #[arg(long, default_value_t = 1.0)]
    pub sample_jobs: f64,
    /// Keep this fraction of machines in the machines file (seeded per machine name).
    #[arg(long, default_value_t = 1.0)]
    pub sample_machines: f64,
    /// Seed of the job and machine sampling.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Multiply arrival times (and machine add/remove times) by K: > 1 stretches, < 1 compresses.
    #[arg(long, default_value_t = 1.0)]
    pub scale_time: f64,
    /// What becomes the framework: google2011 user|class|priority; alibaba2018 task-type|constant;
    /// alibaba-gpu2023 qos|constant|gpu; swim constant; swf user|group|queue.
    #[arg(long)]
    pub framework: Option<String>,
    /// CPUs of the largest machine, which normalized requests are fractions of (google2011: 32).
    #[arg(long)]
    pub machine_cpus: Option<f64>,
    /// Memory of the largest machine in MB (google2011: 65536; alibaba2018: 98304).
    #[arg(long)]
    pub machine_mem_mb: Option<f64>,
    /// Disk of the largest machine in MB (google2011: 1048576).
    #[arg(long)]
    pub machine_disk_mb: Option<f64>,

    /// google2011: also keep attempts that end this way, with their observed run time
    /// (comma-separated: evict,fail,kill,lost).
    #[arg(long, value_delimiter = ',', help_heading = "google2011")]
    pub keep_ended: Vec<String>,
    /// google2011: keep tasks submitted at time 0 (before the trace window), clamped to 0.
    #[arg(long, help_heading = "google2011")]
    pub keep_t0: bool,

    /// alibaba2018: batch_task statuses to keep (comma-separated).
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "Terminated",
        help_heading = "alibaba2018"
    )]
    pub status: Vec<String>,

    /// alibaba-gpu2023: keep fractional GPU shares (gpu_milli/1000) instead of a whole GPU.
    #[arg(long, help_heading = "alibaba-gpu2023")]
    pub fractional_gpus: bool,
    /// alibaba-gpu2023: keep pods that never ran, lasting deletion - creation.
    #[arg(long, help_heading = "alibaba-gpu2023")]
    pub keep_pending: bool,

    /// swim: HDFS block size in MiB (one map per block).
    #[arg(long, default_value_t = 64.0, help_heading = "swim")]
    pub block_mb: f64,
    /// swim: multiply every byte count by this (SWIM scales by target cluster size / 600).
    #[arg(long, default_value_t = 1.0, help_heading = "swim")]
    pub bytes_scale: f64,
    /// swim: fixed start-up cost of every map and reduce task, in seconds.
    #[arg(long, default_value_t = 2.0, help_heading = "swim")]
    pub task_overhead_s: f64,
    /// swim: map throughput in MiB/s.
    #[arg(long, default_value_t = 32.0, help_heading = "swim")]
    pub map_mb_per_s: f64,
    /// swim: reduce throughput in MiB/s (shuffle + output bytes).
    #[arg(long, default_value_t = 16.0, help_heading = "swim")]
    pub reduce_mb_per_s: f64,
    /// swim: MiB of shuffle + output per reduce task.
    #[arg(long, default_value_t = 1024.0, help_heading = "swim")]
    pub reduce_mb_per_task: f64,
    /// swim: write no reduce rows.
    #[arg(long, help_heading = "swim")]
    pub no_reduces: bool,
    /// swim: write no `input` column (no locality preferences).
    #[arg(long, help_heading = "swim")]
    pub no_input: bool,
    /// swim: CPUs of one map or reduce slot.
    #[arg(long, default_value_t = 1.0, help_heading = "swim")]
    pub slot_cpus: f64,
    /// swim: memory of one slot in MB.
    #[arg(long, default_value_t = 1024.0, help_heading = "swim")]
    pub slot_mem_mb: f64,

    /// swf: CPUs per processor.
    #[arg(long, default_value_t = 1.0, help_heading = "swf")]
    pub cpus_per_proc: f64,
    /// swf: memory per processor in MB when the log has none (0: memory not modelled).
    #[arg(long, default_value_t = 0.0, help_heading = "swf")]
    pub default_mem_mb: f64,
    /// swf: one task with all the processors instead of one task per processor.
    #[arg(long, help_heading = "swf")]
    pub single_task: bool,
    /// swf: drop failed (status 0) and cancelled (status 5) jobs.
    #[arg(long, help_heading = "swf")]
    pub drop_failed: bool,
    /// swf: raise shorter run times to this many seconds.
    #[arg(long, default_value_t = 0.0, help_heading = "swf")]
    pub min_duration_s: f64,

    /// Rows held in memory before the sort spills a sorted chunk to disk.
    #[arg(long, default_value_t = 200_000, hide = true)]
    pub sort_chunk_rows: usize,
}

impl Default for Params {
    fn default() -> Self {
        use clap::Parser;
        #[derive(Parser)]
        struct W {
            #[command(flatten)]
            p: Params,
        }
        W::parse_from(["offersim-import"]).p
    }
}

/// A parameter error: not tied to a file line, so it names the option.
pub fn bad_param(option: &str, msg: impl Into<String>) -> Error {
    Error::input(format!("--{option}"), 0, option, msg)
}

impl Params {
    /// Checks the format-independent options.
    pub fn check(&self) -> Result<()> {
        let frac = |name: &str, v: f64| {
            if v.is_finite() && v > 0.0 && v <= 1.0 {
                Ok(())
            } else {
                Err(bad_param(
                    name,
                    format!("expected a fraction in (0, 1], got {v}"),
                ))
            }
        };
        frac("sample-jobs", self.sample_jobs)?;
        frac("sample-machines", self.sample_machines)?;
        if !(self.scale_time.is_finite() && self.scale_time > 0.0) {
            return Err(bad_param(
                "scale-time",
                format!("expected a factor > 0, got {}", self.scale_time),
            ));
        }
        for (name, v) in [("from-s", self.from_s), ("to-s", self.to_s)] {
            if v.is_some_and(|v| !v.is_finite()) {
                return Err(bad_param(name, "expected a number of seconds"));
            }
        }
        if let (Some(a), Some(b)) = (self.from_s, self.to_s) {
            if b <= a {
                return Err(bad_param(
                    "to-s",
                    format!("--to-s {b} must be after --from-s {a}"),
                ));
            }
        }
        if self.sort_chunk_rows == 0 {
            return Err(bad_param("sort-chunk-rows", "expected at least 1"));
        }
        Ok(())
    }

    /// The framework option, checked against the kinds a format supports (first = default).
    pub fn framework_kind(&self, kinds: &[&'static str]) -> Result<&'static str> {
        match &self.framework {
            None => Ok(kinds[0]),
            Some(k) => kinds.iter().copied().find(|x| x == k).ok_or_else(|| {
                bad_param(
                    "framework",
                    format!("expected one of {}, got \"{k}\"", kinds.join(", ")),
                )
            }),
        }
    }

    /// A positive, finite parameter.
    pub fn positive(name: &str, v: f64) -> Result<f64> {
        if v.is_finite() && v > 0.0 {
            Ok(v)
        } else {
            Err(bad_param(name, format!("expected a number > 0, got {v}")))
        }
    }
}

/// What an import did: counts, skipped records by reason, and the parameter values used.
#[derive(Clone, Debug, Default)]
pub struct Summary {
    pub format: String,
    /// Records read, per input table.
    pub read: BTreeMap<String, u64>,
    pub rows: u64,
    pub tasks: u64,
    pub jobs: u64,
    pub machines: u64,
    /// Records left out on purpose, by reason.
    pub skipped: BTreeMap<String, u64>,
    /// Things that were kept but changed or could not be expressed, by kind.
    pub notes: BTreeMap<String, u64>,
    /// Parameter values that shaped the output.
    pub params: Vec<(String, String)>,
}

impl Summary {
    pub fn skip(&mut self, reason: &str) {
        self.skip_n(reason, 1);
    }
    pub fn skip_n(&mut self, reason: &str, n: u64) {
        if n > 0 {
            *self.skipped.entry(reason.to_string()).or_default() += n;
        }
    }
    pub fn note(&mut self, kind: &str) {
        *self.notes.entry(kind.to_string()).or_default() += 1;
    }
    pub fn read_one(&mut self, table: &str) {
        *self.read.entry(table.to_string()).or_default() += 1;
    }
    pub fn param(&mut self, name: &str, value: impl fmt::Display) {
        self.params.push((name.to_string(), value.to_string()));
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "import {}:", self.format)?;
        for (t, n) in &self.read {
            writeln!(f, "  read {n} {t} records")?;
        }
        writeln!(
            f,
            "  wrote {} rows, {} tasks, {} jobs",
            self.rows, self.tasks, self.jobs
        )?;
        if self.machines > 0 {
            writeln!(f, "  wrote {} machines", self.machines)?;
        }
        let total: u64 = self.skipped.values().sum();
        writeln!(f, "  skipped {total} records:")?;
        for (r, n) in &self.skipped {
            writeln!(f, "    {r}: {n}")?;
        }
        if !self.notes.is_empty() {
            writeln!(f, "  notes:")?;
            for (r, n) in &self.notes {
                writeln!(f, "    {r}: {n}")?;
            }
        }
        writeln!(f, "  parameters:")?;
        for (k, v) in &self.params {
            writeln!(f, "    {k} = {v}")?;
        }
        Ok(())
    }
}

/// One import request.
pub struct Request<'a> {
    pub format: Format,
    pub inputs: &'a [PathBuf],
    pub out: &'a Path,
    pub machines_out: Option<&'a Path>,
    pub params: &'a Params,
    /// Show a progress bar (the caller decides whether stderr is a terminal).
    pub progress: bool,
}

/// Runs an import; output files are written to temporary names and renamed at the end (see
/// `crate::outfile`: never over a file offersim did not write).
pub fn run(req: &Request) -> Result<Summary> {
    req.params.check()?;
    if req.inputs.is_empty() {
        return Err(bad_param("INPUT", "expected at least one input file"));
    }
    if let Some(m) = req.machines_out {
        // Checked now, not after a long import: a file there must be offersim's to replace.
        crate::outfile::OutFile::prepare(m, "--machines-out", crate::outfile::Kind::Machines)?;
    }
    let inputs = input::Inputs::new(req.inputs, req.progress)?;
    let mut sink = Sink::new(req.out, req.params)?;
    let mut machines: Vec<MachineRow> = Vec::new();
    match req.format {
        Format::Google2011 => google2011::import(&inputs, req.params, &mut sink, &mut machines)?,
        Format::Alibaba2018 => alibaba::import_2018(&inputs, req.params, &mut sink, &mut machines)?,
        Format::AlibabaGpu2023 => {
            alibaba::import_gpu2023(&inputs, req.params, &mut sink, &mut machines)?
        }
        Format::Swim => swim::import(&inputs, req.params, &mut sink)?,
        Format::Swf => swf::import(&inputs, req.params, &mut sink, &mut machines)?,
    }
    inputs.finish();
    let mut summary = sink.finish()?;
    summary.format = Format::NAMES[req.format as usize].to_string();
    match req.machines_out {
        Some(path) => {
            if machines.is_empty() {
                return Err(bad_param(
                    "machines-out",
                    "the inputs hold no machines (google2011: machine_events; alibaba2018: \
                     machine_meta; alibaba-gpu2023: the node list; swf: a MaxProcs header)",
                ));
            }
            writer::write_machines(path, machines, req.params, &mut summary)?;
        }
        None => summary.skip_n(
            "machines_not_written_without_--machines-out",
            machines.len() as u64,
        ),
    }
    Ok(summary)
}
