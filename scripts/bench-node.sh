#!/usr/bin/env bash
# Node benchmarks on the compiled NVML stand-in (no GPU needed):
#  1. CPU time of one NVML sample of 8 GPUs (median and p99 over 2000 samples);
#  2. CPU use of an idle node (8 GPUs, nobody connected) over a minute.
# Usage: scripts/bench-node.sh [idle-seconds]      (run from the project root)
set -euo pipefail
idle=${1:-60}
mvn -q -B test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
cp="target/classes:target/test-classes:$(cat target/cp.txt)"
conf=target/fake-nvml/bench-8xh100.conf
mkdir -p target/fake-nvml
lib=$(java -cp "$cp" io.gpuhot.nvml.FakeNvml 8 "$conf")
export FAKE_NVML_CONFIG="$PWD/$conf"

echo "== one sample of 8 GPUs through NVML (stand-in), CPU per sample"
LOG_LEVEL=WARN java -cp "$cp" io.gpuhot.nvml.SampleBenchmark "$lib" 2000 500

echo "== idle node: 8 GPUs, nobody connected, history on (one sample every 10 s)"
port=18398
LOG_LEVEL=WARN java -XX:+UseSerialGC -cp "$cp" io.gpuhot.cli.Main node --host 127.0.0.1 \
  --port "$port" --nvml-lib "$lib" >/dev/null 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
sleep 20
t0=$(awk '{print $14+$15}' /proc/$pid/stat)
sleep "$idle"
t1=$(awk '{print $14+$15}' /proc/$pid/stat)
ticks=$(getconf CLK_TCK)
awk -v a="$t0" -v b="$t1" -v s="$idle" -v hz="$ticks" \
  'BEGIN { printf "idle node CPU: %.3f s over %d s = %.2f %% of one core\n", (b-a)/hz, s, (b-a)/hz/s*100 }'
