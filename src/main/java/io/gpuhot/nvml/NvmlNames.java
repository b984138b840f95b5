package io.gpuhot.nvml;

import io.gpuhot.nvml.jna.NvmlLibrary;

/**
 * NVML enum values as GPU Hot writes them. The tables follow nvml.h; a value the table does not
 * know gives null (the key is left out) rather than a guess.
 */
final class NvmlNames {
  /** nvmlBrandType_t, indexed by value; 0 is NVML_BRAND_UNKNOWN. */
  private static final String[] BRANDS = {
    null,
    "Quadro",
    "Tesla",
    "NVS",
    "GRID",
    "GeForce",
    "Titan",
    "NVIDIA Virtual Applications",
    "NVIDIA Virtual PC",
    "NVIDIA Virtual Compute Server",
    "NVIDIA RTX Virtual Workstation",
    "NVIDIA Cloud Gaming",
    "Quadro RTX",
    "NVIDIA RTX",
    "NVIDIA",
    "GeForce RTX",
    "Titan RTX",
  };

  /** nvmlDeviceArchitecture_t, indexed by value; 0 and 1 are not assigned. */
  private static final String[] ARCHITECTURES = {
    null,
    null,
    "Kepler",
    "Maxwell",
    "Pascal",
    "Volta",
    "Turing",
    "Ampere",
    "Ada Lovelace",
    "Hopper",
    "Blackwell",
  };

  /** nvmlComputeMode_t, indexed by value. */
  private static final String[] COMPUTE_MODES = {
    "Default", "Exclusive Thread", "Prohibited", "Exclusive Process",
  };

  /** Clock event (throttle) reason bits in header order, with the names nvidia-smi uses. */
  private static final long[] REASON_BITS = {
    NvmlLibrary.nvmlClocksEventReasonGpuIdle,
    NvmlLibrary.nvmlClocksEventReasonApplicationsClocksSetting,
    NvmlLibrary.nvmlClocksEventReasonSwPowerCap,
    NvmlLibrary.nvmlClocksThrottleReasonHwSlowdown,
    NvmlLibrary.nvmlClocksEventReasonSyncBoost,
    NvmlLibrary.nvmlClocksEventReasonSwThermalSlowdown,
    NvmlLibrary.nvmlClocksThrottleReasonHwThermalSlowdown,
    NvmlLibrary.nvmlClocksThrottleReasonHwPowerBrakeSlowdown,
    NvmlLibrary.nvmlClocksEventReasonDisplayClockSetting,
  };

  private static final String[] REASON_NAMES = {
    "GPU Idle",
    "Applications Clocks Setting",
    "SW Power Cap",
    "HW Slowdown",
    "Sync Boost",
    "SW Thermal Slowdown",
    "HW Thermal Slowdown",
    "HW Power Brake Slowdown",
    "Display Clock Setting",
  };

  private NvmlNames() {}

  static String brand(int value) {
    return lookup(BRANDS, value);
  }

  static String architecture(int value) {
    return lookup(ARCHITECTURES, value);
  }

  static String computeMode(int value) {
    return lookup(COMPUTE_MODES, value);
  }

  /** "P0".."P15"; null for NVML_PSTATE_UNKNOWN and anything else out of range. */
  static String performanceState(int value) {
    return value >= 0 && value <= 15 ? "P" + value : null;
  }

  static String enabled(int state) {
    return state == NvmlLibrary.NVML_FEATURE_ENABLED ? "Enabled" : "Disabled";
  }

  /**
   * The active reasons, comma-joined, without "GPU Idle" (an idle GPU is not being held back);
   * "None" when nothing else is set. Bits the header does not define are ignored here and
   * stay visible in the raw mask.
   */
  static String clockReasons(long mask) {
    var text = new StringBuilder();
    for (int i = 1; i < REASON_BITS.length; i++) {
      if ((mask & REASON_BITS[i]) != 0) {
        text.append(text.length() == 0 ? "" : ", ").append(REASON_NAMES[i]);
      }
    }
    return text.length() == 0 ? "None" : text.toString();
  }

  private static String lookup(String[] table, int value) {
    return value >= 0 && value < table.length ? table[value] : null;
  }
}
