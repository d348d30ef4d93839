"""Policies written in Python: they decide like built-in ones (the Python greedy scheduler is
the built-in greedy to the byte), their decisions are validated like built-in ones, and their
exceptions stop the run."""

import math

import pytest

import offersim
from conftest import QUICKSTART, REPO, cli, files


def test_the_python_greedy_scheduler_gives_the_builtin_greedys_summary(tmp_path, greedy_module):
    Greedy = greedy_module.Greedy
    offersim.run(QUICKSTART, out=tmp_path / "builtin")
    offersim.run(
        QUICKSTART,
        out=tmp_path / "python",
        policies=[
            offersim.Policy("drf", scheduler=Greedy, base="drf"),
            offersim.Policy("static", scheduler=Greedy, base="static"),
        ],
    )
    builtin = (tmp_path / "builtin" / "summary.csv").read_bytes()
    assert builtin.count(b"\n") == 7
    assert (tmp_path / "python" / "summary.csv").read_bytes() == builtin
    # Not only the summary: every task started on the same agent at the same time.
    for run in ("drf/0", "static/2"):
        assert (tmp_path / "python" / run / "tasks.csv").read_bytes() == (
            tmp_path / "builtin" / run / "tasks.csv"
        ).read_bytes()


def test_a_python_policy_is_reproducible_and_named_in_the_summary(tmp_path, greedy_module):
    p = offersim.Policy("mine", scheduler=greedy_module.Greedy(), base="static")
    a = offersim.run(QUICKSTART, policies=["drf", p], replications=2, out=tmp_path / "a")
    offersim.run(QUICKSTART, policies=["drf", p], replications=2, out=tmp_path / "b")
    assert files(tmp_path / "a") == files(tmp_path / "b")
    assert a.summary.policy.tolist() == ["drf", "drf", "mine", "mine"]
    assert (a.summary.tasks_finished == a.summary.tasks).all()


class Overeager(offersim.Scheduler):
    """Launches every pending task on every offer, whatever fits."""

    name = "overeager"

    def on_offer(self, offer, work):
        return [(g, t) for g in work.pending_groups() for t in work.pending_tasks(g)]


def test_a_launch_that_does_not_fit_its_offer_is_rejected(tmp_path):
    with pytest.raises(offersim.DecisionError) as e:
        offersim.run(QUICKSTART, policies=[Overeager], out=tmp_path / "out")
    assert e.value.policy == "overeager"
    assert "launched" in e.value.reason and "on an offer of" in e.value.reason
    assert str(e.value).startswith("invalid decision by overeager: launched <")
    assert not (tmp_path / "out" / "summary.csv").exists()


class Twice(offersim.Scheduler):
    def on_offer(self, offer, work):
        g = work.pending_groups()[0]
        t = work.pending_tasks(g)[0]
        return offersim.Decision([(g, t), (g, t)], refuse_s=1.0)


def test_a_task_launched_twice_is_rejected():
    with pytest.raises(offersim.DecisionError, match=r"by Twice: task 0 of group \d+\.\d+ is not pending"):
        offersim.run(QUICKSTART, policies=[Twice])


class Greedier(offersim.Allocator):
    """Offers every candidate agent's free resources twice over."""

    def allocate(self, view, run):
        out = []
        for a in run.candidates():
            free = view.agent(a).free.total()
            out.append(offersim.Grant(0, view.framework(0).roles[0].role, a, free + free))
        return out


def test_a_grant_beyond_the_agents_free_resources_is_rejected():
    with pytest.raises(offersim.DecisionError) as e:
        offersim.run(QUICKSTART, policies=[Greedier()])
    assert e.value.policy == "Greedier"
    assert "exceeds what role * may use there" in e.value.reason


class EmptiestAgentFirst(offersim.Allocator):
    """examples/emptiest_agent.rs in Python: each framework in turn, round robin, gets the
    agent with the most free cpus, whole."""

    name = "emptiest-agent-first"

    def __init__(self):
        self.next_fw = 0

    def allocate(self, view, run):
        order = sorted(run.candidates(), key=lambda a: (-view.agent(a).free.total().cpus, a))
        fws = [f for f in range(view.framework_count) if view.framework(f).roles[0].wants_offers]
        grants = []
        if not fws:
            return grants
        for a in order:
            f = fws[self.next_fw % len(fws)]
            role = view.framework(f).roles[0].role
            offer = view.usable(a, role)
            if not view.allocatable(f, 0, offer.total()) or not view.capable(f, a) or view.filtered(f, role, a, offer):
                continue
            self.next_fw += 1
            grants.append(offersim.Grant(f, role, a, offer))
        return grants


def test_a_python_allocator_decides_as_the_same_allocator_in_rust(emptiest_agent_bin):
    rust = cli(emptiest_agent_bin, QUICKSTART).stdout.splitlines()
    fields = dict((l.split() + [""])[:2] for l in rust if l.startswith("  "))
    r = offersim.run(QUICKSTART, policies=[EmptiestAgentFirst], replications=1, check_invariants=True)
    row = r.summary.iloc[0]
    assert row.policy == "emptiest-agent-first" and row.tasks_finished == row.tasks
    assert list(fields) == list(r.summary.columns[3:])
    for k, text in fields.items():
        if text == "":
            assert math.isnan(row[k]), k
        else:
            assert float(text) == row[k], k


def test_notify_sees_every_change_and_the_view_shows_it():
    seen = []

    class Watching(EmptiestAgentFirst):
        def notify(self, view, change):
            seen.append(change.kind)
            if change.kind == "agent_added":
                assert view.agent(change.agent).total == change.pools

    offersim.run(QUICKSTART, policies=[Watching], replications=1, check_invariants=True)
    assert seen.count("agent_added") == 40
    assert seen.count("framework_added") == 4
    assert "recovered" in seen


class Boom(offersim.Scheduler):
    def __init__(self):
        self.calls = 0

    def on_offer(self, offer, work):
        self.calls += 1
        if self.calls == 3:
            raise ValueError("boom on the third offer")
        return None


def test_an_exception_in_a_policy_stops_the_run_and_propagates(tmp_path):
    with pytest.raises(ValueError, match="boom on the third offer"):
        offersim.run(QUICKSTART, policies=[Boom], out=tmp_path / "out")
    assert not (tmp_path / "out" / "summary.csv").exists()


def test_a_view_kept_after_its_call_raises_instead_of_reading_freed_state():
    kept = []

    class Keeper(offersim.Scheduler):
        def on_offer(self, offer, work):
            kept.append((offer, work))
            return None

    scenario = {
        "name": "keeper",
        "end_s": 100,
        "cluster": {"racks": 1, "agents_per_rack": 2, "agent": {"cpus": 8, "mem_mb": 32768}},
        "workload": {"trace": str(REPO / "traces" / "quickstart.csv")},
    }
    offersim.run(scenario, policies=[Keeper])
    offer, work = kept[0]
    assert offer.resources.cpus == 8.0
    with pytest.raises(RuntimeError, match="valid only during the call"):
        work.pending_groups()


def test_hooks_and_factories(greedy_module):
    launched, ended, made = [], [], []

    class Counting(greedy_module.Greedy):
        def on_launch(self, job, locality, now_s):
            launched.append((job, locality))

        def on_job_end(self, job):
            ended.append(job)

    def factory(fw):
        made.append(fw.name)
        return Counting() if fw.name == "analytics" else None

    r = offersim.run(QUICKSTART, policies=[offersim.Policy("mixed", scheduler=factory)], replications=1)
    row = r.summary.iloc[0]
    assert sorted(made) == ["analytics", "etl", "ml-training", "web-batch"]
    analytics = r.frameworks[r.frameworks.framework == "analytics"].iloc[0]
    assert len(launched) == analytics.tasks and all(loc is None for _, loc in launched)
    assert len(set(ended)) == len(ended) == analytics.jobs
    assert row.tasks_finished == row.tasks


def test_resources_are_exact_to_a_thousandth():
    r = offersim.Resources(cpus=0.1) + offersim.Resources(cpus=0.2)
    assert r == offersim.Resources(cpus=0.3) and r.cpus == 0.3
    assert offersim.Resources(cpus=1, mem_mb=10).contains(offersim.Resources(cpus=1))
    assert not (offersim.Resources(cpus=1) - offersim.Resources(cpus=2)).contains(offersim.Resources())
    with pytest.raises(ValueError):
        offersim.Resources(cpus=-1)


def test_locality_and_preferred_agents_agree_with_the_launches(tmp_path, monkeypatch, greedy_module):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "t.csv").write_text(
        "job_id,framework,submit_s,tasks,cpus,mem_mb,duration_s,input\n"
        "j1,a,0,30,1,1024,20,data\nj2,b,0,30,1,1024,20,data\nj3,a,5,30,1,1024,20,logs\n"
    )
    seen, told = [], []

    class Recording(greedy_module.Greedy):
        def on_offer(self, offer, work):
            launches = super().on_offer(offer, work) or []
            for g, t in launches:
                where = work.locality(g, t, offer.agent)
                prefs = work.preferred(g, t)
                assert prefs and work.group(g).has_prefs
                assert (where == "node_local") == (offer.agent in [a for a, _ in prefs])
                assert (where == "rack_local") == (
                    where != "node_local" and offer.rack in [r for _, r in prefs]
                )
                seen.append(where)
            return launches

        def on_launch(self, job, locality, now_s):
            told.append(locality)

    s = {
        "name": "loc",
        "seed": 3,
        "cluster": {"racks": 3, "agents_per_rack": 4, "agent": {"cpus": 2, "mem_mb": 8192}},
        "workload": {"trace": "t.csv"},
    }
    r = offersim.run(s, policies=[Recording])
    assert len(seen) == 90 and sorted(seen) == sorted(told)
    row = r.summary.iloc[0]
    assert row.node_local == pytest.approx(seen.count("node_local") / 90)
    assert row.rack_local == pytest.approx(seen.count("rack_local") / 90)
    assert 0 < seen.count("node_local") < 90


class ReturnsANumber(offersim.Scheduler):
    def on_offer(self, offer, work):
        return 42


def test_an_on_offer_result_of_the_wrong_type_is_a_type_error_naming_it():
    with pytest.raises(TypeError, match="on_offer must return None, a Decision or a list .*, not int"):
        offersim.run(QUICKSTART, policies=[ReturnsANumber], replications=1)
