//! Writing importer output: the native trace sorted by (submit_s, job_id, source order) with an
//! external sort by chunks (memory stays bounded whatever the trace length, and the order is the
//! same for every input order), and the machines file. Both go through `crate::outfile`: written
//! to a temporary name and renamed at the end, so a failed import leaves earlier files untouched;
//! through symbolic links; to devices and pipes as they are; never over a user's file.

use super::sink::{sampled, window_time, ImportRow};
use super::{Params, Summary, MACHINES};
use crate::cluster::resources::{fmt_milli, to_milli, Resources, NRES, RES_NAMES};
use crate::error::{Error, Result};
use crate::experiment::cancel::Temp;
use crate::outfile::{Kind, OutFile};
use crate::sim::time::{fmt_secs, secs_to_us};
use crate::workload::machines::COLUMNS as MACHINE_COLUMNS;
use crate::workload::trace::{OPTIONAL, REQUIRED};
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

/// The columns importers write: the required ones, then the optional ones they can fill
/// (`preferred_nodes` never: no supported format records placement preferences).
fn trace_columns() -> impl Iterator<Item = &'static str> {
    REQUIRED.iter().chain(&OPTIONAL[..4]).copied()
}

/// A resource amount at Mesos's precision (three decimals), which is what the reader keeps.
pub fn fmt_amount(x: f64) -> String {
    fmt_milli(to_milli(x))
}

fn fmt_opt_amount(x: f64) -> String {
    if to_milli(x) == 0 {
        String::new()
    } else {
        fmt_amount(x)
    }
}

fn fields(r: &ImportRow) -> [String; 11] {
    [
        r.job_id.clone(),
        r.framework.clone(),
        fmt_secs(r.submit_us),
        r.tasks.to_string(),
        fmt_amount(r.cpus),
        fmt_amount(r.mem_mb),
        fmt_secs(r.duration_us),
        fmt_opt_amount(r.disk_mb),
        fmt_opt_amount(r.gpus),
        r.priority.map(|p| p.to_string()).unwrap_or_default(),
        r.input.clone().unwrap_or_default(),
    ]
}

type Key = (i64, String, u64);

fn csv_writer(path: &Path) -> Result<csv::Writer<BufWriter<File>>> {
    let f = File::create(path).map_err(|e| Error::write(path, e))?;
    Ok(csv_writer_to(BufWriter::with_capacity(1 << 16, f)))
}

fn csv_writer_to(w: BufWriter<File>) -> csv::Writer<BufWriter<File>> {
    csv::WriterBuilder::new().has_headers(false).from_writer(w)
}

fn werr(path: &Path, e: csv::Error) -> Error {
    Error::write(path, std::io::Error::other(e.to_string()))
}

/// Sorts rows by (submit_us, job_id, arrival order), spilling sorted chunks of `chunk_rows`
/// rows to disk and merging them at the end.
pub struct SortedWriter {
    out: Option<OutFile>,
    chunk_rows: usize,
    buf: Vec<(Key, [String; 11])>,
    chunks: Vec<PathBuf>,
    /// Where the chunks go (removed with them, and on Ctrl-C).
    scratch: Option<Temp>,
    seq: u64,
}

impl SortedWriter {
    pub fn new(out: &Path, chunk_rows: usize) -> Result<SortedWriter> {
        Ok(SortedWriter {
            out: Some(OutFile::prepare(out, "--out", Kind::Trace)?),
            chunk_rows: chunk_rows.max(1),
            buf: Vec::new(),
            chunks: Vec::new(),
            scratch: None,
            seq: 0,
        })
    }

    pub fn push(&mut self, r: ImportRow) -> Result<()> {
        let key = (r.submit_us, r.job_id.clone(), self.seq);
        self.seq += 1;
        self.buf.push((key, fields(&r)));
        if self.buf.len() >= self.chunk_rows {
            self.spill()?;
        }
        Ok(())
    }

    fn spill(&mut self) -> Result<()> {
        self.buf.sort_by(|a, b| a.0.cmp(&b.0));
        if self.scratch.is_none() {
            let out = self.out.as_ref().expect("not finished");
            self.scratch = Some(out.scratch_dir()?);
        }
        let dir = self.scratch.as_ref().expect("made above").path();
        let path = dir.join(format!("chunk{}", self.chunks.len()));
        self.chunks.push(path.clone());
        let mut w = csv_writer(&path)?;
        for ((t, _, seq), f) in self.buf.drain(..) {
            let mut rec = vec![t.to_string(), seq.to_string()];
            rec.extend(f);
            w.write_record(&rec).map_err(|e| werr(&path, e))?;
        }
        w.flush().map_err(|e| Error::write(&path, e))
    }

    pub fn finish(&mut self) -> Result<()> {
        let mut out = self.out.take().expect("finished once");
        let tmp = out.path().to_path_buf();
        let mut w = csv_writer_to(out.create()?);
        w.write_record(trace_columns()).map_err(|e| werr(&tmp, e))?;
        if self.chunks.is_empty() {
            self.buf.sort_by(|a, b| a.0.cmp(&b.0));
            for (_, f) in self.buf.drain(..) {
                w.write_record(&f).map_err(|e| werr(&tmp, e))?;
            }
        } else {
            if !self.buf.is_empty() {
                self.spill()?;
            }
            self.merge(&mut w, &tmp)?;
        }
        w.flush().map_err(|e| Error::write(&tmp, e))?;
        drop(w);
        out.commit()?;
        self.cleanup();
        Ok(())
    }

    fn merge(&self, w: &mut csv::Writer<BufWriter<File>>, tmp: &Path) -> Result<()> {
        let mut readers = Vec::new();
        for p in &self.chunks {
            let f = File::open(p).map_err(|e| Error::read(p, e))?;
            readers.push(
                csv::ReaderBuilder::new()
                    .has_headers(false)
                    .from_reader(std::io::BufReader::new(f)),
            );
        }
        let mut heads: Vec<Option<csv::StringRecord>> = vec![None; readers.len()];
        let mut heap = BinaryHeap::new();
        let next = |i: usize,
                    rdr: &mut csv::Reader<std::io::BufReader<File>>,
                    heads: &mut Vec<Option<csv::StringRecord>>,
                    heap: &mut BinaryHeap<Reverse<(Key, usize)>>|
         -> Result<()> {
            let mut rec = csv::StringRecord::new();
            let more = rdr
                .read_record(&mut rec)
                .map_err(|e| Error::read(&self.chunks[i], std::io::Error::other(e.to_string())))?;
            if more {
                let t: i64 = rec[0].parse().unwrap_or(0);
                let seq: u64 = rec[1].parse().unwrap_or(0);
                heap.push(Reverse(((t, rec[2].to_string(), seq), i)));
                heads[i] = Some(rec);
            }
            Ok(())
        };
        for (i, r) in readers.iter_mut().enumerate() {
            next(i, r, &mut heads, &mut heap)?;
        }
        while let Some(Reverse((_, i))) = heap.pop() {
            if let Some(rec) = heads[i].take() {
                let f: Vec<&str> = rec.iter().skip(2).collect();
                w.write_record(&f).map_err(|e| werr(tmp, e))?;
            }
            next(i, &mut readers[i], &mut heads, &mut heap)?;
        }
        Ok(())
    }

    fn cleanup(&mut self) {
        self.chunks.clear();
        // The scratch folder goes with its chunks; an unfinished output's temporary file goes
        // with the OutFile.
        self.scratch = None;
        self.out = None;
    }
}

impl Drop for SortedWriter {
    fn drop(&mut self) {
        self.cleanup();
    }
}

/// One agent of a machines file, in trace time (before windowing).
#[derive(Clone, Debug, PartialEq)]
pub struct MachineRow {
    pub name: String,
    pub rack: Option<String>,
    pub cpus: f64,
    pub mem_mb: f64,
    pub disk_mb: f64,
    pub gpus: f64,
    pub add_us: i64,
    pub remove_us: Option<i64>,
}

/// Writes the machines file with the same time window and scale as the trace, and the seeded
/// machine sample; machines outside the window are counted, not written. Returns the capacity
/// of every machine written, for the fit check.
pub fn write_machines(
    path: &Path,
    rows: Vec<MachineRow>,
    p: &Params,
    summary: &mut Summary,
) -> Result<Vec<Resources>> {
    summary.param("sample_machines", p.sample_machines);
    let from = p.from_s.map(secs_to_us);
    let to = p.to_s.map(secs_to_us);
    let mut out = OutFile::prepare(path, "--machines-out", Kind::Machines)?;
    let tmp = path.to_path_buf();
    let mut written = Vec::new();
    {
        let mut w = csv_writer_to(out.create()?);
        w.write_record(MACHINE_COLUMNS).map_err(|e| werr(&tmp, e))?;
        for m in rows {
            if m.remove_us.is_some_and(|r| from.is_some_and(|f| r <= f)) {
                summary.skip_as(MACHINES, "machine_removed_before_window", 1);
                continue;
            }
            if to.is_some_and(|t| m.add_us >= t) {
                summary.skip_as(MACHINES, "machine_added_after_window", 1);
                continue;
            }
            if !sampled(p.seed, p.sample_machines, &format!("machine/{}", m.name)) {
                summary.skip_as(MACHINES, "machine_not_in_sample", 1);
                continue;
            }
            let add = window_time(m.add_us.max(from.unwrap_or(i64::MIN)), from, p.scale_time);
            let remove = m
                .remove_us
                .filter(|&r| to.is_none_or(|t| r < t))
                .map(|r| window_time(r, from, p.scale_time).max(add.max(0)));
            let cap = Resources::new(m.cpus, m.mem_mb, m.disk_mb, m.gpus);
            w.write_record([
                m.name,
                m.rack.unwrap_or_default(),
                fmt_amount(m.cpus),
                fmt_amount(m.mem_mb),
                fmt_opt_amount(m.disk_mb),
                fmt_opt_amount(m.gpus),
                fmt_secs(add.max(0)),
                remove.map(fmt_secs).unwrap_or_default(),
            ])
            .map_err(|e| werr(&tmp, e))?;
            summary.machines += 1;
            written.push(cap);
        }
        w.flush().map_err(|e| Error::write(&tmp, e))?;
    }
    out.commit()?;
    summary.resources.machines = (0..NRES)
        .filter(|&i| written.iter().any(|c| c.0[i] > 0))
        .map(|i| RES_NAMES[i])
        .collect();
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workload::trace::TraceReader;

    fn row(job: &str, t: i64) -> ImportRow {
        ImportRow {
            job_id: job.into(),
            framework: "f".into(),
            submit_us: t,
            tasks: 1,
            cpus: 0.5,
            mem_mb: 10.0,
            disk_mb: 0.0,
            gpus: 0.0,
            duration_us: 1_500_000,
            priority: None,
            input: None,
            notes: Vec::new(),
        }
    }

    #[test]
    fn amounts_have_mesos_precision() {
        assert_eq!(fmt_amount(0.30000000000000004), "0.3");
        assert_eq!(fmt_amount(12.0), "12");
        assert_eq!(fmt_amount(0.0124), "0.012");
        assert_eq!(fmt_opt_amount(0.0), "");
    }

    #[test]
    fn external_sort_spills_and_merges_in_order() {
        let dir = std::env::temp_dir().join(format!("offersim-sortw-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let out = dir.join("t.csv");
        let mut w = SortedWriter::new(&out, 3).unwrap();
        let times = [9, 1, 5, 5, 3, 8, 2, 7, 7, 0];
        for (i, t) in times.iter().enumerate() {
            w.push(row(&format!("j{}", 9 - i), t * 1_000_000)).unwrap();
        }
        w.finish().unwrap();
        let mut r = TraceReader::open(&out).unwrap();
        let mut got = Vec::new();
        while let Some(x) = r.next_row().unwrap() {
            got.push((x.submit.us() / 1_000_000, x.job_id));
        }
        let mut want: Vec<(i64, String)> = times
            .iter()
            .enumerate()
            .map(|(i, &t)| (t, format!("j{}", 9 - i)))
            .collect();
        want.sort();
        assert_eq!(got, want);
        let left: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
        assert_eq!(left.len(), 1, "temporary chunks are removed");
    }

    #[test]
    fn machines_file_reads_back_windowed() {
        let dir = std::env::temp_dir().join(format!("offersim-machw-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let out = dir.join("m.csv");
        let m = |name: &str, add: i64, rem: Option<i64>| MachineRow {
            name: name.into(),
            rack: Some("r1".into()),
            cpus: 4.0,
            mem_mb: 100.0,
            disk_mb: 0.0,
            gpus: 1.0,
            add_us: add,
            remove_us: rem,
        };
        let p = Params {
            from_s: Some(10.0),
            to_s: Some(100.0),
            ..Params::default()
        };
        let mut s = Summary::default();
        let rows = vec![
            m("a", 0, None),
            m("b", 0, Some(5_000_000)),
            m("c", 20_000_000, Some(50_000_000)),
            m("d", 200_000_000, None),
        ];
        write_machines(&out, rows, &p, &mut s).unwrap();
        let agents = crate::workload::machines::read_machines(&out).unwrap();
        assert_eq!(agents.len(), 2);
        assert_eq!(agents[0].add.us(), 0);
        assert_eq!(agents[1].add.us(), 10_000_000);
        assert_eq!(agents[1].remove.map(|r| r.us()), Some(40_000_000));
        assert_eq!(s.skipped.len(), 2);
    }
}
