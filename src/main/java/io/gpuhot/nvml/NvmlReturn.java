package io.gpuhot.nvml;

/**
 * Every {@code nvmlReturn_t} code of nvml.h, with the header's name and a short description, so
 * callers ask {@link #isNotSupported()} or {@link #isGpuLost()} instead of comparing integers.
 */
public enum NvmlReturn {
  SUCCESS(0, "Success"),
  UNINITIALIZED(1, "NVML was not initialised"),
  INVALID_ARGUMENT(2, "Invalid argument"),
  NOT_SUPPORTED(3, "Not supported"),
  NO_PERMISSION(4, "Insufficient permissions"),
  ALREADY_INITIALIZED(5, "Already initialised"),
  NOT_FOUND(6, "Not found"),
  INSUFFICIENT_SIZE(7, "Buffer too small"),
  INSUFFICIENT_POWER(8, "Insufficient external power"),
  DRIVER_NOT_LOADED(9, "NVIDIA driver is not loaded"),
  TIMEOUT(10, "Timed out"),
  IRQ_ISSUE(11, "Interrupt request issue"),
  LIBRARY_NOT_FOUND(12, "NVML library not found"),
  FUNCTION_NOT_FOUND(13, "Function not found in the NVML library"),
  CORRUPTED_INFOROM(14, "InfoROM is corrupted"),
  GPU_IS_LOST(15, "GPU is lost"),
  RESET_REQUIRED(16, "GPU requires reset"),
  OPERATING_SYSTEM(17, "Blocked by the operating system"),
  LIB_RM_VERSION_MISMATCH(18, "Driver/library version mismatch"),
  IN_USE(19, "GPU is in use"),
  MEMORY(20, "Out of memory"),
  NO_DATA(21, "No data"),
  VGPU_ECC_NOT_SUPPORTED(22, "ECC is not supported on vGPU"),
  INSUFFICIENT_RESOURCES(23, "Insufficient resources"),
  FREQ_NOT_SUPPORTED(24, "Frequency not supported"),
  ARGUMENT_VERSION_MISMATCH(25, "Argument version mismatch"),
  DEPRECATED(26, "Deprecated"),
  NOT_READY(27, "System not ready"),
  GPU_NOT_FOUND(28, "No GPU found"),
  INVALID_STATE(29, "Invalid state"),
  RESET_TYPE_NOT_SUPPORTED(30, "Reset type not supported"),
  UNKNOWN(999, "Unknown error");

  private static final NvmlReturn[] BY_CODE = new NvmlReturn[31];

  static {
    for (NvmlReturn r : values()) {
      if (r.code < BY_CODE.length) {
        BY_CODE[r.code] = r;
      }
    }
  }

  private final int code;
  private final String description;

  NvmlReturn(int code, String description) {
    this.code = code;
    this.description = description;
  }

  /** The value for a raw code; codes this enum does not know map to {@link #UNKNOWN}. */
  public static NvmlReturn of(int code) {
    return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : UNKNOWN;
  }

  /** The numeric value of nvml.h. */
  public int code() {
    return code;
  }

  /** The header's constant name, e.g. {@code NVML_ERROR_GPU_IS_LOST}. */
  public String nvmlName() {
    return this == SUCCESS ? "NVML_SUCCESS" : "NVML_ERROR_" + name();
  }

  /** A short human description, e.g. "GPU is lost". */
  public String description() {
    return description;
  }

  /** "GPU is lost (NVML_ERROR_GPU_IS_LOST)". */
  public String describe() {
    return description + " (" + nvmlName() + ")";
  }

  public boolean isSuccess() {
    return this == SUCCESS;
  }

  public boolean isNotSupported() {
    return this == NOT_SUPPORTED;
  }

  public boolean isFunctionNotFound() {
    return this == FUNCTION_NOT_FOUND;
  }

  /**
   * True when the answer will not change while this driver runs: the GPU lacks the feature or
   * the library lacks the entry point. Such a metric is asked once and then left out.
   */
  public boolean isPermanentlyUnavailable() {
    return this == NOT_SUPPORTED || this == FUNCTION_NOT_FOUND;
  }

  public boolean isGpuLost() {
    return this == GPU_IS_LOST;
  }

  public boolean isResetRequired() {
    return this == RESET_REQUIRED;
  }

  /** True when the whole GPU is unreadable, so reading its other metrics is pointless. */
  public boolean isDeviceFailure() {
    return this == GPU_IS_LOST || this == RESET_REQUIRED;
  }

  public boolean isInsufficientSize() {
    return this == INSUFFICIENT_SIZE;
  }

  /** True for failures that may clear on a later call (timeouts, busy driver, no data yet). */
  public boolean isTransient() {
    return switch (this) {
      case TIMEOUT, IN_USE, NOT_READY, NO_DATA, MEMORY, INSUFFICIENT_RESOURCES, IRQ_ISSUE,
          UNKNOWN -> true;
      default -> false;
    };
  }
}
