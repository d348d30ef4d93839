#!/usr/bin/env python3
"""Regenerates traces/quickstart.csv: a small, realistic mix of four frameworks with different
task shapes (short analytics tasks, long ML training, web batch, memory-heavy ETL) over half an
hour. Deterministic (fixed seed); run it only to change the workload."""
import random

rng = random.Random(20261125)
kinds = [
    # framework, mean gap s, (tasks lo, hi), cpus, mem_mb, (duration lo, hi)
    ("analytics", 20, (5, 40), 1, 2048, (20, 90)),
    ("ml-training", 150, (2, 8), 4, 8192, (300, 900)),
    ("web-batch", 45, (4, 16), 2, 1024, (60, 180)),
    ("etl", 90, (3, 12), 1, 6144, (120, 300)),
]
rows = []
for fw, gap, (tlo, thi), cpus, mem, (dlo, dhi) in kinds:
    t, k = 0.0, 0
    while True:
        t += rng.expovariate(1.0 / gap)
        if t > 1800:
            break
        k += 1
        rows.append((round(t, 3), f"{fw}-{k:03d}", fw, rng.randint(tlo, thi), cpus, mem, rng.randint(dlo, dhi)))
rows.sort()
with open("quickstart.csv", "w") as f:
    f.write("job_id,framework,submit_s,tasks,cpus,mem_mb,duration_s\n")
    for t, job, fw, n, c, m, d in rows:
        f.write(f"{job},{fw},{t},{n},{c},{m},{d}\n")
print(len(rows), "jobs,", sum(r[3] for r in rows), "tasks")
