#!/usr/bin/env python3
"""Regenerates the traces of the paper reproductions (docs/reproductions.md): drf-paper.csv,
drf-paper-dynamic.csv, and mesos-table2.csv with its machines file mesos-table2-machines.csv.
Deterministic (no randomness at all); run it from this folder only to change a workload."""
import math

HEADER = "job_id,framework,submit_s,tasks,cpus,mem_mb,duration_s\n"


def drf_paper():
    # The DRF paper's canonical example on one 9 cpu / 18 GB agent. Single-task jobs with
    # staggered durations, all submitted at 0, so resources free one task at a time and the
    # allocator re-decides on every freed piece (the "churn" under whole-agent offers).
    rows = []
    for i in range(300):
        rows.append(f"a{i:03d},A,0,1,1,4096,{7 + (i * 3) % 9}\n")
    for i in range(200):
        rows.append(f"b{i:03d},B,0,1,3,1024,{6 + (i * 5) % 8}\n")
    with open("drf-paper.csv", "w") as f:
        f.write(HEADER + "".join(rows))


def drf_paper_dynamic():
    # The DRF paper's dynamic experiment: job1 runs <1 cpu, 10 GB> tasks, job2 <1 cpu, 1 GB>
    # tasks. job1 submits 30 tasks every 10 s over [0, 600); job2 60 tasks every 10 s over
    # [120, 420). Both submit faster than they can run, so each keeps a backlog (wants more)
    # while it submits; the shares show what DRF gives each.
    rows = []
    for t in range(0, 600, 10):
        rows.append((t, 0, f"j1-{t:03d},job1,{t},30,1,10240,30\n"))
        if 120 <= t < 420:
            rows.append((t, 1, f"j2-{t:03d},job2,{t},60,1,1024,30\n"))
    rows.sort()
    with open("drf-paper-dynamic.csv", "w") as f:
        f.write(HEADER + "".join(r[2] for r in rows))


# Mesos NSDI'11 Table 2: T = mean task duration of the other frameworks, DELTA = the elastic
# job's task length (its work is divisible into tasks this long), PHASE = time between cells.
T = 100.0
DELTA = 5.0
PHASE = 2000.0
CELLS = [(k, dist, beta) for k in (10, 100, 1000) for dist in ("const", "exp") for beta in (1, 5)]


def residuals(k, dist):
    """When the k slots free: the expected order statistics of k remaining durations, so that
    one run shows the expected schedule instead of one noisy draw (docs/reproductions.md)."""
    if dist == "const":
        # Tasks of length T started at uniform times: remaining time uniform on (0, T).
        return [T * i / (k + 1) for i in range(1, k + 1)]
    # Exponential with mean T (memoryless): E[X_(i)] = T (H_k - H_{k-i}).
    h = [0.0]
    for j in range(1, k + 1):
        h.append(h[-1] + 1.0 / j)
    return [T * (h[k] - h[k - i]) for i in range(1, k + 1)]


def mesos_table2():
    machines = ["name,rack,cpus,mem_mb,disk_mb,gpus,add_s,remove_s\n"]
    rows = []
    for c, (k, dist, beta) in enumerate(CELLS):
        t0 = c * PHASE
        tag = f"k{k}-{dist}-b{beta}"
        for i in range(k):
            machines.append(f"{tag}-s{i:04d},,1,1024,0,0,{t0},{t0 + PHASE - 1}\n")
        for i, r in enumerate(residuals(k, dist)):
            rows.append(f"bg-{tag}-{i:04d},bg-{tag},{t0},1,1,1024,{r:.6f}\n")
        tasks = int(round(k * beta * T / DELTA))
        rows.append(f"f-{tag},f-{tag},{t0 + 0.001},{tasks},1,1024,{DELTA}\n")
    with open("mesos-table2.csv", "w") as f:
        f.write(HEADER + "".join(rows))
    with open("mesos-table2-machines.csv", "w") as f:
        f.write("".join(machines))


if __name__ == "__main__":
    drf_paper()
    drf_paper_dynamic()
    mesos_table2()
