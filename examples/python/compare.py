"""A policy comparison in a few lines: the quickstart's policies (DRF and static partitioning)
side by side, mean over its three replications, and one framework's view.

Run it from anywhere:  python examples/python/compare.py
"""

from pathlib import Path

import offersim

quickstart = Path(__file__).resolve().parents[2] / "scenarios" / "quickstart.toml"
r = offersim.run(quickstart)
metrics = ["jct_mean_s", "wait_mean_s", "jain", "util_cpus", "makespan_s"]
print(r.compare[r.compare.metric.isin(metrics)].pivot(index="metric", columns="policy", values="mean"))
print(r.jobs.groupby(["policy", "framework"]).end_s.max().unstack("policy"))
