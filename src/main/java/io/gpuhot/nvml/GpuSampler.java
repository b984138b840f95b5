package io.gpuhot.nvml;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.jna.Pointer;
import io.gpuhot.nvml.jna.NvmlLibrary;
import io.gpuhot.support.Json;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.StringJoiner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads one GPU into GPU Hot's per-GPU wire object. Keys are absent when NVML has no value
 * (unsupported, sentinel, or a transient error this sample); zero, false, "P0" and "Default"
 * are values and are always written. A GPU that is lost or unreadable becomes an error entry.
 */
final class GpuSampler {
  private static final Logger log = LoggerFactory.getLogger(NvmlBackend.class);

  private static final String[] CLOCK_KEYS = {"clock_graphics", "clock_sm", "clock_memory",
      "clock_video"};
  private static final Metric[] CLOCK_METRICS = {Metric.CLOCK_GRAPHICS, Metric.CLOCK_SM,
      Metric.CLOCK_MEMORY, Metric.CLOCK_VIDEO};
  private static final double MJ_PER_WH = 3.6e6;

  private final Calls c;
  private final NvmlLibrary lib;
  private final Facts facts;
  private final ProcessLists processes;
  private final String driverVersion;
  private final boolean memoryV2;
  private final boolean clocksEventReasons;
  private final NvmlLibrary.Utilization utilization = new NvmlLibrary.Utilization();
  private final NvmlLibrary.Memory memory = new NvmlLibrary.Memory();
  private final NvmlLibrary.MemoryV2 memory2 = new NvmlLibrary.MemoryV2();
  private final NvmlLibrary.Bar1Memory bar1 = new NvmlLibrary.Bar1Memory();
  private final byte[] migUuid = new byte[NvmlLibrary.NVML_DEVICE_UUID_V2_BUFFER_SIZE];
  private boolean pcieTurn = true;

  /** Options fixed at open: which entry points the library has. */
  record Api(
      String driverVersion,
      boolean memoryV2,
      boolean clocksEventReasons,
      ProcessLists.Api computeProcesses,
      ProcessLists.Api graphicsProcesses) {}

  GpuSampler(Calls calls, Facts facts, Api api) {
    this.c = calls;
    this.lib = calls.lib;
    this.facts = facts;
    this.processes = new ProcessLists(calls, api.computeProcesses(), api.graphicsProcesses());
    this.driverVersion = api.driverVersion();
    this.memoryV2 = api.memoryV2();
    this.clocksEventReasons = api.clocksEventReasons();
  }

  /** Reads the facts of a GPU found at open; a whole-GPU failure is recorded, not thrown. */
  void open(Device d) {
    if (d.handle == null) {
      return;
    }
    c.begin(d);
    try {
      facts.read(d);
      c.end(false);
    } catch (NvmlException e) {
      c.end(true);
      fail(d, e);
    }
  }

  /**
   * One GPU's wire object for this sample; its processes are appended to {@code out}. PCIe
   * throughput is measured only when {@code pcieTurn} (each measurement blocks ~40 ms in the
   * driver); other samples repeat the GPU's last measurement.
   */
  ObjectNode sample(Device d, List<GpuProcess> out, boolean pcieTurn) {
    this.pcieTurn = pcieTurn;
    if (d.isLost()) {
      return error(d);
    }
    c.begin(d);
    var found = new ArrayList<GpuProcess>();
    try {
      facts.read(d);
      ObjectNode gpu = read(d, found);
      NvmlException first = c.firstFailure();
      if (c.successes() == 0 && first != null) {
        c.end(true);
        fail(d, first);
        return error(d, first.describeCode());
      }
      c.end(false);
      recovered(d);
      announce(d);
      out.addAll(found);
      return gpu;
    } catch (NvmlException e) {
      c.end(true);
      fail(d, e);
      return error(d);
    }
  }

  private ObjectNode read(Device d, List<GpuProcess> found) {
    ObjectNode g = Json.object();
    identity(g, d);
    int[] mig = migMode(d);
    boolean migOn = mig != null && mig[0] == NvmlLibrary.NVML_DEVICE_MIG_ENABLE;
    utilization(g, d, migOn);
    memory(g, d);
    thermals(g, d);
    power(g, d);
    fans(g, d);
    clocks(g, d);
    pcie(g, d);
    encoder(g, d);
    ecc(g, d);
    modes(g, d, mig);
    if (migOn) {
      migDevices(g, d);
    }
    nvlink(g, d);
    processCount(g, d, GpuProcess.Type.COMPUTE, "compute_processes_count", found);
    processCount(g, d, GpuProcess.Type.GRAPHICS, "graphics_processes_count", found);
    return g;
  }

  private void identity(ObjectNode g, Device d) {
    g.put("index", d.key);
    g.put("name", d.name != null ? d.name : "GPU " + d.index);
    put(g, "uuid", d.uuid);
    put(g, "serial", d.serial);
    put(g, "driver_version", driverVersion);
    put(g, "vbios_version", d.vbios);
    put(g, "brand", d.brand);
    put(g, "architecture", d.architecture);
    put(g, "cuda_compute_capability", d.computeCapability);
    put(g, "pci_bus_id", d.pciBusId);
  }

  /** Reads MIG mode first because it decides whether per-GPU utilization exists at all. */
  private int[] migMode(Device d) {
    if (c.ask(Metric.MIG_MODE, "nvmlDeviceGetMigMode",
        () -> lib.nvmlDeviceGetMigMode(d.handle, c.a, c.b))) {
      return new int[] {c.a.getValue(), c.b.getValue()};
    }
    return null;
  }

  private void utilization(ObjectNode g, Device d, boolean migOn) {
    Pointer h = d.handle;
    // With MIG on, NVML has no whole-GPU utilization; asking would only poison the probe.
    if (!migOn && c.ask(Metric.UTILIZATION, "nvmlDeviceGetUtilizationRates",
        () -> lib.nvmlDeviceGetUtilizationRates(h, utilization))) {
      put(g, "utilization", Readings.percent(utilization.gpu));
      put(g, "memory_utilization", Readings.percent(utilization.memory));
    }
    if (c.ask(Metric.ENCODER_UTILIZATION, "nvmlDeviceGetEncoderUtilization",
        () -> lib.nvmlDeviceGetEncoderUtilization(h, c.a, c.b))) {
      put(g, "encoder_utilization", Readings.percent(c.a.getValue()));
    }
    if (c.ask(Metric.DECODER_UTILIZATION, "nvmlDeviceGetDecoderUtilization",
        () -> lib.nvmlDeviceGetDecoderUtilization(h, c.a, c.b))) {
      put(g, "decoder_utilization", Readings.percent(c.a.getValue()));
    }
  }

  private void memory(ObjectNode g, Device d) {
    if (!memoryV2(g, d) && c.ask(Metric.MEMORY, "nvmlDeviceGetMemoryInfo",
        () -> lib.nvmlDeviceGetMemoryInfo(d.handle, memory))) {
      put(g, "memory_used", Readings.mib(memory.used));
      put(g, "memory_total", Readings.mib(memory.total));
      put(g, "memory_free", Readings.mib(memory.free));
      d.memoryTotalBytes = Readings.isBlank(memory.total) ? -1 : memory.total;
    }
    if (c.ask(Metric.BAR1_MEMORY, "nvmlDeviceGetBAR1MemoryInfo",
        () -> lib.nvmlDeviceGetBAR1MemoryInfo(d.handle, bar1))) {
      put(g, "bar1_memory_used", Readings.mib(bar1.bar1Used));
      put(g, "bar1_memory_total", Readings.mib(bar1.bar1Total));
    }
  }

  /**
   * The v2 query also reports memory the driver reserves, which v1 counts as used. Drivers
   * that lack it or refuse the struct version fall back to v1 for good. True when v2 handled
   * this sample's reading, even if that reading failed.
   */
  private boolean memoryV2(ObjectNode g, Device d) {
    if (!memoryV2 || d.memoryV1 || c.skips(Metric.MEMORY)) {
      return false;
    }
    int rc = c.invoke(() -> lib.nvmlDeviceGetMemoryInfo_v2(d.handle, memory2));
    NvmlReturn r = NvmlReturn.of(rc);
    if (r.isPermanentlyUnavailable() || r == NvmlReturn.ARGUMENT_VERSION_MISMATCH) {
      d.memoryV1 = true;
      return false;
    }
    if (c.accept(Metric.MEMORY, "nvmlDeviceGetMemoryInfo_v2", rc)) {
      put(g, "memory_used", Readings.mib(memory2.used));
      put(g, "memory_total", Readings.mib(memory2.total));
      put(g, "memory_free", Readings.mib(memory2.free));
      put(g, "memory_reserved", Readings.mib(memory2.reserved));
      d.memoryTotalBytes = Readings.isBlank(memory2.total) ? -1 : memory2.total;
    }
    return true;
  }

  private void thermals(ObjectNode g, Device d) {
    if (c.ask(Metric.TEMPERATURE, "nvmlDeviceGetTemperature",
        () -> lib.nvmlDeviceGetTemperature(d.handle, NvmlLibrary.NVML_TEMPERATURE_GPU, c.a))) {
      put(g, "temperature", Readings.celsius(c.a.getValue()));
    }
    put(g, "temperature_slowdown", d.temperatureSlowdown);
    put(g, "temperature_shutdown", d.temperatureShutdown);
    put(g, "temperature_max_operating", d.temperatureMaxOperating);
  }

  private void power(ObjectNode g, Device d) {
    Pointer h = d.handle;
    if (c.ask(Metric.POWER_DRAW, "nvmlDeviceGetPowerUsage",
        () -> lib.nvmlDeviceGetPowerUsage(h, c.a))) {
      put(g, "power_draw", Readings.watts(c.a.getValue()));
    }
    // An administrator can change the limit at run time (nvidia-smi -pl), so it is sampled.
    if (c.ask(Metric.POWER_LIMIT, "nvmlDeviceGetPowerManagementLimit",
        () -> lib.nvmlDeviceGetPowerManagementLimit(h, c.a))) {
      put(g, "power_limit", Readings.watts(c.a.getValue()));
    }
    put(g, "power_default_limit", d.powerDefaultLimit);
    put(g, "power_limit_min", d.powerLimitMin);
    put(g, "power_limit_max", d.powerLimitMax);
    if (c.ask(Metric.ENERGY, "nvmlDeviceGetTotalEnergyConsumption",
        () -> lib.nvmlDeviceGetTotalEnergyConsumption(h, c.wide))) {
      long millijoules = c.wide.getValue();
      if (!Readings.isBlank(millijoules)) {
        // Below the blank threshold the value fits in a signed long, so the division is exact.
        g.put("energy_consumption", millijoules / 1000.0);
        g.put("energy_consumption_wh", millijoules / MJ_PER_WH);
      }
    }
  }

  private void fans(ObjectNode g, Device d) {
    if (c.skips(Metric.FAN_SPEED)) {
      return;
    }
    ArrayNode speeds = g.arrayNode();
    if (d.fanCount < 0) {
      if (c.ask(Metric.FAN_SPEED, "nvmlDeviceGetFanSpeed",
          () -> lib.nvmlDeviceGetFanSpeed(d.handle, c.a))) {
        addIfPresent(speeds, Readings.u32Double(c.a.getValue()));
      }
    }
    for (int fan = 0; fan < d.fanCount && !c.skips(Metric.FAN_SPEED); fan++) {
      int id = fan;
      if (c.ask(Metric.FAN_SPEED, "nvmlDeviceGetFanSpeed_v2",
          () -> lib.nvmlDeviceGetFanSpeed_v2(d.handle, id, c.a))) {
        addIfPresent(speeds, Readings.u32Double(c.a.getValue()));
      }
    }
    if (!speeds.isEmpty()) {
      g.set("fan_speed", speeds.get(0));
      g.set("fan_speeds", speeds);
    }
  }

  private void clocks(ObjectNode g, Device d) {
    for (int i = 0; i < CLOCK_KEYS.length; i++) {
      int type = Facts.CLOCK_TYPES[i];
      if (c.ask(CLOCK_METRICS[i], "nvmlDeviceGetClockInfo",
          () -> lib.nvmlDeviceGetClockInfo(d.handle, type, c.a))) {
        put(g, CLOCK_KEYS[i], Readings.u32Double(c.a.getValue()));
      }
    }
    for (int i = 0; i < CLOCK_KEYS.length; i++) {
      put(g, CLOCK_KEYS[i] + "_max", d.clockMax[i]);
    }
    if (c.ask(Metric.PERFORMANCE_STATE, "nvmlDeviceGetPerformanceState",
        () -> lib.nvmlDeviceGetPerformanceState(d.handle, c.a))) {
      put(g, "performance_state", NvmlNames.performanceState(c.a.getValue()));
    }
    throttleReasons(g, d);
  }

  /** The clocks-event query replaced the throttle-reasons one (same bits) in newer drivers. */
  private void throttleReasons(ObjectNode g, Device d) {
    boolean asked = clocksEventReasons
        ? c.ask(Metric.THROTTLE_REASONS, "nvmlDeviceGetCurrentClocksEventReasons",
            () -> lib.nvmlDeviceGetCurrentClocksEventReasons(d.handle, c.wide))
        : c.ask(Metric.THROTTLE_REASONS, "nvmlDeviceGetCurrentClocksThrottleReasons",
            () -> lib.nvmlDeviceGetCurrentClocksThrottleReasons(d.handle, c.wide));
    long mask = c.wide.getValue();
    if (asked && mask != -1L) {
      g.put("throttle_reasons", NvmlNames.clockReasons(mask));
      g.put("throttle_reasons_mask", mask);
    }
  }

  private void pcie(ObjectNode g, Device d) {
    Pointer h = d.handle;
    if (c.ask(Metric.PCIE_GEN, "nvmlDeviceGetCurrPcieLinkGeneration",
        () -> lib.nvmlDeviceGetCurrPcieLinkGeneration(h, c.a))) {
      put(g, "pcie_gen", text(Readings.u32(c.a.getValue())));
    }
    put(g, "pcie_gen_max", d.pcieGenMax);
    if (c.ask(Metric.PCIE_WIDTH, "nvmlDeviceGetCurrPcieLinkWidth",
        () -> lib.nvmlDeviceGetCurrPcieLinkWidth(h, c.a))) {
      put(g, "pcie_width", text(Readings.u32(c.a.getValue())));
    }
    put(g, "pcie_width_max", d.pcieWidthMax);
    // Each throughput call samples for about 20 ms inside the driver (wall time, not CPU).
    if (pcieTurn || d.pcieReads == 0) {
      d.pcieTx = c.ask(Metric.PCIE_TX, "nvmlDeviceGetPcieThroughput",
          () -> lib.nvmlDeviceGetPcieThroughput(h, NvmlLibrary.NVML_PCIE_UTIL_TX_BYTES, c.a))
          ? Readings.u32Double(c.a.getValue()) : null;
      d.pcieRx = c.ask(Metric.PCIE_RX, "nvmlDeviceGetPcieThroughput",
          () -> lib.nvmlDeviceGetPcieThroughput(h, NvmlLibrary.NVML_PCIE_UTIL_RX_BYTES, c.a))
          ? Readings.u32Double(c.a.getValue()) : null;
      d.pcieReads++;
    }
    put(g, "pcie_tx_throughput", d.pcieTx);
    put(g, "pcie_rx_throughput", d.pcieRx);
  }

  private void encoder(ObjectNode g, Device d) {
    if (c.ask(Metric.ENCODER_STATS, "nvmlDeviceGetEncoderStats",
        () -> lib.nvmlDeviceGetEncoderStats(d.handle, c.a, c.b, c.c))) {
      Long sessions = Readings.u32(c.a.getValue());
      if (sessions != null) {
        g.put("encoder_sessions", sessions.intValue());
      }
      put(g, "encoder_fps", Readings.u32Double(c.b.getValue()));
      put(g, "encoder_latency", Readings.u32Double(c.c.getValue()));
    }
  }

  private void ecc(ObjectNode g, Device d) {
    Pointer h = d.handle;
    if (d.eccEnabled != null) {
      g.put("ecc_enabled", d.eccEnabled);
    }
    if (Boolean.TRUE.equals(d.eccEnabled)) {
      eccCount(g, d, Metric.ECC_CORRECTED, NvmlLibrary.NVML_MEMORY_ERROR_TYPE_CORRECTED,
          "ecc_errors_corrected");
      eccCount(g, d, Metric.ECC_UNCORRECTED, NvmlLibrary.NVML_MEMORY_ERROR_TYPE_UNCORRECTED,
          "ecc_errors_uncorrected");
    }
    if (!c.skips(Metric.RETIRED_PAGES)) {
      c.a.setValue(0);
      int rc = c.invoke(() -> lib.nvmlDeviceGetRetiredPages(h,
          NvmlLibrary.NVML_PAGE_RETIREMENT_CAUSE_DOUBLE_BIT_ECC_ERROR, c.a, null));
      // Asked with an empty buffer, the driver answers with the count and may call it "too small".
      boolean sized = rc == NvmlReturn.INSUFFICIENT_SIZE.code();
      if (c.accept(Metric.RETIRED_PAGES, "nvmlDeviceGetRetiredPages", sized ? 0 : rc)) {
        Long pages = Readings.u32(c.a.getValue());
        if (pages != null) {
          g.put("retired_pages", pages.intValue());
        }
      }
    }
    if (c.ask(Metric.RETIRED_PAGES_PENDING, "nvmlDeviceGetRetiredPagesPendingStatus",
        () -> lib.nvmlDeviceGetRetiredPagesPendingStatus(h, c.a))) {
      g.put("retired_pages_pending", c.a.getValue() == NvmlLibrary.NVML_FEATURE_ENABLED);
    }
  }

  private void eccCount(ObjectNode g, Device d, Metric m, int errorType, String key) {
    if (c.ask(m, "nvmlDeviceGetTotalEccErrors", () -> lib.nvmlDeviceGetTotalEccErrors(
        d.handle, errorType, NvmlLibrary.NVML_VOLATILE_ECC, c.wide))) {
      Long count = Readings.u64(c.wide.getValue());
      if (count != null) {
        g.put(key, count.longValue());
      }
    }
  }

  private void modes(ObjectNode g, Device d, int[] mig) {
    Pointer h = d.handle;
    if (c.ask(Metric.PERSISTENCE_MODE, "nvmlDeviceGetPersistenceMode",
        () -> lib.nvmlDeviceGetPersistenceMode(h, c.a))) {
      g.put("persistence_mode", NvmlNames.enabled(c.a.getValue()));
    }
    if (c.ask(Metric.COMPUTE_MODE, "nvmlDeviceGetComputeMode",
        () -> lib.nvmlDeviceGetComputeMode(h, c.a))) {
      put(g, "compute_mode", NvmlNames.computeMode(c.a.getValue()));
    }
    if (c.ask(Metric.DISPLAY_ACTIVE, "nvmlDeviceGetDisplayActive",
        () -> lib.nvmlDeviceGetDisplayActive(h, c.a))) {
      g.put("display_active", c.a.getValue() == NvmlLibrary.NVML_FEATURE_ENABLED);
    }
    if (mig != null) {
      g.put("mig_mode_current", NvmlNames.enabled(mig[0]));
      g.put("mig_mode_pending", NvmlNames.enabled(mig[1]));
    }
  }

  /** The MIG instances that exist now; empty slots answer NOT_FOUND. */
  private void migDevices(ObjectNode g, Device d) {
    if (c.skips(Metric.MIG_DEVICES)) {
      return;
    }
    ArrayNode list = g.arrayNode();
    for (int slot = 0; slot < d.migSlots; slot++) {
      int id = slot;
      int rc = c.invoke(() -> lib.nvmlDeviceGetMigDeviceHandleByIndex(d.handle, id, c.handle));
      NvmlReturn r = NvmlReturn.of(rc);
      if (r == NvmlReturn.NOT_FOUND || r == NvmlReturn.INVALID_ARGUMENT) {
        continue;
      }
      if (!c.accept(Metric.MIG_DEVICES, "nvmlDeviceGetMigDeviceHandleByIndex", rc)) {
        break;
      }
      list.add(migDevice(c.handle.getValue()));
    }
    g.set("mig_devices", list);
  }

  private ObjectNode migDevice(Pointer mh) {
    ObjectNode m = Json.object();
    if (part(c.invoke(() -> lib.nvmlDeviceGetGpuInstanceId(mh, c.a)))) {
      putId(m, "gpu_instance_id", c.a.getValue());
    }
    if (part(c.invoke(() -> lib.nvmlDeviceGetComputeInstanceId(mh, c.a)))) {
      putId(m, "compute_instance_id", c.a.getValue());
    }
    if (part(c.invoke(() -> lib.nvmlDeviceGetUUID(mh, migUuid, migUuid.length)))) {
      put(m, "uuid", Readings.printable(Readings.cString(migUuid)));
    }
    if (part(c.invoke(() -> lib.nvmlDeviceGetMemoryInfo(mh, memory)))) {
      put(m, "memory_used", Readings.mib(memory.used));
      put(m, "memory_total", Readings.mib(memory.total));
    }
    return m;
  }

  /** A call about one MIG instance: a failure leaves out that field, unless the GPU is gone. */
  private static boolean part(int rc) {
    NvmlReturn r = NvmlReturn.of(rc);
    if (r.isDeviceFailure()) {
      NvmlException.check("MIG device query", rc);
    }
    return r.isSuccess();
  }

  private void nvlink(ObjectNode g, Device d) {
    if (c.skips(Metric.NVLINK) || d.nvlinks.length == 0) {
      return;
    }
    ArrayNode links = g.arrayNode();
    int active = 0;
    for (int link : d.nvlinks) {
      if (c.ask(Metric.NVLINK, "nvmlDeviceGetNvLinkState",
          () -> lib.nvmlDeviceGetNvLinkState(d.handle, link, c.a))) {
        boolean on = c.a.getValue() == NvmlLibrary.NVML_FEATURE_ENABLED;
        active += on ? 1 : 0;
        links.addObject().put("id", link).put("active", on);
      }
    }
    if (!links.isEmpty()) {
      g.set("nvlink_links", links);
      g.put("nvlink_active_count", active);
    }
  }

  private void processCount(ObjectNode g, Device d, GpuProcess.Type type, String key,
      List<GpuProcess> found) {
    List<GpuProcess> list = processes.read(d, type);
    if (list != null) {
      g.put(key, list.size());
      found.addAll(list);
    }
  }

  private void fail(Device d, NvmlException e) {
    d.failure = e.code();
    if (d.warned.add("device/" + e.rawCode())) {
      log.warn("{}: {} (from {}); reporting it as failed while the other GPUs carry on",
          d.label(), e.describeCode(), e.function());
    }
  }

  private void recovered(Device d) {
    if (d.failure != null) {
      log.info("{}: readable again after {}", d.label(), d.failure.describe());
      d.failure = null;
      d.warned.removeIf(k -> k.startsWith("device/"));
    }
  }

  /** One INFO line per GPU listing what it lacks; later discoveries get one more line. */
  private static void announce(Device d) {
    EnumSet<Metric> fresh = EnumSet.copyOf(d.unsupported);
    fresh.removeAll(d.announced);
    fresh.remove(Metric.FAN_COUNT);
    if (fresh.isEmpty()) {
      return;
    }
    var labels = new StringJoiner(", ");
    fresh.forEach(m -> labels.add(m.label()));
    log.info("{}: {}not supported: {}; omitting",
        d.label(), d.announced.isEmpty() ? "" : "also ", labels);
    d.announced.addAll(fresh);
  }

  private static ObjectNode error(Device d) {
    return error(d, d.failure == null ? "unreadable" : d.failure.describe());
  }

  private static ObjectNode error(Device d, String why) {
    ObjectNode g = Json.object();
    g.put("index", d.key);
    put(g, "name", d.name);
    put(g, "uuid", d.uuid);
    put(g, "pci_bus_id", d.pciBusId);
    g.put("error", why);
    return g;
  }

  private static String text(Long v) {
    return v == null ? null : v.toString();
  }

  private static void putId(ObjectNode g, String key, int raw) {
    Integer id = Readings.instanceId(raw);
    if (id != null) {
      g.put(key, id.intValue());
    }
  }

  private static void addIfPresent(ArrayNode a, Double v) {
    if (v != null) {
      a.add(v.doubleValue());
    }
  }

  private static void put(ObjectNode g, String key, Double v) {
    if (v != null) {
      g.put(key, v.doubleValue());
    }
  }

  private static void put(ObjectNode g, String key, String v) {
    if (v != null) {
      g.put(key, v);
    }
  }
}
