//! A master-side policy written in Python (a subclass of `offersim.Allocator`): the adapter the
//! master calls as an [`Allocator`], and the read-only view and allocation run Python sees while
//! a call runs. Grants come back as data and the master validates them exactly as it does a
//! built-in allocator's.

use crate::failure::Failure;
use crate::scoped::Scoped;
use crate::values::{PyGrant, PyGrantAll, PyPools, PyResources};
use offersim::policy::{
    AgentId, Allocator, BitSet, Change, FrameworkId, Grant, OfferMode, RoleId, Run, View,
};
use pyo3::exceptions::{PyIndexError, PyTypeError};
use pyo3::intern;
use pyo3::prelude::*;

/// The master's state for one allocation run (or one change), valid only during that call.
#[pyclass(name = "View", module = "offersim", unsendable)]
pub struct PyView(Scoped<View<'static>>);

/// One agent as the allocator sees it (a copy).
#[pyclass(name = "AgentInfo", module = "offersim", frozen, get_all)]
pub struct PyAgent {
    pub id: u32,
    pub name: String,
    pub rack: u32,
    /// Registered and able to hold offers.
    pub active: bool,
    pub has_gpus: bool,
    pub free: PyPools,
    pub total: PyPools,
}

/// A framework's subscription to one role (a copy).
#[pyclass(name = "FrameworkRole", module = "offersim", frozen, get_all)]
pub struct PyFwRole {
    pub role: u32,
    pub suppressed: bool,
    /// Offered plus used under this role.
    pub allocated: PyResources,
    /// Whether the allocator may offer to the framework under this role at all.
    pub wants_offers: bool,
}

/// One framework as the allocator sees it (a copy).
#[pyclass(name = "FrameworkInfo", module = "offersim", frozen, get_all)]
pub struct PyFramework {
    pub id: u32,
    pub name: String,
    pub active: bool,
    pub removed: bool,
    pub gpu_capable: bool,
    pub allocated: PyResources,
    pub roles: Vec<Py<PyFwRole>>,
}

/// One role of the master's role table (a copy).
#[pyclass(name = "RoleInfo", module = "offersim", frozen, get_all)]
pub struct PyRole {
    pub id: u32,
    pub name: String,
    pub parent: Option<u32>,
    pub weight: f64,
    pub priority: i64,
    pub has_quota: bool,
    /// Frameworks subscribed to exactly this role.
    pub frameworks: u32,
}

impl PyView {
    fn view(&self) -> PyResult<&View<'static>> {
        self.0.get("View")
    }

    fn agent_id(&self, a: u32) -> PyResult<AgentId> {
        let n = self.view()?.agents().len();
        if (a as usize) < n {
            Ok(AgentId::new(a))
        } else {
            Err(PyIndexError::new_err(format!(
                "no agent {a} (there are {n})"
            )))
        }
    }

    fn framework_id(&self, f: u32) -> PyResult<FrameworkId> {
        let n = self.view()?.frameworks().len();
        if (f as usize) < n {
            Ok(FrameworkId::new(f))
        } else {
            Err(PyIndexError::new_err(format!(
                "no framework {f} (there are {n})"
            )))
        }
    }

    fn role_id(&self, r: u32) -> PyResult<RoleId> {
        let n = self.view()?.roles().len();
        if (r as usize) < n {
            Ok(RoleId::new(r))
        } else {
            Err(PyIndexError::new_err(format!(
                "no role {r} (there are {n})"
            )))
        }
    }

    /// The framework and one of its role indices, checked.
    fn fw_role(&self, f: u32, role_idx: usize) -> PyResult<FrameworkId> {
        let id = self.framework_id(f)?;
        let n = self.view()?.framework(id).roles().len();
        if role_idx < n {
            Ok(id)
        } else {
            Err(PyIndexError::new_err(format!(
                "framework {f} has {n} role(s), not {}",
                role_idx + 1
            )))
        }
    }

    fn agent_set(&self, agents: &[u32]) -> PyResult<BitSet> {
        let mut s = BitSet::default();
        for &a in agents {
            s.insert(self.agent_id(a)?.raw());
        }
        Ok(s)
    }
}

#[pymethods]
impl PyView {
    #[getter]
    fn now_s(&self) -> PyResult<f64> {
        Ok(self.view()?.now().as_secs_f64())
    }

    #[getter]
    fn now_us(&self) -> PyResult<i64> {
        Ok(self.view()?.now().us())
    }

    /// Agents ever registered; ids are 0 .. agent_count - 1.
    #[getter]
    fn agent_count(&self) -> PyResult<usize> {
        Ok(self.view()?.agents().len())
    }

    /// Frameworks ever subscribed; ids are 0 .. framework_count - 1.
    #[getter]
    fn framework_count(&self) -> PyResult<usize> {
        Ok(self.view()?.frameworks().len())
    }

    #[getter]
    fn role_count(&self) -> PyResult<usize> {
        Ok(self.view()?.roles().len())
    }

    /// Frameworks the scenario names up front, subscribed or not yet.
    #[getter]
    fn planned_frameworks(&self) -> PyResult<usize> {
        Ok(self.view()?.planned_frameworks())
    }

    /// "per_agent" or "cell" (`[master] offer_mode`).
    #[getter]
    fn offer_mode(&self) -> PyResult<&'static str> {
        Ok(match self.view()?.offer_mode() {
            OfferMode::PerAgent => "per_agent",
            OfferMode::Cell => "cell",
        })
    }

    /// The cluster's totals (active agents).
    #[getter]
    fn total(&self) -> PyResult<PyResources> {
        Ok(PyResources(*self.view()?.total()))
    }

    fn agent(&self, a: u32) -> PyResult<PyAgent> {
        let id = self.agent_id(a)?;
        let ag = self.view()?.agent(id);
        Ok(PyAgent {
            id: a,
            name: ag.name().to_string(),
            rack: ag.rack().raw(),
            active: ag.is_active(),
            has_gpus: ag.has_gpus(),
            free: PyPools(ag.free().clone()),
            total: PyPools(ag.total().clone()),
        })
    }

    fn framework(&self, py: Python<'_>, f: u32) -> PyResult<PyFramework> {
        let id = self.framework_id(f)?;
        let fw = self.view()?.framework(id);
        let roles = fw
            .roles()
            .iter()
            .enumerate()
            .map(|(i, r)| {
                Py::new(
                    py,
                    PyFwRole {
                        role: r.role().raw(),
                        suppressed: r.is_suppressed(),
                        allocated: PyResources(*r.allocated()),
                        wants_offers: fw.wants_offers(i),
                    },
                )
            })
            .collect::<PyResult<Vec<_>>>()?;
        Ok(PyFramework {
            id: f,
            name: fw.name().to_string(),
            active: fw.is_active(),
            removed: fw.is_removed(),
            gpu_capable: fw.is_gpu_capable(),
            allocated: PyResources(*fw.allocated()),
            roles,
        })
    }

    fn role(&self, r: u32) -> PyResult<PyRole> {
        let id = self.role_id(r)?;
        let ro = self.view()?.role(id);
        Ok(PyRole {
            id: r,
            name: ro.name().to_string(),
            parent: ro.parent().map(RoleId::raw),
            weight: ro.weight(),
            priority: ro.priority(),
            has_quota: ro.has_quota(),
            frameworks: ro.frameworks(),
        })
    }

    /// What of `pools` the role may use: unreserved plus reservations of the role or an
    /// ancestor.
    fn usable_by(&self, pools: &PyPools, role: u32) -> PyResult<PyPools> {
        let r = self.role_id(role)?;
        Ok(PyPools(self.view()?.usable_by(&pools.0, r)))
    }

    /// What of the agent's free resources the role may use (`usable_by(agent.free, role)`).
    fn usable(&self, agent: u32, role: u32) -> PyResult<PyPools> {
        let (a, r) = (self.agent_id(agent)?, self.role_id(role)?);
        let v = self.view()?;
        Ok(PyPools(v.usable_by(v.agent(a).free(), r)))
    }

    /// Whether `resources` are worth offering to the framework's `role_idx`-th role.
    fn allocatable(
        &self,
        framework: u32,
        role_idx: usize,
        resources: &PyResources,
    ) -> PyResult<bool> {
        let f = self.fw_role(framework, role_idx)?;
        Ok(self.view()?.allocatable(f, role_idx, &resources.0))
    }

    /// Whether a decline filter of the framework blocks `pools` on (role, agent) now.
    fn filtered(&self, framework: u32, role: u32, agent: u32, pools: &PyPools) -> PyResult<bool> {
        let (f, r, a) = (
            self.framework_id(framework)?,
            self.role_id(role)?,
            self.agent_id(agent)?,
        );
        Ok(self.view()?.filtered(f, r, a, &pools.0))
    }

    /// GPU agents go only to GPU-capable frameworks.
    fn capable(&self, framework: u32, agent: u32) -> PyResult<bool> {
        let (f, a) = (self.framework_id(framework)?, self.agent_id(agent)?);
        Ok(self.view()?.capable(f, a))
    }

    /// The agents of `agents` the framework's `role_idx`-th role could be offered: capable and
    /// not filtered.
    fn eligible(&self, framework: u32, role_idx: usize, agents: Vec<u32>) -> PyResult<Vec<u32>> {
        let f = self.fw_role(framework, role_idx)?;
        let set = self.agent_set(&agents)?;
        Ok(self.view()?.eligible(f, role_idx, &set).iter().collect())
    }

    /// The eligible agents whose usable free resources are also worth offering.
    fn offerable(&self, framework: u32, role_idx: usize, agents: Vec<u32>) -> PyResult<Vec<u32>> {
        let f = self.fw_role(framework, role_idx)?;
        let set = self.agent_set(&agents)?;
        Ok(self.view()?.offerable(f, role_idx, &set).iter().collect())
    }
}

/// One allocation run: its candidate agents and its seeded random streams, valid only during
/// the `allocate` call that received it.
#[pyclass(name = "Run", module = "offersim", unsendable)]
pub struct PyRun(Scoped<Run<'static>>);

#[pymethods]
impl PyRun {
    /// The agents to consider (registered, connected, with free resources), in id order.
    fn candidates(&self) -> PyResult<Vec<u32>> {
        Ok(self.0.get("Run")?.candidates().map(AgentId::raw).collect())
    }

    /// The agents in a seeded random order (each call draws a new one).
    fn shuffle(&self, agents: Vec<u32>) -> PyResult<Vec<u32>> {
        let run = self.0.get_mut("Run")?;
        let mut set = BitSet::default();
        for a in agents {
            if !run.candidate_set().contains(a) {
                return Err(PyIndexError::new_err(format!(
                    "agent {a} is not a candidate of this run"
                )));
            }
            set.insert(a);
        }
        Ok(run.shuffle(&set).into_iter().map(AgentId::raw).collect())
    }

    /// A random 32-bit integer from the run's own seeded stream.
    fn random(&self) -> PyResult<u32> {
        Ok(self.0.get_mut("Run")?.rng().next_u32())
    }
}

/// A change the master tells the allocator of (`notify`).
#[pyclass(name = "Change", module = "offersim", frozen, get_all)]
pub struct PyChange {
    /// agent_added, agent_removed, framework_added, framework_removed, activity_changed,
    /// allocated, recovered, weight_changed, quota_changed.
    pub kind: &'static str,
    pub agent: Option<u32>,
    pub framework: Option<u32>,
    pub role: Option<u32>,
    pub pools: Option<PyPools>,
}

impl From<&Change<'_>> for PyChange {
    fn from(c: &Change<'_>) -> Self {
        let mut out = PyChange {
            kind: "",
            agent: None,
            framework: None,
            role: None,
            pools: None,
        };
        match c {
            Change::AgentAdded { agent, total } | Change::AgentRemoved { agent, total } => {
                out.kind = if matches!(c, Change::AgentAdded { .. }) {
                    "agent_added"
                } else {
                    "agent_removed"
                };
                out.agent = Some(agent.raw());
                out.pools = Some(PyPools((*total).clone()));
            }
            Change::FrameworkAdded { fw } => {
                out.kind = "framework_added";
                out.framework = Some(fw.raw());
            }
            Change::FrameworkRemoved { fw } => {
                out.kind = "framework_removed";
                out.framework = Some(fw.raw());
            }
            Change::ActivityChanged { fw, role } => {
                out.kind = "activity_changed";
                out.framework = Some(fw.raw());
                out.role = Some(role.raw());
            }
            Change::Allocated {
                fw,
                role,
                agent,
                pools,
            }
            | Change::Recovered {
                fw,
                role,
                agent,
                pools,
            } => {
                out.kind = if matches!(c, Change::Allocated { .. }) {
                    "allocated"
                } else {
                    "recovered"
                };
                out.framework = Some(fw.raw());
                out.role = Some(role.raw());
                out.agent = Some(agent.raw());
                out.pools = Some(PyPools((*pools).clone()));
            }
            Change::WeightChanged { role } => {
                out.kind = "weight_changed";
                out.role = Some(role.raw());
            }
            Change::QuotaChanged { role } => {
                out.kind = "quota_changed";
                out.role = Some(role.raw());
            }
        }
        out
    }
}

/// What the Python side says of an allocator object.
pub struct AllocatorSpec {
    pub obj: Py<PyAny>,
    pub name: String,
    pub has_notify: bool,
}

/// A Python allocator as the master sees it.
pub struct PyAllocator {
    spec: AllocatorSpec,
    view: Py<PyView>,
    run: Py<PyRun>,
    failure: Failure,
}

impl PyAllocator {
    pub fn new(py: Python<'_>, spec: AllocatorSpec, failure: Failure) -> PyResult<Self> {
        Ok(PyAllocator {
            spec,
            view: Py::new(py, PyView(Scoped::default()))?,
            run: Py::new(py, PyRun(Scoped::default()))?,
            failure,
        })
    }
}

impl Allocator for PyAllocator {
    fn name(&self) -> &str {
        &self.spec.name
    }

    fn notify(&mut self, view: &View, change: Change) {
        if !self.spec.has_notify || self.failure.is_set() {
            return;
        }
        Python::attach(|py| {
            let v = self.view.bind(py);
            let lender = v.borrow();
            // SAFETY: `view` outlives the guard; Python only reads through `PyView`.
            let lent = unsafe { lender.0.lend(std::ptr::from_ref(view).cast_mut().cast()) };
            let r = PyChange::from(&change);
            let r = self
                .spec
                .obj
                .bind(py)
                .call_method1(intern!(py, "notify"), (v, r));
            drop(lent);
            if let Err(e) = r {
                self.failure.set(e);
            }
        })
    }

    fn allocate(&mut self, view: &View, run: &mut Run) {
        if self.failure.is_set() {
            return;
        }
        Python::attach(|py| {
            let (v, r) = (self.view.bind(py), self.run.bind(py));
            let (vl, rl) = (v.borrow(), r.borrow());
            // SAFETY: `view` and `run` outlive the guards; `run` is reached only through
            // `PyRun`, one method at a time, and not otherwise used until the call returns.
            let lent_view = unsafe { vl.0.lend(std::ptr::from_ref(view).cast_mut().cast()) };
            let lent_run = unsafe { rl.0.lend(std::ptr::from_mut(run).cast()) };
            let result = self
                .spec
                .obj
                .bind(py)
                .call_method1(intern!(py, "allocate"), (v, r));
            drop((lent_view, lent_run));
            let grants = result.and_then(|g| collect_grants(&g, view));
            match grants {
                Ok(gs) => {
                    for g in gs {
                        match g {
                            Granted::One(g) => run.grant(g),
                            Granted::All(f, role, agents) => run.grant_all(f, role, agents),
                        }
                    }
                }
                Err(e) => self.failure.set(e),
            }
        })
    }
}

enum Granted {
    One(Grant),
    All(FrameworkId, RoleId, BitSet),
}

/// `allocate`'s result: None, or an iterable of `Grant`s and `GrantAll`s. Ids are checked by
/// the master, except the agents of a `GrantAll`, which become a set here.
fn collect_grants(r: &Bound<'_, PyAny>, view: &View) -> PyResult<Vec<Granted>> {
    let mut out = Vec::new();
    if r.is_none() {
        return Ok(out);
    }
    let items = r.try_iter().map_err(|_| {
        PyTypeError::new_err("allocate must return None or a list of Grant and GrantAll")
    })?;
    for item in items {
        let item = item?;
        if let Ok(g) = item.cast::<PyGrant>() {
            let g = g.get();
            out.push(Granted::One(Grant {
                fw: FrameworkId::new(g.framework),
                role: RoleId::new(g.role),
                agent: AgentId::new(g.agent),
                pools: g.pools.clone(),
            }));
        } else if let Ok(g) = item.cast::<PyGrantAll>() {
            let g = g.get();
            let n = view.agents().len();
            let mut set = BitSet::default();
            for &a in &g.agents {
                if a as usize >= n {
                    return Err(PyIndexError::new_err(format!(
                        "GrantAll names agent {a}; there are {n}"
                    )));
                }
                set.insert(a);
            }
            out.push(Granted::All(
                FrameworkId::new(g.framework),
                RoleId::new(g.role),
                set,
            ));
        } else {
            return Err(PyTypeError::new_err(format!(
                "allocate returned a {} among its grants; expected Grant or GrantAll",
                item.get_type().name()?
            )));
        }
    }
    Ok(out)
}
