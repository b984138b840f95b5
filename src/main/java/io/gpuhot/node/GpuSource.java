package io.gpuhot.node;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;

/**
 * Where a node's GPU figures come from: NVML, nvidia-smi, both, a simulation, or nothing. Reads
 * block (NVML calls, a child process), so they run on the node's sampling thread only, never on
 * an event loop.
 */
public interface GpuSource extends AutoCloseable {
  /** Reads every GPU now: wire-format GPU objects keyed by index, and their processes. */
  Reading read();

  /** What this source reads, in a few words for the log and the dashboard. */
  String describe();

  /** Why the node cannot read GPUs (driver missing, library mismatch), or null when it can. */
  default String problem() {
    return null;
  }

  @Override
  default void close() {}

  /** One reading of every GPU. */
  record Reading(Map<String, ObjectNode> gpus, List<Process> processes) {
    public Reading {
      gpus = Map.copyOf(gpus);
      processes = List.copyOf(processes);
    }
  }

  /**
   * A process using a GPU, as the driver reports it.
   *
   * @param memoryMiB GPU memory it uses, or null when the driver cannot say (WSL, restricted)
   * @param type "compute" or "graphics"
   */
  record Process(long pid, Double memoryMiB, String gpuIndex, String gpuUuid, String type) {}
}
