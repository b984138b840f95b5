package io.gpuhot.nvml;

import static io.gpuhot.nvml.jna.NvmlLibrary.NVML_CLOCK_GRAPHICS;
import static io.gpuhot.nvml.jna.NvmlLibrary.NVML_CLOCK_MEM;
import static io.gpuhot.nvml.jna.NvmlLibrary.NVML_CLOCK_SM;
import static io.gpuhot.nvml.jna.NvmlLibrary.NVML_CLOCK_VIDEO;

import com.sun.jna.Pointer;
import io.gpuhot.nvml.jna.NvmlLibrary;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.function.Consumer;
import java.util.function.IntSupplier;

/**
 * Reads the facts of a GPU that stay fixed while the driver runs: identity, limits, maxima and
 * which fans and links exist. Each is read until it has a final answer, so a transient failure
 * at start-up is retried on the next sample and a settled fact costs nothing afterwards.
 */
final class Facts {
  static final int[] CLOCK_TYPES = {
    NVML_CLOCK_GRAPHICS, NVML_CLOCK_SM, NVML_CLOCK_MEM, NVML_CLOCK_VIDEO
  };
  private static final Metric[] CLOCK_MAX = {
    Metric.CLOCK_GRAPHICS_MAX, Metric.CLOCK_SM_MAX, Metric.CLOCK_MEMORY_MAX, Metric.CLOCK_VIDEO_MAX
  };

  /** Every fact this class reads; once all are settled, {@link #read} returns at once. */
  private static final EnumSet<Metric> ALL =
      EnumSet.of(
          Metric.NAME, Metric.UUID, Metric.SERIAL, Metric.VBIOS, Metric.BRAND,
          Metric.ARCHITECTURE, Metric.COMPUTE_CAPABILITY, Metric.PCI_INFO,
          Metric.CLOCK_GRAPHICS_MAX, Metric.CLOCK_SM_MAX, Metric.CLOCK_MEMORY_MAX,
          Metric.CLOCK_VIDEO_MAX, Metric.TEMPERATURE_SLOWDOWN, Metric.TEMPERATURE_SHUTDOWN,
          Metric.TEMPERATURE_MAX_OPERATING, Metric.POWER_DEFAULT_LIMIT, Metric.POWER_LIMIT_RANGE,
          Metric.PCIE_GEN_MAX, Metric.PCIE_WIDTH_MAX, Metric.ECC_MODE, Metric.FAN_COUNT,
          Metric.MIG_DEVICES, Metric.NVLINK);

  private final Calls c;
  private final NvmlLibrary lib;

  Facts(Calls calls) {
    this.c = calls;
    this.lib = calls.lib;
  }

  /** Reads every fact of {@code d} that has no final answer yet. */
  void read(Device d) {
    if (d.settled.containsAll(ALL)) {
      return;
    }
    identity(d);
    limits(d);
    layout(d);
  }

  private void identity(Device d) {
    Pointer h = d.handle;
    text(d, Metric.NAME, "nvmlDeviceGetName", NvmlLibrary.NVML_DEVICE_NAME_V2_BUFFER_SIZE,
        (buf, n) -> lib.nvmlDeviceGetName(h, buf, n), v -> d.name = v);
    text(d, Metric.UUID, "nvmlDeviceGetUUID", NvmlLibrary.NVML_DEVICE_UUID_V2_BUFFER_SIZE,
        (buf, n) -> lib.nvmlDeviceGetUUID(h, buf, n), v -> d.uuid = v);
    text(d, Metric.SERIAL, "nvmlDeviceGetSerial", NvmlLibrary.NVML_DEVICE_SERIAL_BUFFER_SIZE,
        (buf, n) -> lib.nvmlDeviceGetSerial(h, buf, n), v -> d.serial = v);
    text(d, Metric.VBIOS, "nvmlDeviceGetVbiosVersion",
        NvmlLibrary.NVML_DEVICE_VBIOS_VERSION_BUFFER_SIZE,
        (buf, n) -> lib.nvmlDeviceGetVbiosVersion(h, buf, n), v -> d.vbios = v);
    if (fetch(d, Metric.BRAND, "nvmlDeviceGetBrand", () -> lib.nvmlDeviceGetBrand(h, c.a))) {
      d.brand = NvmlNames.brand(c.a.getValue());
    }
    if (fetch(d, Metric.ARCHITECTURE, "nvmlDeviceGetArchitecture",
        () -> lib.nvmlDeviceGetArchitecture(h, c.a))) {
      d.architecture = NvmlNames.architecture(c.a.getValue());
    }
    if (fetch(d, Metric.COMPUTE_CAPABILITY, "nvmlDeviceGetCudaComputeCapability",
        () -> lib.nvmlDeviceGetCudaComputeCapability(h, c.a, c.b))) {
      d.computeCapability = c.a.getValue() + "." + c.b.getValue();
    }
    var pci = new NvmlLibrary.PciInfo();
    if (fetch(d, Metric.PCI_INFO, "nvmlDeviceGetPciInfo_v3",
        () -> lib.nvmlDeviceGetPciInfo_v3(h, pci))) {
      d.pciBusId = Readings.printable(Readings.cString(pci.busId));
    }
  }

  private void limits(Device d) {
    Pointer h = d.handle;
    for (int i = 0; i < CLOCK_TYPES.length; i++) {
      int type = CLOCK_TYPES[i];
      if (fetch(d, CLOCK_MAX[i], "nvmlDeviceGetMaxClockInfo",
          () -> lib.nvmlDeviceGetMaxClockInfo(h, type, c.a))) {
        d.clockMax[i] = Readings.u32Double(c.a.getValue());
      }
    }
    if (threshold(d, Metric.TEMPERATURE_SLOWDOWN,
        NvmlLibrary.NVML_TEMPERATURE_THRESHOLD_SLOWDOWN)) {
      d.temperatureSlowdown = Readings.celsius(c.a.getValue());
    }
    if (threshold(d, Metric.TEMPERATURE_SHUTDOWN,
        NvmlLibrary.NVML_TEMPERATURE_THRESHOLD_SHUTDOWN)) {
      d.temperatureShutdown = Readings.celsius(c.a.getValue());
    }
    if (threshold(d, Metric.TEMPERATURE_MAX_OPERATING,
        NvmlLibrary.NVML_TEMPERATURE_THRESHOLD_GPU_MAX)) {
      d.temperatureMaxOperating = Readings.celsius(c.a.getValue());
    }
    if (fetch(d, Metric.POWER_DEFAULT_LIMIT, "nvmlDeviceGetPowerManagementDefaultLimit",
        () -> lib.nvmlDeviceGetPowerManagementDefaultLimit(h, c.a))) {
      d.powerDefaultLimit = Readings.watts(c.a.getValue());
    }
    if (fetch(d, Metric.POWER_LIMIT_RANGE, "nvmlDeviceGetPowerManagementLimitConstraints",
        () -> lib.nvmlDeviceGetPowerManagementLimitConstraints(h, c.a, c.b))) {
      d.powerLimitMin = Readings.watts(c.a.getValue());
      d.powerLimitMax = Readings.watts(c.b.getValue());
    }
  }

  private boolean threshold(Device d, Metric m, int type) {
    return fetch(d, m, "nvmlDeviceGetTemperatureThreshold",
        () -> lib.nvmlDeviceGetTemperatureThreshold(d.handle, type, c.a));
  }

  private void layout(Device d) {
    Pointer h = d.handle;
    if (fetch(d, Metric.PCIE_GEN_MAX, "nvmlDeviceGetMaxPcieLinkGeneration",
        () -> lib.nvmlDeviceGetMaxPcieLinkGeneration(h, c.a))) {
      d.pcieGenMax = unsignedText(c.a.getValue());
    }
    if (fetch(d, Metric.PCIE_WIDTH_MAX, "nvmlDeviceGetMaxPcieLinkWidth",
        () -> lib.nvmlDeviceGetMaxPcieLinkWidth(h, c.a))) {
      d.pcieWidthMax = unsignedText(c.a.getValue());
    }
    if (fetch(d, Metric.ECC_MODE, "nvmlDeviceGetEccMode",
        () -> lib.nvmlDeviceGetEccMode(h, c.a, c.b))) {
      d.eccEnabled = c.a.getValue() == NvmlLibrary.NVML_FEATURE_ENABLED;
    }
    if (fetch(d, Metric.MIG_DEVICES, "nvmlDeviceGetMaxMigDeviceCount",
        () -> lib.nvmlDeviceGetMaxMigDeviceCount(h, c.a))) {
      d.migSlots = count(c.a.getValue(), 64);
    }
    fans(d);
    nvlinks(d);
  }

  /** Counts fans; with none (passively cooled boards) the fan keys are simply absent. */
  private void fans(Device d) {
    if (!pending(d, Metric.FAN_COUNT)) {
      return;
    }
    int rc = c.invoke(() -> lib.nvmlDeviceGetNumFans(d.handle, c.a));
    if (NvmlReturn.of(rc).isPermanentlyUnavailable()) {
      // Older drivers lack the count; the single-fan query may still answer.
      d.fanCount = -1;
      d.settled.add(Metric.FAN_COUNT);
    } else if (c.accept(Metric.FAN_COUNT, "nvmlDeviceGetNumFans", rc)) {
      d.fanCount = count(c.a.getValue(), 32);
      d.settled.add(Metric.FAN_COUNT);
      if (d.fanCount == 0) {
        c.markUnsupported(Metric.FAN_SPEED);
      }
    }
  }

  /**
   * Finds which of the 18 possible links exist. A link that does not exist answers "invalid
   * argument" or "not supported"; a GPU without NVLink answers that for every link.
   */
  private void nvlinks(Device d) {
    if (!pending(d, Metric.NVLINK)) {
      return;
    }
    int[] found = new int[NvmlLibrary.NVML_NVLINK_MAX_LINKS];
    int n = 0;
    for (int link = 0; link < NvmlLibrary.NVML_NVLINK_MAX_LINKS; link++) {
      int id = link;
      int rc = c.invoke(() -> lib.nvmlDeviceGetNvLinkState(d.handle, id, c.a));
      NvmlReturn r = NvmlReturn.of(rc);
      if (r.isSuccess()) {
        found[n++] = link;
      } else if (r.isFunctionNotFound()) {
        break;
      } else if (!isAbsentLink(r)) {
        // Transient: try the whole probe again on the next sample.
        c.accept(Metric.NVLINK, "nvmlDeviceGetNvLinkState", rc);
        return;
      }
    }
    d.nvlinks = Arrays.copyOf(found, n);
    d.settled.add(Metric.NVLINK);
    if (n == 0) {
      c.markUnsupported(Metric.NVLINK);
    }
  }

  private static boolean isAbsentLink(NvmlReturn r) {
    return r == NvmlReturn.NOT_SUPPORTED
        || r == NvmlReturn.INVALID_ARGUMENT
        || r == NvmlReturn.NOT_FOUND;
  }

  /** A native call that fills a char buffer of the given size. */
  private interface TextCall {
    int call(byte[] buffer, int length);
  }

  private void text(Device d, Metric m, String function, int size, TextCall call,
      Consumer<String> store) {
    byte[] buffer = new byte[size];
    if (fetch(d, m, function, () -> call.call(buffer, size))) {
      store.accept(Readings.printable(Readings.cString(buffer)));
    }
  }

  /** Asks for a fact not yet settled; true (and settled) when the call succeeded. */
  private boolean fetch(Device d, Metric m, String function, IntSupplier call) {
    if (!pending(d, m) || !c.ask(m, function, call)) {
      return false;
    }
    d.settled.add(m);
    return true;
  }

  private static boolean pending(Device d, Metric m) {
    return !d.settled.contains(m) && !d.unsupported.contains(m);
  }

  /** A count from the driver, capped so a garbled answer cannot drive a huge loop. */
  private static int count(int raw, int max) {
    Long v = Readings.u32(raw);
    return v == null ? 0 : (int) Math.min(v, max);
  }

  private static String unsignedText(int raw) {
    Long v = Readings.u32(raw);
    return v == null ? null : Long.toString(v);
  }
}
