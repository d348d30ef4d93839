//! `offersim import`: converters from public trace formats to the native trace (DESIGN §4.1) and
//! machines files. Each format reads its input in one pass; the shared sink applies the
//! down-sampling options and sorts rows by submit time with a bounded, spilling sort.

pub mod alibaba;
pub mod alibaba2017;
pub mod google2011;
pub mod input;
pub mod sink;
pub mod swf;
pub mod swim;
pub mod writer;

use crate::cluster::resources::{Resources, RES_NAMES};
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
    Alibaba2017,
    AlibabaGpu2023,
    Swim,
    Swf,
}

impl Format {
    pub const NAMES: [&'static str; 6] = [
        "google2011",
        "alibaba2018",
        "alibaba2017",
        "alibaba-gpu2023",
        "swim",
        "swf",
    ];

    pub fn parse(s: &str) -> Option<Format> {
        Some(match s {
            "google2011" => Format::Google2011,
            "alibaba2018" => Format::Alibaba2018,
            "alibaba2017" => Format::Alibaba2017,
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
    /// alibaba2017 constant; alibaba-gpu2023 qos|constant|gpu; swim constant; swf user|group|queue.
    #[arg(long)]
    pub framework: Option<String>,
    /// CPUs of the largest machine, which normalized requests are fractions of (google2011: 32);
    /// alibaba2017: cores of each machine named by server_usage (64).
    #[arg(long)]
    pub machine_cpus: Option<f64>,
    /// Memory of the largest machine in MB (google2011: 65536; alibaba2018: 98304; alibaba2017:
    /// 131072); swf: memory per processor (default: what the largest task asks).
    #[arg(long)]
    pub machine_mem_mb: Option<f64>,
    /// google2011: disk of the largest machine in MB; when given, disk requests are written and
    /// every machine gets this disk (default: disk is not written).
    #[arg(long)]
    pub machine_disk_mb: Option<f64>,

    /// google2011: also keep attempts that end this way, with their observed run time
    /// (comma-separated: evict,fail,kill,lost).
    #[arg(long, value_delimiter = ',', help_heading = "google2011")]
    pub keep_ended: Vec<String>,
    /// google2011: keep tasks submitted at time 0 (before the trace window), clamped to 0.
    #[arg(long, help_heading = "google2011")]
    pub keep_t0: bool,

    /// alibaba2018, alibaba2017: batch_task (or batch_instance) statuses to keep
    /// (comma-separated).
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "Terminated",
        help_heading = "alibaba2018, alibaba2017"
    )]
    pub status: Vec<String>,

    /// alibaba2017: plan_cpu units per core (100: plan_cpu 50 is half a core, as alibaba/clusterdata
    /// issue 11 confirms; 1 reads plan_cpu as cores, as the schema's wording has it).
    #[arg(long, default_value_t = 100.0, help_heading = "alibaba2017")]
    pub plan_cpu_per_core: f64,
    /// alibaba2017: what a server_event softerror or harderror does to its machine: remove
    /// (the agent leaves, its tasks are lost and resubmitted) or ignore.
    #[arg(long, default_value = "remove", help_heading = "alibaba2017")]
    pub machine_errors: String,

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

/// The unit a skip or note counts: an import reads records and writes rows, and the two are
/// not the same thing (a SWIM line becomes two rows, a Google task is several records).
pub const RECORDS: &str = "input records";
/// Rows the importer made from the input and then left out (time window, job sample, ...).
pub const ROWS: &str = "rows";
/// Google task attempts (SUBMIT .. end), each made of several records.
pub const ATTEMPTS: &str = "attempts";
pub const MACHINES: &str = "machines";

/// What an import did: counts, skipped records by reason, and the parameter values used.
#[derive(Clone, Debug, Default)]
pub struct Summary {
    pub format: String,
    /// Input records read, per input table.
    pub read: BTreeMap<String, u64>,
    /// Output rows, tasks and jobs written.
    pub rows: u64,
    pub tasks: u64,
    pub jobs: u64,
    pub machines: u64,
    /// Things left out on purpose, by reason; the unit of each reason is in `units`.
    pub skipped: BTreeMap<String, u64>,
    /// Things written but changed, or that the native format cannot express, by kind: counted
    /// on the rows (or machines) written, never on input that was left out.
    pub notes: BTreeMap<String, u64>,
    /// The unit of every reason in `skipped` and `notes` (RECORDS, ROWS, ATTEMPTS, MACHINES).
    pub units: BTreeMap<String, &'static str>,
    /// Parameter values that shaped the output.
    pub params: Vec<(String, String)>,
    /// Resource columns of the trace: what it carries, what was written, what was left out.
    pub resources: ResourceReport,
    /// Problems a replay would otherwise hit silently (tasks that fit no machine written, ...);
    /// the command line prints them even with `--quiet`.
    pub warnings: Vec<String>,
    /// Tasks of the rows written that fit no machine written (0 when no machines were written).
    pub unfit_tasks: u64,
}

/// The resource columns (`cpus`, `mem_mb`, `disk_mb`, `gpus`) of one import.
#[derive(Clone, Debug, Default)]
pub struct ResourceReport {
    /// Columns the input carries a request for, with the field they come from.
    pub carried: Vec<(&'static str, String)>,
    /// Columns that some written row requests (a non-zero amount).
    pub written: Vec<&'static str>,
    /// Columns the input carries but the importer does not write, and why.
    pub left_out: Vec<(&'static str, String)>,
    /// Columns that some written machine has (empty when no machines were written).
    pub machines: Vec<&'static str>,
    /// The largest request of any written task, per column (not one task's shape).
    pub largest: Resources,
}

impl Summary {
    /// One input record left out.
    pub fn skip(&mut self, reason: &str) {
        self.skip_as(RECORDS, reason, 1);
    }
    /// `n` things of `unit` left out for `reason`.
    pub fn skip_as(&mut self, unit: &'static str, reason: &str, n: u64) {
        if n > 0 {
            *self.skipped.entry(reason.to_string()).or_default() += n;
            self.units.insert(reason.to_string(), unit);
        }
    }
    /// A note on `n` written things of `unit`.
    pub fn note_as(&mut self, unit: &'static str, kind: &str, n: u64) {
        if n > 0 {
            *self.notes.entry(kind.to_string()).or_default() += n;
            self.units.insert(kind.to_string(), unit);
        }
    }
    pub fn read_one(&mut self, table: &str) {
        *self.read.entry(table.to_string()).or_default() += 1;
    }
    pub fn param(&mut self, name: &str, value: impl fmt::Display) {
        self.params.push((name.to_string(), value.to_string()));
    }
    /// The input carries requests of resource column `col`, from `from`.
    pub fn carries(&mut self, col: &'static str, from: impl Into<String>) {
        self.resources.carried.push((col, from.into()));
    }
    /// The input carries `col` but the importer does not write it, because `why`.
    pub fn leaves_out(&mut self, col: &'static str, why: impl Into<String>) {
        self.resources.left_out.push((col, why.into()));
    }
    pub fn warn(&mut self, msg: impl Into<String>) {
        self.warnings.push(msg.into());
    }

    /// Total left out, per unit.
    fn skipped_by_unit(&self) -> BTreeMap<&'static str, u64> {
        let mut out = BTreeMap::new();
        for (r, n) in &self.skipped {
            *out.entry(self.unit(r)).or_default() += n;
        }
        out
    }

    fn unit(&self, reason: &str) -> &'static str {
        self.units.get(reason).copied().unwrap_or(RECORDS)
    }
}

fn list(cols: &[&str]) -> String {
    if cols.is_empty() {
        "none".into()
    } else {
        cols.join(", ")
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "import {}:", self.format)?;
        let total: u64 = self.read.values().sum();
        writeln!(f, "  input: {total} records read")?;
        for (t, n) in &self.read {
            writeln!(f, "    {t}: {n}")?;
        }
        writeln!(
            f,
            "  output: {} rows written ({} tasks, {} jobs)",
            self.rows, self.tasks, self.jobs
        )?;
        if self.machines > 0 {
            writeln!(f, "  machines: {} written", self.machines)?;
        }
        let r = &self.resources;
        writeln!(f, "  resource columns:")?;
        if r.carried.is_empty() {
            writeln!(f, "    the input carries no resource request")?;
        } else {
            let c: Vec<String> = r
                .carried
                .iter()
                .map(|(c, from)| format!("{c} ({from})"))
                .collect();
            writeln!(f, "    the input carries: {}", c.join(", "))?;
        }
        writeln!(f, "    the rows request: {}", list(&r.written))?;
        for (c, why) in &r.left_out {
            writeln!(f, "    not written: {c}: {why}")?;
        }
        if self.machines > 0 {
            writeln!(f, "    the machines have: {}", list(&r.machines))?;
        }
        if self.rows > 0 {
            let l: Vec<String> = r
                .written
                .iter()
                .filter_map(|c| RES_NAMES.iter().position(|n| n == c))
                .map(|i| format!("{} {}", RES_NAMES[i], r.largest.fmt_amount(i)))
                .collect();
            writeln!(f, "    largest request per column: {}", list_s(&l))?;
        }
        let by_unit = self.skipped_by_unit();
        if by_unit.is_empty() {
            writeln!(f, "  skipped: nothing")?;
        } else {
            let t: Vec<String> = by_unit.iter().map(|(u, n)| format!("{n} {u}")).collect();
            writeln!(f, "  skipped: {}", t.join(", "))?;
            for (reason, n) in &self.skipped {
                writeln!(f, "    {reason}: {n} {}", self.unit(reason))?;
            }
        }
        if !self.notes.is_empty() {
            writeln!(f, "  notes on what was written:")?;
            for (kind, n) in &self.notes {
                writeln!(f, "    {kind}: {n} {}", self.unit(kind))?;
            }
        }
        writeln!(f, "  parameters:")?;
        for (k, v) in &self.params {
            writeln!(f, "    {k} = {v}")?;
        }
        Ok(())
    }
}

/// A request as `cpus 2, mem_mb 512` (zero columns left out).
pub fn fmt_shape(r: &Resources) -> String {
    let parts: Vec<String> = (0..RES_NAMES.len())
        .filter(|&i| r.0[i] != 0)
        .map(|i| format!("{} {}", RES_NAMES[i], r.fmt_amount(i)))
        .collect();
    list_s(&parts)
}

fn list_s(items: &[String]) -> String {
    if items.is_empty() {
        "none".into()
    } else {
        items.join(", ")
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
    let want_machines = req.machines_out.is_some();
    match req.format {
        Format::Google2011 => google2011::import(&inputs, req.params, &mut sink, &mut machines)?,
        Format::Alibaba2018 => alibaba::import_2018(&inputs, req.params, &mut sink, &mut machines)?,
        Format::Alibaba2017 => {
            alibaba2017::import(&inputs, req.params, &mut sink, &mut machines, want_machines)?
        }
        Format::AlibabaGpu2023 => {
            alibaba::import_gpu2023(&inputs, req.params, &mut sink, &mut machines)?
        }
        Format::Swim => swim::import(&inputs, req.params, &mut sink)?,
        Format::Swf => swf::import(&inputs, req.params, &mut sink, &mut machines)?,
    }
    inputs.finish();
    if want_machines && machines.is_empty() {
        // Before the trace is renamed into place: a failed import leaves earlier files alone.
        return Err(bad_param(
            "machines-out",
            "the inputs hold no machines (google2011: machine_events; alibaba2018: \
             machine_meta; alibaba2017: server_event or server_usage; alibaba-gpu2023: the \
             node list; swf: a MaxProcs or MaxNodes header)",
        ));
    }
    let shapes = std::mem::take(&mut sink.shapes);
    let mut summary = sink.finish()?;
    summary.format = Format::NAMES[req.format as usize].to_string();
    match req.machines_out {
        Some(path) => {
            let written = writer::write_machines(path, machines, req.params, &mut summary)?;
            check_fit(req.out, &written, &shapes, &mut summary)?;
        }
        None => summary.skip_as(
            MACHINES,
            "machines_not_written_without_--machines-out",
            machines.len() as u64,
        ),
    }
    Ok(summary)
}

/// Warns about what a replay on the machines written would leave unscheduled: a resource the
/// rows request that no machine has, and tasks that fit no machine (counted exactly, by reading
/// the written trace back, only when some maximal task shape fits nowhere).
fn check_fit(
    trace: &Path,
    machines: &[Resources],
    shapes: &sink::Shapes,
    summary: &mut Summary,
) -> Result<()> {
    let r = &summary.resources;
    let missing: Vec<&str> = r
        .written
        .iter()
        .copied()
        .filter(|c| !r.machines.contains(c))
        .collect();
    for c in missing {
        summary.warn(format!(
            "the rows request {c} but no machine written has any: those tasks cannot run on \
             these machines"
        ));
    }
    let mut caps = sink::Shapes::default();
    for m in machines {
        caps.add(*m);
    }
    let caps: &[Resources] = if caps.overflow {
        machines
    } else {
        &caps.maximal
    };
    let fits = |t: &Resources| caps.iter().any(|m| m.contains(t));
    if !shapes.overflow && shapes.maximal.iter().all(fits) {
        return Ok(());
    }
    let (mut rows, mut tasks) = (0u64, 0u64);
    let mut example: Option<(String, Resources)> = None;
    let mut reader = crate::workload::trace::TraceReader::open(trace)?;
    while let Some(row) = reader.next_row()? {
        if !fits(&row.shape) {
            rows += 1;
            tasks += row.tasks as u64;
            example.get_or_insert((row.job_id, row.shape));
        }
    }
    if tasks > 0 {
        summary.unfit_tasks = tasks;
        let (job, shape) = example.unwrap_or_default();
        summary.warn(format!(
            "{tasks} tasks in {rows} rows fit no machine written (the first: job {job}, {}); a \
             replay on these machines leaves them unscheduled",
            fmt_shape(&shape)
        ));
    }
    Ok(())
}
