package io.gpuhot.node;

import io.gpuhot.smi.SmiRunner;
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
    if (c.simulate() > 0) {
      return new SimulatedSource(c.simulate(), c.intervalS(), c.seed());
    }
    if (c.devices().none()) {
      return new NoGpuSource("NVIDIA_VISIBLE_DEVICES hides every GPU");
    }
    if (c.smi().equals("all")) {
      return smiOrNothing(c, null);
    }
    return smiOrNothing(c, "NVML support is not built yet");
  }

  /** Names processes from the host's process table. */
  public static java.util.function.LongFunction<String> processNames() {
    return pid -> "PID:" + pid;
  }

  /** nvidia-smi for every GPU, or no GPUs with the reasons when it does not answer either. */
  static GpuSource smiOrNothing(NodeConfig c, String nvmlProblem) {
    var runner = new SmiRunner();
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
