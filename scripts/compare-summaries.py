#!/usr/bin/env python3
"""Compares two summary.csv files (or every results/*/summary.csv under two folders) column by
column, for the commit that regenerates results: which columns were added or removed, and which
values changed, per (policy, replication). Exit 0 when only added columns differ (and, with
--allow COLUMN..., those columns' values), 1 otherwise.

Usage:
  scripts/compare-summaries.py OLD_SUMMARY.csv NEW_SUMMARY.csv [--allow COL...]
  scripts/compare-summaries.py OLD_RESULTS_DIR NEW_RESULTS_DIR [--allow COL...]
The git revision of a folder can be unpacked first, e.g.
  git archive HEAD results | tar -x -C /tmp/old && scripts/compare-summaries.py /tmp/old/results results
"""
import csv
import os
import sys


def read(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    # A run is named by its policy and replication (the first two columns, DESIGN 4.4).
    return header, {(r[0], r[1]): dict(zip(header, r)) for r in body}


def compare(old_path, new_path, allow):
    """Prints the differences of one pair; returns whether they are all allowed."""
    oh, old = read(old_path)
    nh, new = read(new_path)
    ok = True
    added = [c for c in nh if c not in oh]
    removed = [c for c in oh if c not in nh]
    moved = [c for c in oh if c in nh and oh.index(c) != nh.index(c)]
    if added:
        print(f"  columns added: {', '.join(added)}")
    if removed:
        print(f"  columns REMOVED: {', '.join(removed)}")
        ok = False
    if moved:
        print(f"  columns MOVED: {', '.join(moved)}")
        ok = False
    for k in sorted(set(old) | set(new)):
        if k not in new or k not in old:
            print(f"  run {k}: only in {'old' if k in old else 'new'}")
            ok = False
            continue
        for c in oh:
            if c in nh and old[k][c] != new[k][c]:
                allowed = c in allow
                ok &= allowed
                tag = "" if allowed else " (not allowed)"
                print(f"  {k[0]}/{k[1]} {c}: {old[k][c]!r} -> {new[k][c]!r}{tag}")
    return ok


def main(argv):
    allow = set()
    args = []
    it = iter(argv)
    for a in it:
        if a == "--allow":
            allow.update(it)
        else:
            args.append(a)
    if len(args) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    old, new = args
    if os.path.isdir(old):
        pairs = []
        for name in sorted(os.listdir(new)):
            o = os.path.join(old, name, "summary.csv")
            n = os.path.join(new, name, "summary.csv")
            if os.path.isfile(o) and os.path.isfile(n):
                pairs.append((name, o, n))
    else:
        pairs = [(new, old, new)]
    ok = True
    for name, o, n in pairs:
        print(f"{name}:")
        ok &= compare(o, n, allow)
    print("no differences beyond added or allowed columns" if ok else "values differ")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
