//! The first Python exception raised by a policy during a plan. The simulation's traits cannot
//! return an error from a policy call, so the adapters keep the exception here and make empty
//! decisions; the plan asks [`Failure::is_set`] often (`PluginSource::stop`) and stops, and
//! `run` raises the kept exception.

use pyo3::PyErr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

#[derive(Clone, Default)]
pub struct Failure(Arc<Inner>);

#[derive(Default)]
struct Inner {
    set: AtomicBool,
    err: Mutex<Option<PyErr>>,
}

impl Failure {
    /// Keeps `e` unless an earlier exception is kept already (the first one is the cause).
    pub fn set(&self, e: PyErr) {
        let mut g = self.0.err.lock().unwrap_or_else(|p| p.into_inner());
        if g.is_none() {
            *g = Some(e);
            self.0.set.store(true, Ordering::SeqCst);
        }
    }

    pub fn is_set(&self) -> bool {
        self.0.set.load(Ordering::Relaxed)
    }

    pub fn take(&self) -> Option<PyErr> {
        let mut g = self.0.err.lock().unwrap_or_else(|p| p.into_inner());
        self.0.set.store(false, Ordering::SeqCst);
        g.take()
    }
}
