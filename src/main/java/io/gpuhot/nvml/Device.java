package io.gpuhot.nvml;

import com.sun.jna.Pointer;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Set;

/**
 * One GPU as the backend tracks it: its handle, what it lacks, and the facts that do not change
 * while the driver runs (read once, then copied into every sample).
 */
final class Device {
  final int index;
  final String key;
  final Pointer handle;

  /** Set when the whole GPU is unreadable; GPU_IS_LOST stays set for the backend's life. */
  NvmlReturn failure;

  /** Metrics this GPU answered "not supported" for; never asked again. */
  final EnumSet<Metric> unsupported = EnumSet.noneOf(Metric.class);

  /** Facts with a final answer (a value, a sentinel, or unsupported); never read again. */
  final EnumSet<Metric> settled = EnumSet.noneOf(Metric.class);

  /** Unsupported metrics already written to the log. */
  final EnumSet<Metric> announced = EnumSet.noneOf(Metric.class);

  /** Failures already logged at WARN, keyed by metric and code. */
  final Set<String> warned = new HashSet<>();

  /** The last PCIe throughput measured (KB/s), repeated between measurements; null: none. */
  Double pcieTx;
  Double pcieRx;
  long pcieReads;

  /** True once nvmlDeviceGetMemoryInfo_v2 was refused, so v1 is used from then on. */
  boolean memoryV1;

  String name;
  String uuid;
  String serial;
  String vbios;
  String brand;
  String architecture;
  String computeCapability;
  String pciBusId;
  final Double[] clockMax = new Double[4];
  Double temperatureSlowdown;
  Double temperatureShutdown;
  Double temperatureMaxOperating;
  Double powerDefaultLimit;
  Double powerLimitMin;
  Double powerLimitMax;
  String pcieGenMax;
  String pcieWidthMax;
  Boolean eccEnabled;

  /** Fans from nvmlDeviceGetNumFans; -1 when only the legacy single-fan call is there. */
  int fanCount = -1;

  int migSlots;

  /** Link numbers that exist on this GPU (answered NVLink state at least once). */
  int[] nvlinks = new int[0];

  /** Total memory of the latest sample, bytes; bounds per-process memory. -1 when unknown. */
  long memoryTotalBytes = -1;

  final ProcessBuffer computeBuffer = new ProcessBuffer();
  final ProcessBuffer graphicsBuffer = new ProcessBuffer();

  Device(int index, Pointer handle, NvmlReturn failure) {
    this.index = index;
    this.key = Integer.toString(index);
    this.handle = handle;
    this.failure = failure;
  }

  /** "GPU 0 (GPU-…)" for log lines. */
  String label() {
    return uuid == null ? "GPU " + index : "GPU " + index + " (" + uuid + ")";
  }

  boolean isLost() {
    return failure != null && (failure.isGpuLost() || handle == null);
  }
}
