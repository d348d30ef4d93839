#!/usr/bin/env python3
"""Checks that a change of the random draws (not of the semantics) left the shipped scenarios'
summary figures where they were: for every (scenario, policy, metric), the committed value (the
mean over its replications) before the change must lie inside the 95 % interval that the new
code's replications give for a mean of that many replications.

Usage (repository root): scripts/draws_compare.py OLD_COMMIT [REPLICATIONS [SCENARIO...]]
It runs every shipped scenario with REPLICATIONS (default 10) replications into /tmp, reads the
old summary.csv from OLD_COMMIT with git, and prints a Markdown table (one row per scenario) and
every figure outside its interval. The interval for the old mean of R runs, given N new runs with
mean m and standard deviation s, is m +- t(N-1) * s * sqrt(1/N + 1/R) (Welch's two-sample view
with the old spread taken as the new one). With about 5 % of figures expected outside by chance,
a handful outside is noise; a scenario with many outside has moved.
"""

import csv
import io
import math
import statistics
import subprocess
import sys

SCENARIOS = ["quickstart", "ci-fairness", "delay-model", "drf-paper", "drf-paper-dynamic",
             "mesos-locality", "mesos-table2", "omega-mesos", "gpu-fairness"]
# Identity columns and run-size counters that are not outcomes.
SKIP = {"policy", "replication", "seed", "jobs", "tasks", "events", "offers", "offers_declined",
        "offers_rescinded"}
# Student's t at 97.5 % for n - 1 degrees of freedom.
T975 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306,
        9: 2.262, 10: 2.228, 11: 2.201, 12: 2.179, 13: 2.160, 14: 2.145, 15: 2.131, 16: 2.120,
        17: 2.110, 18: 2.101, 19: 2.093}


def rows(text):
    return list(csv.DictReader(io.StringIO(text)))


def by_policy(table):
    out = {}
    for r in table:
        out.setdefault(r["policy"], []).append(r)
    return out


def numbers(rs, col):
    v = [r[col] for r in rs if r[col] != ""]
    return [float(x) for x in v]


def main():
    old = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    scenarios = sys.argv[3:] or SCENARIOS
    subprocess.run(["cargo", "build", "--release", "--quiet"], check=True)
    print("| scenario | policies | new replications | figures compared | outside the 95 % interval |")
    print("| --- | --- | --- | --- | --- |")
    outside_all = []
    for s in scenarios:
        before = by_policy(rows(subprocess.run(
            ["git", "show", f"{old}:results/{s}/summary.csv"], check=True,
            capture_output=True, text=True).stdout))
        out = f"/tmp/draws-compare/{s}"
        subprocess.run(["./target/release/offersim", "run", f"scenarios/{s}.toml", "--out", out,
                        "--replications", str(max(n, 2)), "--outputs", "summary", "--quiet"],
                       check=True, capture_output=True)
        after = by_policy(rows(open(f"{out}/summary.csv").read()))
        compared = 0
        outside = []
        for policy, old_rows in before.items():
            new_rows = after.get(policy, [])
            for col in old_rows[0].keys():
                if col in SKIP:
                    continue
                o, v = numbers(old_rows, col), numbers(new_rows, col)
                if not o or len(v) < 2:
                    continue
                compared += 1
                om, m, sd = statistics.mean(o), statistics.mean(v), statistics.stdev(v)
                half = T975.get(len(v) - 1, 1.96) * sd * math.sqrt(1 / len(v) + 1 / len(o))
                tol = 1e-9 * max(1.0, abs(m))
                if abs(om - m) > half + tol:
                    outside.append(f"{s} {policy} {col}: before {om:.6g}, now {m:.6g} ± {half:.3g}")
        print(f"| {s} | {len(before)} | {max(n, 2)} | {compared} | {len(outside)} |")
        outside_all += outside
    print()
    for line in outside_all:
        print("- " + line)


if __name__ == "__main__":
    main()
