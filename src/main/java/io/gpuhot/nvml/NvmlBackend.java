package io.gpuhot.nvml;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.jna.Pointer;
import io.gpuhot.nvml.jna.NvmlLibrary;
import io.gpuhot.nvml.jna.NvmlLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's view of NVML: initialises the library once, enumerates the GPUs once, and turns
 * each {@link #sample()} into GPU Hot's per-GPU wire objects plus the GPU processes.
 *
 * <p>Missing is not zero: a value NVML does not support, a sentinel, or a value whose read
 * failed this time is left out, never written as 0. A "not supported" answer is remembered
 * per GPU and that call is not made again; each GPU logs one INFO line listing what it lacks.
 * A GPU that is lost or unreadable is reported as {@code {"index", "error"}} (plus its name,
 * UUID and PCI bus id when they were read before) while the other GPUs keep their full data.
 *
 * <p>Not thread-safe: the node calls {@link #sample()} from one dedicated thread, because the
 * backend reuses native out-parameters between calls. Each {@code nvmlDeviceGetPcieThroughput}
 * call waits about 20 ms inside the driver, so a sample of 8 GPUs takes about 320 ms of wall
 * time on real hardware while using little CPU.
 */
public final class NvmlBackend implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(NvmlBackend.class);

  private final NvmlLibrary lib;
  private final List<Device> devices;
  private final GpuSampler sampler;
  private boolean closed;

  /**
   * What one sample found: each GPU's wire object keyed by NVML index in index order, and the
   * GPU processes in GPU order. The objects are new for every sample and belong to the caller.
   */
  public record Sample(Map<String, ObjectNode> gpus, List<GpuProcess> processes) {}

  private NvmlBackend(NvmlLibrary lib, List<Device> devices, GpuSampler sampler) {
    this.lib = lib;
    this.devices = devices;
    this.sampler = sampler;
  }

  /** Opens NVML on every GPU; see {@link #open(Path, List)}. */
  public static NvmlBackend open(Path libraryOrNull) throws NvmlUnavailableException {
    return open(libraryOrNull, List.of());
  }

  /**
   * Loads NVML (the given library file, or the system's {@code libnvidia-ml.so.1} when null),
   * initialises it and enumerates the GPUs that pass the filter.
   *
   * @param deviceFilter NVML indices ("0") or GPU UUIDs to keep, as in NVIDIA_VISIBLE_DEVICES;
   *     empty, or containing "all", keeps every GPU
   * @throws NvmlUnavailableException with a one-line reason when NVML cannot be used or no GPU
   *     is left to monitor
   */
  public static NvmlBackend open(Path libraryOrNull, List<String> deviceFilter)
      throws NvmlUnavailableException {
    NvmlLoader.Result loaded = NvmlLoader.load(libraryOrNull);
    if (!loaded.isAvailable()) {
      throw new NvmlUnavailableException(loaded.reason(), null);
    }
    NvmlLibrary lib = loaded.library();
    initialise(lib, loaded.source());
    try {
      return enumerate(loaded, deviceFilter);
    } catch (NvmlUnavailableException | RuntimeException e) {
      lib.nvmlShutdown();
      throw e;
    } catch (UnsatisfiedLinkError e) {
      lib.nvmlShutdown();
      throw new NvmlUnavailableException("NVML: " + loaded.source() + " lacks an entry point"
          + " GPU Hot needs (" + e.getMessage().lines().findFirst().orElse("") + ")",
          NvmlReturn.FUNCTION_NOT_FOUND);
    }
  }

  /** How many GPUs this backend reports (including failed ones). */
  public int gpuCount() {
    return devices.size();
  }

  /**
   * Reads every GPU once. Never throws for a GPU's failure: that GPU becomes an error entry.
   *
   * @throws IllegalStateException after {@link #close()}
   */
  private long samples;

  public Sample sample() {
    if (closed) {
      throw new IllegalStateException("NvmlBackend is closed");
    }
    var gpus = new LinkedHashMap<String, ObjectNode>();
    var processes = new ArrayList<GpuProcess>();
    // PCIe throughput waits ~20 ms per direction in the driver: one GPU a sample refreshes it.
    Device pcieTurn = devices.isEmpty() ? null : devices.get((int) (samples++ % devices.size()));
    for (Device d : devices) {
      gpus.put(d.key, sampler.sample(d, processes, d == pcieTurn));
    }
    return new Sample(Collections.unmodifiableMap(gpus), List.copyOf(processes));
  }

  /** Shuts NVML down once; later calls do nothing. Device handles die with it. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    int rc = lib.nvmlShutdown();
    if (rc != NvmlReturn.SUCCESS.code()) {
      log.warn("NVML: shutdown failed: {}", new NvmlException("nvmlShutdown", rc).describeCode());
    }
  }

  private static void initialise(NvmlLibrary lib, String source)
      throws NvmlUnavailableException {
    int rc;
    try {
      rc = lib.nvmlInit_v2();
    } catch (UnsatisfiedLinkError e) {
      throw new NvmlUnavailableException("NVML: " + source + " has no nvmlInit_v2; it is not an"
          + " NVML library, or the driver is too old", NvmlReturn.FUNCTION_NOT_FOUND);
    }
    if (rc != NvmlReturn.SUCCESS.code()) {
      NvmlReturn code = NvmlReturn.of(rc);
      throw new NvmlUnavailableException(initFailure(code, rc), code);
    }
  }

  /** "NVML: Driver/library version mismatch (NVML_ERROR_…); reboot or reload …". */
  static String initFailure(NvmlReturn code, int rawCode) {
    String what = new NvmlException("nvmlInit_v2", rawCode).describeCode();
    String hint = switch (code) {
      case LIB_RM_VERSION_MISMATCH -> "reboot or reload the nvidia kernel module";
      case DRIVER_NOT_LOADED -> "load the nvidia kernel module; in a container, start it with"
          + " the NVIDIA container runtime";
      case NO_PERMISSION -> "check access to /dev/nvidia*";
      case LIBRARY_NOT_FOUND -> "is the NVIDIA driver installed?";
      case INSUFFICIENT_POWER -> "check the GPU's auxiliary power cables";
      case IRQ_ISSUE -> "check the kernel log (dmesg) for NVRM errors";
      default -> null;
    };
    return "NVML: " + what + (hint == null ? "" : "; " + hint);
  }

  private static NvmlBackend enumerate(NvmlLoader.Result loaded, List<String> filter)
      throws NvmlUnavailableException {
    NvmlLibrary lib = loaded.library();
    var calls = new Calls(lib);
    var api = new GpuSampler.Api(
        driverVersion(lib),
        loaded.hasSymbol("nvmlDeviceGetMemoryInfo_v2"),
        loaded.hasSymbol("nvmlDeviceGetCurrentClocksEventReasons"),
        ProcessLists.newest(ProcessLists.COMPUTE, loaded::hasSymbol),
        ProcessLists.newest(ProcessLists.GRAPHICS, loaded::hasSymbol));
    var sampler = new GpuSampler(calls, new Facts(calls), api);
    List<Device> all = devices(lib, calls);
    for (Device d : all) {
      sampler.open(d);
    }
    List<Device> kept = DeviceFilter.apply(filter, all);
    log.info("NVML {} via {}: {}", api.driverVersion(), loaded.source(), summary(kept));
    return new NvmlBackend(lib, List.copyOf(kept), sampler);
  }

  private static List<Device> devices(NvmlLibrary lib, Calls calls)
      throws NvmlUnavailableException {
    int rc = lib.nvmlDeviceGetCount_v2(calls.a);
    if (rc != NvmlReturn.SUCCESS.code()) {
      NvmlReturn code = NvmlReturn.of(rc);
      throw new NvmlUnavailableException("NVML: cannot count GPUs: "
          + new NvmlException("nvmlDeviceGetCount_v2", rc).describeCode(), code);
    }
    int count = calls.a.getValue();
    if (count <= 0) {
      throw new NvmlUnavailableException("NVML: no NVIDIA GPU found", NvmlReturn.GPU_NOT_FOUND);
    }
    var list = new ArrayList<Device>(count);
    for (int i = 0; i < count; i++) {
      list.add(handle(lib, calls, i));
    }
    return list;
  }

  /** A GPU whose handle cannot be had (fallen off the bus) is kept as a failed entry. */
  private static Device handle(NvmlLibrary lib, Calls calls, int index) {
    int rc = lib.nvmlDeviceGetHandleByIndex_v2(index, calls.handle);
    if (rc == NvmlReturn.SUCCESS.code()) {
      Pointer handle = calls.handle.getValue();
      return new Device(index, handle, null);
    }
    var e = new NvmlException("nvmlDeviceGetHandleByIndex_v2", rc);
    log.warn("GPU {}: no handle: {}; reporting it as failed", index, e.describeCode());
    return new Device(index, null, e.code());
  }

  private static String driverVersion(NvmlLibrary lib) {
    byte[] buffer = new byte[NvmlLibrary.NVML_SYSTEM_DRIVER_VERSION_BUFFER_SIZE];
    int rc = lib.nvmlSystemGetDriverVersion(buffer, buffer.length);
    return rc == NvmlReturn.SUCCESS.code() ? Readings.printable(Readings.cString(buffer)) : null;
  }

  private static String summary(List<Device> devices) {
    var text = new StringJoiner(", ", devices.size() + " GPU(s): ", "");
    for (Device d : devices) {
      String what = d.failure != null ? d.failure.description().toLowerCase(Locale.ROOT)
          : d.name == null ? "unnamed" : d.name;
      text.add(d.index + " " + what + (d.uuid == null ? "" : " (" + d.uuid + ")"));
    }
    return text.toString();
  }
}
