"""offersim from Python: run a scenario into pandas DataFrames, and write policies in Python.

    import offersim
    r = offersim.run("scenarios/quickstart.toml")
    r.summary                       # summary.csv as a DataFrame
    r.compare.query("metric == 'jct_mean_s'")

See docs/python.md in the repository.
"""

import os
import shutil
import tempfile
import warnings
from pathlib import Path

from . import _core
from ._core import (
    Decision,
    Grant,
    GrantAll,
    Pools,
    Resources,
)
from ._toml import dumps as to_toml
from .errors import (
    DecisionError,
    Error,
    InputError,
    InvariantError,
    OutputError,
    ScenarioWarning,
)
from .policies import Allocator, Framework, Policy, Scheduler, entries as _entries
from .results import Results, read_csv

__version__ = _core.VERSION

__all__ = [
    "run",
    "to_toml",
    "read_csv",
    "Results",
    "Scheduler",
    "Allocator",
    "Policy",
    "Framework",
    "Decision",
    "Grant",
    "GrantAll",
    "Resources",
    "Pools",
    "Error",
    "InputError",
    "OutputError",
    "InvariantError",
    "DecisionError",
    "ScenarioWarning",
]


def run(
    scenario,
    *,
    seed=None,
    replications=None,
    policies=None,
    out=None,
    outputs=None,
    jobs=None,
    check_invariants=False,
):
    """Run a scenario and return its ``Results``.

    - ``scenario``: a path to a scenario file, or a dict of the same keys (its relative paths
      are relative to the current folder; error lines are those of ``to_toml(scenario)``).
    - ``seed``, ``replications``: override the scenario's (as ``--seed``, ``--replications``).
    - ``policies``: which policies run, in this order: names of the scenario's policies (as
      ``--policy``), and Python policies (``Policy``, or ``Scheduler``/``Allocator``
      subclasses and instances). Default: every policy of the scenario.
    - ``out``: the results folder to write (as ``--out``; the files are the command line's,
      byte for byte). Default: a temporary folder removed with the returned object.
    - ``outputs``: "summary", "default" or "all" (as ``--outputs``).
    - ``jobs``: runs at once (default: the number of cores; 1 with Python policies).
    - ``check_invariants``: as ``--check-invariants``.

    Raises ``offersim.InputError`` (with ``file``, ``line``, ``field``) for bad input,
    ``offersim.DecisionError`` when a policy's decision cannot be applied, and whatever a
    Python policy itself raises.
    """
    for name, v in (("seed", seed), ("replications", replications), ("jobs", jobs)):
        if v is not None and (isinstance(v, bool) or not isinstance(v, int)):
            raise TypeError(f"{name}: expected an integer, got {v!r}")
    if seed is not None and seed < 0:
        raise ValueError(f"seed: expected an integer >= 0, got {seed}")
    if policies is not None:
        policies = _entries(policies)
    temporary = out is None
    out = Path(tempfile.mkdtemp(prefix="offersim-")) if temporary else Path(out)
    try:
        with tempfile.TemporaryDirectory(prefix="offersim-scenario-") as tmp:
            if isinstance(scenario, dict):
                path = Path(tmp) / "scenario.toml"
                path.write_text(to_toml(scenario), encoding="utf-8")
                where = dict(base_dir=os.getcwd(), label="<dict>")
            else:
                path, where = Path(scenario), {}
            plan = _core.plan(
                path,
                out,
                seed=seed,
                replications=replications,
                policies=policies,
                outputs=outputs,
                jobs=jobs,
                check_invariants=check_invariants,
                **where,
            )
            for w in plan.warnings:
                warnings.warn(w, ScenarioWarning, stacklevel=2)
            plan.run()
    except BaseException:
        if temporary:
            shutil.rmtree(out, ignore_errors=True)
        raise
    return Results(out, temporary=temporary)
