#!/usr/bin/env python3
"""Prints the markdown table of docs/benchmarks.md from the JSON reports in target/bench/."""
import json
import pathlib
import sys

rows = [
    ("light-1", "LIGHT", 1), ("light-10", "LIGHT", 10), ("light-100", "LIGHT", 100),
    ("light-1000", "LIGHT", 1000), ("medium-1", "MEDIUM", 1), ("medium-10", "MEDIUM", 10),
    ("medium-100", "MEDIUM", 100), ("medium-1000", "MEDIUM", 1000), ("heavy-1", "HEAVY", 1),
    ("heavy-10", "HEAVY", 10), ("heavy-100", "HEAVY", 100), ("heavy-1000", "HEAVY", 1000),
    ("huge-50-overview", "HUGE (overview)", 50), ("heavy-idle", "HEAVY, idle", 0),
    ("heavy-100-full", "HEAVY, full fields", 100),
    ("heavy-100-per-connection", "HEAVY, per-connection deflate", 100),
    ("heavy-100-off", "HEAVY, no compression", 100),
]
folder = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "target/bench")


def f(v, digits=1):
    return "–" if v is None else f"{v:.{digits}f}"


print("| row | clients | p50 | p90 | p99 | p99.9 | max | delivered | per client/s | wire KB/s | JSON KB/s "
      "| hub cores | hub µs/update | hub heap MB | hub peak RSS MB | offline |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
for name, label, clients in rows:
    p = folder / f"{name}.json"
    if not p.exists():
        continue
    d = json.loads(p.read_text())
    lat, up, b, mem = d["latency_ms"], d["updates"], d["bytes_per_client_per_s"], d["memory_mb"]
    ratio = up["delivered_ratio"]
    delivered = "–" if ratio is None else f"{up['delivered']}/{up['expected_per_client'] * clients} ({ratio:.4f})"
    print(f"| {label} | {clients} | {f(lat['p50'], 2)} | {f(lat['p90'], 2)} | {f(lat['p99'], 2)} "
          f"| {f(lat['p999'], 2)} | {f(lat['max'], 2)} | {delivered} | {f(up['per_client_per_s'])} "
          f"| {f(b['wire'] / 1024 if b['wire'] else None)} | {f(b['json'] / 1024 if b['json'] else None)} "
          f"| {f(d['hub_cpu_cores'], 3)} | {f(d['hub_cpu_us_per_update'])} | {f(mem['hub_heap_after_gc'])} "
          f"| {f(mem['hub_peak_rss'], 0)} | {d['offline_events']} |")
