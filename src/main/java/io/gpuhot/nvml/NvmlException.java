package io.gpuhot.nvml;

/** An NVML call returned something other than {@code NVML_SUCCESS}. */
public final class NvmlException extends RuntimeException {
  private final String function;
  private final int rawCode;
  private final NvmlReturn code;

  /** Records which entry point failed and with which raw {@code nvmlReturn_t}. */
  public NvmlException(String function, int rawCode) {
    super(function + ": " + describe(rawCode), null, false, false);
    this.function = function;
    this.rawCode = rawCode;
    this.code = NvmlReturn.of(rawCode);
  }

  /** Throws when {@code rawCode} is not success; the one place NVML codes become exceptions. */
  public static void check(String function, int rawCode) {
    if (rawCode != NvmlReturn.SUCCESS.code()) {
      throw new NvmlException(function, rawCode);
    }
  }

  /** The NVML entry point, e.g. {@code nvmlDeviceGetPowerUsage}. */
  public String function() {
    return function;
  }

  /** The code as an enum value ({@link NvmlReturn#UNKNOWN} for codes newer than this build). */
  public NvmlReturn code() {
    return code;
  }

  /** The code exactly as the library returned it. */
  public int rawCode() {
    return rawCode;
  }

  /** "GPU is lost (NVML_ERROR_GPU_IS_LOST)", or the raw number for a code this build lacks. */
  public String describeCode() {
    return describe(rawCode);
  }

  private static String describe(int rawCode) {
    NvmlReturn r = NvmlReturn.of(rawCode);
    return r.code() == rawCode ? r.describe() : "Unknown error (NVML error code " + rawCode + ")";
  }
}
