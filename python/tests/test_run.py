"""offersim.run: the files it writes are the command line's, its DataFrames are those files,
scenarios may be dicts, and bad input raises exceptions that carry file, line and field."""

import csv
import math
import warnings

import pandas as pd
import pytest

import offersim
from offersim import results
from conftest import QUICKSTART, REPO, cli, files


def test_files_written_with_out_are_the_command_lines_byte_for_byte(tmp_path, offersim_bin):
    cli(offersim_bin, "run", QUICKSTART, "--out", tmp_path / "cli", "--quiet")
    offersim.run(QUICKSTART, out=tmp_path / "py")
    a, b = files(tmp_path / "cli"), files(tmp_path / "py")
    assert "drf/2/offers.csv" in a and "report.html" in a
    assert a.keys() == b.keys()
    for name in a:
        assert a[name] == b[name], name


def test_options_are_the_command_lines_flags(tmp_path, offersim_bin):
    cli(offersim_bin, "run", QUICKSTART, "--out", tmp_path / "cli", "--quiet",
        "--seed", "7", "--replications", "2", "--policy", "static", "--outputs", "summary")
    offersim.run(QUICKSTART, out=tmp_path / "py", seed=7, replications=2,
                 policies=["static"], outputs="summary")
    a, b = files(tmp_path / "cli"), files(tmp_path / "py")
    assert a == b
    assert "static/1/frameworks.csv" in a and not any(n.startswith("drf/") for n in a)


def _expected(texts, dtype):
    """A column's cells as the file spells them, in the column's dtype (empty: NaN)."""
    if dtype == "float64":
        return [math.nan if t == "" else float(t) for t in texts]
    if dtype == "int64":
        return [int(t) for t in texts]
    return texts


def _assert_frame_is_file(df, rows, header, file):
    types = results.dtypes(file)
    assert header == list(types)
    assert list(df.columns) == list(types)
    assert len(df) == len(rows)
    for k, (c, t) in enumerate(types.items()):
        assert df[c].dtype == pd.Series([], dtype=t).dtype, (file, c, df[c].dtype)
        want = _expected([r[k] for r in rows], df[c].dtype)
        got = df[c].tolist()
        if df[c].dtype == "float64":
            same = all((math.isnan(a) and math.isnan(b)) or a == b for a, b in zip(got, want))
        else:
            same = got == want
        assert same, (file, c)


def _read(path):
    with open(path, newline="") as f:
        r = list(csv.reader(f))
    return r[0], r[1:]


def test_dataframes_are_the_csv_files_with_their_columns_and_dtypes(tmp_path):
    r = offersim.run(QUICKSTART, out=tmp_path / "q")
    for name in ("summary", "compare", "compare_frameworks"):
        header, rows = _read(tmp_path / "q" / f"{name}.csv")
        _assert_frame_is_file(getattr(r, name), rows, header, f"{name}.csv")
    assert r.summary.policy.tolist() == ["drf"] * 3 + ["static"] * 3
    for attr in ("frameworks", "jobs", "tasks", "shares", "offers", "utilization"):
        df = getattr(r, attr)
        assert list(df.columns[:2]) == ["policy", "replication"]
        at = 0
        for policy, rep in r.runs():
            header, rows = _read(tmp_path / "q" / policy / str(rep) / f"{attr}.csv")
            part = df.iloc[at:at + len(rows)]
            assert (part.policy == policy).all() and (part.replication == rep).all()
            _assert_frame_is_file(part.drop(columns=["policy", "replication"]).reset_index(drop=True),
                                  rows, header, f"{attr}.csv")
            at += len(rows)
        assert at == len(df), attr
    # Empty cells are NaN: the quickstart's tasks have no locality preferences.
    assert r.summary.node_local.isna().all()


def test_every_column_the_library_writes_has_a_dtype():
    for file, cols in offersim._core.COLUMNS.items():
        assert list(results.dtypes(file)) == cols


def test_without_out_results_live_in_a_temporary_folder_that_goes_with_them():
    r = offersim.run(QUICKSTART, replications=1, policies=["drf"])
    path = r.path
    assert (path / "summary.csv").is_file() and len(r.summary) == 1
    del r
    import gc

    gc.collect()
    assert not path.exists()


MINIMAL = {
    "name": "minimal",
    "seed": 1,
    "cluster": {"racks": 2, "agents_per_rack": 2, "agent": {"cpus": 4, "mem_mb": 8192}},
    "workload": {"trace": "minimal.csv"},
}
TRACE = """job_id,framework,submit_s,tasks,cpus,mem_mb,duration_s
j1,analytics,0,8,1,2048,60
j2,web,0,4,2,1024,30
j3,analytics,10,6,1,2048,45
"""


def test_a_dict_is_the_scenario_file_it_spells_with_paths_from_the_current_folder(tmp_path, monkeypatch):
    (tmp_path / "minimal.csv").write_text(TRACE)
    (tmp_path / "minimal.toml").write_text(offersim.to_toml(MINIMAL))
    from_file = offersim.run(tmp_path / "minimal.toml", out=tmp_path / "a")
    monkeypatch.chdir(tmp_path)
    from_dict = offersim.run(MINIMAL, out=tmp_path / "b")
    pd.testing.assert_frame_equal(from_file.summary, from_dict.summary)
    assert from_dict.summary.tasks_finished.tolist() == [18]
    assert (tmp_path / "b" / "inputs" / "trace-minimal.csv").read_text() == TRACE


def test_bad_input_raises_an_input_error_with_file_line_and_field(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(QUICKSTART.read_text().replace("replications = 3", "replications = 0"))
    with pytest.raises(offersim.InputError) as e:
        offersim.run(bad)
    line = next(i for i, l in enumerate(bad.read_text().splitlines(), 1) if l.startswith("replications"))
    assert (e.value.file, e.value.line, e.value.field) == (str(bad), line, "replications")
    assert "expected an integer >= 1" in e.value.reason and e.value.exit_code == 2
    assert str(e.value).startswith(f"{bad}:{line}: field `replications`")


def test_a_bad_dict_names_the_key_and_its_line_in_to_toml(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "minimal.csv").write_text(TRACE)
    d = dict(MINIMAL, master={"refuse_s": -1})
    with pytest.raises(offersim.InputError) as e:
        offersim.run(d)
    text = offersim.to_toml(d).splitlines()
    assert e.value.file == "<dict>" and e.value.field == "master.refuse_s"
    assert text[e.value.line - 1].startswith("refuse_s = -1")
    assert "<dict>" in str(e.value) and "offersim-scenario-" not in str(e.value)


def test_a_bad_trace_row_names_its_file_and_line(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "minimal.csv").write_text(TRACE + "j4,web,10,x,1,1,1\n")
    with pytest.raises(offersim.InputError) as e:
        offersim.run(MINIMAL)
    assert e.value.file.endswith("minimal.csv") and e.value.line == 5 and e.value.field == "tasks"


def test_names_that_match_nothing_are_warnings(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "minimal.csv").write_text(TRACE)
    with pytest.warns(offersim.ScenarioWarning, match="eng"):
        offersim.run(dict(MINIMAL, roles={"eng": {"weight": 2.0}}))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        offersim.run(MINIMAL)


def test_unknown_policies_and_bad_arguments_are_value_errors():
    with pytest.raises(ValueError, match='no policy "dfr".*drf, static'):
        offersim.run(QUICKSTART, policies=["dfr"])
    with pytest.raises(ValueError, match="replications"):
        offersim.run(QUICKSTART, replications=0)
    with pytest.raises(ValueError, match="outputs"):
        offersim.run(QUICKSTART, outputs="some")
    with pytest.raises(TypeError):
        offersim.run(QUICKSTART, seed="1")


def test_an_out_folder_offersim_did_not_write_is_refused_and_left_alone(tmp_path):
    (tmp_path / "mine.txt").write_text("keep")
    with pytest.raises(offersim.InputError) as e:
        offersim.run(QUICKSTART, out=tmp_path, policies=["drf"], replications=1)
    assert "out" in str(e.value)
    assert [p.name for p in tmp_path.iterdir()] == ["mine.txt"]


def test_ctrl_c_stops_a_run_and_leaves_nothing(tmp_path):
    import os
    import signal
    import threading

    timer = threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            offersim.run(QUICKSTART, replications=200, jobs=2, out=tmp_path / "out")
    finally:
        timer.cancel()
    assert not (tmp_path / "out" / "summary.csv").exists()


MAINTENANCE = REPO / "tests" / "scenarios" / "maintenance_inverse_offers.toml"


def test_inverse_offers_are_the_files_rows_with_their_dtypes(tmp_path):
    # The shipped scenario ends after the window starts (its inverse offer is rescinded at 61);
    # the same scenario ended at 30 leaves it outstanding (held, resolved_s empty: NaN).
    text = MAINTENANCE.read_text()
    assert text.count("\nend_s = 71.5\n") == 1
    held = tmp_path / "held.toml"
    held.write_text(text.replace("\nend_s = 71.5\n", "\nend_s = 30\n"))
    for name, scenario, outcome in (("rescinded", MAINTENANCE, "rescinded"), ("held", held, "held")):
        r = offersim.run(scenario, out=tmp_path / name)
        df = r.inverse_offers
        assert list(df.columns[:2]) == ["policy", "replication"]
        at = 0
        for policy, rep in r.runs():
            header, rows = _read(tmp_path / name / policy / str(rep) / "inverse_offers.csv")
            part = df.iloc[at:at + len(rows)]
            assert (part.policy == policy).all() and (part.replication == rep).all()
            _assert_frame_is_file(part.drop(columns=["policy", "replication"]).reset_index(drop=True),
                                  rows, header, "inverse_offers.csv")
            at += len(rows)
        assert at == len(df) > 0
        assert df.inverse_offer_id.dtype == "int64" and df.resolved_s.dtype == "float64"
        assert (df.outcome == outcome).all()
        assert df.resolved_s.isna().all() == (outcome == "held")


def test_inverse_offers_of_a_scenario_without_maintenance_are_empty_with_the_same_dtypes(tmp_path):
    r = offersim.run(QUICKSTART, out=tmp_path / "q", replications=1)
    assert not (tmp_path / "q" / "drf" / "0" / "inverse_offers.csv").exists()
    empty = r.inverse_offers
    assert len(empty) == 0
    full = offersim.run(MAINTENANCE).inverse_offers
    assert len(full) > 0
    assert list(empty.columns) == list(full.columns)
    assert empty.dtypes.tolist() == full.dtypes.tolist()


def test_inverse_offers_of_a_summary_only_run_say_the_file_was_not_written():
    r = offersim.run(MAINTENANCE, outputs="summary")
    with pytest.raises(FileNotFoundError, match="was not written"):
        r.inverse_offers
