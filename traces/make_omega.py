#!/usr/bin/env python3
"""Regenerates traces/omega-mesos.csv (and, with --heavy, omega-mesos-heavy.csv) from the Omega
simulator's example distributions (../../shared/omega/, BSD 3-clause, see its LICENSE) by the
specification in ../../shared/omega/README.md section 2: per framework (batch, service),
inter-arrival, runtime and task-count draws from the 1001-entry quantile tables with the
reference's draw rule (q_j + f*(q_j + q_{j+1}), which is NOT interpolation), task shapes from the
prefill batch jobs, one simulated day. The prefill (3 jobs, 0.27 cpu) is left out (README 3).
Usage: python3 make_omega.py [--heavy] [--hours H]. Seeded: random.Random(42) per framework."""
import math
import os
import random
import sys

SRC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "omega")


def column(name, sched):
    vals = []
    with open(os.path.join(SRC, name)) as f:
        for line in f:
            p = line.split()
            if p and p[2] == str(sched):
                vals.append(float(p[3]))
    return sorted(vals)


def table(vals):
    n = len(vals)
    return [vals[(n - 1) * i // 1000] for i in range(1001)]


def draw(q, rng):
    r = 1000.0 * rng.random()
    j = int(r)
    f = r - j
    return q[j] if f == 0 else q[j] + f * (q[j] + q[j + 1])


heavy = "--heavy" in sys.argv
hours = float(sys.argv[sys.argv.index("--hours") + 1]) if "--hours" in sys.argv else 24.0
end = hours * 3600.0
# Shape tables: the prefill jobs classed batch (README 2): 0.0001 cpu / 1.0002 GiB and
# 0.001 cpu / 0.009766 GiB per task.
cpu_q = table(sorted([0.0001, 0.001]))
mem_q = table(sorted([1.0002, 0.009766]))
rows = []
for sched, fw in ((0, "batch"), (1, "service")):
    rng = random.Random(42 + sched)
    ia = table(column("example_interarrival_cmb.log", sched))
    cs = table(column("example_csizes_cmb.log", sched))
    rt = table(column("example_runtimes_cmb.log", sched))
    t, k = draw(ia, rng), 0
    while t < end:
        dur = draw(rt, rng)
        tasks = math.ceil(draw(cs, rng))
        while True:
            cpu = 0.7 * draw(cpu_q, rng)
            if cpu < 3.9:
                break
        while True:
            mem = 0.7 * draw(mem_q, rng)
            if mem < 15.9:
                break
        if heavy:
            # The heavier variant (docs/reproductions.md): tasks of a real cell's size instead of
            # the made-up 1e-4 cpu, and 30x the tasks per job, which loads the cell to about a
            # fifth of its cpus with batch work and makes placement fail at times.
            cpu, mem, tasks = cpu * 10000.0, mem * 100.0, tasks * 30
        k += 1
        # offersim counts cpus in thousandths: the spec's 7e-5..8e-4 cpu rounds up to 0.001.
        cpu_out = max(round(cpu, 3), 0.001)
        rows.append((round(t, 6), f"{fw}-{k:06d}", fw, tasks, cpu_out, max(round(mem * 1024, 3), 1), round(dur, 6)))
        t += draw(ia, rng)
rows.sort()
out = "omega-mesos-heavy.csv" if heavy else "omega-mesos.csv"  # gzip -9 -n before committing
with open(out, "w") as f:
    f.write("job_id,framework,submit_s,tasks,cpus,mem_mb,duration_s\n")
    for t, job, fw, n, c, m, d in rows:
        f.write(f"{job},{fw},{t},{n},{c},{m},{d}\n")
print(out, len(rows), "jobs,", sum(r[3] for r in rows), "tasks")
