//! offersim's Python extension module, `offersim._core`: plans and runs a scenario into a
//! results folder with the library's own code (so the files are the command line's, byte for
//! byte), and lets policies written in Python take part through thin adapters of the
//! `offersim::policy` traits. The Python half of the package (python/offersim/) reads the
//! folder into DataFrames and turns Python classes into the factories used here.

mod allocator;
mod failure;
mod scheduler;
mod scoped;
mod values;

use allocator::{AllocatorSpec, PyAllocator};
use failure::Failure;
use offersim::experiment::{self, GridItem, Outputs, PlanOptions, PluginSource, Plugins, RunPlan};
use offersim::policy::{FrameworkConfig, Scheduler, SchedulerKind};
use pyo3::exceptions::{PyKeyboardInterrupt, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use scheduler::{PyScheduler, SchedulerSpec};
use std::path::PathBuf;

/// The Python policies of one policy of the plan: factories the Python side made.
struct PyPolicy {
    /// Called with no arguments once per run: `(allocator, name, has_notify)`.
    allocator: Option<Py<PyAny>>,
    /// Called once per framework with `(name, roles, scheduler)`: None (the built-in
    /// scheduler) or `(scheduler, name, has_done, has_launch, has_job_end)`.
    scheduler: Option<Py<PyAny>>,
}

/// The plan's Python policies, by policy index of its scenario, and the first exception any
/// of them raised.
struct PyPlugins {
    by_policy: Vec<Option<PyPolicy>>,
    failure: Failure,
}

impl PyPlugins {
    fn any(&self) -> bool {
        self.by_policy.iter().any(Option::is_some)
    }

    fn allocator(&self, py: Python<'_>, factory: &Py<PyAny>) -> PyResult<PyAllocator> {
        let (obj, name, has_notify): (Py<PyAny>, String, bool) =
            factory.bind(py).call0()?.extract()?;
        PyAllocator::new(
            py,
            AllocatorSpec {
                obj,
                name,
                has_notify,
            },
            self.failure.clone(),
        )
    }
}

fn kind_name(k: SchedulerKind) -> &'static str {
    match k {
        SchedulerKind::Greedy => "greedy",
        SchedulerKind::Delay => "delay",
        SchedulerKind::Hold => "hold",
    }
}

type Factory = dyn Fn(&FrameworkConfig) -> Option<Box<dyn Scheduler>>;

/// The framework side's scheduler factory for a Python scheduler factory.
fn scheduler_factory(f: Py<PyAny>, failure: Failure) -> Box<Factory> {
    Box::new(move |cfg: &FrameworkConfig| {
        if failure.is_set() {
            return None;
        }
        Python::attach(|py| {
            let made = (|| -> PyResult<Option<Box<dyn Scheduler>>> {
                let r = f.bind(py).call1((
                    cfg.name.as_str(),
                    cfg.roles.clone(),
                    kind_name(cfg.scheduler.kind),
                ))?;
                if r.is_none() {
                    return Ok(None);
                }
                let (obj, name, has_done, has_launch, has_job_end) = r.extract()?;
                let spec = SchedulerSpec {
                    obj,
                    name,
                    has_done,
                    has_launch,
                    has_job_end,
                };
                Ok(Some(Box::new(PyScheduler::new(py, spec, failure.clone())?)))
            })();
            made.unwrap_or_else(|e| {
                failure.set(e);
                None
            })
        })
    })
}

impl PluginSource for PyPlugins {
    fn plugins(&self, item: &GridItem) -> Plugins {
        let Some(Some(p)) = self.by_policy.get(item.policy) else {
            return Plugins::default();
        };
        Python::attach(|py| {
            let allocator = p.allocator.as_ref().and_then(|f| {
                self.allocator(py, f)
                    .map_err(|e| self.failure.set(e))
                    .ok()
                    .map(|a| Box::new(a) as Box<dyn offersim::policy::Allocator>)
            });
            let scheduler = p
                .scheduler
                .as_ref()
                .map(|f| scheduler_factory(f.clone_ref(py), self.failure.clone()));
            Plugins {
                allocator,
                scheduler,
            }
        })
    }

    /// A policy raised, or the user pressed Ctrl-C: with Python policies the runs go on the
    /// calling thread, and Python's signal handlers run here; otherwise `PyPlan::run` watches.
    fn stop(&self) -> bool {
        if self.failure.is_set() {
            return true;
        }
        if !self.any() {
            return false;
        }
        Python::attach(|py| match py.check_signals() {
            Ok(()) => false,
            Err(e) => {
                self.failure.set(e);
                true
            }
        })
    }
}

/// A validated request, ready to run.
#[pyclass(name = "Plan", module = "offersim", unsendable)]
struct PyPlan {
    plan: RunPlan,
    plugins: PyPlugins,
    /// (path, label): a scenario given as a dict is named by its label, not its temporary file.
    label: Option<(String, String)>,
}

#[pymethods]
impl PyPlan {
    /// Names that match nothing in the scenario, one line each (the command line's warnings).
    #[getter]
    fn warnings(&self) -> Vec<String> {
        self.plan.warnings.clone()
    }

    /// The policies that run, in summary order.
    #[getter]
    fn policies(&self) -> Vec<String> {
        self.plan
            .policies
            .iter()
            .map(|&i| self.plan.scenario.policies[i].name.clone())
            .collect()
    }

    #[getter]
    fn jobs(&self) -> usize {
        self.plan.jobs
    }

    #[getter]
    fn name(&self) -> String {
        self.plan.scenario.name.clone()
    }

    /// Runs the plan into its folder. Python policies run one run at a time, on this thread.
    /// Without them the runs go on other threads without the interpreter, while this one
    /// watches for Ctrl-C (Python's signal handlers run only on the main thread).
    fn run(&self, py: Python<'_>) -> PyResult<()> {
        let (plan, plugins) = (&self.plan, &self.plugins);
        let r = if plugins.any() {
            experiment::run_plan_with(plan, &experiment::Quiet, plugins)
        } else {
            std::thread::scope(|scope| {
                let runs =
                    scope.spawn(|| experiment::run_plan_with(plan, &experiment::Quiet, plugins));
                while !runs.is_finished() {
                    py.detach(|| std::thread::sleep(std::time::Duration::from_millis(20)));
                    if let Err(e) = py.check_signals() {
                        plugins.failure.set(e);
                    }
                }
                runs.join()
            })
            .unwrap_or_else(|p| std::panic::resume_unwind(p))
        };
        if let Some(e) = self.plugins.failure.take() {
            return Err(e);
        }
        r.map(|_| ())
            .map_err(|e| to_py_err(py, e, self.label.as_ref()))
    }
}

/// A policy name usable as a results folder's subfolder, and not a sweep point's name.
fn check_policy_name(name: &str) -> PyResult<()> {
    if name.is_empty() || name.starts_with('.') || name.contains(['/', '\\', '@']) {
        return Err(PyValueError::new_err(format!(
            "policy name {name:?}: expected a non-empty name usable as a folder name \
             (no '/', '\\\\' or '@', not starting with '.')"
        )));
    }
    Ok(())
}

/// One entry of `policies`: (name, is_python, base, allocator factory, scheduler factory).
type Entry = (
    String,
    bool,
    Option<String>,
    Option<Py<PyAny>>,
    Option<Py<PyAny>>,
);

/// Loads a scenario and validates a request against it (see `offersim.run`).
#[pyfunction]
#[pyo3(signature = (scenario, out, *, base_dir = None, label = None, seed = None,
    replications = None, policies = None, outputs = None, jobs = None,
    check_invariants = false))]
#[allow(clippy::too_many_arguments)]
fn plan(
    py: Python<'_>,
    scenario: PathBuf,
    out: PathBuf,
    base_dir: Option<PathBuf>,
    label: Option<String>,
    seed: Option<u64>,
    replications: Option<u32>,
    policies: Option<Vec<Entry>>,
    outputs: Option<String>,
    jobs: Option<usize>,
    check_invariants: bool,
) -> PyResult<PyPlan> {
    let label = label.map(|l| (scenario.display().to_string(), l));
    let err = |e| to_py_err(py, e, label.as_ref());
    let mut s = match &base_dir {
        Some(d) => offersim::scenario::load_in(&scenario, d),
        None => offersim::scenario::load(&scenario),
    }
    .map_err(err)?;
    let outputs = match outputs.as_deref() {
        None => None,
        Some(o) => Some(Outputs::parse(o).ok_or_else(|| {
            PyValueError::new_err(format!(
                "outputs: expected one of {}, got {o:?}",
                Outputs::NAMES.join(", ")
            ))
        })?),
    };
    if replications == Some(0) || jobs == Some(0) {
        return Err(PyValueError::new_err(
            "replications and jobs: expected an integer >= 1",
        ));
    }
    let mut by_policy = Vec::new();
    if let Some(entries) = policies {
        let mut chosen: Vec<offersim::scenario::Policy> = Vec::new();
        for (name, python, base, allocator, scheduler) in entries {
            let from = match (&base, python) {
                (Some(b), _) => b.clone(),
                (None, true) => s.policies[0].name.clone(),
                (None, false) => name.clone(),
            };
            let Some(p) = s.policies.iter().find(|p| p.name == from) else {
                let names: Vec<&str> = s.policies.iter().map(|p| p.name.as_str()).collect();
                return Err(PyValueError::new_err(format!(
                    "the scenario has no policy {from:?} (it has: {})",
                    names.join(", ")
                )));
            };
            if chosen.iter().any(|c| c.name == name) {
                return Err(PyValueError::new_err(format!(
                    "two policies are named {name:?}; names must be unique"
                )));
            }
            let mut p = p.clone();
            if python {
                check_policy_name(&name)?;
                p.name = name;
                p.source = "python".into();
                p.description = format!("a Python policy on the settings of {from}");
            }
            chosen.push(p);
            by_policy.push(python.then_some(PyPolicy {
                allocator,
                scheduler,
            }));
        }
        if chosen.is_empty() {
            return Err(PyValueError::new_err("policies: expected at least one"));
        }
        s.policies = chosen;
    }
    let plugins = PyPlugins {
        by_policy,
        failure: Failure::default(),
    };
    let opts = PlanOptions {
        out: Some(out),
        seed,
        replications,
        policies: Vec::new(),
        check_invariants,
        outputs,
        // Python policies need the interpreter: one run at a time.
        jobs: if plugins.any() { Some(1) } else { jobs },
        shard: None,
    };
    let mut plan = experiment::plan_scenario(s, &opts).map_err(err)?;
    plan.out_flag = "out".into();
    Ok(PyPlan {
        plan,
        plugins,
        label,
    })
}

/// An offersim error as the Python exception of `offersim.errors` that carries its parts.
fn to_py_err(py: Python<'_>, e: offersim::Error, label: Option<&(String, String)>) -> PyErr {
    use offersim::Error as E;
    let relabel = |s: String| match label {
        Some((path, l)) => s.replace(path.as_str(), l),
        None => s,
    };
    let text = relabel(e.to_string());
    let made = (|| -> PyResult<PyErr> {
        let m = py.import("offersim.errors")?;
        let exc = match e {
            E::Input { loc, msg } => m.getattr("InputError")?.call1((
                text,
                relabel(loc.file),
                loc.line,
                loc.field,
                msg,
            ))?,
            E::Read { path, err } => m.getattr("InputError")?.call1((
                text,
                relabel(path),
                0usize,
                "",
                format!("cannot read: {err}"),
            ))?,
            E::Write { path, err } => {
                m.getattr("OutputError")?
                    .call1((text, path, format!("cannot write: {err}")))?
            }
            E::Invariant { time_s, event, msg } => m
                .getattr("InvariantError")?
                .call1((text, time_s, event, msg))?,
            E::Decision { who, msg } => m.getattr("DecisionError")?.call1((text, who, msg))?,
            E::Interrupted => return Ok(PyKeyboardInterrupt::new_err(text)),
        };
        Ok(PyErr::from_value(exc))
    })();
    made.unwrap_or_else(|e| e)
}

/// The columns of every CSV file offersim writes, by file name, as the library defines them.
fn columns(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    use offersim::metrics::files as f;
    use offersim::report::csv_out as c;
    let d = PyDict::new(py);
    let files: [(&str, &[&str]); 10] = [
        ("summary.csv", &f::SUMMARY_COLS),
        ("compare.csv", &c::COMPARE_COLS),
        ("compare_frameworks.csv", &c::COMPARE_FRAMEWORKS_COLS),
        ("frameworks.csv", &f::FRAMEWORKS_COLS),
        ("jobs.csv", &f::JOBS_COLS),
        ("tasks.csv", &f::TASKS_COLS),
        ("shares.csv", &f::SHARES_COLS),
        ("offers.csv", &f::OFFERS_COLS),
        ("utilization.csv", &f::UTILIZATION_COLS),
        (
            "inverse_offers.csv",
            &offersim::metrics::inverse::INVERSE_OFFERS_COLS,
        ),
    ];
    for (name, cols) in files {
        d.set_item(name, cols.to_vec())?;
    }
    Ok(d)
}

#[pymodule(gil_used = true)]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(plan, m)?)?;
    m.add_class::<PyPlan>()?;
    m.add_class::<values::PyResources>()?;
    m.add_class::<values::PyPools>()?;
    m.add_class::<values::PyOffer>()?;
    m.add_class::<values::PyGroupInfo>()?;
    m.add_class::<values::PyJobInfo>()?;
    m.add_class::<values::PyMinAllocatable>()?;
    m.add_class::<values::PyDecision>()?;
    m.add_class::<values::PyGrant>()?;
    m.add_class::<values::PyGrantAll>()?;
    m.add_class::<scheduler::PyWork>()?;
    m.add_class::<allocator::PyView>()?;
    m.add_class::<allocator::PyRun>()?;
    m.add_class::<allocator::PyAgent>()?;
    m.add_class::<allocator::PyFramework>()?;
    m.add_class::<allocator::PyFwRole>()?;
    m.add_class::<allocator::PyRole>()?;
    m.add_class::<allocator::PyChange>()?;
    m.add("COLUMNS", columns(m.py())?)?;
    m.add("VERSION", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
