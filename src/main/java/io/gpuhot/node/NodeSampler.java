package io.gpuhot.node;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gpuhot.support.Json;
import io.gpuhot.support.Times;
import java.time.Instant;
import java.util.function.LongFunction;

/**
 * Builds one node message per call: the GPUs and their processes from the GPU source, process
 * names from the host's process table, host figures from OSHI. Blocking; the node's sampling
 * thread is its only caller.
 */
final class NodeSampler {
  private final String name;
  private final double intervalS;
  private final GpuSource gpus;
  private final HostMetrics host;
  private final LongFunction<String> processNames;
  private long seq;

  NodeSampler(String name, double intervalS, GpuSource gpus, HostMetrics host,
      LongFunction<String> processNames) {
    this.name = name;
    this.intervalS = intervalS;
    this.gpus = gpus;
    this.host = host;
    this.processNames = processNames;
  }

  ObjectNode sample() {
    Instant t = Instant.now();
    var reading = gpus.read();
    var msg = Json.object();
    msg.put("mode", "default");
    msg.put("node_name", name);
    msg.put("seq", ++seq);
    msg.put("sampled_at_ms", new java.math.BigDecimal(Times.epochMillis(t)));
    msg.put("update_interval", intervalS);
    String problem = gpus.problem();
    if (problem != null) {
      msg.put("error", problem);
    }
    var out = msg.putObject("gpus");
    reading.gpus().entrySet().stream()
        .sorted((a, b) -> compareIndex(a.getKey(), b.getKey()))
        .forEach(e -> out.set(e.getKey(), e.getValue()));
    var procs = msg.putArray("processes");
    for (var p : reading.processes()) {
      var o = procs.addObject();
      o.put("pid", String.valueOf(p.pid()));
      o.put("name", processNames.apply(p.pid()));
      o.put("gpu_uuid", p.gpuUuid());
      o.put("gpu_id", p.gpuIndex());
      if (p.memoryMiB() != null) {
        o.put("memory", p.memoryMiB());
      }
      o.put("type", p.type());
    }
    msg.set("system", host.read());
    return msg;
  }

  private static int compareIndex(String a, String b) {
    try {
      return Integer.compare(Integer.parseInt(a), Integer.parseInt(b));
    } catch (NumberFormatException e) {
      return a.compareTo(b);
    }
  }
}
