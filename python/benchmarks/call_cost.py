"""What a policy written in Python costs per call, for docs/python.md.

Each measure runs the same simulation twice, with a built-in policy and with a Python one that
makes the same decisions, and divides the difference in wall time by the number of calls:

- on_offer, crossing only: tasks too large for any agent, so the built-in greedy declines every
  offer and a Python scheduler returning None does the same.
- allocate, crossing only: frameworks idle after a first job, so DRF grants nothing at every
  tick and a Python allocator returning [] does the same.
- on_offer, the example greedy scheduler (examples/python/greedy.py) against the built-in
  greedy on the quickstart: what a real policy costs.
- one view method call (work.group, work.pending_tasks, view.agent), timed inside a callback.

Times are CPU times of this process (the least of seven runs). Run it with a release build of
the package (pip install ./python):
    python python/benchmarks/call_cost.py
"""

import importlib.util
import tempfile
import time
from pathlib import Path

import offersim

REPO = Path(__file__).resolve().parents[2]
QUICKSTART = REPO / "scenarios" / "quickstart.toml"


def best_of(n, f):
    """The least CPU time of n calls of f: on a shared machine wall time measures the other
    users as much as this process, CPU time much less, and the least of several is the cost."""
    best = float("inf")
    for _ in range(n):
        t = time.process_time()
        f()
        best = min(best, time.process_time() - t)
    return best


def scenario(tmp, rows, end_s):
    trace = Path(tmp) / "trace.csv"
    trace.write_text("job_id,framework,submit_s,tasks,cpus,mem_mb,duration_s\n" + rows)
    return {
        "name": "cost",
        "seed": 1,
        "end_s": end_s,
        "outputs": "summary",
        "cluster": {"racks": 4, "agents_per_rack": 10, "agent": {"cpus": 8, "mem_mb": 32768}},
        "workload": {"trace": str(trace)},
    }


class Counter:
    calls = 0


class Decliner(offersim.Scheduler):
    def on_offer(self, offer, work):
        Counter.calls += 1
        return None


class Idle(offersim.Allocator):
    def allocate(self, view, run):
        Counter.calls += 1
        return []


def per_call(s, builtin, python, n=7):
    t_builtin = best_of(n, lambda: offersim.run(s, policies=builtin, jobs=1))
    Counter.calls = 0
    offersim.run(s, policies=python)
    calls = Counter.calls
    t_python = best_of(n, lambda: offersim.run(s, policies=python))
    return (t_python - t_builtin) / calls, calls, t_builtin, t_python


def main():
    with tempfile.TemporaryDirectory() as tmp:
        big = "".join(f"j{i},fw{i % 4},0,1,16,1024,10\n" for i in range(8))
        s = scenario(tmp, big, 20000)
        us, calls, a, b = per_call(s, ["drf"], [offersim.Policy("drf", scheduler=Decliner, base="drf")])
        print(f"on_offer returning None: {us * 1e6:.2f} us/call ({calls} calls; {a:.3f} s built-in, {b:.3f} s Python)")

        small = "j0,fw0,0,1,1,1024,10\nj1,fw1,0,1,1,1024,10\n"
        s = scenario(tmp, small, 200000)
        us, calls, a, b = per_call(s, ["drf"], [offersim.Policy("drf", allocator=Idle, base="drf")])
        print(f"allocate returning []:   {us * 1e6:.2f} us/call ({calls} calls; {a:.3f} s built-in, {b:.3f} s Python)")

    spec = importlib.util.spec_from_file_location("greedy", REPO / "examples" / "python" / "greedy.py")
    greedy = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(greedy)

    class CountingGreedy(greedy.Greedy):
        def on_offer(self, offer, work):
            Counter.calls += 1
            return super().on_offer(offer, work)

        def done(self, work):
            Counter.calls += 1
            return super().done(work)

    def policies(cls):
        return [offersim.Policy(p, scheduler=cls, base=p) for p in ("drf", "static")]

    t_builtin = best_of(7, lambda: offersim.run(QUICKSTART, jobs=1))
    t_python = best_of(7, lambda: offersim.run(QUICKSTART, policies=policies(greedy.Greedy)))
    Counter.calls = 0
    offersim.run(QUICKSTART, policies=policies(CountingGreedy))
    print(
        f"example greedy, quickstart: {(t_python - t_builtin) / Counter.calls * 1e6:.2f} us/call "
        f"({Counter.calls} on_offer and done calls; {t_builtin:.3f} s built-in, {t_python:.3f} s Python)"
    )

    timings = {}

    class Probe(offersim.Scheduler):
        def on_offer(self, offer, work):
            groups = work.pending_groups()
            if groups and "group" not in timings:
                g, n = groups[0], 20000
                t = time.process_time()
                for _ in range(n):
                    work.group(g)
                timings["group"] = (time.process_time() - t) / n
                t = time.process_time()
                for _ in range(n):
                    work.pending_tasks(g)
                timings["pending_tasks"] = (time.process_time() - t) / n
                t = time.process_time()
                for _ in range(n):
                    offer.resources.contains(offer.executor)
                timings["resources"] = (time.process_time() - t) / n
            return greedy.Greedy.on_offer(self, offer, work)

    class ProbeAllocator(offersim.Allocator):
        def allocate(self, view, run):
            if "agent" not in timings:
                n = 20000
                t = time.process_time()
                for _ in range(n):
                    view.agent(0)
                timings["agent"] = (time.process_time() - t) / n
            return []

    offersim.run(QUICKSTART, policies=[offersim.Policy("p", scheduler=Probe)], replications=1)
    with tempfile.TemporaryDirectory() as tmp:
        s = scenario(tmp, "j0,fw0,0,1,1,1024,10\n", 10)
        offersim.run(s, policies=[offersim.Policy("a", allocator=ProbeAllocator)])
    for k, v in timings.items():
        print(f"{k}: {v * 1e9:.0f} ns/call")


if __name__ == "__main__":
    main()
