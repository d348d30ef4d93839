//! SWIM (Facebook 2009/2010 MapReduce workloads): a TAB-separated job per line with byte
//! counts only. Task counts come from the HDFS block size and durations from a throughput
//! model; both are parameters (docs/importers.md).

use super::input::{Inputs, Line};
use super::{ImportRow, Params, Sink};
use crate::error::Result;
use crate::sim::time::secs_to_us;

const MIB: f64 = 1024.0 * 1024.0;

/// The task counts and durations the throughput model gives one job.
#[derive(Clone, Debug, PartialEq)]
pub struct Model {
    pub block_bytes: f64,
    pub bytes_scale: f64,
    pub overhead_s: f64,
    pub map_bps: f64,
    pub reduce_bps: f64,
    pub bytes_per_reduce: f64,
}

impl Model {
    pub fn from_params(p: &Params) -> Result<Model> {
        Ok(Model {
            block_bytes: Params::positive("block-mb", p.block_mb)? * MIB,
            bytes_scale: Params::positive("bytes-scale", p.bytes_scale)?,
            overhead_s: if p.task_overhead_s.is_finite() && p.task_overhead_s >= 0.0 {
                p.task_overhead_s
            } else {
                return Err(super::bad_param("task-overhead-s", "expected seconds >= 0"));
            },
            map_bps: Params::positive("map-mb-per-s", p.map_mb_per_s)? * MIB,
            reduce_bps: Params::positive("reduce-mb-per-s", p.reduce_mb_per_s)? * MIB,
            bytes_per_reduce: Params::positive("reduce-mb-per-task", p.reduce_mb_per_task)? * MIB,
        })
    }

    /// (tasks, seconds per task) of the map stage.
    pub fn maps(&self, input_bytes: u64) -> (u64, f64) {
        let bytes = input_bytes as f64 * self.bytes_scale;
        let n = ((bytes / self.block_bytes).ceil() as u64).max(1);
        (n, self.overhead_s + bytes / n as f64 / self.map_bps)
    }

    /// (tasks, seconds per task) of the reduce stage; None for a map-only job.
    pub fn reduces(&self, shuffle_bytes: u64, output_bytes: u64) -> Option<(u64, f64)> {
        if shuffle_bytes == 0 {
            return None;
        }
        let bytes = (shuffle_bytes as f64 + output_bytes as f64) * self.bytes_scale;
        let n = ((bytes / self.bytes_per_reduce).round() as u64).max(1);
        Some((n, self.overhead_s + bytes / n as f64 / self.reduce_bps))
    }
}

pub fn import(inputs: &Inputs, p: &Params, sink: &mut Sink) -> Result<()> {
    p.framework_kind(&["constant"])?;
    let m = Model::from_params(p)?;
    let s = &mut sink.summary;
    s.param("framework", "swim");
    s.param("block_mb", p.block_mb);
    s.param("bytes_scale", p.bytes_scale);
    s.param("task_overhead_s", p.task_overhead_s);
    s.param("map_mb_per_s", p.map_mb_per_s);
    s.param("reduce_mb_per_s", p.reduce_mb_per_s);
    s.param("reduce_mb_per_task", p.reduce_mb_per_task);
    s.param("reduces", !p.no_reduces);
    s.param("input", !p.no_input);
    s.param("slot_cpus", p.slot_cpus);
    s.param("slot_mem_mb", p.slot_mem_mb);
    // The trace has byte counts only: cpus and mem_mb are the slot parameters, not data.
    for path in &inputs.paths {
        let file = path.display().to_string();
        inputs.for_each_line(path, |n, text| {
            if text.trim().is_empty() {
                return Ok(());
            }
            let l = Line {
                file: &file,
                line: n,
                fields: text.split('\t').map(str::trim).collect(),
            };
            sink.summary.read_one("swim job");
            for row in rows(&l, &m, p)? {
                sink.push(row)?;
            }
            Ok(())
        })?;
    }
    Ok(())
}

/// The map row and, when the job shuffles and reduces are on, the reduce row of one line.
pub fn rows(l: &Line, m: &Model, p: &Params) -> Result<Vec<ImportRow>> {
    l.need(
        6,
        "job id, submit, gap, map input, shuffle and output bytes",
    )?;
    let job = l.req_str(0, "new_unique_job_id")?;
    let submit_s = l.req_f64(1, "submit_time_seconds")?;
    if submit_s < 0.0 {
        return Err(l.err("submit_time_seconds", "expected seconds >= 0"));
    }
    let input_bytes = l.req_u64(3, "map_input_bytes")?;
    let shuffle = l.req_u64(4, "shuffle_bytes")?;
    let output = l.req_u64(5, "reduce_output_bytes")?;
    let input = match l.get(6) {
        _ if p.no_input => None,
        "" => Some(job.to_string()),
        path => Some(path.to_string()),
    };
    let base = ImportRow {
        job_id: job.to_string(),
        framework: "swim".into(),
        submit_us: secs_to_us(submit_s),
        tasks: 0,
        cpus: p.slot_cpus,
        mem_mb: p.slot_mem_mb,
        ..ImportRow::default()
    };
    let (maps, map_s) = m.maps(input_bytes);
    let mut out = vec![ImportRow {
        tasks: maps,
        duration_us: secs_to_us(map_s),
        input,
        ..base.clone()
    }];
    if !p.no_reduces {
        if let Some((n, s)) = m.reduces(shuffle, output) {
            out.push(ImportRow {
                tasks: n,
                duration_us: secs_to_us(s),
                ..base
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(text: &str) -> Line<'_> {
        Line {
            file: "t.tsv",
            line: 3,
            fields: text.split('\t').collect(),
        }
    }

    #[test]
    fn maps_follow_blocks_and_reduces_follow_shuffle() {
        let p = Params::default();
        let m = Model::from_params(&p).unwrap();
        let r = rows(&line("job0\t49\t49\t740773\t2339561\t627471"), &m, &p).unwrap();
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].tasks, 1);
        assert_eq!(r[0].input.as_deref(), Some("job0"));
        assert_eq!(r[0].submit_us, 49_000_000);
        assert_eq!(r[1].tasks, 1);
        assert!(r[1].input.is_none());
        let big = rows(&line("j\t0\t0\t134217729\t0\t0\t/data/x"), &m, &p).unwrap();
        assert_eq!(big.len(), 1, "map-only job");
        assert_eq!(big[0].tasks, 3, "64 MiB blocks, one byte over two blocks");
        assert_eq!(big[0].input.as_deref(), Some("/data/x"));
        // 2 s overhead + (128 MiB + 1 B) / 3 at 32 MiB/s.
        assert!((big[0].duration_us - 3_333_333).abs() <= 1);
        let empty = rows(&line("j\t0\t0\t0\t0\t0"), &m, &p).unwrap();
        assert_eq!(empty[0].tasks, 1);
    }

    #[test]
    fn malformed_lines_name_the_field() {
        let p = Params::default();
        let m = Model::from_params(&p).unwrap();
        let e = rows(&line("j\t0\t0\tabc\t0\t0"), &m, &p)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("t.tsv:3") && e.contains("map_input_bytes"),
            "{e}"
        );
        let e = rows(&line("j\t0\t0"), &m, &p).unwrap_err().to_string();
        assert!(e.contains("t.tsv:3"), "{e}");
        let e = rows(&line("j\t-4\t0\t1\t0\t0"), &m, &p)
            .unwrap_err()
            .to_string();
        assert!(e.contains("submit_time_seconds"), "{e}");
    }
}
