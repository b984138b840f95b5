package io.gpuhot.nvml;

/**
 * NVML cannot be used on this machine now; the message is one line that says why and, where
 * there is one, what to do (for example "reboot or reload the nvidia kernel module").
 */
public final class NvmlUnavailableException extends Exception {
  private final NvmlReturn code;

  /** A failure the library reported with {@code code}, or null when it never got that far. */
  public NvmlUnavailableException(String message, NvmlReturn code) {
    super(message, null, false, false);
    this.code = code;
  }

  /** The NVML code behind it; null when the library could not even be loaded. */
  public NvmlReturn code() {
    return code;
  }
}
