#!/usr/bin/env bash
# Regenerates every committed results folder from the shipped scenarios, with the artefacts other
# tools add (table2.csv), then redraws their reports. Run from the repository root after a change
# that moves results (the commit that says so). Usage: scripts/regenerate-results.sh [name...]
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=./target/release/offersim
names=("$@")
if [ ${#names[@]} = 0 ]; then
  names=(quickstart ci-fairness delay-model drf-paper drf-paper-dynamic mesos-locality mesos-table2 omega-mesos omega-fig7-small omega-fig7 gpu-fairness)
fi
for n in "${names[@]}"; do
  echo "== $n"
  case $n in
    # A day of 10,000 (1,000) agents for 8 policies: per-offer and per-task files would be large.
    # omega-fig7 is the slow one: about 2.5 minutes of cpu for its 3 replications.
    omega-mesos | omega-fig7 | omega-fig7-small)
      $bin run scenarios/$n.toml --outputs summary --quiet >/dev/null ;;
    *) $bin run scenarios/$n.toml --quiet >/dev/null ;;
  esac
  if [ "$n" = mesos-table2 ]; then
    python3 scripts/table2.py >/dev/null
    $bin plot results/$n >/dev/null
  fi
done
