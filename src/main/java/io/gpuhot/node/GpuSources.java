package io.gpuhot.node;

import io.gpuhot.nvml.NvmlBackend;
import io.gpuhot.nvml.NvmlUnavailableException;
import io.gpuhot.smi.SmiRunner;
import java.util.Set;
import java.util.function.Supplier;
import java.util.function.LongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses where a node reads its GPUs: a simulation when asked, nvidia-smi for every GPU when
 * {@code NVIDIA_SMI=true}, else NVML with nvidia-smi for the GPUs NVML cannot read; when neither
 * works the node runs with no GPUs and says why. Runs once at start-up, off the event loops.
 */
public final class GpuSources {
  private static final Logger log = LoggerFactory.getLogger(GpuSources.class);

  private GpuSources() {}

  /** Opens the source the settings ask for. */
  public static GpuSource open(NodeConfig c) {
    return open(c, SmiRunner::new);
  }

  /** As {@link #open(NodeConfig)}, with the nvidia-smi runner made by {@code smi}. */
  static GpuSource open(NodeConfig c, Supplier<SmiRunner> smi) {
    if (c.simulate() > 0) {
      return new SimulatedSource(c.simulate(), c.intervalS(), c.seed());
    }
    if (c.devices().none()) {
      return new NoGpuSource("NVIDIA_VISIBLE_DEVICES hides every GPU");
    }
    if (c.smi().equals("all")) {
      return smiOrNothing(c, null, smi);
    }
    NvmlBackend nvml;
    try {
      nvml = NvmlBackend.open(c.nvmlLibrary(), c.devices().ids());
    } catch (NvmlUnavailableException e) {
      return smiOrNothing(c, e.getMessage(), smi);
    }
    if (nvml.gpuCount() == 0) {
      nvml.close();
      return new NoGpuSource("no NVIDIA GPU found");
    }
    Set<String> lacking = NvmlSource.withoutUtilization(nvml.sample());
    SmiSource smiSource = null;
    if (!lacking.isEmpty()) {
      log.info("NVML gives no utilization for GPU {}; reading it through nvidia-smi", lacking);
      smiSource = new SmiSource(smi.get(), c.smiIntervalS(),
          g -> lacking.contains(g.path("index").asText()));
    }
    return new NvmlSource(nvml, smiSource, lacking);
  }

  /** Names processes from the host's process table. */
  public static LongFunction<String> processNames() {
    return new ProcessNames()::nameOf;
  }

  /** nvidia-smi for every GPU, or no GPUs with the reasons when it does not answer either. */
  static GpuSource smiOrNothing(NodeConfig c, String nvmlProblem, Supplier<SmiRunner> smi) {
    var runner = smi.get();
    var probe = runner.pollGpus();
    if (probe.ok()) {
      if (nvmlProblem != null) {
        log.warn("{}; reading every GPU through nvidia-smi instead", nvmlProblem);
      }
      return new SmiSource(runner, c.smiIntervalS(), c.devices().filter());
    }
    String reason = nvmlProblem == null ? probe.error() : nvmlProblem + "; nvidia-smi: " + probe.error();
    return new NoGpuSource(reason);
  }
}
