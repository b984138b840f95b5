#!/usr/bin/env bash
# Runs the load-test matrix of docs/benchmarks.md: every row is one `gpu-hot loadtest` with the
# mock cluster and the hub in processes of their own (--split); reports go to target/bench/.
# Usage: scripts/bench-matrix.sh [duration] [warmup]      (about 25 minutes with the defaults)
set -euo pipefail
dur=${1:-30s}
warm=${2:-30s}
jar=target/gpu-hot.jar
[ -f "$jar" ] || mvn -q -B -DskipTests package
mkdir -p target/bench
run() {
  local name=$1; shift
  echo "== $name: loadtest $*"
  java -jar "$jar" loadtest --split --duration "$dur" --warmup "$warm" --json "target/bench/$name.json" "$@" \
    > "target/bench/$name.txt" 2>&1 || echo "   failed, see target/bench/$name.txt"
  tail -n 15 "target/bench/$name.txt" | grep -E "latency p50|updates per|bytes per|hub CPU|hub memory" || true
}
for preset in light medium heavy; do
  for clients in 1 10 100 1000; do
    run "$preset-$clients" --preset "$preset" --clients "$clients"
  done
done
run huge-50-overview --preset huge --clients 50 --view overview
run heavy-100-full --preset heavy --clients 100 --fields full
run heavy-100-per-connection --preset heavy --clients 100 --compression per-connection
run heavy-100-off --preset heavy --clients 100 --compression off
# the idle row runs on its own: loadtest --split --preset heavy --clients 0 --warmup 120s --duration 60s
