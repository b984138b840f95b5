#!/usr/bin/env bash
# Checks the node against the real thing: on a machine with an NVIDIA GPU, starts the GPU Hot
# node, reads /api/gpu-data, and compares each GPU's name, memory total, power limit,
# utilization and clocks with nvidia-smi's own answer, printing every difference.
# Usage: scripts/gpu-check.sh [path/to/gpu-hot.jar]      (exit 0: no difference, 1: differences)
set -euo pipefail
jar=${1:-target/gpu-hot.jar}
port=${PORT:-18399}
out=${OUT:-$(mktemp -d)}
command -v nvidia-smi >/dev/null || { echo "nvidia-smi not found: this check needs a GPU machine"; exit 2; }
[ -f "$jar" ] || { echo "no $jar: build it first (mvn -q -DskipTests package)"; exit 2; }

java -jar "$jar" node --host 127.0.0.1 --port "$port" >"$out/node.log" 2>&1 &
node=$!
trap 'kill $node 2>/dev/null; wait $node 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do
  curl -fsS "http://127.0.0.1:$port/api/gpu-data" -o "$out/node.json" 2>/dev/null && break
  sleep 0.5
done
[ -s "$out/node.json" ] || { echo "the node did not answer; its log:"; cat "$out/node.log"; exit 1; }
sleep 2
curl -fsS "http://127.0.0.1:$port/api/gpu-data" -o "$out/node.json"
nvidia-smi --query-gpu=index,name,memory.total,power.limit,utilization.gpu,clocks.gr,clocks.mem,clocks.max.gr,clocks.max.mem \
  --format=csv,noheader,nounits >"$out/smi.csv"

python3 - "$out/node.json" "$out/smi.csv" <<'PY'
import csv, json, sys
node = json.load(open(sys.argv[1]))
rows = list(csv.reader(open(sys.argv[2]), skipinitialspace=True))
diffs = 0
def num(s):
    try: return float(s)
    except ValueError: return None
def check(gpu, what, ours, theirs, ok):
    global diffs
    good = ours is not None and theirs is not None and ok(ours, theirs)
    print(f"GPU {gpu} {what:<16} node={ours!s:<28} nvidia-smi={theirs!s:<28} {'ok' if good else 'DIFFERENT'}")
    diffs += 0 if good else 1
print(f"node backend errors: {node.get('error')}")
for r in rows:
    idx, name, mem, plimit, util, gr, memclk, grmax, memmax = r
    g = node["gpus"].get(idx)
    if g is None:
        print(f"GPU {idx} missing from the node"); diffs += 1; continue
    check(idx, "name", g.get("name"), name, lambda a, b: a == b)
    check(idx, "memory_total", g.get("memory_total"), num(mem), lambda a, b: abs(a - b) <= max(2, b * 0.01))
    check(idx, "power_limit", g.get("power_limit"), num(plimit), lambda a, b: abs(a - b) <= 1)
    check(idx, "utilization", g.get("utilization"), num(util), lambda a, b: 0 <= a <= 100 and abs(a - b) <= 30)
    check(idx, "clock_graphics", g.get("clock_graphics"), num(gr), lambda a, b: abs(a - b) <= max(50, b * 0.15))
    check(idx, "clock_memory", g.get("clock_memory"), num(memclk), lambda a, b: abs(a - b) <= max(50, b * 0.15))
    check(idx, "clock_graphics_max", g.get("clock_graphics_max"), num(grmax), lambda a, b: abs(a - b) <= 1)
    check(idx, "clock_memory_max", g.get("clock_memory_max"), num(memmax), lambda a, b: abs(a - b) <= 1)
print(f"{diffs} difference(s)")
sys.exit(1 if diffs else 0)
PY
