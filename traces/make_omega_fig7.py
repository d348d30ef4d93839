#!/usr/bin/env python3
"""Regenerates traces/omega-fig7.csv.gz (10,000 machines) and, with --machines 1000,
traces/omega-fig7-small.csv.gz: the workload of scenarios/omega-fig7*.toml (Omega, EuroSys'13,
Fig. 7 on a loaded cell), drawn from the Google clusterdata-2011-2 task_events shard
../../shared/traces/google-2011/task_events-part-00001-of-00500.csv.gz (CC-BY 4.0, credit
Google; 5,010 s of one cell of about 12,500 machines). Nothing here is fitted or tuned: every
number is either read from that shard or one of the rules below, which docs/reproductions.md
restates.

- Classes (the Omega simulator's rule, ../../shared/omega/README.md "Prefill file"): a job is
  service if it is production (priority 9-11, the trace's production band) and its scheduling
  class is 2 or 3; every other job is batch.
- Units: requests are normalized to the trace's largest machine. The simulated machine (4 cpus,
  16 GB, the Omega simulator's) is taken to be the trace's most common one, half the largest in
  cpu and memory, so 1.0 = 8 cpus and 32,768 MB.
- Empirical tables, per class, from the shard: job arrivals (a job arrives at its first SUBMIT
  in the shard, with the tasks it submits there and the request of that first SUBMIT; the
  gaps between consecutive arrivals), tasks per job, per-task (cpus, mem) of a job, and task
  run times (SCHEDULE to FINISH, both in the shard). Every draw is a uniform pick from a table.
- Streams: per class, one job per inter-arrival gap over one day, each job with independent
  draws of its gap, task count, shape and duration (as the Omega simulator draws its own).
  Gaps are stretched by 12,500 / machines, so the load per machine is the trace cell's.
  Service tasks: no service attempt of the shard finishes (they are long-running; those that
  end fail or are killed), so they run past the day (duration 1,000,000 s).
- Prefill (the Omega simulator's, README section 3): at time 0, long-running service tasks of
  the shapes of the shard's service tasks (one uniform pick per task) are added until the next
  would bring the cell's cpus to 60 % or more. They belong to the framework `prefill`, one row
  per distinct shape, in order of first draw, and run past the day.

Usage (from this folder): python3 make_omega_fig7.py [--machines N]; seeded (random.Random per
stream), so the same arguments give the same bytes."""
import csv
import gzip
import os
import random
import sys

SHARD = os.path.join(
    os.path.dirname(os.path.abspath(__file__)),
    "..", "..", "shared", "traces", "google-2011", "task_events-part-00001-of-00500.csv.gz",
)
TRACE_CELL_MACHINES = 12500
CPUS_PER_UNIT = 8.0
MEM_MB_PER_UNIT = 32768.0
MACHINE_CPUS = 4.0
PREFILL_CPU_FRACTION = 0.6
DAY_S = 86400.0
LONG_S = 1000000.0


def is_service(cls, prio):
    return int(prio) >= 9 and int(cls) >= 2


def read_shard():
    """Per class: arrivals [(time_us, job, tasks, cpu, mem)], run times (s); and the shapes of
    every service task seen in the shard (its last request)."""
    first = {}  # job -> [time, class, tasks set, cpu, mem]
    sched = {}
    runtimes = {"batch": [], "service": []}
    svc_tasks = {}
    with gzip.open(SHARD, "rt", newline="") as f:
        for r in csv.reader(f):
            t, job, idx, ev = int(r[0]), r[2], r[3], int(r[5])
            kind = "service" if is_service(r[7], r[8]) else "batch"
            if kind == "service":
                svc_tasks[(job, idx)] = (float(r[9]), float(r[10]))
            if ev == 0:
                if job not in first:
                    first[job] = [t, kind, set(), float(r[9]), float(r[10])]
                first[job][2].add(idx)
            elif ev == 1:
                sched[(job, idx)] = (t, kind)
            elif ev in (2, 3, 4, 5, 6) and (job, idx) in sched:
                t0, k0 = sched.pop((job, idx))
                if ev == 4:
                    runtimes[k0].append((t - t0) / 1e6)
    arrivals = {"batch": [], "service": []}
    for job, (t, kind, tasks, cpu, mem) in first.items():
        arrivals[kind].append((t, job, len(tasks), cpu, mem))
    for k in arrivals:
        arrivals[k].sort()
    shapes = [svc_tasks[k] for k in sorted(svc_tasks)]
    return arrivals, runtimes, shapes


def pick(table, rng):
    return table[int(rng.random() * len(table))]


def cpus_of(norm):
    return round(norm * CPUS_PER_UNIT, 3)


def mem_of(norm):
    return round(norm * MEM_MB_PER_UNIT, 3)


def shape(cpu_norm, mem_norm):
    c, m = cpus_of(cpu_norm), mem_of(mem_norm)
    if c == 0 and m == 0:
        # A task must ask for something (the native reader rejects a row that asks for nothing).
        c = 0.001
    return c, m


def fmt(x):
    """Fixed point, at most 6 decimals, no exponent (the native reader's number form)."""
    return f"{x:.6f}".rstrip("0").rstrip(".")


def main():
    machines = int(sys.argv[sys.argv.index("--machines") + 1]) if "--machines" in sys.argv else 10000
    out = {10000: "omega-fig7.csv.gz", 1000: "omega-fig7-small.csv.gz"}.get(
        machines, f"omega-fig7-{machines}.csv.gz"
    )
    arrivals, runtimes, svc_shapes = read_shard()
    stretch = TRACE_CELL_MACHINES / machines
    rows = []
    # Prefill: long-running service tasks at time 0, up to 60 % of the cell's cpus.
    rng = random.Random(7)
    cap = PREFILL_CPU_FRACTION * MACHINE_CPUS * machines
    used = 0.0
    counts = {}
    order = []
    while True:
        c, m = shape(*pick(svc_shapes, rng))
        if used + c >= cap:
            break
        used += c
        if (c, m) not in counts:
            counts[(c, m)] = 0
            order.append((c, m))
        counts[(c, m)] += 1
    for k, (c, m) in enumerate(order):
        rows.append((0.0, 0, k, f"prefill-{k:03d}", "prefill", counts[(c, m)], c, m, LONG_S))
    # The two job streams.
    for seed, kind in ((1, "batch"), (2, "service")):
        rng = random.Random(seed)
        arr = arrivals[kind]
        gaps = [(b[0] - a[0]) / 1e6 for a, b in zip(arr, arr[1:])]
        jobs = [(n, c, m) for (_, _, n, c, m) in arr]
        durs = runtimes[kind]
        t, k = pick(gaps, rng) * stretch, 0
        while t < DAY_S:
            n, cn, mn = pick(jobs, rng)
            c, m = shape(cn, mn)
            d = round(pick(durs, rng), 6) if durs else LONG_S
            k += 1
            rows.append((round(t, 6), 1, k, f"{kind}-{k:06d}", kind, n, c, m, d))
            t += pick(gaps, rng) * stretch
    rows.sort(key=lambda r: (r[0], r[1], r[3]))
    with open(out, "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as f:
            f.write(b"job_id,framework,submit_s,tasks,cpus,mem_mb,duration_s\n")
            for t, _, _, job, fw, n, c, m, d in rows:
                f.write(f"{job},{fw},{fmt(t)},{n},{fmt(c)},{fmt(m)},{fmt(d)}\n".encode())
    for fw in ("prefill", "batch", "service"):
        sel = [r for r in rows if r[4] == fw]
        cpu = sum(r[5] * r[6] for r in sel)
        print(f"{fw}: {len(sel)} rows, {sum(r[5] for r in sel)} tasks, {cpu:.1f} cpus requested")
    print(out, f"({machines} machines, prefill {used:.1f} of {MACHINE_CPUS * machines:.0f} cpus)")


main()
