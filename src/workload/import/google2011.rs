//! Google clusterdata-2011-2: task_events (required), job_events and machine_events (optional).
//! Task lifecycles span shards, so state is kept per open (job, task index) attempt only, and
//! each finished attempt becomes one row (docs/importers.md has the full mapping).

use super::input::{table_of, Inputs, Line};
use super::{bad_param, ImportRow, MachineRow, Params, Sink, Summary, ATTEMPTS, MACHINES};
use crate::error::Error;
use crate::error::Result;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// Trace times count from 600 s before the window opens.
pub const OFFSET_US: i64 = 600_000_000;
/// The time of records that happened after the trace window.
pub const AFTER_WINDOW: i64 = i64::MAX;

const TABLES: [&str; 3] = ["job_events", "machine_events", "task_events"];
const ENDS: [(i64, &str); 4] = [(2, "evict"), (3, "fail"), (5, "kill"), (6, "lost")];

/// An attempt of a task still open: submitted or scheduled, not yet ended.
#[derive(Clone, Debug, Default)]
struct Attempt {
    submit_t: Option<i64>,
    schedule_t: Option<i64>,
    user: String,
    class: Option<i64>,
    priority: Option<i64>,
    cpu: f64,
    mem: f64,
    disk: f64,
    different_machines: bool,
}

/// The importer state: open attempts and what it needs to turn them into rows.
pub struct Google<'p> {
    p: &'p Params,
    kind: &'static str,
    keep: Vec<i64>,
    cpus: f64,
    mem_mb: f64,
    /// None: disk requests are not written (machine_events carry no disk to match them).
    disk_mb: Option<f64>,
    open: HashMap<(i64, i64), Attempt>,
    /// job ID -> (user, scheduling class) from job_events, a fallback for empty task fields.
    jobs: HashMap<i64, (String, Option<i64>)>,
}

impl<'p> Google<'p> {
    pub fn new(p: &'p Params, s: &mut Summary) -> Result<Google<'p>> {
        let kind = p.framework_kind(&["user", "class", "priority"])?;
        let mut keep = Vec::new();
        for k in &p.keep_ended {
            match ENDS.iter().find(|(_, n)| n == k) {
                Some((code, _)) => keep.push(*code),
                None => {
                    return Err(bad_param(
                        "keep-ended",
                        format!("expected evict, fail, kill or lost, got \"{k}\""),
                    ))
                }
            }
        }
        let cpus = Params::positive("machine-cpus", p.machine_cpus.unwrap_or(32.0))?;
        let mem_mb = Params::positive("machine-mem-mb", p.machine_mem_mb.unwrap_or(65536.0))?;
        let disk_mb = match p.machine_disk_mb {
            Some(d) => Some(Params::positive("machine-disk-mb", d)?),
            None => None,
        };
        s.param("framework", kind);
        s.param("machine_cpus", cpus);
        s.param("machine_mem_mb", mem_mb);
        s.param(
            "machine_disk_mb",
            disk_mb.map_or("none (disk not written)".to_string(), |d| d.to_string()),
        );
        s.carries("cpus", "task_events CPU request");
        s.carries("mem_mb", "task_events memory request");
        s.carries("disk_mb", "task_events disk space request");
        if disk_mb.is_none() {
            s.leaves_out(
                "disk_mb",
                "machine_events carry no disk capacity, so no machine could be given a disk that \
                 matches; --machine-disk-mb MB writes disk requests as fractions of MB and gives \
                 every machine MB of disk",
            );
        }
        s.param(
            "keep_ended",
            if p.keep_ended.is_empty() {
                "none".to_string()
            } else {
                p.keep_ended.join(",")
            },
        );
        s.param("keep_t0", p.keep_t0);
        Ok(Google {
            p,
            kind,
            keep,
            cpus,
            mem_mb,
            disk_mb,
            open: HashMap::new(),
            jobs: HashMap::new(),
        })
    }

    pub fn job_event(&mut self, l: &Line, s: &mut Summary) -> Result<()> {
        l.need(4, "time, missing info, job ID, event type")?;
        l.req_i64(0, "time")?;
        let job = l.req_i64(2, "job ID")?;
        let ev = l.req_i64(3, "event type")?;
        if !(0..=8).contains(&ev) {
            return Err(l.err("event type", format!("expected 0 to 8, got {ev}")));
        }
        s.read_one("job_events");
        if ev == 0 {
            let class = l.i64(5, "scheduling class")?;
            self.jobs.insert(job, (l.get(4).to_string(), class));
        }
        Ok(())
    }

    /// One task_events record; a row is pushed when an attempt that is kept ends.
    pub fn task_event(&mut self, l: &Line, sink: &mut Sink) -> Result<()> {
        l.need(
            6,
            "time, missing info, job ID, task index, machine ID, event type",
        )?;
        let t = l.req_i64(0, "time")?;
        let job = l.req_i64(2, "job ID")?;
        let idx = l.req_i64(3, "task index")?;
        let ev = l.req_i64(5, "event type")?;
        let class = l.i64(7, "scheduling class")?;
        let priority = l.i64(8, "priority")?;
        let cpu = l.f64(9, "CPU request")?;
        let mem = l.f64(10, "memory request")?;
        let disk = l.f64(11, "disk space request")?;
        let diff = l.i64(12, "different machines restriction")?;
        sink.summary.read_one("task_events");
        let key = (job, idx);
        let update = |a: &mut Attempt| {
            if !l.get(6).is_empty() {
                a.user = l.get(6).to_string();
            }
            a.class = class.or(a.class);
            a.priority = priority.or(a.priority);
            a.cpu = cpu.unwrap_or(a.cpu);
            a.mem = mem.unwrap_or(a.mem);
            a.disk = disk.unwrap_or(a.disk);
            a.different_machines |= diff == Some(1);
        };
        match ev {
            0 => {
                if self.open.get(&key).is_some_and(|a| a.schedule_t.is_some()) {
                    sink.summary
                        .skip_as(ATTEMPTS, "attempt_resubmitted_without_end", 1);
                }
                let mut a = Attempt {
                    submit_t: Some(t),
                    ..Attempt::default()
                };
                update(&mut a);
                self.open.insert(key, a);
            }
            1 => {
                let a = self.open.entry(key).or_default();
                update(a);
                a.schedule_t = Some(t);
            }
            7 | 8 => match self.open.get_mut(&key) {
                Some(a) => update(a),
                None => sink.summary.skip("update_of_task_not_open"),
            },
            2..=6 => {
                let Some(mut a) = self.open.remove(&key) else {
                    sink.summary.skip("end_of_task_not_open");
                    return Ok(());
                };
                update(&mut a);
                let name = ENDS
                    .iter()
                    .find(|(c, _)| *c == ev)
                    .map_or("finish", |(_, n)| n);
                if ev != 4 && !self.keep.contains(&ev) {
                    let pending = if a.schedule_t.is_none() {
                        "_while_pending"
                    } else {
                        ""
                    };
                    sink.summary
                        .skip_as(ATTEMPTS, &format!("attempt_{name}{pending}"), 1);
                    return Ok(());
                }
                let Some(sched) = a.schedule_t else {
                    sink.summary
                        .skip_as(ATTEMPTS, &format!("attempt_{name}_without_schedule"), 1);
                    return Ok(());
                };
                let Some(submit) = a.submit_t else {
                    sink.summary
                        .skip_as(ATTEMPTS, "attempt_submitted_before_input", 1);
                    return Ok(());
                };
                if submit == 0 && !self.p.keep_t0 {
                    sink.summary
                        .skip_as(ATTEMPTS, "attempt_submitted_before_trace_window", 1);
                    return Ok(());
                }
                if t == AFTER_WINDOW {
                    sink.summary
                        .skip_as(ATTEMPTS, "attempt_ended_after_trace_window", 1);
                    return Ok(());
                }
                let mut row = self.row(job, &a, submit, t - sched);
                if a.different_machines {
                    row.notes.push("different_machines_restriction_ignored");
                }
                sink.push(row)?;
            }
            _ => return Err(l.err("event type", format!("expected 0 to 8, got {ev}"))),
        }
        Ok(())
    }

    fn row(&self, job: i64, a: &Attempt, submit_t: i64, duration_us: i64) -> ImportRow {
        let fallback = self.jobs.get(&job);
        let framework = match self.kind {
            "class" => match a.class.or(fallback.and_then(|f| f.1)) {
                Some(c) => format!("class{c}"),
                None => "class_unknown".into(),
            },
            "priority" => match a.priority {
                Some(0..=1) => "free".into(),
                Some(9..) => "production".into(),
                Some(_) => "middle".into(),
                None => "priority_unknown".into(),
            },
            _ => {
                if !a.user.is_empty() {
                    a.user.clone()
                } else {
                    fallback
                        .map(|f| f.0.clone())
                        .filter(|u| !u.is_empty())
                        .unwrap_or_else(|| "user_unknown".into())
                }
            }
        };
        ImportRow {
            job_id: job.to_string(),
            framework,
            submit_us: (submit_t - OFFSET_US).max(0),
            tasks: 1,
            cpus: a.cpu * self.cpus,
            mem_mb: a.mem * self.mem_mb,
            disk_mb: self.disk_mb.map_or(0.0, |d| a.disk * d),
            gpus: 0.0,
            duration_us,
            priority: a.priority,
            input: None,
            notes: Vec::new(),
        }
    }

    /// Attempts still open at the end of the input are censored: counted, not written.
    pub fn finish(self, s: &mut Summary) {
        let (mut sched, mut pending) = (0, 0);
        for a in self.open.values() {
            if a.schedule_t.is_some() {
                sched += 1;
            } else {
                pending += 1;
            }
        }
        s.skip_as(ATTEMPTS, "attempt_running_at_end_of_input", sched);
        s.skip_as(ATTEMPTS, "attempt_pending_at_end_of_input", pending);
    }
}

/// machine_events -> agents: one row per ADD..REMOVE incarnation; a machine added again gets
/// `.2`, `.3`, ... after its name so agent names stay unique.
pub struct MachineEvents {
    cpus: f64,
    mem_mb: f64,
    /// machine_events carry no disk; with `--machine-disk-mb` every agent gets that disk, so
    /// that task disk requests (fractions of it) can fit; without it neither has disk.
    disk_mb: f64,
    open: BTreeMap<i64, MachineRow>,
    incarnations: BTreeMap<i64, u32>,
    pub rows: Vec<MachineRow>,
}

impl MachineEvents {
    /// Capacities are normalized like requests: scaled by the largest machine's.
    pub fn new(g: &Google) -> MachineEvents {
        MachineEvents {
            cpus: g.cpus,
            mem_mb: g.mem_mb,
            disk_mb: g.disk_mb.unwrap_or(0.0),
            open: BTreeMap::new(),
            incarnations: BTreeMap::new(),
            rows: Vec::new(),
        }
    }

    pub fn event(&mut self, l: &Line, s: &mut Summary) -> Result<()> {
        l.need(3, "time, machine ID, event type")?;
        let t = l.req_i64(0, "time")?;
        let id = l.req_i64(1, "machine ID")?;
        let ev = l.req_i64(2, "event type")?;
        let cpus = l.f64(4, "CPUs")?;
        let mem = l.f64(5, "Memory")?;
        s.read_one("machine_events");
        let at = (t - OFFSET_US).max(0);
        match ev {
            0 => {
                if self.open.contains_key(&id) {
                    s.skip("machine_added_twice");
                    return Ok(());
                }
                let n = self.incarnations.entry(id).or_insert(0);
                *n += 1;
                let name = if *n == 1 {
                    format!("m{id}")
                } else {
                    format!("m{id}.{n}")
                };
                self.open.insert(
                    id,
                    MachineRow {
                        name,
                        rack: None,
                        cpus: cpus.map_or(-1.0, |c| c * self.cpus),
                        mem_mb: mem.map_or(-1.0, |m| m * self.mem_mb),
                        disk_mb: self.disk_mb,
                        gpus: 0.0,
                        add_us: at,
                        remove_us: None,
                    },
                );
            }
            1 => match self.open.remove(&id) {
                Some(mut m) => {
                    m.remove_us = Some(at.max(m.add_us));
                    self.close(m, s);
                }
                None => s.skip("machine_removed_before_added"),
            },
            2 => match self.open.get_mut(&id) {
                Some(m) => {
                    if m.cpus < 0.0 || m.mem_mb < 0.0 {
                        if let Some(c) = cpus {
                            m.cpus = c * self.cpus;
                        }
                        if let Some(x) = mem {
                            m.mem_mb = x * self.mem_mb;
                        }
                    } else {
                        s.skip("machine_capacity_update_ignored");
                    }
                }
                None => s.skip("machine_updated_before_added"),
            },
            _ => return Err(l.err("event type", format!("expected 0, 1 or 2, got {ev}"))),
        }
        Ok(())
    }

    fn close(&mut self, m: MachineRow, s: &mut Summary) {
        if m.cpus < 0.0 || m.mem_mb < 0.0 {
            s.skip_as(MACHINES, "machine_without_capacity", 1);
        } else {
            self.rows.push(m);
        }
    }

    pub fn finish(mut self, s: &mut Summary) -> Vec<MachineRow> {
        let open = std::mem::take(&mut self.open);
        for m in open.into_values() {
            self.close(m, s);
        }
        self.rows
            .sort_by(|a, b| (a.add_us, &a.name).cmp(&(b.add_us, &b.name)));
        self.rows
    }
}

/// The shard number of an upstream file name (`part-00003-of-00500.csv.gz` -> 3).
pub fn part_number(path: &Path) -> Option<u64> {
    let name = path.file_name()?.to_string_lossy();
    let rest = &name[name.find("part-")? + 5..];
    let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
    if digits.is_empty() || !rest[digits.len()..].starts_with("-of-") {
        return None;
    }
    digits.parse().ok()
}

/// Shards of one table must come in time order, each once: lifecycles are followed across
/// shards, so a shard out of place turns finished attempts into skips without a word. Checked
/// by shard number when the names carry one, and always by time (each shard is sorted by time:
/// the first regular time of a shard must not be before the last of the shard given before it).
#[derive(Default)]
struct ShardOrder {
    /// The shard read before the current one: path, shard number, last regular time.
    prev: Option<(String, Option<u64>, Option<i64>)>,
    cur: String,
    cur_part: Option<u64>,
    cur_max: Option<i64>,
    checked: bool,
}

impl ShardOrder {
    fn begin(&mut self, table: &str, path: &Path) -> Result<()> {
        let file = path.display().to_string();
        let part = part_number(path);
        if let Some((prev, Some(pp), _)) = &self.prev {
            if let Some(p) = part {
                if p <= *pp {
                    let what = if p == *pp { "again" } else { "after" };
                    return Err(Error::input(
                        file,
                        0,
                        "INPUT",
                        format!(
                            "{table} shard {p} is given {what} shard {pp} ({prev}): give the \
                             shards of a table in order, each once"
                        ),
                    ));
                }
            }
        }
        self.cur = file;
        self.cur_part = part;
        self.cur_max = None;
        self.checked = false;
        Ok(())
    }

    /// One record's time. Times 0 (before the window) and 2^63-1 (after it) are not in order.
    fn saw(&mut self, table: &str, l: &Line, t: i64) -> Result<()> {
        if t == 0 || t == AFTER_WINDOW {
            return Ok(());
        }
        if !self.checked {
            self.checked = true;
            if let Some((prev, _, Some(max))) = &self.prev {
                if t < *max {
                    return Err(l.err(
                        "time",
                        format!(
                            "this {table} shard starts at {t} µs, before {max} µs, the last \
                             time in the shard given before it ({prev}): the shards overlap or \
                             are out of order; give the shards of a table in time order, each once"
                        ),
                    ));
                }
            }
        }
        self.cur_max = Some(self.cur_max.map_or(t, |m| m.max(t)));
        Ok(())
    }

    fn end(&mut self) {
        let before = self.prev.as_ref().and_then(|p| p.2);
        let max = match (before, self.cur_max) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        self.prev = Some((std::mem::take(&mut self.cur), self.cur_part, max));
    }
}

pub fn import(
    inputs: &Inputs,
    p: &Params,
    sink: &mut Sink,
    machines: &mut Vec<MachineRow>,
) -> Result<()> {
    let mut g = Google::new(p, &mut sink.summary)?;
    let mut me = MachineEvents::new(&g);
    // job_events first (they feed the fallback), then the rest; shards keep their given order.
    let mut by_table: Vec<(&str, &std::path::PathBuf)> = Vec::new();
    for path in &inputs.paths {
        by_table.push((table_of(path, &TABLES)?, path));
    }
    if !by_table.iter().any(|(t, _)| *t == "task_events") {
        return Err(bad_param(
            "INPUT",
            "google2011 needs at least one task_events file",
        ));
    }
    by_table.sort_by_key(|(t, _)| TABLES.iter().position(|x| x == t));
    let mut orders: BTreeMap<&str, ShardOrder> = BTreeMap::new();
    for (table, path) in by_table {
        let order = orders.entry(table).or_default();
        order.begin(table, path)?;
        inputs.for_each_csv(path, |l| {
            match table {
                "job_events" => g.job_event(l, &mut sink.summary)?,
                "machine_events" => me.event(l, &mut sink.summary)?,
                _ => g.task_event(l, sink)?,
            }
            order.saw(table, l, l.req_i64(0, "time")?)
        })?;
        order.end();
    }
    g.finish(&mut sink.summary);
    machines.extend(me.finish(&mut sink.summary));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feed(lines: &[&str], p: &Params) -> Result<Vec<ImportRow>> {
        let dir = std::env::temp_dir().join(format!("offersim-g11-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let out = dir.join(format!("t{}.csv", lines.len()));
        let mut sink = Sink::new(&out, p)?;
        let mut g = Google::new(p, &mut sink.summary)?;
        for (i, text) in lines.iter().enumerate() {
            let l = Line {
                file: "task_events.csv",
                line: i + 1,
                fields: text.split(',').collect(),
            };
            g.task_event(&l, &mut sink)?;
        }
        g.finish(&mut sink.summary);
        let s = sink.finish()?;
        assert!(s.skipped.values().sum::<u64>() > 0 || s.rows > 0);
        let mut r = crate::workload::trace::TraceReader::open(&out)?;
        let mut rows = Vec::new();
        while let Some(x) = r.next_row()? {
            rows.push(ImportRow {
                job_id: x.job_id,
                framework: x.framework,
                submit_us: x.submit.us(),
                tasks: x.tasks as u64,
                cpus: x.shape.cpus(),
                mem_mb: x.shape.mem_mb(),
                disk_mb: x.shape.disk_mb(),
                gpus: 0.0,
                duration_us: x.duration.us(),
                priority: Some(x.priority),
                input: None,
                notes: Vec::new(),
            });
        }
        Ok(rows)
    }

    #[test]
    fn finished_attempt_uses_last_schedule_and_drops_failures() {
        let lines = [
            "601000000,,7,0,,0,u1,2,9,0.5,0.25,0,0",
            "602000000,,7,0,55,1,u1,2,9,,,,",
            "603000000,,7,0,55,2,u1,2,9,,,,",
            "604000000,,7,0,,0,u1,2,9,0.5,0.25,0,0",
            "605000000,,7,0,56,1,u1,2,9,,,,",
            "615500000,,7,0,56,4,u1,2,9,,,,",
            "601000000,,8,0,,0,u2,1,0,0.1,0.1,0,1",
            "602000000,,8,0,,5,u2,1,0,,,,",
        ];
        let rows = feed(&lines, &Params::default()).unwrap();
        assert_eq!(rows.len(), 1);
        let r = &rows[0];
        assert_eq!(r.job_id, "7");
        assert_eq!(r.framework, "u1");
        assert_eq!(
            r.submit_us, 4_000_000,
            "resubmission time less the 600 s offset"
        );
        assert_eq!(r.duration_us, 10_500_000, "FINISH - last SCHEDULE");
        assert_eq!((r.cpus, r.mem_mb), (16.0, 16384.0));
        assert_eq!(r.priority, Some(9));
        let p = Params {
            keep_ended: vec!["evict".into()],
            framework: Some("class".into()),
            ..Params::default()
        };
        let rows = feed(&lines, &p).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].duration_us, 1_000_000);
        assert_eq!(rows[0].framework, "class2");
    }

    #[test]
    fn malformed_records_name_line_and_field() {
        let e = feed(
            &["601000000,,7,0,,x,u1,2,9,0.5,0.25,0,0"],
            &Params::default(),
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("task_events.csv:1") && e.contains("event type"),
            "{e}"
        );
        let e = feed(
            &["1,,7,0,,0,u,2,9,0.5,0.2,0,0", "2,,7,0,,1,u,2,9,zz,0.2,0,0"],
            &Params::default(),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains(":2") && e.contains("CPU request"), "{e}");
        let e = feed(&["1,,7"], &Params::default()).unwrap_err().to_string();
        assert!(e.contains(":1"), "{e}");
    }

    #[test]
    fn shard_numbers_come_from_upstream_names() {
        assert_eq!(
            part_number(Path::new("x/task_events/part-00003-of-00500.csv.gz")),
            Some(3)
        );
        assert_eq!(
            part_number(Path::new("task_events-part-00001-of-00500-excerpt.csv")),
            Some(1)
        );
        assert_eq!(part_number(Path::new("task_events.csv")), None);
        assert_eq!(part_number(Path::new("part-x-of-2.csv")), None);
    }

    #[test]
    fn shards_must_not_go_back_in_time() {
        let mut o = ShardOrder::default();
        let l = |line: usize| Line {
            file: "b.csv",
            line,
            fields: vec![],
        };
        o.begin("task_events", Path::new("a.csv")).unwrap();
        o.saw("task_events", &l(1), 0).unwrap();
        o.saw("task_events", &l(2), 700).unwrap();
        o.saw("task_events", &l(3), AFTER_WINDOW).unwrap();
        o.end();
        o.begin("task_events", Path::new("b.csv")).unwrap();
        o.saw("task_events", &l(1), 0).unwrap();
        let e = o.saw("task_events", &l(2), 650).unwrap_err().to_string();
        assert!(e.contains("b.csv:2") && e.contains("a.csv"), "{e}");
        let mut o = ShardOrder::default();
        o.begin("task_events", Path::new("a.csv")).unwrap();
        o.saw("task_events", &l(1), 700).unwrap();
        o.end();
        // Equal times at the boundary are in order; only the first time of a shard is checked
        // against the previous shard (within a shard, records are in time order upstream).
        o.begin("task_events", Path::new("b.csv")).unwrap();
        o.saw("task_events", &l(1), 700).unwrap();
        o.saw("task_events", &l(2), 100).unwrap();
    }

    #[test]
    fn machines_get_add_and_remove_times() {
        let p = Params::default();
        let mut s = Summary::default();
        let g = Google::new(&p, &mut s).unwrap();
        let mut me = MachineEvents::new(&g);
        for (i, text) in [
            "0,5,0,pf,0.5,0.5",
            "700000000,5,1,,,",
            "800000000,5,0,pf,0.5,0.25",
            "0,6,0,pf,,",
        ]
        .iter()
        .enumerate()
        {
            let l = Line {
                file: "machine_events.csv",
                line: i + 1,
                fields: text.split(',').collect(),
            };
            me.event(&l, &mut s).unwrap();
        }
        let rows = me.finish(&mut s);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].name, "m5");
        assert_eq!(rows[0].remove_us, Some(100_000_000));
        assert_eq!(rows[1].name, "m5.2");
        assert_eq!(rows[1].mem_mb, 16384.0);
        assert_eq!(s.skipped["machine_without_capacity"], 1);
    }
}
