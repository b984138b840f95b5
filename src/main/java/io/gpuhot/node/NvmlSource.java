package io.gpuhot.node;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gpuhot.nvml.GpuProcess;
import io.gpuhot.nvml.NvmlBackend;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * GPUs read through NVML. GPUs whose utilization NVML cannot read (old boards; decided once, at
 * start-up) get the figures NVML lacks from nvidia-smi, and are marked {@code _fallback_mode}.
 */
final class NvmlSource implements GpuSource {
  private final NvmlBackend nvml;
  private final SmiSource smi;
  private final Set<String> smiGpus;

  NvmlSource(NvmlBackend nvml, SmiSource smi, Set<String> smiGpus) {
    this.nvml = nvml;
    this.smi = smi;
    this.smiGpus = Set.copyOf(smiGpus);
  }

  /** GPUs of a first sample that NVML gives no utilization for (MIG GPUs have none by design). */
  static Set<String> withoutUtilization(NvmlBackend.Sample first) {
    var out = new java.util.TreeSet<String>();
    for (var e : first.gpus().entrySet()) {
      ObjectNode g = e.getValue();
      boolean mig = "Enabled".equals(g.path("mig_mode_current").asText());
      if (!g.has("utilization") && !g.has("error") && !mig) {
        out.add(e.getKey());
      }
    }
    return out;
  }

  @Override
  public Reading read() {
    var s = nvml.sample();
    Map<String, ObjectNode> fromSmi = smi == null ? Map.of() : smi.read().gpus();
    var gpus = new LinkedHashMap<String, ObjectNode>();
    for (var e : s.gpus().entrySet()) {
      ObjectNode g = e.getValue();
      ObjectNode extra = smiGpus.contains(e.getKey()) ? fromSmi.get(e.getKey()) : null;
      if (extra != null) {
        extra.fields().forEachRemaining(f -> {
          if (!g.has(f.getKey())) {
            g.set(f.getKey(), f.getValue());
          }
        });
      }
      gpus.put(e.getKey(), g);
    }
    var procs = new ArrayList<Process>();
    for (GpuProcess p : s.processes()) {
      procs.add(new Process(p.pid(), p.memoryMib(), p.gpuIndex(), p.gpuUuid(),
          p.type().wireName()));
    }
    return new Reading(gpus, procs);
  }

  @Override
  public String describe() {
    return "NVML (" + nvml.gpuCount() + " GPUs" + (smiGpus.isEmpty() ? ""
        : "; nvidia-smi for GPU " + String.join(", ", smiGpus)) + ")";
  }

  @Override
  public String problem() {
    return smi == null ? null : smi.problem();
  }

  @Override
  public void close() {
    if (smi != null) {
      smi.close();
    }
    nvml.close();
  }
}
