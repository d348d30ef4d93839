"""Shared fixtures of the Python package's tests: the repository, the command-line binary the
Rust build made, and the examples as importable modules."""

import importlib.util
import os
import subprocess
from pathlib import Path

import pytest

import offersim

REPO = Path(__file__).resolve().parents[2]
QUICKSTART = REPO / "scenarios" / "quickstart.toml"


def _built(env, rel):
    """A binary of the Rust build: `env` if set, else target/debug/`rel`. CI builds both
    (cargo test) before it runs these tests; elsewhere build them the same way."""
    p = Path(os.environ.get(env) or REPO / "target" / "debug" / rel)
    if not p.is_file():
        pytest.fail(f"{p} is missing: run `cargo test` (or `cargo build --examples`) first, or set {env}")
    return p


@pytest.fixture(scope="session")
def offersim_bin():
    return _built("OFFERSIM_BIN", "offersim")


@pytest.fixture(scope="session")
def emptiest_agent_bin():
    return _built("OFFERSIM_EMPTIEST_AGENT_BIN", "examples/emptiest_agent")


@pytest.fixture(scope="session")
def greedy_module():
    spec = importlib.util.spec_from_file_location("greedy_example", REPO / "examples" / "python" / "greedy.py")
    m = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(m)
    return m


@pytest.fixture(autouse=True)
def _invariants_on(monkeypatch):
    """Every scenario these tests run checks the invariants after every event (as the Rust
    tests do): `offersim.run` defaults to `check_invariants=True` here."""
    real = offersim.run

    def run(*args, **kwargs):
        kwargs.setdefault("check_invariants", True)
        return real(*args, **kwargs)

    monkeypatch.setattr(offersim, "run", run)


def cli(binary, *args):
    """Runs the command-line binary; a scenario run (`run`, `check`) checks the invariants."""
    args = [str(a) for a in args]
    if args and args[0] in ("run", "check") and "--check-invariants" not in args:
        args.append("--check-invariants")
    r = subprocess.run([str(binary), *args], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return r


def files(dir):
    """Every file below `dir` but the wall-clock perf.csv files, by relative path, with its bytes."""
    dir = Path(dir)
    return {
        str(p.relative_to(dir)): p.read_bytes()
        for p in sorted(dir.rglob("*"))
        if p.is_file() and p.name != "perf.csv"
    }
