"""A greedy scheduler written in Python: every pending task that fits is launched, jobs in
submission order, and the rest of the offer is declined with the framework's filter. It is
offersim's built-in `greedy` (job_order = "fifo") for tasks without locality preferences, such
as the quickstart's, and gives the same results to the byte (python/tests/test_policies.py).

Run it from anywhere:  python examples/python/greedy.py
"""

from pathlib import Path

import offersim

QUICKSTART = Path(__file__).resolve().parents[2] / "scenarios" / "quickstart.toml"


class Greedy(offersim.Scheduler):
    name = "py-greedy"

    def on_offer(self, offer, work):
        left, executor = offer.resources, offer.executor
        groups = [work.group(g) for g in work.pending_groups()]
        # Most offers are leftovers no pending task fits: say so without more work.
        if not any(left.contains(g.shape + executor) for g in groups):
            return None
        # Jobs in submission order (stable: a job's groups stay in the order they arrived).
        seq = {}
        for g in groups:
            if g.job not in seq:
                seq[g.job] = work.job(g.job).seq
        groups.sort(key=lambda g: seq[g.job])
        tasks = {}
        launches = []
        minimum = work.min_allocatable
        # One task at a time, from the first job that has one that fits: once the executor
        # is paid for, an earlier job's task may fit again.
        while minimum.allows(left):
            for g in groups:
                pending = tasks.setdefault(g.key, work.pending_tasks(g.key))
                need = g.shape + executor
                if pending and left.contains(need):
                    launches.append((g.key, pending.pop(0)))
                    left = left - need
                    executor = offersim.Resources()
                    break
            else:
                break
        return launches

    def done(self, work):
        # Nothing pending: no offer of this batch can be used.
        return work.is_idle()


if __name__ == "__main__":
    r = offersim.run(
        QUICKSTART,
        policies=[
            "drf",
            offersim.Policy("drf+py-greedy", scheduler=Greedy, base="drf"),
        ],
        replications=1,
    )
    print(r.summary[["policy", "tasks_finished", "jct_mean_s", "jain", "offers"]])
