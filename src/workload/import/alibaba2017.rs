//! Alibaba cluster-trace-v2017, the trace kubernetriks and many scheduling papers replay:
//! batch_task (required) and batch_instance (optional) for the workload, server_event (else
//! server_usage) for the machines. The only whole-table state is the task plans that
//! batch_instance rows refer to, and the machine list (docs/importers.md has the mapping and
//! what of it was checked against real rows).

use super::input::{table_of, Inputs, Line};
use super::{bad_param, ImportRow, MachineRow, Params, Sink, Summary, MACHINES};
use crate::error::Result;
use crate::sim::time::secs_to_us;
use std::collections::{BTreeMap, HashMap};

const TABLES: [&str; 4] = [
    "server_event",
    "server_usage",
    "batch_task",
    "batch_instance",
];

/// The one framework: the trace names no user, queue or task type.
pub const FRAMEWORK: &str = "alibaba";

/// Default memory, in MB, of a machine whose normalized memory is 1 (the trace does not disclose
/// it): 128 GiB, 2 GiB per core of the trace's 64-core machines. A modelling choice.
pub const DEFAULT_MACHINE_MEM_MB: f64 = 131_072.0;
/// Cores of a machine when only server_usage names the machines (server_event gives 64 for
/// every machine the trace's users have reported on).
pub const DEFAULT_MACHINE_CPUS: f64 = 64.0;

/// The header line some copies of batch_task carry (`task_create_time, task_end_time, ...`);
/// the trace itself has none.
fn is_header(l: &Line) -> bool {
    l.line == 1 && l.get(0).contains("time") && l.get(0).parse::<f64>().is_err()
}

struct Batch<'p> {
    p: &'p Params,
    cpu_per_core: f64,
    mem_mb: f64,
    /// (job id, task id) -> (cpus, mem_mb), only when batch_instance files are given.
    plans: Option<HashMap<(String, String), (f64, f64)>>,
}

impl Batch<'_> {
    fn status_kept(&self, status: &str, s: &mut Summary) -> bool {
        if self.p.status.iter().any(|k| k == status) {
            true
        } else {
            s.skip(&format!(
                "status_{}",
                if status.is_empty() { "empty" } else { status }
            ));
            false
        }
    }

    /// plan_cpu and plan_mem as (cpus, mem_mb), or None when either is empty.
    fn plan(&self, l: &Line) -> Result<Option<(f64, f64)>> {
        let cpu = l.f64(6, "plan_cpu")?;
        let mem = l.f64(7, "plan_mem")?;
        for (v, f) in [(cpu, "plan_cpu"), (mem, "plan_mem")] {
            if let Some(v) = v.filter(|&v| v < 0.0) {
                return Err(l.err(f, format!("expected a number >= 0, got {v}")));
            }
        }
        Ok(match (cpu, mem) {
            (Some(c), Some(m)) => Some((c / self.cpu_per_core, m * self.mem_mb)),
            _ => None,
        })
    }

    /// batch_task: create time, end time, job id, task id, instances, status, plan_cpu, plan_mem.
    fn task(&mut self, l: &Line, sink: &mut Sink) -> Result<()> {
        if is_header(l) {
            return Ok(());
        }
        l.need(
            8,
            "task_create_time, task_end_time, job_id, task_id, number_of_instances, status, \
             plan_cpu, plan_mem",
        )?;
        sink.summary.read_one("batch_task");
        let create = l.req_i64(0, "task_create_time")?;
        let end = l.i64(1, "task_end_time")?;
        let job = l.req_str(2, "job_id")?;
        let task = l.req_str(3, "task_id")?;
        let instances = l.i64(4, "number_of_instances")?;
        let plan = self.plan(l)?;
        let s = &mut sink.summary;
        if let Some(plans) = &mut self.plans {
            // Each instance row has its own status; the task's only says how the task ended.
            match plan {
                Some(p) => {
                    plans.insert((job.to_string(), task.to_string()), p);
                }
                None => s.skip("missing_plan_cpu_or_plan_mem"),
            }
            return Ok(());
        }
        if !self.status_kept(l.get(5), s) {
            return Ok(());
        }
        let Some((cpus, mem_mb)) = plan else {
            s.skip("missing_plan_cpu_or_plan_mem");
            return Ok(());
        };
        if create <= 0 {
            s.skip("created_before_trace_window");
            return Ok(());
        }
        let Some(end) = end.filter(|&e| e >= create) else {
            s.skip("missing_or_unordered_create_end_time");
            return Ok(());
        };
        let n = match instances {
            Some(n) if n > 0 => n as u64,
            _ => {
                s.skip("no_instances");
                return Ok(());
            }
        };
        let row = ImportRow {
            job_id: job.to_string(),
            framework: FRAMEWORK.into(),
            submit_us: secs_to_us(create as f64),
            tasks: n,
            cpus,
            mem_mb,
            duration_us: secs_to_us((end - create) as f64),
            ..ImportRow::default()
        };
        sink.push(row).map(|_| ())
    }

    /// batch_instance: start, end, job id, task id, machine id, status, seq_no, total_seq_no,
    /// and four usage columns (not used).
    fn instance(&mut self, l: &Line, sink: &mut Sink) -> Result<()> {
        l.need(
            6,
            "start_timestamp, end_timestamp, job_id, task_id, machine_id, status",
        )?;
        sink.summary.read_one("batch_instance");
        let start = l.i64(0, "start_timestamp")?;
        let end = l.i64(1, "end_timestamp")?;
        let (job, task) = (l.get(2), l.get(3));
        let s = &mut sink.summary;
        if job.is_empty() || task.is_empty() {
            s.skip("instance_without_job_or_task_id");
            return Ok(());
        }
        if !self.status_kept(l.get(5), s) {
            return Ok(());
        }
        let (Some(start), Some(end)) = (start, end) else {
            s.skip("missing_or_unordered_start_end_time");
            return Ok(());
        };
        if start <= 0 || end < start {
            s.skip("missing_or_unordered_start_end_time");
            return Ok(());
        }
        let key = (job.to_string(), task.to_string());
        let Some((cpus, mem_mb)) = self.plans.as_ref().and_then(|m| m.get(&key)).copied() else {
            s.skip("instance_of_task_not_in_batch_task");
            return Ok(());
        };
        let row = ImportRow {
            job_id: job.to_string(),
            framework: FRAMEWORK.into(),
            submit_us: secs_to_us(start as f64),
            tasks: 1,
            cpus,
            mem_mb,
            duration_us: secs_to_us((end - start) as f64),
            ..ImportRow::default()
        };
        sink.push(row).map(|_| ())
    }
}

/// server_event -> agents: one per add .. error incarnation (an error ends it when
/// `--machine-errors remove`); a machine added again gets `.2`, `.3`, ... after its name.
pub struct ServerEvents {
    mem_mb: f64,
    remove_on_error: bool,
    open: BTreeMap<String, MachineRow>,
    incarnations: BTreeMap<String, u32>,
    pub rows: Vec<MachineRow>,
}

impl ServerEvents {
    pub fn new(mem_mb: f64, remove_on_error: bool) -> ServerEvents {
        ServerEvents {
            mem_mb,
            remove_on_error,
            open: BTreeMap::new(),
            incarnations: BTreeMap::new(),
            rows: Vec::new(),
        }
    }

    /// timestamp, machine id, event type, event detail, cpus, normalized memory, normalized disk.
    pub fn event(&mut self, l: &Line, s: &mut Summary) -> Result<()> {
        l.need(3, "timestamp, machine_id, event_type")?;
        s.read_one("server_event");
        let t = l.req_i64(0, "timestamp")?;
        let id = l.req_str(1, "machine_id")?;
        let ev = l.get(2);
        let cpus = l.f64(4, "cpus")?;
        let mem = l.f64(5, "memory")?;
        l.f64(6, "disk")?;
        let at = secs_to_us(t.max(0) as f64);
        match ev {
            "add" => {
                if self.open.contains_key(id) {
                    s.skip("machine_added_twice");
                    return Ok(());
                }
                let (Some(cpus), Some(mem)) = (cpus, mem) else {
                    s.skip_as(MACHINES, "machine_without_capacity", 1);
                    return Ok(());
                };
                if cpus <= 0.0 || mem <= 0.0 {
                    s.skip_as(MACHINES, "machine_without_capacity", 1);
                    return Ok(());
                }
                let n = self.incarnations.entry(id.to_string()).or_insert(0);
                *n += 1;
                let name = if *n == 1 {
                    format!("m{id}")
                } else {
                    format!("m{id}.{n}")
                };
                self.open.insert(
                    id.to_string(),
                    MachineRow {
                        name,
                        rack: None,
                        cpus,
                        mem_mb: mem * self.mem_mb,
                        disk_mb: 0.0,
                        gpus: 0.0,
                        add_us: at,
                        remove_us: None,
                    },
                );
            }
            "softerror" | "harderror" => {
                if !self.remove_on_error {
                    s.skip("machine_error_ignored");
                    return Ok(());
                }
                match self.open.remove(id) {
                    Some(mut m) => {
                        m.remove_us = Some(at.max(m.add_us));
                        self.rows.push(m);
                    }
                    None => s.skip("error_of_machine_not_in_service"),
                }
            }
            _ => {
                return Err(l.err(
                    "event_type",
                    format!("expected add, softerror or harderror, got \"{ev}\""),
                ))
            }
        }
        Ok(())
    }

    pub fn finish(mut self) -> Vec<MachineRow> {
        self.rows
            .extend(std::mem::take(&mut self.open).into_values());
        self.rows
            .sort_by(|a, b| (a.add_us, &a.name).cmp(&(b.add_us, &b.name)));
        self.rows
    }
}

pub fn import(
    inputs: &Inputs,
    p: &Params,
    sink: &mut Sink,
    machines: &mut Vec<MachineRow>,
    want_machines: bool,
) -> Result<()> {
    p.framework_kind(&["constant"])?;
    let cpu_per_core = Params::positive("plan-cpu-per-core", p.plan_cpu_per_core)?;
    let mem_mb = Params::positive(
        "machine-mem-mb",
        p.machine_mem_mb.unwrap_or(DEFAULT_MACHINE_MEM_MB),
    )?;
    let machine_cpus = Params::positive(
        "machine-cpus",
        p.machine_cpus.unwrap_or(DEFAULT_MACHINE_CPUS),
    )?;
    let remove_on_error = match p.machine_errors.as_str() {
        "remove" => true,
        "ignore" => false,
        other => {
            return Err(bad_param(
                "machine-errors",
                format!("expected remove or ignore, got \"{other}\""),
            ))
        }
    };
    let mut files = Vec::new();
    for path in &inputs.paths {
        files.push((table_of(path, &TABLES)?, path));
    }
    if !files.iter().any(|(t, _)| *t == "batch_task") {
        return Err(bad_param("INPUT", "alibaba2017 needs a batch_task file"));
    }
    let has = |t: &str| files.iter().any(|(x, _)| *x == t);
    let with_instances = has("batch_instance");
    let servers = if !want_machines {
        None
    } else if has("server_event") {
        Some("server_event")
    } else if has("server_usage") {
        Some("server_usage")
    } else {
        None
    };
    files.sort_by_key(|(t, _)| TABLES.iter().position(|x| x == t));
    let s = &mut sink.summary;
    s.param("framework", FRAMEWORK);
    s.param("plan_cpu_per_core", cpu_per_core);
    s.param("machine_mem_mb", mem_mb);
    s.param("status", p.status.join(","));
    s.param(
        "rows",
        if with_instances {
            "one per batch_instance (submit_s = start_timestamp)"
        } else {
            "one per batch_task (submit_s = task_create_time, duration to task_end_time)"
        },
    );
    s.carries("cpus", "batch_task plan_cpu / --plan-cpu-per-core");
    s.carries("mem_mb", "batch_task plan_mem x --machine-mem-mb");
    match servers {
        Some("server_event") => {
            s.param("machines", "server_event (server_usage not read)");
            s.param("machine_errors", &p.machine_errors);
        }
        Some(_) => s.param(
            "machines",
            format!(
                "server_usage: each machine named gets {machine_cpus} cpus and {mem_mb} MB \
                 (--machine-cpus, --machine-mem-mb: server_usage has no capacities)"
            ),
        ),
        None if want_machines => {}
        None => s.param("machines", "server tables not read (no --machines-out)"),
    }
    let mut batch = Batch {
        p,
        cpu_per_core,
        mem_mb,
        plans: with_instances.then(HashMap::new),
    };
    let mut events = ServerEvents::new(mem_mb, remove_on_error);
    let mut usage: BTreeMap<String, ()> = BTreeMap::new();
    for (table, path) in files {
        match table {
            "server_event" | "server_usage" if Some(table) != servers => continue,
            _ => {}
        }
        inputs.for_each_csv(path, |l| match table {
            "server_event" => events.event(l, &mut sink.summary),
            "server_usage" => {
                l.need(2, "timestamp, machine_id")?;
                sink.summary.read_one("server_usage");
                l.req_i64(0, "timestamp")?;
                usage.insert(l.req_str(1, "machine_id")?.to_string(), ());
                Ok(())
            }
            "batch_task" => batch.task(l, sink),
            _ => batch.instance(l, sink),
        })?;
    }
    match servers {
        Some("server_event") => machines.extend(events.finish()),
        Some(_) => machines.extend(usage.into_keys().map(|id| MachineRow {
            name: format!("m{id}"),
            rack: None,
            cpus: machine_cpus,
            mem_mb,
            disk_mb: 0.0,
            gpus: 0.0,
            add_us: 0,
            remove_us: None,
        })),
        None => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(text: &str, n: usize) -> Line<'_> {
        Line {
            file: "batch_task.csv",
            line: n,
            fields: text.split(',').map(str::trim).collect(),
        }
    }

    fn sink(name: &str) -> Sink {
        let dir = std::env::temp_dir().join(format!("offersim-ali17-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        Sink::new(&dir.join(name), &Params::default()).unwrap()
    }

    fn batch(p: &Params, instances: bool) -> Batch<'_> {
        Batch {
            p,
            cpu_per_core: p.plan_cpu_per_core,
            mem_mb: DEFAULT_MACHINE_MEM_MB,
            plans: instances.then(HashMap::new),
        }
    }

    #[test]
    fn tasks_become_rows_of_their_instances() {
        let p = Params::default();
        let mut b = batch(&p, false);
        let mut s = sink("t1.csv");
        let header = "task_create_time, task_end_time, job_id, task_id,number_of_instances, \
                      status, number_of_cpus_requested_per_instance_in_the_task,\
                      normalized_memory_requested_per_instance_in_the_task";
        for (i, t) in [
            header,
            "6459,6524,3,4,15740,Terminated,50,0.007956928",
            "6036,6046,4,7,393,Waiting,,",
            "16341,16391,28,153,407,Failed,50,0.016007041",
            "0,10,9,1,2,Terminated,100,0.01",
            "50,40,9,2,2,Terminated,100,0.01",
        ]
        .iter()
        .enumerate()
        {
            b.task(&line(t, i + 1), &mut s).unwrap();
        }
        let sum = s.finish().unwrap();
        assert_eq!(sum.read["batch_task"], 5, "the header is not a record");
        assert_eq!((sum.rows, sum.tasks, sum.jobs), (1, 15740, 1));
        assert_eq!(sum.skipped["status_Waiting"], 1);
        assert_eq!(sum.skipped["status_Failed"], 1);
        assert_eq!(sum.skipped["created_before_trace_window"], 1);
        assert_eq!(sum.skipped["missing_or_unordered_create_end_time"], 1);
        // plan_cpu 50 is half a core; plan_mem is a fraction of the largest machine's memory.
        assert_eq!(sum.resources.largest.cpus(), 0.5);
        let want = crate::cluster::resources::to_milli(0.007956928 * DEFAULT_MACHINE_MEM_MB);
        assert_eq!(sum.resources.largest.0[1], want);
        let e = b
            .task(&line("1,2,3,4,5,Terminated,x,0.1", 9), &mut sink("t2.csv"))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("batch_task.csv:9") && e.contains("plan_cpu"),
            "{e}"
        );
        let e = b
            .task(&line("1,2,3", 4), &mut sink("t3.csv"))
            .unwrap_err()
            .to_string();
        assert!(e.contains(":4") && e.contains("8 fields"), "{e}");
    }

    #[test]
    fn instances_take_their_task_plan_and_own_times() {
        let p = Params::default();
        let mut b = batch(&p, true);
        let mut s = sink("i1.csv");
        b.task(
            &line("59581,59592,12702,79304,29,Terminated,100,0.0054", 1),
            &mut s,
        )
        .unwrap();
        b.task(&line("6036,6046,4,7,393,Waiting,,", 2), &mut s)
            .unwrap();
        for (i, t) in [
            "59581,59592,12702,79304,446,Terminated,1,1,1.01,0.12,0.035,0.031",
            "59583,59590,12702,79304,447,Failed,1,2,,,,",
            "0,,12702,79304,,Interrupted,1,1,,,,",
            "76058,76058,,,769,Terminated,1,1,0.5,0.5,,",
            "100,200,4,7,3,Terminated,1,1,,,,",
            "100,200,5,1,3,Terminated,1,1,,,,",
        ]
        .iter()
        .enumerate()
        {
            let mut l = line(t, i + 1);
            l.file = "batch_instance.csv";
            b.instance(&l, &mut s).unwrap();
        }
        let sum = s.finish().unwrap();
        assert_eq!((sum.rows, sum.tasks, sum.jobs), (1, 1, 1), "{sum}");
        assert_eq!(sum.skipped["status_Failed"], 1);
        assert_eq!(sum.skipped["status_Interrupted"], 1);
        assert_eq!(sum.skipped["instance_without_job_or_task_id"], 1);
        assert_eq!(sum.skipped["missing_plan_cpu_or_plan_mem"], 1);
        assert_eq!(sum.skipped["instance_of_task_not_in_batch_task"], 2);
        assert_eq!(sum.resources.largest.cpus(), 1.0);
    }

    #[test]
    fn server_events_add_and_remove_agents() {
        let mut s = Summary::default();
        let mut ev = ServerEvents::new(1000.0, true);
        for (i, t) in [
            "0,924,add,,64,0.6899697150104833,0.09572460286727773",
            "0,925,add,,64,,",
            "0,618,add,,64,0.5,0.1",
            "49380,618,softerror,machine_fail,0,0,0",
            "50000,618,add,,64,0.5,0.1",
            "51000,700,harderror,disk,0,0,0",
        ]
        .iter()
        .enumerate()
        {
            let mut l = line(t, i + 1);
            l.file = "server_event.csv";
            ev.event(&l, &mut s).unwrap();
        }
        let rows = ev.finish();
        let names: Vec<&str> = rows.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(names, ["m618", "m924", "m618.2"]);
        assert_eq!(rows[0].remove_us, Some(49_380_000_000));
        assert_eq!(rows[1].mem_mb, 1000.0 * 0.6899697150104833);
        assert_eq!(s.skipped["machine_without_capacity"], 1);
        assert_eq!(s.skipped["error_of_machine_not_in_service"], 1);
        let mut l = line("5,1,reboot,,,,", 9);
        l.file = "server_event.csv";
        let e = ServerEvents::new(1000.0, true)
            .event(&l, &mut s)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("server_event.csv:9") && e.contains("event_type"),
            "{e}"
        );
        let mut keep = ServerEvents::new(1000.0, false);
        let mut l = line("0,618,add,,64,0.5,0.1", 1);
        l.file = "server_event.csv";
        keep.event(&l, &mut s).unwrap();
        let mut l = line("49380,618,softerror,machine_fail,0,0,0", 2);
        l.file = "server_event.csv";
        keep.event(&l, &mut s).unwrap();
        let rows = keep.finish();
        assert_eq!(rows[0].remove_us, None);
        assert_eq!(s.skipped["machine_error_ignored"], 1);
    }
}
