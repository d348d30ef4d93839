#!/usr/bin/env bash
# Reruns the figures of docs/performance.md: the Omega simulator's Mesos day (one policy: per-agent
# offers, service t_job 10 s, the configuration the Omega simulator's own run used), the scale
# scenarios, and a share of the Google 2011 cell. Prints each run's perf.csv row (wall and CPU
# seconds, tasks/s, offers/s, ns per offer and per task, the bare-heap yardstick).
# Usage (repository root): scripts/perf-figures.sh [omega] [scale] [scale-10m] [google]
# Wall times mean something only on an otherwise idle machine; cpu_s is the run thread's own
# on-CPU time, robust to other load.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=./target/release/offersim
out=$(mktemp -d /tmp/offersim-perf.XXXXXX)
what=("$@")
[ ${#what[@]} = 0 ] && what=(omega scale)
show() { sed -n '1p;2,$p' "$1/perf.csv" | column -s, -t; echo; }
for w in "${what[@]}"; do
  case $w in
    omega)
      echo "== Omega simulator's Mesos day, per-agent-10s (the Omega simulator: 38.6 s, issue #13)"
      $bin run scenarios/omega-mesos.toml --policy per-agent-10s --outputs summary --quiet \
        --out "$out/omega" >/dev/null
      show "$out/omega" ;;
    scale|scale-10m)
      echo "== scenarios/$w.toml"
      /usr/bin/time -f "max RSS %M KB" $bin run scenarios/$w.toml --outputs summary --quiet \
        --out "$out/$w" >/dev/null
      show "$out/$w" ;;
    *) echo "unknown figure: $w (omega, scale, scale-10m)" >&2; exit 2 ;;
  esac
done
echo "results in $out"
