#!/usr/bin/env python3
"""The Mesos paper's Table 2 from a run of scenarios/mesos-table2.toml: reads the run's tasks.csv
and writes results/mesos-table2/table2.csv (and prints a Markdown table) with, per cell, the
measured ramp-up, the elastic job's completion and utilization, the rigid job's completion and
utilization (computed from the measured slot arrival times: offersim has no gang scheduling),
the paper's formulas, and the same model evaluated exactly on these slot arrival times.
Usage: python3 scripts/table2.py [results/mesos-table2/drf/0/tasks.csv]"""
import csv
import math
import sys
from collections import defaultdict

T = 100.0  # mean duration of the other frameworks' tasks (traces/make_reproductions.py)

path = sys.argv[1] if len(sys.argv) > 1 else "results/mesos-table2/drf/0/tasks.csv"
first, last, work, submit, freed = {}, {}, defaultdict(float), {}, {}
with open(path) as f:
    for r in csv.DictReader(f):
        fw = r["framework"]
        if fw.startswith("bg-"):
            freed[(fw[3:], r["agent"])] = float(r["end_s"])
            continue
        cell, agent = fw[2:], r["agent"]
        s, e = float(r["start_s"]), float(r["end_s"])
        submit[cell] = float(r["submit_s"])
        key = (cell, agent)
        first[key] = min(first.get(key, s), s)
        last[key] = max(last.get(key, e), e)
        work[cell] += e - s


def harmonic(k):
    return sum(1.0 / j for j in range(1, k + 1))


rows = []
for cell in sorted(submit, key=lambda c: (int(c.split("-")[0][1:]), c)):
    k = int(cell.split("-")[0][1:])
    dist = cell.split("-")[1]
    beta = int(cell.split("-")[2][1:])
    s0 = submit[cell]
    # A slot arrives when the elastic job first launches on it; a slot that frees after the
    # elastic job has finished arrives when its background task ends (the job would have had it
    # at the next allocation run, at most one 20 ms interval later).
    arr = sorted(first.get((c, a), e) - s0 for (c, a), e in freed.items() if c == cell)
    ends = [last[(c, a)] - s0 for (c, a) in last if c == cell]
    held = sum(last[(c, a)] - first[(c, a)] for (c, a) in first if c == cell)
    assert len(arr) == k, (cell, len(arr))
    ramp = arr[-1]
    el_done = max(ends)
    el_util = work[cell] / held
    rg_done = ramp + beta * T
    rg_util = k * beta * T / sum(ramp + beta * T - t for t in arr)
    if dist == "const":
        p = (T, (0.5 + beta) * T, (1 + beta) * T, 1.0, beta / (0.5 + beta))
    else:
        lk = math.log(k)
        p = (T * lk, (1 + beta) * T, (lk + beta) * T, 1.0, beta / (lk - 1 + beta))
    rows.append(
        dict(
            k=k, durations="constant" if dist == "const" else "exponential", beta=beta,
            ramp_up_s=round(ramp, 1), paper_ramp_up_s=round(p[0], 1),
            expected_ramp_up_s=round(T * (k / (k + 1) if dist == "const" else harmonic(k)), 1),
            elastic_completion_s=round(el_done, 1), paper_elastic_completion_s=round(p[1], 1),
            rigid_completion_s=round(rg_done, 1), paper_rigid_completion_s=round(p[2], 1),
            elastic_util=f"{el_util:.4f}", paper_elastic_util=round(p[3], 3),
            rigid_util=f"{rg_util:.3f}", paper_rigid_util=round(p[4], 3),
        )
    )

out = "results/mesos-table2/table2.csv"
with open(out, "w", newline="") as f:
    w = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
print("| k | durations | beta | ramp-up (paper; E) | elastic completion (paper) | "
      "rigid completion (paper) | elastic util (paper) | rigid util (paper) |")
print("|---|---|---|---|---|---|---|---|")
for r in rows:
    print(f"| {r['k']} | {r['durations']} | {r['beta']} | {r['ramp_up_s']} ({r['paper_ramp_up_s']}; "
          f"{r['expected_ramp_up_s']}) | {r['elastic_completion_s']} ({r['paper_elastic_completion_s']}) | "
          f"{r['rigid_completion_s']} ({r['paper_rigid_completion_s']}) | {r['elastic_util']} "
          f"({r['paper_elastic_util']}) | {r['rigid_util']} ({r['paper_rigid_util']}) |")
