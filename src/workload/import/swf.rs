//! The Standard Workload Format of the Parallel Workloads Archive: 18 whitespace-separated
//! numeric fields per job, `;` comment lines (the header carries MaxProcs / MaxNodes, from which
//! the machines file is made).

use super::input::{Inputs, Line};
use super::{ImportRow, MachineRow, Params, Sink, Summary};
use crate::error::Result;
use crate::sim::time::secs_to_us;

/// SWF field names (1-based in the standard; index 0 here is field 1).
pub const FIELDS: [&str; 18] = [
    "job_number",
    "submit_time",
    "wait_time",
    "run_time",
    "allocated_processors",
    "average_cpu_time",
    "used_memory",
    "requested_processors",
    "requested_time",
    "requested_memory",
    "status",
    "user_id",
    "group_id",
    "executable_number",
    "queue_number",
    "partition_number",
    "preceding_job_number",
    "think_time",
];

pub fn import(
    inputs: &Inputs,
    p: &Params,
    sink: &mut Sink,
    machines: &mut Vec<MachineRow>,
) -> Result<()> {
    let kind = p.framework_kind(&["user", "group", "queue"])?;
    Params::positive("cpus-per-proc", p.cpus_per_proc)?;
    if let Some(m) = p.machine_mem_mb {
        Params::positive("machine-mem-mb", m)?;
    }
    let s = &mut sink.summary;
    s.param("framework", kind);
    s.param("cpus_per_proc", p.cpus_per_proc);
    s.param("default_mem_mb", p.default_mem_mb);
    s.param(
        "shape",
        if p.single_task {
            "single_task"
        } else {
            "task_per_processor"
        },
    );
    s.param("drop_failed", p.drop_failed);
    s.param("min_duration_s", p.min_duration_s);
    s.carries(
        "cpus",
        "allocated (else requested) processors x --cpus-per-proc",
    );
    s.carries(
        "mem_mb",
        "used (else requested) memory per processor, when the log has it",
    );
    let mut max_procs: Option<u64> = None;
    let mut max_nodes: Option<u64> = None;
    // Of the rows written: the most processors of one job and the most memory per processor.
    let mut most_procs = 0u64;
    let mut most_mem_per_proc = 0f64;
    for path in &inputs.paths {
        let file = path.display().to_string();
        inputs.for_each_line(path, |n, text| {
            let t = text.trim();
            if t.is_empty() {
                return Ok(());
            }
            if let Some(c) = t.strip_prefix(';') {
                if let Some((k, v)) = c.split_once(':') {
                    let v = v.trim().parse::<u64>().ok();
                    match k.trim() {
                        "MaxProcs" => max_procs = max_procs.or(v),
                        "MaxNodes" => max_nodes = max_nodes.or(v),
                        _ => {}
                    }
                }
                return Ok(());
            }
            let l = Line {
                file: &file,
                line: n,
                fields: t.split_whitespace().collect(),
            };
            sink.summary.read_one("swf job");
            if let Some((row, procs, mem)) = row(&l, p, kind, &mut sink.summary)? {
                if sink.push(row)? {
                    most_procs = most_procs.max(procs);
                    most_mem_per_proc = most_mem_per_proc.max(mem);
                }
            }
            Ok(())
        })?;
    }
    let Some(n) = max_procs.or(max_nodes).filter(|&n| n > 0) else {
        return Ok(());
    };
    // Memory per processor: what the largest task asks (so memory never binds before the
    // processors do, as on a machine whose memory comes with its processors), unless given.
    let mem = p.machine_mem_mb.unwrap_or(most_mem_per_proc);
    let s = &mut sink.summary;
    if mem < most_mem_per_proc {
        s.warn(format!(
            "--machine-mem-mb {mem} is below the {most_mem_per_proc} MB per processor that the \
             largest task written asks for: those tasks fit no machine"
        ));
    }
    if most_procs > n {
        s.warn(format!(
            "jobs written use up to {most_procs} processors but the log's header gives {n} \
             (MaxProcs, else MaxNodes): the machines follow the header, and {}",
            if p.single_task {
                "single tasks of more processors fit no machine"
            } else {
                "such jobs cannot have all their processors running at once"
            }
        ));
    }
    if p.single_task {
        // A job is one task that needs all its processors on one agent, and a job of the log
        // may use every processor of the machine: one agent holds the whole machine.
        s.param(
            "machines",
            format!(
                "1 agent of {n} processors: {} cpus, {} MB (--single-task: a job's processors \
                 must be on one agent)",
                n as f64 * p.cpus_per_proc,
                n as f64 * mem
            ),
        );
        machines.push(MachineRow {
            name: "machine".into(),
            rack: None,
            cpus: n as f64 * p.cpus_per_proc,
            mem_mb: n as f64 * mem,
            disk_mb: 0.0,
            gpus: 0.0,
            add_us: 0,
            remove_us: None,
        });
    } else {
        s.param(
            "machines",
            format!(
                "{n} agents of 1 processor: {} cpus, {mem} MB",
                p.cpus_per_proc
            ),
        );
        for i in 0..n {
            machines.push(MachineRow {
                name: format!("p{i}"),
                rack: None,
                cpus: p.cpus_per_proc,
                mem_mb: mem,
                disk_mb: 0.0,
                gpus: 0.0,
                add_us: 0,
                remove_us: None,
            });
        }
    }
    Ok(())
}

/// One job line: the row, its processors and its memory per processor (MB); None when it is
/// skipped on purpose (counted in `s`).
pub fn row(
    l: &Line,
    p: &Params,
    kind: &str,
    s: &mut Summary,
) -> Result<Option<(ImportRow, u64, f64)>> {
    if l.fields.len() != 18 {
        return Err(l.err(
            "",
            format!("expected the 18 SWF fields, got {}", l.fields.len()),
        ));
    }
    let mut v = [0f64; 18];
    for (i, name) in FIELDS.iter().enumerate() {
        v[i] = l.req_f64(i, name)?;
    }
    let job = l.get(0);
    let (submit, run, alloc, req_procs) = (v[1], v[3], v[4], v[7]);
    if submit < 0.0 {
        s.skip("unknown_submit_time");
        return Ok(None);
    }
    if run < 0.0 {
        s.skip("unknown_run_time");
        return Ok(None);
    }
    let status = v[10] as i64;
    if p.drop_failed && (status == 0 || status == 5) {
        s.skip(if status == 0 {
            "status_failed"
        } else {
            "status_cancelled"
        });
        return Ok(None);
    }
    let mut notes = Vec::new();
    let procs = if alloc > 0.0 {
        alloc
    } else if req_procs > 0.0 {
        notes.push("requested_processors_used");
        req_procs
    } else {
        s.skip("no_processors");
        return Ok(None);
    };
    let procs = procs.round() as u64;
    let mem_per_proc = if v[6] > 0.0 {
        v[6] / 1024.0
    } else if v[9] > 0.0 {
        v[9] / 1024.0
    } else {
        p.default_mem_mb
    };
    let mut run = run;
    if run < p.min_duration_s {
        notes.push("run_time_raised_to_min_duration_s");
        run = p.min_duration_s;
    }
    let (who, idx) = match kind {
        "group" => ("group", 12),
        "queue" => ("queue", 14),
        _ => ("user", 11),
    };
    let framework = if v[idx] < 0.0 {
        format!("{who}_unknown")
    } else {
        format!("{who}{}", l.get(idx))
    };
    let (tasks, cpus, mem_mb) = if p.single_task {
        (
            1,
            procs as f64 * p.cpus_per_proc,
            procs as f64 * mem_per_proc,
        )
    } else {
        (procs, p.cpus_per_proc, mem_per_proc)
    };
    let row = ImportRow {
        job_id: job.to_string(),
        framework,
        submit_us: secs_to_us(submit),
        tasks,
        cpus,
        mem_mb,
        duration_us: secs_to_us(run),
        notes,
        ..ImportRow::default()
    };
    Ok(Some((row, procs, mem_per_proc)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str, p: &Params) -> Result<(Option<ImportRow>, Summary)> {
        let l = Line {
            file: "x.swf",
            line: 40,
            fields: text.split_whitespace().collect(),
        };
        let mut s = Summary::default();
        let r = row(&l, p, "user", &mut s)?;
        Ok((r.map(|x| x.0), s))
    }

    #[test]
    fn processors_become_tasks_and_user_the_framework() {
        let p = Params::default();
        let (r, _) = parse(
            "    2     1460     -1   3726  128     -1    -1   -1     -1    -1 -1   1   1  -1 -1 -1 -1 -1",
            &p,
        )
        .unwrap();
        let r = r.unwrap();
        assert_eq!((r.tasks, r.cpus, r.mem_mb), (128, 1.0, 0.0));
        assert_eq!(r.framework, "user1");
        assert_eq!(r.submit_us, 1_460_000_000);
        assert_eq!(r.duration_us, 3_726_000_000);
        let p1 = Params {
            single_task: true,
            ..Params::default()
        };
        let (r, _) = parse("7 5 0 10 -1 -1 2048 4 -1 -1 1 3 1 -1 -1 -1 -1 -1", &p1).unwrap();
        let r = r.unwrap();
        assert_eq!((r.tasks, r.cpus, r.mem_mb), (1, 4.0, 8.0));
    }

    #[test]
    fn unknown_run_time_is_skipped_and_counted() {
        let (r, s) = parse(
            "1 0 -1 -1 4 -1 -1 -1 -1 -1 1 1 1 -1 -1 -1 -1 -1",
            &Params::default(),
        )
        .unwrap();
        assert!(r.is_none());
        assert_eq!(s.skipped["unknown_run_time"], 1);
    }

    #[test]
    fn malformed_lines_name_line_and_field() {
        let e = parse(
            "1 0 -1 x 4 -1 -1 -1 -1 -1 1 1 1 -1 -1 -1 -1 -1",
            &Params::default(),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("x.swf:40") && e.contains("run_time"), "{e}");
        let e = parse("1 0 -1 3 4", &Params::default())
            .unwrap_err()
            .to_string();
        assert!(e.contains("18"), "{e}");
    }
}
