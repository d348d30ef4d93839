//! `offersim gen KIND --out TRACE.csv`: writes a generator's workload as a native trace, so a
//! generated workload can be inspected, edited or replayed like any other trace.

use crate::error::Error;
use crate::outfile::{Kind, OutFile};
use crate::workload::gen::{Generator, Origin, KINDS};
use crate::workload::JobSource;
use std::path::PathBuf;

#[derive(clap::Args, Debug, Clone)]
pub struct GenArgs {
    /// The generator (facebook2009, poisson).
    pub kind: String,
    /// The trace file to write.
    #[arg(long)]
    pub out: PathBuf,
    /// The seed (a scenario run uses its run seed).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// A generator parameter, KEY=VALUE with a TOML value (repeatable), e.g. --set jobs=200.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
}

/// The generator table the arguments describe.
pub fn table(a: &GenArgs) -> Result<toml::Table, Error> {
    let mut t = toml::Table::new();
    t.insert("kind".into(), toml::Value::String(a.kind.clone()));
    for kv in &a.set {
        let Some((k, v)) = kv.split_once('=') else {
            return Err(Error::input("--set", 0, kv.as_str(), "expected KEY=VALUE"));
        };
        let (k, v) = (k.trim(), v.trim());
        // A bare word that is not TOML (frameworks=a) is taken as a string.
        let value = format!("v = {v}")
            .parse::<toml::Table>()
            .ok()
            .and_then(|mut x| x.remove("v"))
            .unwrap_or_else(|| toml::Value::String(v.to_string()));
        t.insert(k.to_string(), value);
    }
    Ok(t)
}

pub fn main(a: GenArgs) -> anyhow::Result<i32> {
    let origin = Origin {
        file: "--set".into(),
        text: String::new(),
        prefix: String::new(),
    };
    if !KINDS.contains(&a.kind.as_str()) {
        return Err(Error::input(
            "gen",
            0,
            "KIND",
            format!(
                "unknown generator \"{}\"{} (valid: {})",
                a.kind,
                crate::error::nearest(&a.kind, KINDS.iter().copied())
                    .map(|n| format!("; did you mean \"{n}\"?"))
                    .unwrap_or_default(),
                KINDS.join(", ")
            ),
        )
        .into());
    }
    let mut g = Generator::from_table(&table(&a)?, &origin, a.seed)?;
    let mut out = OutFile::prepare(&a.out, "--out", Kind::Trace)?;
    let shown = out.path().to_path_buf();
    let mut w = csv::WriterBuilder::new().from_writer(out.create()?);
    let werr = |e: csv::Error| Error::write(&shown, std::io::Error::other(e.to_string()));
    w.write_record([
        "job_id",
        "framework",
        "submit_s",
        "tasks",
        "cpus",
        "mem_mb",
        "duration_s",
        "input",
    ])
    .map_err(werr)?;
    let mut rows = 0u64;
    while let Some(r) = g.next_row()? {
        w.write_record([
            r.job_id,
            r.framework,
            crate::sim::time::fmt_secs(r.submit.us()),
            r.tasks.to_string(),
            r.shape.fmt_amount(crate::cluster::resources::CPUS),
            r.shape.fmt_amount(crate::cluster::resources::MEM),
            crate::sim::time::fmt_secs(r.duration.us()),
            r.input.unwrap_or_default(),
        ])
        .map_err(werr)?;
        rows += 1;
    }
    let file = w
        .into_inner()
        .map_err(|e| Error::write(&shown, std::io::Error::other(e.to_string())))?;
    let file = file
        .into_inner()
        .map_err(|e| Error::write(&shown, e.into_error()))?;
    drop(file);
    out.commit()?;
    eprintln!("{rows} jobs written to {}", a.out.display());
    Ok(0)
}
