//! Machines files (`name,rack,cpus,mem_mb[,disk_mb,gpus,add_s,remove_s]`), as importers write
//! them and `cluster.machines` reads them: agents that join and leave at given times.

use super::trace::open_maybe_gz;
use crate::cluster::resources::Resources;
use crate::error::{Error, Result};
use crate::scenario::AgentConfig;
use crate::sim::time::{secs_to_us, SimTime};
use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

pub const COLUMNS: [&str; 8] = [
    "name", "rack", "cpus", "mem_mb", "disk_mb", "gpus", "add_s", "remove_s",
];

pub fn read_machines(path: &Path) -> Result<Vec<AgentConfig>> {
    read_machines_from(path, open_maybe_gz(path)?)
}

/// Reads a machines file from any byte stream (already decompressed); `path` names it in errors.
pub fn read_machines_from(path: &Path, input: Box<dyn Read + Send>) -> Result<Vec<AgentConfig>> {
    let file = path.display().to_string();
    let mut rdr = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(input);
    let headers: Vec<String> = rdr
        .headers()
        .map_err(|e| Error::input(&file, 1, "", format!("cannot read the header: {e}")))?
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').to_string())
        .collect();
    let col = |n: &str| headers.iter().position(|h| h == n);
    for (i, h) in headers.iter().enumerate() {
        if headers[..i].contains(h) {
            return Err(Error::input(
                &file,
                1,
                h.as_str(),
                format!("column `{h}` appears twice in the header"),
            ));
        }
    }
    // An unknown column first: it is most often the misspelt required one.
    for h in headers.iter().map(String::as_str) {
        if !COLUMNS.contains(&h) {
            return Err(Error::input(
                &file,
                1,
                h,
                format!(
                    "unknown column `{h}`{} (columns: {})",
                    crate::error::nearest(h, COLUMNS.iter().copied())
                        .map(|n| format!("; did you mean `{n}`?"))
                        .unwrap_or_default(),
                    COLUMNS.join(",")
                ),
            ));
        }
    }
    for req in &COLUMNS[..4] {
        if col(req).is_none() {
            return Err(Error::input(
                &file,
                1,
                *req,
                format!(
                    "required column `{req}` is missing (columns: {})",
                    COLUMNS.join(",")
                ),
            ));
        }
    }
    let mut out: Vec<AgentConfig> = Vec::new();
    let mut first_line: BTreeMap<String, usize> = BTreeMap::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| {
            let line = e.position().map(|p| p.line() as usize).unwrap_or(0);
            Error::input(&file, line, "", format!("cannot parse the row: {e}"))
        })?;
        let line = rec.position().map(|p| p.line() as usize).unwrap_or(0);
        let get = |n: &str| col(n).and_then(|c| rec.get(c)).unwrap_or("");
        let num = |n: &str, required: bool| -> Result<Option<f64>> {
            let s = get(n);
            if s.is_empty() {
                if required {
                    return Err(Error::input(
                        &file,
                        line,
                        n,
                        "expected a number >= 0, got an empty field",
                    ));
                }
                return Ok(None);
            }
            let max = if n.ends_with("_s") {
                crate::scenario::MAX_SECONDS
            } else {
                crate::scenario::MAX_AMOUNT
            };
            match s.parse::<f64>() {
                Ok(v) if v.is_finite() && v >= 0.0 && v <= max => Ok(Some(v)),
                _ => Err(Error::input(
                    &file,
                    line,
                    n,
                    format!("expected a number >= 0 and <= {max:e}, got \"{s}\""),
                )),
            }
        };
        let name = get("name").to_string();
        if name.is_empty() {
            return Err(Error::input(
                &file,
                line,
                "name",
                "expected a non-empty agent name",
            ));
        }
        if let Some(first) = first_line.insert(name.clone(), line) {
            return Err(Error::input(
                &file,
                line,
                "name",
                format!("agent name \"{name}\" is used twice (first on line {first})"),
            ));
        }
        let rack = get("rack");
        let total = Resources::new(
            num("cpus", true)?.unwrap_or(0.0),
            num("mem_mb", true)?.unwrap_or(0.0),
            num("disk_mb", false)?.unwrap_or(0.0),
            num("gpus", false)?.unwrap_or(0.0),
        );
        let add = SimTime::from_us(secs_to_us(num("add_s", false)?.unwrap_or(0.0)));
        let remove = num("remove_s", false)?.map(|v| SimTime::from_us(secs_to_us(v)));
        if remove.is_some_and(|r| r < add) {
            return Err(Error::input(
                &file,
                line,
                "remove_s",
                "remove_s must not come before add_s",
            ));
        }
        out.push(AgentConfig {
            name,
            rack: (!rack.is_empty()).then(|| rack.to_string()),
            total,
            reserved: Vec::new(),
            attributes: BTreeMap::new(),
            add,
            remove,
        });
    }
    Ok(out)
}
