//! The values Python policies see and return: resources, pools, offers, what a scheduler may
//! know of its work, decisions and grants. Each is a small copy, never a view into the
//! simulation, so a policy may keep one as long as it likes.

use offersim::policy::{GroupInfo, JobInfo, MinAllocatable, OfferView, Pools, Resources, RoleId};
use offersim::scenario::MAX_AMOUNT;
use pyo3::exceptions::{PyOverflowError, PyTypeError, PyValueError};
use pyo3::prelude::*;

/// Resource names in the order of `Resources`' fixed-point array.
const NAMES: [&str; 4] = ["cpus", "mem_mb", "disk_mb", "gpus"];

/// Scalar resources (cpus, mem_mb, disk_mb, gpus), exact to a thousandth as offersim keeps
/// them, so that sums and comparisons in Python agree with the simulation's.
#[pyclass(
    name = "Resources",
    module = "offersim",
    frozen,
    eq,
    hash,
    from_py_object
)]
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct PyResources(pub Resources);

#[pymethods]
impl PyResources {
    #[new]
    #[pyo3(signature = (cpus = 0.0, mem_mb = 0.0, disk_mb = 0.0, gpus = 0.0))]
    fn new(cpus: f64, mem_mb: f64, disk_mb: f64, gpus: f64) -> PyResult<Self> {
        for (name, v) in NAMES.iter().zip([cpus, mem_mb, disk_mb, gpus]) {
            if !v.is_finite() || !(0.0..=MAX_AMOUNT).contains(&v) {
                return Err(PyValueError::new_err(format!(
                    "{name}: expected a number from 0 to {MAX_AMOUNT:e}, got {v}"
                )));
            }
        }
        Ok(PyResources(Resources::new(cpus, mem_mb, disk_mb, gpus)))
    }

    #[getter]
    fn cpus(&self) -> f64 {
        self.0.cpus()
    }
    #[getter]
    fn mem_mb(&self) -> f64 {
        self.0.mem_mb()
    }
    #[getter]
    fn disk_mb(&self) -> f64 {
        self.0.disk_mb()
    }
    #[getter]
    fn gpus(&self) -> f64 {
        self.0.gpus()
    }

    /// Whether every amount of `other` fits in this one.
    fn contains(&self, other: &PyResources) -> bool {
        self.0.contains(&other.0)
    }

    fn is_zero(&self) -> bool {
        self.0.is_zero()
    }

    fn __add__(&self, other: &PyResources) -> PyResult<PyResources> {
        self.combine(other, i64::checked_add)
    }

    /// Amounts may go below zero (`contains` then tells that something did not fit).
    fn __sub__(&self, other: &PyResources) -> PyResult<PyResources> {
        self.combine(other, i64::checked_sub)
    }

    /// The amounts by name, in thousandths rounded away (the values of the properties).
    fn as_dict(&self) -> Vec<(&'static str, f64)> {
        (0..NAMES.len())
            .map(|i| (NAMES[i], self.0.get(i)))
            .collect()
    }

    fn __repr__(&self) -> String {
        let parts: Vec<String> = (0..NAMES.len())
            .filter(|&i| self.0 .0[i] != 0)
            .map(|i| format!("{}={}", NAMES[i], self.0.fmt_amount(i)))
            .collect();
        format!("Resources({})", parts.join(", "))
    }
}

impl PyResources {
    fn combine(
        &self,
        other: &PyResources,
        op: fn(i64, i64) -> Option<i64>,
    ) -> PyResult<PyResources> {
        let mut out = Resources::ZERO;
        for i in 0..NAMES.len() {
            out.0[i] = op(self.0 .0[i], other.0 .0[i])
                .ok_or_else(|| PyOverflowError::new_err("resource amount out of range"))?;
        }
        Ok(PyResources(out))
    }
}

/// Resources of an agent split by reservation: the unreserved part and, per role, what is
/// reserved for it.
#[pyclass(name = "Pools", module = "offersim", frozen, eq, from_py_object)]
#[derive(Clone, PartialEq)]
pub struct PyPools(pub Pools);

#[pymethods]
impl PyPools {
    #[new]
    #[pyo3(signature = (unreserved = None, reserved = Vec::new()))]
    fn new(unreserved: Option<PyResources>, reserved: Vec<(u32, PyResources)>) -> Self {
        let mut p = Pools::unreserved(unreserved.map(|r| r.0).unwrap_or(Resources::ZERO));
        for (role, r) in reserved {
            p.add_reserved(RoleId::new(role), r.0);
        }
        PyPools(p)
    }

    #[getter]
    fn unreserved(&self) -> PyResources {
        PyResources(self.0.unres)
    }

    /// (role, resources) for each role something is reserved for.
    #[getter]
    fn reserved(&self) -> Vec<(u32, PyResources)> {
        self.0
            .res
            .iter()
            .map(|(r, x)| (r.raw(), PyResources(*x)))
            .collect()
    }

    fn total(&self) -> PyResources {
        PyResources(self.0.total())
    }

    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn contains(&self, other: &PyPools) -> bool {
        self.0.contains(&other.0)
    }

    fn __repr__(&self) -> String {
        let reserved: Vec<String> = self
            .0
            .res
            .iter()
            .map(|(r, x)| format!("{}: {}", r.raw(), PyResources(*x).__repr__()))
            .collect();
        format!(
            "Pools(unreserved={}, reserved={{{}}})",
            PyResources(self.0.unres).__repr__(),
            reserved.join(", ")
        )
    }
}

/// Pools from a Python value: a `Pools`, or `Resources` (all unreserved).
pub fn pools_from(v: &Bound<'_, PyAny>) -> PyResult<Pools> {
    if let Ok(p) = v.cast::<PyPools>() {
        return Ok(p.get().0.clone());
    }
    if let Ok(r) = v.cast::<PyResources>() {
        return Ok(Pools::unreserved(r.get().0));
    }
    Err(pyo3::exceptions::PyTypeError::new_err(format!(
        "expected Pools or Resources, got {}",
        v.get_type().name()?
    )))
}

/// The name of `v`'s type for an error message (empty if Python cannot say it: the message
/// matters more than that detail).
pub fn type_name(v: &Bound<'_, PyAny>) -> String {
    v.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_default()
}

/// One offer as a scheduler sees it.
#[pyclass(name = "Offer", module = "offersim", frozen)]
pub struct PyOffer {
    /// The offer's number (the `offer_id` column of offers.csv).
    #[pyo3(get)]
    id: u64,
    #[pyo3(get)]
    agent: u32,
    #[pyo3(get)]
    rack: u32,
    #[pyo3(get)]
    role: u32,
    resources: Resources,
    executor: Resources,
}

impl From<&OfferView> for PyOffer {
    fn from(o: &OfferView) -> Self {
        PyOffer {
            id: o.id.raw(),
            agent: o.agent.raw(),
            rack: o.rack.raw(),
            role: o.role.raw(),
            resources: o.resources,
            executor: o.executor,
        }
    }
}

#[pymethods]
impl PyOffer {
    #[getter]
    fn resources(&self) -> PyResources {
        PyResources(self.resources)
    }

    /// What the first task launched here must also fit: the framework's executor, when it
    /// does not run on this agent yet (zero otherwise).
    #[getter]
    fn executor(&self) -> PyResources {
        PyResources(self.executor)
    }

    fn __repr__(&self) -> String {
        format!(
            "Offer(id={}, agent={}, rack={}, role={}, resources={})",
            self.id,
            self.agent,
            self.rack,
            self.role,
            PyResources(self.resources).__repr__()
        )
    }
}

/// One of the framework's task groups (a trace row).
#[pyclass(name = "GroupInfo", module = "offersim", frozen, get_all)]
pub struct PyGroupInfo {
    pub key: u64,
    pub job: u64,
    pub shape: PyResources,
    pub pending: u32,
    pub has_prefs: bool,
    pub priority: i64,
}

impl From<GroupInfo> for PyGroupInfo {
    fn from(g: GroupInfo) -> Self {
        PyGroupInfo {
            key: g.key.to_bits(),
            job: g.job.to_bits(),
            shape: PyResources(g.shape),
            pending: g.pending,
            has_prefs: g.has_prefs,
            priority: g.priority,
        }
    }
}

#[pymethods]
impl PyGroupInfo {
    fn __repr__(&self) -> String {
        format!(
            "GroupInfo(key={}, job={}, shape={}, pending={})",
            self.key,
            self.job,
            self.shape.__repr__(),
            self.pending
        )
    }
}

/// One of the framework's jobs.
#[pyclass(name = "JobInfo", module = "offersim", frozen, get_all)]
pub struct PyJobInfo {
    pub key: u64,
    /// Submission order (unique in a run).
    pub seq: u64,
    pub running: u32,
}

impl From<JobInfo> for PyJobInfo {
    fn from(j: JobInfo) -> Self {
        PyJobInfo {
            key: j.key.to_bits(),
            seq: j.seq,
            running: j.running,
        }
    }
}

#[pymethods]
impl PyJobInfo {
    fn __repr__(&self) -> String {
        format!(
            "JobInfo(key={}, seq={}, running={})",
            self.key, self.seq, self.running
        )
    }
}

/// The minimum an offer (or what is left of it) must hold to be worth using: any one of its
/// alternatives.
#[pyclass(name = "MinAllocatable", module = "offersim", frozen)]
pub struct PyMinAllocatable(pub MinAllocatable);

#[pymethods]
impl PyMinAllocatable {
    fn allows(&self, r: &PyResources) -> bool {
        self.0.allows(&r.0)
    }

    fn __repr__(&self) -> String {
        let alts: Vec<String> = self
            .0
             .0
            .iter()
            .map(|r| PyResources(*r).__repr__())
            .collect();
        format!("MinAllocatable([{}])", alts.join(", "))
    }
}

/// What a scheduler returns for an offer when a plain list of launches is not enough: the
/// launches (`(group, task)` pairs), the decline filter for the rest in seconds (None: the
/// framework's default), `hold=True` to keep the offer outstanding, or `reserve`: a RESERVE
/// offer operation before the launches (that much of the offer's unreserved resources becomes
/// reserved for the offer's role, as `Decision::reserve` of a Rust scheduler).
#[pyclass(name = "Decision", module = "offersim", frozen, get_all)]
pub struct PyDecision {
    pub launch: Vec<(u64, u32)>,
    pub refuse_s: Option<f64>,
    pub hold: bool,
    pub reserve: Option<PyResources>,
}

#[pymethods]
impl PyDecision {
    #[new]
    #[pyo3(signature = (launch = Vec::new(), *, refuse_s = None, hold = false, reserve = None))]
    fn new(
        launch: Vec<(u64, u32)>,
        refuse_s: Option<f64>,
        hold: bool,
        reserve: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        if let Some(s) = refuse_s {
            if !s.is_finite() || !(0.0..=offersim::scenario::MAX_SECONDS).contains(&s) {
                return Err(PyValueError::new_err(format!(
                    "refuse_s: expected seconds from 0 to {:e}, got {s}",
                    offersim::scenario::MAX_SECONDS
                )));
            }
        }
        if hold && !launch.is_empty() {
            return Err(PyValueError::new_err(
                "a held offer cannot also launch tasks",
            ));
        }
        let reserve = match reserve.filter(|r| !r.is_none()) {
            None => None,
            Some(r) => Some(reserve_amount(r)?),
        };
        if hold && reserve.is_some() {
            return Err(PyValueError::new_err("a held offer cannot also reserve"));
        }
        Ok(PyDecision {
            launch,
            refuse_s,
            hold,
            reserve,
        })
    }

    /// Python's spelling of each argument (Rust's Debug would say `Some(1.0)`, `false`), so
    /// the repr is a call that makes the same Decision.
    fn __repr__(&self) -> String {
        let refuse_s = match self.refuse_s {
            Some(s) => format!("{s:?}"),
            None => "None".into(),
        };
        let reserve = match &self.reserve {
            Some(r) => r.__repr__(),
            None => "None".into(),
        };
        let hold = if self.hold { "True" } else { "False" };
        format!(
            "Decision(launch={:?}, refuse_s={refuse_s}, hold={hold}, reserve={reserve})",
            self.launch
        )
    }
}

/// `reserve=` of a `Decision`: a `Resources` (TypeError otherwise) with no negative amount
/// (a difference of two `Resources` may have one) and some positive one, as a `reserve`
/// event's (ValueError otherwise). Whether the offer holds it, and that its role is not `*`,
/// only the master can tell: those are `DecisionError`s of the run.
fn reserve_amount(r: &Bound<'_, PyAny>) -> PyResult<PyResources> {
    let r = *r
        .cast::<PyResources>()
        .map_err(|_| {
            PyTypeError::new_err(format!(
                "reserve: expected offersim.Resources, got {}",
                type_name(r)
            ))
        })?
        .get();
    if !r.0.is_nonnegative() {
        return Err(PyValueError::new_err(format!(
            "reserve: amounts must not be negative, got {}",
            r.__repr__()
        )));
    }
    if r.0.is_zero() {
        return Err(PyValueError::new_err(
            "reserve: a reservation needs a positive amount of some resource",
        ));
    }
    Ok(r)
}

/// An offer an allocator makes: `pools` (a `Pools`, or `Resources`: unreserved) of `agent` to
/// `framework` under `role`.
#[pyclass(name = "Grant", module = "offersim", frozen)]
pub struct PyGrant {
    #[pyo3(get)]
    pub framework: u32,
    #[pyo3(get)]
    pub role: u32,
    #[pyo3(get)]
    pub agent: u32,
    pub pools: Pools,
}

#[pymethods]
impl PyGrant {
    #[new]
    fn new(framework: u32, role: u32, agent: u32, pools: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(PyGrant {
            framework,
            role,
            agent,
            pools: pools_from(pools)?,
        })
    }

    #[getter]
    fn pools(&self) -> PyPools {
        PyPools(self.pools.clone())
    }

    fn __repr__(&self) -> String {
        format!(
            "Grant(framework={}, role={}, agent={}, pools={})",
            self.framework,
            self.role,
            self.agent,
            PyPools(self.pools.clone()).__repr__()
        )
    }
}

/// Each of `agents` whole (everything `role` may use of its free resources) to `framework`,
/// in a seeded random order the master draws.
#[pyclass(name = "GrantAll", module = "offersim", frozen, get_all)]
pub struct PyGrantAll {
    pub framework: u32,
    pub role: u32,
    pub agents: Vec<u32>,
}

#[pymethods]
impl PyGrantAll {
    #[new]
    fn new(framework: u32, role: u32, agents: Vec<u32>) -> Self {
        PyGrantAll {
            framework,
            role,
            agents,
        }
    }

    fn __repr__(&self) -> String {
        format!(
            "GrantAll(framework={}, role={}, agents={:?})",
            self.framework, self.role, self.agents
        )
    }
}
