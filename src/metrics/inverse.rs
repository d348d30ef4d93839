//! inverse_offers.csv: one row per inverse offer (maintenance windows), written only for
//! scenarios that schedule maintenance, so every other run's folder is unchanged.

use super::files::{create, put};
use crate::error::Result;
use crate::sim::time::{fmt_secs, SimTime};
use crate::sim::SimDuration;
use std::path::Path;

pub const INVERSE_OFFERS_COLS: [&str; 8] = [
    "time_s",
    "inverse_offer_id",
    "framework",
    "agent",
    "start_s",
    "end_s",
    "outcome",
    "resolved_s",
];

/// The inverse offers of a run, in the order they were made (their numbers).
#[derive(Clone, Debug, Default)]
pub struct InverseLog {
    rows: Vec<Row>,
}

#[derive(Clone, Debug)]
struct Row {
    made: SimTime,
    framework: String,
    agent: String,
    start: SimTime,
    end: SimTime,
    /// When it was rescinded (None: still outstanding at the end, `held`).
    rescinded: Option<SimTime>,
}

impl InverseLog {
    pub fn made(
        &mut self,
        now: SimTime,
        id: u64,
        framework: &str,
        agent: &str,
        start: SimTime,
        duration: SimDuration,
    ) {
        // Numbers are dense from 0, so a row's number is its index.
        debug_assert_eq!(id as usize, self.rows.len());
        self.rows.push(Row {
            made: now,
            framework: framework.to_string(),
            agent: agent.to_string(),
            start,
            end: start + duration,
            rescinded: None,
        });
    }

    pub fn rescinded(&mut self, now: SimTime, id: u64) {
        if let Some(r) = self.rows.get_mut(id as usize) {
            r.rescinded = Some(now);
        }
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Writes `dir/inverse_offers.csv`.
    pub fn write(&self, dir: &Path) -> Result<()> {
        let name = "inverse_offers.csv";
        let mut w = create(&dir.join(name), &INVERSE_OFFERS_COLS)?;
        for (i, r) in self.rows.iter().enumerate() {
            let rec = [
                fmt_secs(r.made.us()),
                i.to_string(),
                r.framework.clone(),
                r.agent.clone(),
                fmt_secs(r.start.us()),
                fmt_secs(r.end.us()),
                if r.rescinded.is_some() {
                    "rescinded"
                } else {
                    "held"
                }
                .to_string(),
                r.rescinded.map(|t| fmt_secs(t.us())).unwrap_or_default(),
            ];
            put(&mut w, dir, name, rec)?;
        }
        w.flush()
            .map_err(|e| crate::error::Error::write(&dir.join(name), e))
    }
}
