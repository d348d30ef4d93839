//! Alibaba cluster traces: v2018 (batch_task, optionally batch_instance, and machine_meta) and
//! the GPU v2023 pod and node lists. Both are one pass per file; the only whole-table state is
//! the task plans that batch_instance rows refer to, and the machine list.

use super::input::{table_of, Inputs, Line};
use super::{bad_param, ImportRow, MachineRow, Params, Sink, Summary, MACHINES};
use crate::error::{Error, Result};
use crate::sim::time::secs_to_us;
use std::collections::{BTreeMap, HashMap};

const TABLES_2018: [&str; 3] = ["machine_meta", "batch_task", "batch_instance"];

/// A batch_task task name encodes its DAG: `M1` has no parent, `R4_2_3` depends on tasks 2
/// and 3; `task_...` names are independent tasks.
pub fn has_parents(task_name: &str) -> bool {
    !task_name.starts_with("task_") && task_name.contains('_')
}

/// A batch_task's request and type, which its batch_instance rows lack: (cpus, mem_mb, type,
/// whether the task has DAG parents).
type Plan = (f64, f64, String, bool);

struct Ali2018<'p> {
    p: &'p Params,
    constant: bool,
    mem_mb: f64,
    /// (job, task) -> (cpus, mem_mb, task type), only when batch_instance rows follow.
    plans: Option<HashMap<(String, String), Plan>>,
}

impl Ali2018<'_> {
    fn framework(&self, task_type: &str) -> String {
        if self.constant {
            "alibaba".into()
        } else if task_type.is_empty() {
            "type_unknown".into()
        } else {
            format!("type{task_type}")
        }
    }

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

    /// (start, end) in µs when both are known and ordered; otherwise counts the skip.
    fn times(l: &Line, start: usize, end: usize, s: &mut Summary) -> Result<Option<(i64, i64)>> {
        let a = l.f64(start, "start_time")?;
        let b = l.f64(end, "end_time")?;
        match (a, b) {
            (Some(a), Some(b)) if a > 0.0 && b > 0.0 && b >= a => {
                Ok(Some((secs_to_us(a), secs_to_us(b))))
            }
            _ => {
                s.skip("missing_or_unordered_start_end_time");
                Ok(None)
            }
        }
    }

    fn task(&mut self, l: &Line, sink: &mut Sink) -> Result<()> {
        if l.line == 1 && l.get(0) == "task_name" {
            return Ok(());
        }
        l.need(9, "task_name .. plan_mem")?;
        sink.summary.read_one("batch_task");
        let task = l.get(0);
        let job = l.req_str(2, "job_name")?;
        let instances = l.i64(1, "instance_num")?;
        let cpu = l.f64(7, "plan_cpu")?;
        let mem = l.f64(8, "plan_mem")?;
        let s = &mut sink.summary;
        if !self.status_kept(l.get(4), s) {
            return Ok(());
        }
        let (Some(cpu), Some(mem)) = (cpu, mem) else {
            s.skip("missing_plan_cpu_or_plan_mem");
            return Ok(());
        };
        if cpu < 0.0 || mem < 0.0 {
            return Err(l.err("plan_cpu", "expected plan_cpu and plan_mem >= 0"));
        }
        let cpus = cpu / 100.0;
        let mem_mb = mem / 100.0 * self.mem_mb;
        if let Some(plans) = &mut self.plans {
            plans.insert(
                (job.to_string(), task.to_string()),
                (cpus, mem_mb, l.get(3).to_string(), has_parents(task)),
            );
            return Ok(());
        }
        let Some((start, end)) = Self::times(l, 5, 6, s)? else {
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
            framework: self.framework(l.get(3)),
            submit_us: start,
            tasks: n,
            cpus,
            mem_mb,
            duration_us: end - start,
            notes: dag_note(task),
            ..ImportRow::default()
        };
        sink.push(row).map(|_| ())
    }

    fn instance(&mut self, l: &Line, sink: &mut Sink) -> Result<()> {
        if l.line == 1 && l.get(0) == "instance_name" {
            return Ok(());
        }
        l.need(7, "instance_name .. end_time")?;
        sink.summary.read_one("batch_instance");
        let task = l.get(1);
        let job = l.req_str(2, "job_name")?;
        let s = &mut sink.summary;
        if !self.status_kept(l.get(4), s) {
            return Ok(());
        }
        let Some((start, end)) = Self::times(l, 5, 6, s)? else {
            return Ok(());
        };
        let key = (job.to_string(), task.to_string());
        let Some((cpus, mem_mb, ty, parents)) =
            self.plans.as_ref().and_then(|m| m.get(&key)).cloned()
        else {
            s.skip("instance_of_task_not_kept");
            return Ok(());
        };
        let row = ImportRow {
            job_id: job.to_string(),
            framework: self.framework(&ty),
            submit_us: start,
            tasks: 1,
            cpus,
            mem_mb,
            duration_us: end - start,
            notes: if parents { vec![DAG_NOTE] } else { Vec::new() },
            ..ImportRow::default()
        };
        sink.push(row).map(|_| ())
    }
}

const DAG_NOTE: &str = "dag_dependencies_ignored";

fn dag_note(task_name: &str) -> Vec<&'static str> {
    if has_parents(task_name) {
        vec![DAG_NOTE]
    } else {
        Vec::new()
    }
}

/// machine_meta: state records per machine; the agent joins at its first USING record.
fn machine_meta(
    l: &Line,
    mem_mb: f64,
    out: &mut BTreeMap<String, Option<MachineRow>>,
    s: &mut Summary,
) -> Result<()> {
    if l.line == 1 && l.get(0) == "machine_id" {
        return Ok(());
    }
    l.need(7, "machine_id .. status")?;
    s.read_one("machine_meta");
    let name = l.req_str(0, "machine_id")?;
    let t = l.req_f64(1, "time_stamp")?;
    let cpus = l.f64(4, "cpu_num")?;
    let mem = l.f64(5, "mem_size")?;
    let slot = out.entry(name.to_string()).or_insert(None);
    if slot.is_some() || l.get(6) != "USING" {
        return Ok(());
    }
    let (Some(cpus), Some(mem)) = (cpus, mem) else {
        return Ok(());
    };
    let rack = l.get(2);
    *slot = Some(MachineRow {
        name: name.to_string(),
        rack: (!rack.is_empty()).then(|| rack.to_string()),
        cpus,
        mem_mb: mem / 100.0 * mem_mb,
        disk_mb: 0.0,
        gpus: 0.0,
        add_us: secs_to_us(t.max(0.0)),
        remove_us: None,
    });
    Ok(())
}

pub fn import_2018(
    inputs: &Inputs,
    p: &Params,
    sink: &mut Sink,
    machines: &mut Vec<MachineRow>,
) -> Result<()> {
    let kind = p.framework_kind(&["task-type", "constant"])?;
    let mem_mb = Params::positive("machine-mem-mb", p.machine_mem_mb.unwrap_or(98_304.0))?;
    let mut files = Vec::new();
    for path in &inputs.paths {
        files.push((table_of(path, &TABLES_2018)?, path));
    }
    let with_instances = files.iter().any(|(t, _)| *t == "batch_instance");
    if !files.iter().any(|(t, _)| *t == "batch_task") {
        return Err(bad_param("INPUT", "alibaba2018 needs a batch_task file"));
    }
    files.sort_by_key(|(t, _)| TABLES_2018.iter().position(|x| x == t));
    let s = &mut sink.summary;
    s.param("framework", kind);
    s.param("machine_mem_mb", mem_mb);
    s.param("status", p.status.join(","));
    s.param("dag", "ignored (submit_s = start_time)");
    s.param(
        "rows",
        if with_instances {
            "one per batch_instance"
        } else {
            "one per batch_task"
        },
    );
    s.carries("cpus", "batch_task plan_cpu");
    s.carries("mem_mb", "batch_task plan_mem");
    let mut a = Ali2018 {
        p,
        constant: kind == "constant",
        mem_mb,
        plans: with_instances.then(HashMap::new),
    };
    let mut meta = BTreeMap::new();
    for (table, path) in files {
        inputs.for_each_csv(path, |l| match table {
            "machine_meta" => machine_meta(l, mem_mb, &mut meta, &mut sink.summary),
            "batch_task" => a.task(l, sink),
            _ => a.instance(l, sink),
        })?;
    }
    for m in meta.into_values() {
        match m {
            Some(m) => machines.push(m),
            None => sink.summary.skip_as(MACHINES, "machine_never_using", 1),
        }
    }
    Ok(())
}

/// Column positions found by name in a header line.
struct Header(Vec<String>);

impl Header {
    fn col(&self, file: &str, name: &str) -> Result<usize> {
        self.0.iter().position(|h| h == name).ok_or_else(|| {
            Error::input(
                file,
                1,
                name,
                format!("required column `{name}` is missing from the header"),
            )
        })
    }
}

struct PodCols {
    name: usize,
    cpu: usize,
    mem: usize,
    ngpu: usize,
    gpu_milli: Option<usize>,
    gpu_spec: Option<usize>,
    qos: Option<usize>,
    creation: usize,
    deletion: usize,
    scheduled: usize,
}

struct Gpu2023<'p> {
    p: &'p Params,
    kind: &'static str,
}

impl Gpu2023<'_> {
    fn pod(&self, l: &Line, c: &PodCols, sink: &mut Sink) -> Result<()> {
        sink.summary.read_one("pod");
        let name = l.req_str(c.name, "name")?;
        let cpu = l.req_f64(c.cpu, "cpu_milli")?;
        let mem = l.req_f64(c.mem, "memory_mib")?;
        let ngpu = l.f64(c.ngpu, "num_gpu")?.unwrap_or(0.0);
        let milli = match c.gpu_milli {
            Some(i) => l.f64(i, "gpu_milli")?,
            None => None,
        };
        for (v, f) in [(cpu, "cpu_milli"), (mem, "memory_mib"), (ngpu, "num_gpu")] {
            if v < 0.0 {
                return Err(l.err(f, format!("expected a number >= 0, got {v}")));
            }
        }
        let created = l.req_f64(c.creation, "creation_time")?;
        let deleted = l.f64(c.deletion, "deletion_time")?;
        let scheduled = l.f64(c.scheduled, "scheduled_time")?;
        let s = &mut sink.summary;
        let start = match scheduled {
            Some(t) => t,
            None if self.p.keep_pending => created,
            None => {
                s.skip("pending_never_scheduled");
                return Ok(());
            }
        };
        let Some(deleted) = deleted else {
            s.skip("no_deletion_time");
            return Ok(());
        };
        if deleted < start {
            s.skip("deleted_before_scheduled");
            return Ok(());
        }
        let mut notes = Vec::new();
        let share = ngpu == 1.0 && milli.is_some_and(|m| m > 0.0 && m < 1000.0);
        let gpus = if share {
            if self.p.fractional_gpus {
                milli.unwrap_or(1000.0) / 1000.0
            } else {
                notes.push("gpu_share_rounded_up_to_1");
                1.0
            }
        } else {
            ngpu
        };
        if c.gpu_spec.is_some_and(|i| !l.get(i).is_empty()) {
            notes.push("gpu_spec_ignored");
        }
        let framework = match self.kind {
            "constant" => "alibaba-gpu".to_string(),
            "gpu" if ngpu == 0.0 => "cpu".into(),
            "gpu" if share => "gpu-share".into(),
            "gpu" => "gpu".into(),
            _ => match c.qos.map(|i| l.get(i)).filter(|q| !q.is_empty()) {
                Some(q) => q.to_string(),
                None => "qos_unknown".into(),
            },
        };
        let row = ImportRow {
            job_id: name.to_string(),
            framework,
            submit_us: secs_to_us(created),
            tasks: 1,
            cpus: cpu / 1000.0,
            mem_mb: mem,
            gpus,
            duration_us: secs_to_us(deleted - start),
            notes,
            ..ImportRow::default()
        };
        sink.push(row).map(|_| ())
    }
}

fn node(l: &Line, c: &[usize; 4], s: &mut Summary) -> Result<MachineRow> {
    s.read_one("node");
    let name = l.req_str(c[0], "sn")?;
    let cpu = l.req_f64(c[1], "cpu_milli")?;
    let mem = l.req_f64(c[2], "memory_mib")?;
    let gpus = l.f64(c[3], "gpu")?.unwrap_or(0.0);
    if cpu < 0.0 || mem < 0.0 || gpus < 0.0 {
        return Err(l.err("cpu_milli", "expected cpu_milli, memory_mib and gpu >= 0"));
    }
    Ok(MachineRow {
        name: name.to_string(),
        rack: None,
        cpus: cpu / 1000.0,
        mem_mb: mem,
        disk_mb: 0.0,
        gpus,
        add_us: 0,
        remove_us: None,
    })
}

/// Pods and nodes are told apart by their header (`name` vs `sn` first), not by file name.
pub fn import_gpu2023(
    inputs: &Inputs,
    p: &Params,
    sink: &mut Sink,
    machines: &mut Vec<MachineRow>,
) -> Result<()> {
    let kind = p.framework_kind(&["qos", "constant", "gpu"])?;
    let s = &mut sink.summary;
    s.param("framework", kind);
    s.param("fractional_gpus", p.fractional_gpus);
    s.param("keep_pending", p.keep_pending);
    s.carries("cpus", "pod cpu_milli");
    s.carries("mem_mb", "pod memory_mib");
    s.carries("gpus", "pod num_gpu, gpu_milli");
    let mut pods_seen = false;
    let g = Gpu2023 { p, kind };
    for path in &inputs.paths {
        let file = path.display().to_string();
        let mut pods: Option<PodCols> = None;
        let mut nodes: Option<[usize; 4]> = None;
        inputs.for_each_csv(path, |l| {
            if let Some(c) = &pods {
                return g.pod(l, c, sink);
            }
            if let Some(c) = &nodes {
                machines.push(node(l, c, &mut sink.summary)?);
                return Ok(());
            }
            let h = Header(l.fields.iter().map(|x| x.to_string()).collect());
            let opt = |n: &str| h.0.iter().position(|x| x == n);
            if h.0.iter().any(|x| x == "sn") {
                nodes = Some([
                    h.col(&file, "sn")?,
                    h.col(&file, "cpu_milli")?,
                    h.col(&file, "memory_mib")?,
                    h.col(&file, "gpu")?,
                ]);
            } else if h.0.iter().any(|x| x == "name") {
                pods = Some(PodCols {
                    name: h.col(&file, "name")?,
                    cpu: h.col(&file, "cpu_milli")?,
                    mem: h.col(&file, "memory_mib")?,
                    ngpu: h.col(&file, "num_gpu")?,
                    gpu_milli: opt("gpu_milli"),
                    gpu_spec: opt("gpu_spec"),
                    qos: opt("qos"),
                    creation: h.col(&file, "creation_time")?,
                    deletion: h.col(&file, "deletion_time")?,
                    scheduled: h.col(&file, "scheduled_time")?,
                });
            } else {
                return Err(l.err(
                    "",
                    "expected a header: a pod list (name,cpu_milli,...) or a node list \
                     (sn,cpu_milli,...)",
                ));
            }
            Ok(())
        })?;
        pods_seen |= pods.is_some();
    }
    if !pods_seen {
        return Err(bad_param("INPUT", "alibaba-gpu2023 needs a pod list file"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line<'a>(text: &'a str, n: usize) -> Line<'a> {
        Line {
            file: "pods.csv",
            line: n,
            fields: text.split(',').collect(),
        }
    }

    fn sink(name: &str) -> Sink {
        let dir = std::env::temp_dir().join(format!("offersim-ali-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        Sink::new(&dir.join(name), &Params::default()).unwrap()
    }

    fn cols() -> PodCols {
        PodCols {
            name: 0,
            cpu: 1,
            mem: 2,
            ngpu: 3,
            gpu_milli: Some(4),
            gpu_spec: Some(5),
            qos: Some(6),
            creation: 8,
            deletion: 9,
            scheduled: 10,
        }
    }

    #[test]
    fn pods_become_gpu_tasks_and_pending_pods_are_counted() {
        let p = Params::default();
        let g = Gpu2023 { p: &p, kind: "qos" };
        let mut s = sink("p1.csv");
        g.pod(
            &line(
                "openb-pod-0001,6000,12288,1,460,,LS,Running,427061,12902960,427061",
                2,
            ),
            &cols(),
            &mut s,
        )
        .unwrap();
        g.pod(
            &line("openb-pod-0002,6000,12288,1,460,,LS,Pending,5,9,", 3),
            &cols(),
            &mut s,
        )
        .unwrap();
        let sum = s.finish().unwrap();
        assert_eq!(sum.rows, 1);
        assert_eq!(sum.skipped["pending_never_scheduled"], 1);
        assert_eq!(sum.notes["gpu_share_rounded_up_to_1"], 1);
        let e = g
            .pod(
                &line("x,abc,1,1,0,,LS,Running,0,1,0", 9),
                &cols(),
                &mut sink("p2.csv"),
            )
            .unwrap_err()
            .to_string();
        assert!(e.contains("pods.csv:9") && e.contains("cpu_milli"), "{e}");
    }

    #[test]
    fn batch_tasks_use_plan_and_count_dag() {
        let p = Params::default();
        let mut a = Ali2018 {
            p: &p,
            constant: false,
            mem_mb: 1000.0,
            plans: None,
        };
        let mut s = sink("b1.csv");
        a.task(&line("R2_1,10,j_1,1,Terminated,100,160,50,0.5", 1), &mut s)
            .unwrap();
        a.task(&line("M1,1,j_1,1,Failed,100,160,50,0.5", 2), &mut s)
            .unwrap();
        a.task(&line("M3,1,j_2,1,Terminated,0,0,50,0.5", 3), &mut s)
            .unwrap();
        let sum = s.finish().unwrap();
        assert_eq!((sum.rows, sum.tasks), (1, 10));
        assert_eq!(sum.notes["dag_dependencies_ignored"], 1);
        assert_eq!(sum.skipped["status_Failed"], 1);
        assert_eq!(sum.skipped["missing_or_unordered_start_end_time"], 1);
        let e = a
            .task(
                &line("M1,1,j_1,1,Terminated,100,160,x,0.5", 7),
                &mut sink("b2.csv"),
            )
            .unwrap_err()
            .to_string();
        assert!(e.contains(":7") && e.contains("plan_cpu"), "{e}");
        assert!(
            has_parents("R4_2")
                && !has_parents("M1")
                && !has_parents("task_Nzg3ODAwNDgzMTAwNTc2NTQ2Mw==")
        );
    }
}
