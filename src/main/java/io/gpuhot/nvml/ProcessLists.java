package io.gpuhot.nvml;

import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import com.sun.jna.ptr.IntByReference;
import io.gpuhot.nvml.jna.NvmlLibrary;
import io.gpuhot.nvml.jna.NvmlLibrary.ProcessInfoV1;
import io.gpuhot.nvml.jna.NvmlLibrary.ProcessInfoV2;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the compute and graphics process lists of a GPU through the newest entry point the
 * library exports, with the struct layout of that entry point, and refuses lists that cannot be
 * real (PID 0, PIDs beyond the kernel's limit, more memory than the GPU has): such garbage is
 * what a struct-version mismatch between driver and binding produces.
 */
final class ProcessLists {
  private static final Logger log = LoggerFactory.getLogger(NvmlBackend.class);

  /** The kernel's hard PID ceiling on 64-bit Linux (PID_MAX_LIMIT); anything above is garbage. */
  static final long MAX_PID = 4L * 1024 * 1024;

  static final String COMPUTE = "nvmlDeviceGetComputeRunningProcesses";
  static final String GRAPHICS = "nvmlDeviceGetGraphicsRunningProcesses";
  private static final int MAX_CAPACITY = 4096;
  private static final int ATTEMPTS = 3;

  /** Which version of nvmlDevice*RunningProcesses is bound. */
  enum Api {
    V3("_v3"),
    V2("_v2"),
    V1("");

    final String suffix;

    Api(String suffix) {
      this.suffix = suffix;
    }
  }

  private final Calls c;
  private final NvmlLibrary lib;
  private final Api computeApi;
  private final Api graphicsApi;

  ProcessLists(Calls calls, Api computeApi, Api graphicsApi) {
    this.c = calls;
    this.lib = calls.lib;
    this.computeApi = computeApi;
    this.graphicsApi = graphicsApi;
  }

  /** The newest entry point of a list that the library exports. */
  static Api newest(String base, Predicate<String> hasSymbol) {
    for (Api api : Api.values()) {
      if (hasSymbol.test(base + api.suffix)) {
        return api;
      }
    }
    return Api.V1;
  }

  /** One list of one GPU; null when the GPU cannot list them or the answer is not credible. */
  List<GpuProcess> read(Device d, GpuProcess.Type type) {
    boolean compute = type == GpuProcess.Type.COMPUTE;
    Metric m = compute ? Metric.COMPUTE_PROCESSES : Metric.GRAPHICS_PROCESSES;
    if (c.skips(m)) {
      return null;
    }
    Api api = compute ? computeApi : graphicsApi;
    ProcessBuffer buffer = compute ? d.computeBuffer : d.graphicsBuffer;
    int rc = query(compute, api, d.handle, buffer);
    String function = (compute ? COMPUTE : GRAPHICS) + api.suffix;
    if (!c.accept(m, function, rc)) {
      return null;
    }
    return entries(d, type, buffer, c.a.getValue());
  }

  /** Calls until the buffer is big enough: the list may grow between two calls. */
  private int query(boolean compute, Api api, Pointer h, ProcessBuffer buffer) {
    int tooSmall = NvmlReturn.INSUFFICIENT_SIZE.code();
    int capacity = buffer.capacity();
    int rc = tooSmall;
    for (int attempt = 0; attempt < ATTEMPTS && rc == tooSmall; attempt++) {
      Structure first = buffer.first(api == Api.V1, capacity);
      c.a.setValue(capacity);
      rc = c.invoke(() -> call(compute, api, h, c.a, first));
      capacity = Math.min(MAX_CAPACITY, Math.max(capacity * 2, c.a.getValue() + 8));
    }
    return rc;
  }

  private List<GpuProcess> entries(Device d, GpuProcess.Type type, ProcessBuffer buffer, int n) {
    if (n < 0 || n > buffer.capacity()) {
      return unreliable(d, type, "the driver reported " + Integer.toUnsignedString(n)
          + " entries for a buffer of " + buffer.capacity());
    }
    var list = new ArrayList<GpuProcess>(n);
    for (int i = 0; i < n; i++) {
      buffer.read(i);
      long pid = buffer.pid(i);
      long used = buffer.usedBytes(i);
      if (pid <= 0 || pid > MAX_PID) {
        return unreliable(d, type, "entry " + i + " has PID " + pid);
      }
      boolean known = !Readings.isBlank(used);
      if (known && d.memoryTotalBytes > 0 && Long.compareUnsigned(used, d.memoryTotalBytes) > 0) {
        return unreliable(d, type, "PID " + pid + " uses " + Long.toUnsignedString(used)
            + " bytes, more than the GPU's " + d.memoryTotalBytes);
      }
      list.add(new GpuProcess(pid, known ? Readings.mib(used) : null, type, d.key, d.uuid,
          buffer.gpuInstanceId(i), buffer.computeInstanceId(i)));
    }
    return list;
  }

  private static List<GpuProcess> unreliable(Device d, GpuProcess.Type type, String why) {
    if (d.warned.add("process-list/" + type)) {
      log.warn("{}: {} process list unreliable ({}); leaving it out. The driver and this binding"
          + " may disagree on the nvmlProcessInfo_t layout (logged once)",
          d.label(), type.wireName(), why);
    }
    return null;
  }

  private int call(boolean compute, Api api, Pointer h, IntByReference count, Structure first) {
    if (api == Api.V1) {
      ProcessInfoV1 infos = (ProcessInfoV1) first;
      return compute
          ? lib.nvmlDeviceGetComputeRunningProcesses(h, count, infos)
          : lib.nvmlDeviceGetGraphicsRunningProcesses(h, count, infos);
    }
    ProcessInfoV2 infos = (ProcessInfoV2) first;
    if (api == Api.V3) {
      return compute
          ? lib.nvmlDeviceGetComputeRunningProcesses_v3(h, count, infos)
          : lib.nvmlDeviceGetGraphicsRunningProcesses_v3(h, count, infos);
    }
    return compute
        ? lib.nvmlDeviceGetComputeRunningProcesses_v2(h, count, infos)
        : lib.nvmlDeviceGetGraphicsRunningProcesses_v2(h, count, infos);
  }
}
