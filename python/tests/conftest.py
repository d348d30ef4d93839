"""Shared fixtures of the Python package's tests: the repository, the command-line binary the
Rust build made, and the examples as importable modules."""

import importlib.util
import os
import subprocess
from pathlib import Path

import pytest

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


def cli(binary, *args):
    r = subprocess.run([str(binary), *map(str, args)], capture_output=True, text=True)
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
