"""A results folder read into pandas DataFrames, with each file's columns (as the library
defines them: ``offersim._core.COLUMNS``) and one dtype per column: ``str`` for names,
``int64`` for counts, ``float64`` for times, fractions and amounts (an empty cell, such as
locality without preferences, is NaN).
"""

import csv
import shutil
import weakref
from pathlib import Path

import pandas as pd

from . import _core

# The kind of every column of every file. A column the library adds without a kind here
# makes reading that file fail (and the tests say which), rather than guess a dtype.
_STR = {"policy", "metric", "framework", "job_id", "agent", "role", "locality", "state", "outcome"}
_INT = {
    "summary.csv": {
        "replication", "seed", "jobs", "tasks", "tasks_finished", "tasks_lost",
        "tasks_unscheduled", "offers", "offers_declined", "offers_rescinded", "events",
        "tasks_preempted", "jobs_abandoned",
    },
    "compare.csv": {"replications"},
    "compare_frameworks.csv": {"replications"},
    "frameworks.csv": {"tasks", "jobs", "jobs_submitted", "jobs_abandoned", "jobs_unscheduled"},
    "jobs.csv": {"tasks"},
    "tasks.csv": {"task", "attempt"},
    "shares.csv": set(),
    "offers.csv": {"offer_id"},
    "utilization.csv": set(),
    "inverse_offers.csv": {"inverse_offer_id"},
}
_FLOAT = {
    "summary.csv": {
        "makespan_s", "jct_mean_s", "jct_p50_s", "jct_p95_s", "jct_p99_s", "wait_mean_s",
        "wait_p95_s", "node_local", "rack_local", "off_rack", "jain", "util_cpus", "util_mem",
        "util_gpus",
    },
    "compare.csv": {"mean", "ci95", "ci95_low", "ci95_high"},
    "compare_frameworks.csv": {"mean", "ci95", "ci95_low", "ci95_high"},
    "frameworks.csv": {
        "share_mean", "jct_mean_s", "jct_p95_s", "wait_mean_s", "wait_p95_s",
        "wait_full_mean_s", "busyness",
    },
    "jobs.csv": {"submit_s", "first_start_s", "end_s", "node_local", "rack_local", "off_rack"},
    "tasks.csv": {"submit_s", "start_s", "end_s"},
    "shares.csv": {"time_s", "cpus", "mem_mb", "dominant_share"},
    "offers.csv": {"time_s", "cpus", "mem_mb", "disk_mb", "gpus"},
    "utilization.csv": {"time_s", "util_cpus", "util_mem"},
    "inverse_offers.csv": {"time_s", "start_s", "end_s", "resolved_s"},
}

#: The per-run files (one per policy and replication, in POLICY/REPLICATION/).
PER_RUN = (
    "frameworks.csv", "jobs.csv", "tasks.csv", "shares.csv", "offers.csv", "utilization.csv",
    "inverse_offers.csv",
)


def dtypes(file):
    """{column: dtype} of one of offersim's CSV files, in the file's column order."""
    out = {}
    for c in _core.COLUMNS[file]:
        if c in _INT[file]:
            out[c] = "int64"
        elif c in _FLOAT[file]:
            out[c] = "float64"
        elif c in _STR:
            out[c] = str
        else:
            raise KeyError(f"{file}: column {c!r} has no dtype in offersim.results")
    return out


def read_csv(path, file=None):
    """One of offersim's CSV files as a DataFrame with its dtypes (``file``: which kind of
    file, default its name)."""
    path = Path(path)
    types = dtypes(file or path.name)
    floats = [c for c, t in types.items() if t == "float64"]
    df = pd.read_csv(
        path,
        dtype=types,
        keep_default_na=False,
        na_values={c: [""] for c in floats},
    )
    if list(df.columns) != list(types):
        raise ValueError(f"{path}: columns {list(df.columns)}, expected {list(types)}")
    return df


def _empty(file):
    """A per-run file with no rows: its columns, ``policy`` and ``replication`` first, with
    the dtypes ``read_csv`` gives them."""
    types = {"policy": str, "replication": "int64", **dtypes(file)}
    return pd.DataFrame({c: pd.Series([], dtype=t) for c, t in types.items()})


class Results:
    """The results folder of a run and its files as DataFrames (read when first asked for).

    ``summary``, ``compare`` and ``compare_frameworks`` are the folder's files; the per-run
    files (``frameworks``, ``jobs``, ``tasks``, ``shares``, ``offers``, ``utilization``,
    ``inverse_offers``) are every run's file one after the other in summary order, with
    ``policy`` and ``replication`` columns first.
    """

    def __init__(self, path, temporary=False):
        #: The results folder (a temporary one, removed with this object, unless ``out``).
        self.path = Path(path)
        self._frames = {}
        if temporary:
            self._cleanup = weakref.finalize(self, shutil.rmtree, str(self.path), True)

    def __repr__(self):
        return f"<offersim.Results {self.path}>"

    def _frame(self, key, make):
        if key not in self._frames:
            self._frames[key] = make()
        return self._frames[key]

    @property
    def summary(self):
        return self._frame("summary", lambda: read_csv(self.path / "summary.csv"))

    @property
    def compare(self):
        return self._frame("compare", lambda: read_csv(self.path / "compare.csv"))

    @property
    def compare_frameworks(self):
        return self._frame(
            "compare_frameworks", lambda: read_csv(self.path / "compare_frameworks.csv")
        )

    def runs(self):
        """(policy, replication) of every run, in summary order."""
        with open(self.path / "summary.csv", newline="") as f:
            return [(r["policy"], int(r["replication"])) for r in csv.DictReader(f)]

    def per_run(self, file):
        """A per-run file of every run as one DataFrame (see the class doc)."""
        if file not in PER_RUN:
            raise ValueError(f"{file!r} is not a per-run file; expected one of {PER_RUN}")
        return self._frame(file, lambda: self._concat(file))

    def _concat(self, file):
        parts = []
        for policy, rep in self.runs():
            p = self.path / policy / str(rep) / file
            # A run writes inverse_offers.csv only when its scenario schedules maintenance;
            # without it (but with the run's other files) it made no inverse offers.
            absent = not p.is_file()
            if file == "inverse_offers.csv" and absent and p.with_name("tasks.csv").is_file():
                continue
            if not p.is_file():
                raise FileNotFoundError(
                    f"{p} was not written: run with outputs='default' (tasks, jobs, shares) "
                    "or 'all' (offers too)"
                )
            df = read_csv(p)
            df.insert(0, "replication", pd.Series([rep] * len(df), dtype="int64"))
            df.insert(0, "policy", pd.Series([policy] * len(df), dtype=str))
            parts.append(df)
        if not parts:
            return _empty(file)
        return pd.concat(parts, ignore_index=True)

    frameworks = property(lambda self: self.per_run("frameworks.csv"))
    jobs = property(lambda self: self.per_run("jobs.csv"))
    tasks = property(lambda self: self.per_run("tasks.csv"))
    shares = property(lambda self: self.per_run("shares.csv"))
    offers = property(lambda self: self.per_run("offers.csv"))
    utilization = property(lambda self: self.per_run("utilization.csv"))
    #: Empty (with its columns and dtypes) when the scenario schedules no maintenance.
    inverse_offers = property(lambda self: self.per_run("inverse_offers.csv"))
