package io.gpuhot.node;

import java.nio.file.Path;

/**
 * Validated settings of a node.
 *
 * @param smi "auto" (NVML, with nvidia-smi for GPUs NVML cannot read), or "all" (NVIDIA_SMI=true)
 * @param devices the GPUs to show, by index or UUID; empty shows all
 * @param nvmlLibrary a path to libnvidia-ml.so.1 for unusual installs, or null
 * @param idleSampleS with nobody watching, sample this often to keep history (0: not at all)
 * @param simulate simulated GPUs instead of hardware (0: real GPUs)
 */
public record NodeConfig(
    String name,
    String host,
    int port,
    double intervalS,
    String smi,
    double smiIntervalS,
    Devices devices,
    Path nvmlLibrary,
    boolean history,
    double idleSampleS,
    int simulate,
    long seed) {

  public static final int DEFAULT_PORT = 1312;
  public static final double DEFAULT_INTERVAL_S = 0.5;
  public static final double DEFAULT_SMI_INTERVAL_S = 2;
  public static final double DEFAULT_IDLE_SAMPLE_S = 10;

}
