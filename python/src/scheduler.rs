//! A framework-side policy written in Python (a subclass of `offersim.Scheduler`): the adapter
//! the simulation calls as a [`Scheduler`], and the read-only view of the framework's pending
//! work that Python sees while a call runs. The decision comes back as data and the framework
//! side validates it exactly as it does a built-in scheduler's.

use crate::failure::Failure;
use crate::scoped::Scoped;
use crate::values::{type_name, PyDecision, PyGroupInfo, PyJobInfo, PyMinAllocatable, PyOffer};
use offersim::policy::{
    AgentId, Decision, GroupKey, JobKey, Launch, Locality, OfferView, Scheduler, SimDuration,
    SimTime, WorkView,
};
use pyo3::exceptions::{PyKeyError, PyTypeError};
use pyo3::intern;
use pyo3::prelude::*;

/// The framework's pending work, valid only during the call that received it.
#[pyclass(name = "Work", module = "offersim", unsendable)]
pub struct PyWork(Scoped<WorkView<'static>>);

impl PyWork {
    fn view(&self) -> PyResult<&WorkView<'static>> {
        self.0.get("Work")
    }

    /// A task index of a group. Blocks are numbered in u32 from the group's first, so an
    /// index past any real group's size is refused rather than overflow that sum.
    fn task_index(task: u32) -> PyResult<u32> {
        if task < 1 << 31 {
            Ok(task)
        } else {
            Err(PyKeyError::new_err(format!("no task {task}")))
        }
    }

    fn group_key(&self, g: u64) -> PyResult<GroupKey> {
        let k = GroupKey::from_bits(g);
        if self.view()?.has_group(k) {
            Ok(k)
        } else {
            Err(PyKeyError::new_err(format!("no task group {g}")))
        }
    }
}

#[pymethods]
impl PyWork {
    /// The simulated time in seconds.
    #[getter]
    fn now_s(&self) -> PyResult<f64> {
        Ok(self.view()?.now().as_secs_f64())
    }

    /// The simulated time in microseconds (exact).
    #[getter]
    fn now_us(&self) -> PyResult<i64> {
        Ok(self.view()?.now().us())
    }

    /// Keys of the groups with pending tasks, in submission order.
    fn pending_groups(&self) -> PyResult<Vec<u64>> {
        Ok(self
            .view()?
            .pending_groups()
            .map(GroupKey::to_bits)
            .collect())
    }

    /// Nothing is pending.
    fn is_idle(&self) -> PyResult<bool> {
        Ok(self.view()?.is_idle())
    }

    fn group(&self, g: u64) -> PyResult<PyGroupInfo> {
        let k = self.group_key(g)?;
        Ok(self.view()?.group(k).into())
    }

    fn job(&self, j: u64) -> PyResult<PyJobInfo> {
        let k = JobKey::from_bits(j);
        let w = self.view()?;
        if !w.has_job(k) {
            return Err(PyKeyError::new_err(format!("no job {j}")));
        }
        Ok(w.job(k).into())
    }

    /// Pending task indices of a group, resubmitted ones first.
    fn pending_tasks(&self, g: u64) -> PyResult<Vec<u32>> {
        let k = self.group_key(g)?;
        Ok(self.view()?.pending_tasks(k).collect())
    }

    /// The minimum an offer (or what is left of it) must hold to be allocatable.
    #[getter]
    fn min_allocatable(&self) -> PyResult<PyMinAllocatable> {
        Ok(PyMinAllocatable(self.view()?.min_allocatable().clone()))
    }

    /// Locality of a group's task on an agent: "node_local", "rack_local", "off_rack", or None
    /// when the task has no preference.
    fn locality(&self, g: u64, task: u32, agent: u32) -> PyResult<Option<&'static str>> {
        let (k, task) = (self.group_key(g)?, Self::task_index(task)?);
        Ok(locality_name(self.view()?.locality(
            k,
            task,
            AgentId::new(agent),
        )))
    }

    /// The preferred agents of a group's task, each with its rack: [(agent, rack), ...].
    fn preferred(&self, g: u64, task: u32) -> PyResult<Vec<(u32, u32)>> {
        let (k, task) = (self.group_key(g)?, Self::task_index(task)?);
        let mut out = Vec::new();
        self.view()?.preferred(k, task, &mut out);
        Ok(out.into_iter().map(|(a, r)| (a.raw(), r.raw())).collect())
    }
}

pub fn locality_name(l: Locality) -> Option<&'static str> {
    match l {
        Locality::None => None,
        other => Some(other.as_str()),
    }
}

/// What the Python side says of a scheduler object: its name and which optional methods its
/// class overrides (the others are never called, which saves a Python call each).
pub struct SchedulerSpec {
    pub obj: Py<PyAny>,
    pub name: String,
    pub has_done: bool,
    pub has_launch: bool,
    pub has_job_end: bool,
}

/// A Python scheduler as the simulation sees it.
pub struct PyScheduler {
    spec: SchedulerSpec,
    /// One view object per scheduler, pointed at the current work during each call.
    work: Py<PyWork>,
    failure: Failure,
}

impl PyScheduler {
    pub fn new(py: Python<'_>, spec: SchedulerSpec, failure: Failure) -> PyResult<Self> {
        Ok(PyScheduler {
            spec,
            work: Py::new(py, PyWork(Scoped::default()))?,
            failure,
        })
    }

    /// Calls `method` with the work view set for the call's duration; a Python exception
    /// is kept (the run stops at its next check) and `None` returned.
    fn call<'py, R>(
        &self,
        py: Python<'py>,
        work: &WorkView,
        f: impl FnOnce(&Bound<'py, PyAny>, &Bound<'py, PyWork>) -> PyResult<R>,
    ) -> Option<R> {
        if self.failure.is_set() {
            return None;
        }
        let w = self.work.bind(py);
        let lender = w.borrow();
        let ptr = std::ptr::from_ref(work).cast_mut().cast();
        // SAFETY: `work` outlives the guard, which clears the pointer when the call ends;
        // Python reaches the view only through `PyWork`, which reads it (never writes).
        let lent = unsafe { lender.0.lend(ptr) };
        let r = f(self.spec.obj.bind(py), w);
        drop(lent);
        drop(lender);
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.failure.set(e);
                None
            }
        }
    }
}

impl Scheduler for PyScheduler {
    fn name(&self) -> &str {
        &self.spec.name
    }

    fn on_offer(&mut self, offer: &OfferView, work: &WorkView, out: &mut Decision) {
        Python::attach(|py| {
            let ok = self.call(py, work, |obj, w| {
                let o = Py::new(py, PyOffer::from(offer))?;
                let r = obj.call_method1(intern!(py, "on_offer"), (o, w))?;
                fill(&r, out)
            });
            if ok.is_none() {
                out.clear();
            }
        })
    }

    fn done(&self, work: &WorkView) -> bool {
        if !self.spec.has_done {
            return false;
        }
        Python::attach(|py| {
            self.call(py, work, |obj, w| {
                obj.call_method1(intern!(py, "done"), (w,))?.is_truthy()
            })
            // A failed call stops the run soon; meanwhile nothing more is shown.
            .unwrap_or(true)
        })
    }

    fn on_launch(&mut self, job: JobKey, locality: Locality, now: SimTime) {
        if !self.spec.has_launch || self.failure.is_set() {
            return;
        }
        Python::attach(|py| {
            let r = self.spec.obj.bind(py).call_method1(
                intern!(py, "on_launch"),
                (job.to_bits(), locality_name(locality), now.as_secs_f64()),
            );
            if let Err(e) = r {
                self.failure.set(e);
            }
        })
    }

    fn on_job_end(&mut self, job: JobKey) {
        if !self.spec.has_job_end || self.failure.is_set() {
            return;
        }
        Python::attach(|py| {
            let r = self
                .spec
                .obj
                .bind(py)
                .call_method1(intern!(py, "on_job_end"), (job.to_bits(),));
            if let Err(e) = r {
                self.failure.set(e);
            }
        })
    }
}

/// `on_offer`'s result into a decision: None (decline it all), a `Decision`, or an iterable
/// of `(group, task)` launches.
fn fill(r: &Bound<'_, PyAny>, out: &mut Decision) -> PyResult<()> {
    out.clear();
    if r.is_none() {
        return Ok(());
    }
    if let Ok(d) = r.cast::<PyDecision>() {
        let d = d.get();
        out.hold = d.hold;
        out.refuse = d.refuse_s.map(SimDuration::from_secs_f64);
        out.reserve = d.reserve.map(|r| r.0);
        out.launch.extend(d.launch.iter().map(|&(g, t)| Launch {
            group: GroupKey::from_bits(g),
            task: t,
        }));
        return Ok(());
    }
    let items = r.try_iter().map_err(|_| {
        PyTypeError::new_err(format!(
            "on_offer must return None, a Decision or a list of (group, task) launches, not {}",
            type_name(r)
        ))
    })?;
    for item in items {
        let (g, t): (u64, u32) = item?
            .extract()
            .map_err(|_| PyTypeError::new_err("a launch is a (group, task) pair of integers"))?;
        out.launch.push(Launch {
            group: GroupKey::from_bits(g),
            task: t,
        });
    }
    Ok(())
}
