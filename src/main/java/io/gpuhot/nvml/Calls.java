package io.gpuhot.nvml;

import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.LongByReference;
import com.sun.jna.ptr.PointerByReference;
import io.gpuhot.nvml.jna.NvmlLibrary;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one path every per-GPU NVML call takes: it skips metrics known to be unsupported,
 * remembers new "not supported" answers, drops a metric for one sample on a transient error
 * (logging each distinct failure once), and lets a whole-GPU failure escape as an {@link
 * NvmlException}. Holds reusable out-parameters, so it is confined to one thread.
 */
final class Calls {
  private static final Logger log = LoggerFactory.getLogger(NvmlBackend.class);

  final NvmlLibrary lib;
  final IntByReference a = new IntByReference();
  final IntByReference b = new IntByReference();
  final IntByReference c = new IntByReference();
  final LongByReference wide = new LongByReference();
  final PointerByReference handle = new PointerByReference();

  private Device device;
  private int successes;
  private NvmlException firstFailure;

  /** Warnings of this turn, keyed for "once"; held back in case the whole GPU failed. */
  private final Map<String, String> warnings = new LinkedHashMap<>();

  Calls(NvmlLibrary lib) {
    this.lib = lib;
  }

  /** Starts counting outcomes for one GPU's turn. */
  void begin(Device d) {
    device = d;
    successes = 0;
    firstFailure = null;
    warnings.clear();
  }

  /**
   * Ends the turn: logs each new per-metric failure once, unless the GPU as a whole is reported
   * as failed, which gets its own single line instead of one per metric.
   */
  void end(boolean gpuFailed) {
    if (!gpuFailed) {
      warnings.forEach((key, message) -> {
        if (device.warned.add(key)) {
          log.warn(message);
        }
      });
    }
    warnings.clear();
  }

  int successes() {
    return successes;
  }

  /** The first failure of this turn that was not "not supported"; null when none. */
  NvmlException firstFailure() {
    return firstFailure;
  }

  boolean skips(Metric m) {
    return device.unsupported.contains(m);
  }

  /** Makes one call for a metric; true when it succeeded and the out-parameters hold data. */
  boolean ask(Metric m, String function, IntSupplier call) {
    return !skips(m) && accept(m, function, invoke(call));
  }

  /** Runs a native call; a symbol missing from an old library reads as FUNCTION_NOT_FOUND. */
  int invoke(IntSupplier call) {
    try {
      return call.getAsInt();
    } catch (UnsatisfiedLinkError e) {
      return NvmlReturn.FUNCTION_NOT_FOUND.code();
    }
  }

  /** Judges a return code for a metric as {@link #ask} does. */
  boolean accept(Metric m, String function, int rc) {
    try {
      NvmlException.check(function, rc);
      successes++;
      return true;
    } catch (NvmlException e) {
      handle(m, e);
      return false;
    }
  }

  /** Marks a metric unsupported on the current GPU without a call (e.g. a GPU with no fans). */
  void markUnsupported(Metric m) {
    device.unsupported.add(m);
    device.settled.add(m);
  }

  private void handle(Metric m, NvmlException e) {
    if (e.code().isPermanentlyUnavailable()) {
      markUnsupported(m);
      return;
    }
    if (e.code().isDeviceFailure()) {
      throw e;
    }
    if (firstFailure == null) {
      firstFailure = e;
    }
    String key = m.name() + "/" + e.rawCode();
    if (!device.warned.contains(key)) {
      warnings.putIfAbsent(key, device.label() + ": reading " + m.label() + " failed: "
          + e.getMessage() + "; leaving it out of this sample (logged once)");
    }
  }
}
