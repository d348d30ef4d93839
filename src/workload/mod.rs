//! Workloads: the native trace (streamed), machine files, and the source abstraction the engine
//! pulls job rows from one at a time.

#[doc(hidden)]
pub mod fuzz;
pub mod gen;
pub mod import;
pub mod machines;
pub mod trace;

use crate::error::Result;
pub use trace::TraceRow;

/// A stream of trace rows in non-decreasing submit time.
pub trait JobSource {
    fn next_row(&mut self) -> Result<Option<TraceRow>>;
    /// Frameworks this source will name, in first-appearance order (they subscribe at time 0).
    fn frameworks(&mut self) -> Result<Vec<String>>;
}

/// A source with no jobs.
pub struct Empty;

impl JobSource for Empty {
    fn next_row(&mut self) -> Result<Option<TraceRow>> {
        Ok(None)
    }
    fn frameworks(&mut self) -> Result<Vec<String>> {
        Ok(Vec::new())
    }
}

/// Rows held in memory (tests and small generated workloads). Each row's `last_of_job` is set
/// here from the rows themselves.
pub struct InMemory {
    rows: std::vec::IntoIter<TraceRow>,
    names: Vec<String>,
}

impl InMemory {
    pub fn new(mut rows: Vec<TraceRow>) -> InMemory {
        let mut names: Vec<String> = Vec::new();
        let mut seen = std::collections::BTreeSet::new();
        for r in rows.iter_mut().rev() {
            r.last_of_job = seen.insert(r.job_id.clone());
        }
        for r in &rows {
            if !names.contains(&r.framework) {
                names.push(r.framework.clone());
            }
        }
        InMemory {
            rows: rows.into_iter(),
            names,
        }
    }
}

impl JobSource for InMemory {
    fn next_row(&mut self) -> Result<Option<TraceRow>> {
        Ok(self.rows.next())
    }
    fn frameworks(&mut self) -> Result<Vec<String>> {
        Ok(self.names.clone())
    }
}
