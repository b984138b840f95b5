package io.gpuhot.nvml;

import static io.gpuhot.nvml.FakeConfig.h100;
import static io.gpuhot.nvml.FakeConfig.gt710;
import static io.gpuhot.nvml.FakeConfig.rtx4090;
import static io.gpuhot.nvml.FakeConfig.uuid;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gpuhot.nvml.FakeNvml.Variant;
import io.gpuhot.support.Json;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The backend against the compiled NVML stand-in, through the real JNA binding. */
final class NvmlBackendTest {
  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void tearDown() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
  }

  private NvmlBackend backend(Variant variant, FakeConfig config) throws Exception {
    var backend = FakeNvml.open(variant, config);
    open.add(backend);
    return backend;
  }

  private static FakeNvml.Control fake() {
    return FakeNvml.control(Variant.CURRENT);
  }

  /** Serialises and parses again, so expected and actual compare as the wire sees them. */
  static JsonNode wire(JsonNode node) throws Exception {
    return Json.MAPPER.readTree(Json.MAPPER.writeValueAsString(node));
  }

  static JsonNode json(String text) throws Exception {
    return Json.MAPPER.readTree(text);
  }

  private static ArrayNode h100Links() {
    ArrayNode links = Json.MAPPER.createArrayNode();
    for (int link = 0; link < 18; link++) {
      links.addObject().put("id", link).put("active", link != 3);
    }
    return links;
  }

  @Test
  void sample_h100_reportsEveryKeyWithExactValues() throws Exception {
    var config = FakeConfig.machine().gpu(0, h100(0))
        .process(0, 0, 21180, "2296").process(0, 1, 21181, "1272").process(0, 2, 21198, "7484");
    var backend = backend(Variant.CURRENT, config);

    ObjectNode gpu = backend.sample().gpus().get("0");

    ObjectNode expected = (ObjectNode) json("""
        {"index": "0", "name": "NVIDIA H100 80GB HBM3",
         "uuid": "GPU-00000000-0000-0000-0000-000000000000", "serial": "1654922000",
         "driver_version": "590.48.01", "vbios_version": "96.00.A5.00.01", "brand": "NVIDIA",
         "architecture": "Hopper", "cuda_compute_capability": "9.0",
         "pci_bus_id": "00000000:18:00.0",
         "utilization": 97.0, "memory_utilization": 61.0,
         "encoder_utilization": 0.0, "decoder_utilization": 0.0,
         "memory_used": 19818.0, "memory_total": 81559.0, "memory_free": 61262.0,
         "memory_reserved": 479.0, "bar1_memory_used": 5.0, "bar1_memory_total": 131072.0,
         "temperature": 53.0, "temperature_slowdown": 89.0, "temperature_shutdown": 92.0,
         "temperature_max_operating": 87.0,
         "power_draw": 631.95, "power_limit": 700.0, "power_default_limit": 700.0,
         "power_limit_min": 200.0, "power_limit_max": 700.0,
         "energy_consumption": 123456789.0, "energy_consumption_wh": 34293.5525,
         "clock_graphics": 1980.0, "clock_sm": 1980.0, "clock_memory": 2619.0,
         "clock_video": 1755.0, "clock_graphics_max": 1980.0, "clock_sm_max": 1980.0,
         "clock_memory_max": 2619.0, "clock_video_max": 1980.0,
         "performance_state": "P0", "throttle_reasons": "SW Power Cap",
         "throttle_reasons_mask": 4,
         "pcie_gen": "5", "pcie_gen_max": "5", "pcie_width": "16", "pcie_width_max": "16",
         "pcie_tx_throughput": 1234.0, "pcie_rx_throughput": 5678.0,
         "encoder_sessions": 0, "encoder_fps": 0.0, "encoder_latency": 0.0,
         "ecc_enabled": true, "ecc_errors_corrected": 0, "ecc_errors_uncorrected": 0,
         "retired_pages": 0, "retired_pages_pending": false,
         "persistence_mode": "Enabled", "compute_mode": "Default", "display_active": false,
         "mig_mode_current": "Disabled", "mig_mode_pending": "Disabled",
         "nvlink_links": [], "nvlink_active_count": 17,
         "compute_processes_count": 3, "graphics_processes_count": 0}
        """);
    expected.set("nvlink_links", h100Links());
    assertThat(wire(gpu)).isEqualTo(expected);
  }

  @Test
  void sample_h100_keysFollowTheWireOrder() throws Exception {
    var backend = backend(Variant.CURRENT, FakeConfig.machine().gpu(0, h100(0)));

    List<String> keys = new ArrayList<>();
    backend.sample().gpus().get("0").fieldNames().forEachRemaining(keys::add);

    assertThat(keys).startsWith("index", "name", "uuid", "serial", "driver_version")
        .endsWith("nvlink_links", "nvlink_active_count", "compute_processes_count",
            "graphics_processes_count");
  }

  @Test
  void sample_rtx4090_writesZerosFalseDefaultsAndEveryFan() throws Exception {
    var config = FakeConfig.machine().gpu(0, rtx4090(0))
        .set("gpu.0.gproc.0.pid", 2301).set("gpu.0.gproc.0.mem_mib", 412);
    var backend = backend(Variant.CURRENT, config);

    ObjectNode gpu = backend.sample().gpus().get("0");

    assertThat(wire(gpu)).isEqualTo(json("""
        {"index": "0", "name": "NVIDIA GeForce RTX 4090",
         "uuid": "GPU-00000000-0000-0000-0000-000000000000",
         "driver_version": "590.48.01", "vbios_version": "95.02.18.80.5F", "brand": "GeForce",
         "architecture": "Ada Lovelace", "cuda_compute_capability": "8.9",
         "pci_bus_id": "00000000:01:00.0",
         "utilization": 0.0, "memory_utilization": 0.0,
         "encoder_utilization": 0.0, "decoder_utilization": 0.0,
         "memory_used": 412.0, "memory_total": 24564.0, "memory_free": 24152.0,
         "memory_reserved": 0.0, "bar1_memory_used": 3.0, "bar1_memory_total": 256.0,
         "temperature": 34.0, "temperature_slowdown": 92.0, "temperature_shutdown": 95.0,
         "temperature_max_operating": 90.0,
         "power_draw": 21.5, "power_limit": 450.0, "power_default_limit": 450.0,
         "power_limit_min": 150.0, "power_limit_max": 600.0,
         "energy_consumption": 5400.0, "energy_consumption_wh": 1.5,
         "fan_speed": 0.0, "fan_speeds": [0.0, 31.0],
         "clock_graphics": 210.0, "clock_sm": 210.0, "clock_memory": 405.0,
         "clock_video": 1185.0, "clock_graphics_max": 3120.0, "clock_sm_max": 3120.0,
         "clock_memory_max": 10501.0, "clock_video_max": 2415.0,
         "performance_state": "P8", "throttle_reasons": "None", "throttle_reasons_mask": 1,
         "pcie_gen": "1", "pcie_gen_max": "4", "pcie_width": "16", "pcie_width_max": "16",
         "pcie_tx_throughput": 0.0, "pcie_rx_throughput": 0.0,
         "encoder_sessions": 1, "encoder_fps": 60.0, "encoder_latency": 3021.0,
         "ecc_enabled": false,
         "persistence_mode": "Disabled", "compute_mode": "Exclusive Process",
         "display_active": true,
         "compute_processes_count": 0, "graphics_processes_count": 1}
        """));
  }

  @Test
  void sample_keplerGt710_omitsUnsupportedKeysInsteadOfWritingZero() throws Exception {
    var backend = backend(Variant.R470, FakeConfig.machine().gpu(0, gt710(0)));

    ObjectNode gpu = backend.sample().gpus().get("0");

    assertThat(wire(gpu)).isEqualTo(json("""
        {"index": "0", "name": "NVIDIA GeForce GT 710",
         "uuid": "GPU-00000000-0000-0000-0000-000000000000", "driver_version": "590.48.01",
         "brand": "GeForce", "architecture": "Kepler", "cuda_compute_capability": "3.5",
         "pci_bus_id": "00000000:02:00.0",
         "memory_used": 211.0, "memory_total": 2048.0, "memory_free": 1837.0,
         "temperature": 38.0, "fan_speed": 40.0, "fan_speeds": [40.0],
         "clock_graphics": 954.0, "clock_sm": 954.0, "clock_memory": 800.0,
         "clock_graphics_max": 954.0, "clock_sm_max": 954.0, "clock_memory_max": 800.0,
         "performance_state": "P8",
         "pcie_gen": "2", "pcie_gen_max": "2", "pcie_width": "8", "pcie_width_max": "8",
         "persistence_mode": "Disabled", "compute_mode": "Default", "display_active": true}
        """));
  }

  @Test
  void sample_pcieThroughput_isMeasuredForOneGpuPerSample_andRepeatedForTheOthers()
      throws Exception {
    var config = FakeConfig.machine();
    for (int i = 0; i < 4; i++) {
      config.gpu(i, h100(i));
    }
    var backend = backend(Variant.CURRENT, config);

    var first = backend.sample();
    for (int i = 0; i < 4; i++) {
      backend.sample();
    }
    var last = backend.sample();

    assertThat(fake().fake_nvml_calls("nvmlDeviceGetPcieThroughput"))
        .as("every GPU in the first sample, then one GPU (two directions) per sample")
        .isEqualTo(4 * 2 + 5 * 2);
    for (int i = 0; i < 4; i++) {
      assertThat(last.gpus().get(String.valueOf(i)).get("pcie_rx_throughput"))
          .isEqualTo(first.gpus().get(String.valueOf(i)).get("pcie_rx_throughput"));
    }
  }

  @Test
  void sample_keplerGt710_asksEachUnsupportedCallOnlyOnce() throws Exception {
    var backend = backend(Variant.R470, FakeConfig.machine().gpu(0, gt710(0)));
    var fake = FakeNvml.control(Variant.R470);

    for (int i = 0; i < 3; i++) {
      backend.sample();
    }

    for (String unsupported : List.of("nvmlDeviceGetUtilizationRates", "nvmlDeviceGetSerial",
        "nvmlDeviceGetPowerUsage", "nvmlDeviceGetTotalEnergyConsumption",
        "nvmlDeviceGetPowerManagementLimit", "nvmlDeviceGetEncoderUtilization",
        "nvmlDeviceGetEncoderStats", "nvmlDeviceGetBAR1MemoryInfo", "nvmlDeviceGetEccMode",
        "nvmlDeviceGetRetiredPages", "nvmlDeviceGetMigMode", "nvmlDeviceGetNumFans",
        "nvmlDeviceGetCurrentClocksThrottleReasons", "nvmlDeviceGetComputeRunningProcesses_v2",
        "nvmlDeviceGetGraphicsRunningProcesses_v2")) {
      assertThat(fake.fake_nvml_calls(unsupported)).as(unsupported).isEqualTo(1);
    }
    assertThat(fake.fake_nvml_calls("nvmlDeviceGetClockInfo")).as("3 clocks x 3 + video once")
        .isEqualTo(10);
    assertThat(fake.fake_nvml_calls("nvmlDeviceGetNvLinkState")).as("each link probed once")
        .isEqualTo(18);
    assertThat(fake.fake_nvml_calls("nvmlDeviceGetTemperature")).isEqualTo(3);
    assertThat(fake.fake_nvml_calls("nvmlDeviceGetName")).as("a fact, read at open").isEqualTo(1);
  }

  @Test
  void sample_keplerGt710_logsOneInfoLineListingWhatIsMissing() throws Exception {
    try (var log = new LogCapture()) {
      var backend = backend(Variant.R470, FakeConfig.machine().gpu(0, gt710(0)));
      for (int i = 0; i < 3; i++) {
        backend.sample();
      }

      List<String> notSupported = log.lines(Level.INFO).stream()
          .filter(l -> l.contains("not supported")).toList();
      assertThat(notSupported).hasSize(1);
      assertThat(notSupported.get(0))
          .startsWith("GPU 0 (" + uuid(0) + "): not supported: serial number, VBIOS version")
          .contains("utilization", "power draw", "energy counter", "video clock", "NVLink",
              "compute processes")
          .doesNotContain("fan speed", ": temperature", ", temperature,")
          .endsWith("; omitting");
      assertThat(log.lines(Level.WARN)).isEmpty();
    }
  }

  @Test
  void sample_h100WithoutFans_logsFanSpeedAsUnsupported() throws Exception {
    try (var log = new LogCapture()) {
      var backend = backend(Variant.CURRENT, FakeConfig.machine().gpu(0, h100(0)));

      backend.sample();

      assertThat(log.lines(Level.INFO)).filteredOn(l -> l.contains("not supported"))
          .containsExactly("GPU 0 (" + uuid(0) + "): not supported: fan speed; omitting");
    }
  }

  @Test
  void sample_migGpu_listsInstancesAndOmitsUtilization() throws Exception {
    var config = FakeConfig.machine().gpu(0, h100(0))
        .set("gpu.0.mig.current", 1).set("gpu.0.mig.pending", 1)
        .set("gpu.0.mig.0.uuid", "MIG-11111111-2222-3333-4444-555555555555")
        .set("gpu.0.mig.0.gi", 1).set("gpu.0.mig.0.ci", 0)
        .set("gpu.0.mig.0.mem_total_mib", 40192).set("gpu.0.mig.0.mem_used_mib", 11125)
        .set("gpu.0.mig.2.uuid", "MIG-66666666-7777-8888-9999-000000000000")
        .set("gpu.0.mig.2.gi", 5).set("gpu.0.mig.2.ci", 0)
        .set("gpu.0.mig.2.mem_total_mib", 9856).set("gpu.0.mig.2.mem_used_mib", 13);
    var backend = backend(Variant.CURRENT, config);

    ObjectNode gpu = backend.sample().gpus().get("0");
    backend.sample();

    assertThat(gpu.has("utilization")).isFalse();
    assertThat(gpu.has("memory_utilization")).isFalse();
    assertThat(gpu.get("mig_mode_current").asText()).isEqualTo("Enabled");
    assertThat(gpu.get("mig_mode_pending").asText()).isEqualTo("Enabled");
    assertThat(wire(gpu.get("mig_devices"))).isEqualTo(json("""
        [{"gpu_instance_id": 1, "compute_instance_id": 0,
          "uuid": "MIG-11111111-2222-3333-4444-555555555555",
          "memory_used": 11125.0, "memory_total": 40192.0},
         {"gpu_instance_id": 5, "compute_instance_id": 0,
          "uuid": "MIG-66666666-7777-8888-9999-000000000000",
          "memory_used": 13.0, "memory_total": 9856.0}]
        """));
    assertThat(fake().fake_nvml_calls("nvmlDeviceGetUtilizationRates"))
        .as("never asked while MIG is on, so the probe is not poisoned").isZero();
  }

  @Test
  void sample_lostGpuAmongHealthy_reportsErrorEntryAndKeepsOthersComplete() throws Exception {
    var config = FakeConfig.machine().gpu(0, h100(0)).gpu(1, h100(1)).gpu(2, h100(2))
        .set("gpu.1.lost", 1);
    var backend = backend(Variant.CURRENT, config);

    var sample = backend.sample();

    assertThat(sample.gpus()).containsOnlyKeys("0", "1", "2");
    assertThat(wire(sample.gpus().get("1")))
        .isEqualTo(json("{\"index\": \"1\", \"error\": \"GPU is lost (NVML_ERROR_GPU_IS_LOST)\"}"));
    for (String healthy : List.of("0", "2")) {
      assertThat(sample.gpus().get(healthy).size()).as("keys of GPU " + healthy + ", as the"
          + " H100 golden sample has").isEqualTo(65);
      assertThat(sample.gpus().get(healthy).get("uuid").asText())
          .isEqualTo(uuid(Integer.parseInt(healthy)));
    }
  }

  @Test
  void sample_gpuLostAfterOpen_keepsIdentityInErrorEntryAndStopsCallingIt() throws Exception {
    var backend = backend(Variant.CURRENT, FakeConfig.machine().gpu(0, h100(0)).gpu(1, h100(1)));
    backend.sample();
    fake().fake_nvml_set("gpu.1.lost", "1");

    try (var log = new LogCapture()) {
      var second = backend.sample();
      int callsAfterLoss = fake().fake_nvml_gpu_calls(1, "nvmlDeviceGetTemperature");
      var third = backend.sample();

      assertThat(wire(third.gpus().get("1"))).isEqualTo(json("""
          {"index": "1", "name": "NVIDIA H100 80GB HBM3",
           "uuid": "GPU-00000000-0000-0000-0000-000000000001", "pci_bus_id": "00000000:2A:00.0",
           "error": "GPU is lost (NVML_ERROR_GPU_IS_LOST)"}
          """));
      assertThat(second.gpus().get("1")).isEqualTo(third.gpus().get("1"));
      assertThat(fake().fake_nvml_gpu_calls(1, "nvmlDeviceGetTemperature"))
          .isEqualTo(callsAfterLoss);
      assertThat(third.gpus().get("0").has("error")).isFalse();
      assertThat(third.processes()).allMatch(p -> p.gpuIndex().equals("0"));
      assertThat(log.lines(Level.WARN)).hasSize(1).first().asString()
          .startsWith("GPU 1 (" + uuid(1) + "): GPU is lost (NVML_ERROR_GPU_IS_LOST)");
    }
  }

  @Test
  void sample_resetRequired_reportsErrorEntryThenRecovers() throws Exception {
    var backend = backend(Variant.CURRENT, FakeConfig.machine().gpu(0, h100(0)));
    fake().fake_nvml_set("gpu.0.rc.nvmlDeviceGetMigMode", "RESET_REQUIRED");

    ObjectNode failed = backend.sample().gpus().get("0");
    fake().fake_nvml_set("gpu.0.rc.nvmlDeviceGetMigMode", "SUCCESS");
    ObjectNode recovered = backend.sample().gpus().get("0");

    assertThat(failed.get("error").asText())
        .isEqualTo("GPU requires reset (NVML_ERROR_RESET_REQUIRED)");
    assertThat(failed.get("name").asText()).isEqualTo("NVIDIA H100 80GB HBM3");
    assertThat(recovered.has("error")).isFalse();
    assertThat(recovered.get("temperature").asDouble()).isEqualTo(53.0);
  }

  @Test
  void sample_gpuFailingEveryCall_isReportedWithTheFirstError() throws Exception {
    var config = FakeConfig.machine().gpu(0, h100(0)).gpu(1, h100(1));
    var backend = backend(Variant.CURRENT, config);
    var fake = fake();
    for (String fn : List.of("nvmlDeviceGetMigMode", "nvmlDeviceGetUtilizationRates",
        "nvmlDeviceGetEncoderUtilization", "nvmlDeviceGetDecoderUtilization",
        "nvmlDeviceGetMemoryInfo_v2", "nvmlDeviceGetBAR1MemoryInfo", "nvmlDeviceGetTemperature",
        "nvmlDeviceGetPowerUsage", "nvmlDeviceGetPowerManagementLimit",
        "nvmlDeviceGetTotalEnergyConsumption", "nvmlDeviceGetClockInfo",
        "nvmlDeviceGetPerformanceState", "nvmlDeviceGetCurrentClocksEventReasons",
        "nvmlDeviceGetCurrPcieLinkGeneration", "nvmlDeviceGetCurrPcieLinkWidth",
        "nvmlDeviceGetPcieThroughput", "nvmlDeviceGetEncoderStats",
        "nvmlDeviceGetTotalEccErrors", "nvmlDeviceGetRetiredPages",
        "nvmlDeviceGetRetiredPagesPendingStatus", "nvmlDeviceGetPersistenceMode",
        "nvmlDeviceGetComputeMode", "nvmlDeviceGetDisplayActive", "nvmlDeviceGetNvLinkState",
        "nvmlDeviceGetComputeRunningProcesses_v3", "nvmlDeviceGetGraphicsRunningProcesses_v3")) {
      fake.fake_nvml_set("gpu.1.rc." + fn, "UNKNOWN");
    }

    var sample = backend.sample();

    assertThat(sample.gpus().get("1").get("error").asText())
        .isEqualTo("Unknown error (NVML_ERROR_UNKNOWN)");
    assertThat(sample.gpus().get("0").has("error")).isFalse();
  }

  @Test
  void sample_transientError_dropsTheMetricForOneSampleAndWarnsOnce() throws Exception {
    var backend = backend(Variant.CURRENT, FakeConfig.machine().gpu(0, h100(0)));
    var fake = fake();

    try (var log = new LogCapture()) {
      fake.fake_nvml_set("gpu.0.rc.nvmlDeviceGetTemperature", "TIMEOUT");
      ObjectNode first = backend.sample().gpus().get("0");
      ObjectNode second = backend.sample().gpus().get("0");
      fake.fake_nvml_set("gpu.0.rc.nvmlDeviceGetTemperature", "SUCCESS");
      ObjectNode third = backend.sample().gpus().get("0");

      assertThat(first.has("temperature")).isFalse();
      assertThat(second.has("temperature")).isFalse();
      assertThat(first.get("power_draw").asDouble()).isEqualTo(631.95);
      assertThat(third.get("temperature").asDouble()).isEqualTo(53.0);
      assertThat(log.lines(Level.WARN)).containsExactly("GPU 0 (" + uuid(0) + "): reading"
          + " temperature failed: nvmlDeviceGetTemperature: Timed out (NVML_ERROR_TIMEOUT);"
          + " leaving it out of this sample (logged once)");
    }
  }

  @Test
  void sample_sentinelValues_areOmittedNotCharted() throws Exception {
    var config = FakeConfig.machine().gpu(0, h100(0)).gpu(1, h100(1)).gpu(2, h100(2))
        .set("gpu.0.temp", 255)
        .set("gpu.0.energy", "18446744073709551615")
        .set("gpu.0.power.usage", "0xFFFFFFFF")
        .set("gpu.0.mem.used", "na")
        .set("gpu.0.clock.sm", "4294967295")
        .set("gpu.0.pcie.gen", "0xFFFFFFFF")
        .set("gpu.0.ecc.corrected", "0x7FFFFFFFFFFFFFF0")
        .set("gpu.0.threshold.slowdown", 510)
        .set("gpu.1.temp", -256)
        .set("gpu.1.energy", "9223372036854775792")
        .set("gpu.1.util.gpu", "0x7FFFFFF0")
        .set("gpu.2.util.gpu", 101);
    var backend = backend(Variant.CURRENT, config);

    var gpus = backend.sample().gpus();

    assertThat(gpus.get("0").has("temperature")).isFalse();
    assertThat(gpus.get("0").has("energy_consumption")).isFalse();
    assertThat(gpus.get("0").has("energy_consumption_wh")).isFalse();
    assertThat(gpus.get("0").has("power_draw")).isFalse();
    assertThat(gpus.get("0").has("memory_used")).isFalse();
    assertThat(gpus.get("0").has("clock_sm")).isFalse();
    assertThat(gpus.get("0").has("pcie_gen")).isFalse();
    assertThat(gpus.get("0").has("ecc_errors_corrected")).isFalse();
    assertThat(gpus.get("0").has("temperature_slowdown")).isFalse();
    assertThat(gpus.get("0").get("memory_total").asDouble()).isEqualTo(81559.0);
    assertThat(gpus.get("1").has("temperature")).isFalse();
    assertThat(gpus.get("1").has("energy_consumption")).isFalse();
    assertThat(gpus.get("1").has("utilization")).isFalse();
    assertThat(gpus.get("1").get("memory_utilization").asDouble()).isEqualTo(61.0);
    assertThat(gpus.get("2").has("utilization")).isFalse();
  }

  @Test
  void sample_largeUnsignedEnergy_isReadAsUnsigned() throws Exception {
    var config = FakeConfig.machine().gpu(0, h100(0)).set("gpu.0.energy", "5000000000000000000");
    var backend = backend(Variant.CURRENT, config);

    ObjectNode gpu = backend.sample().gpus().get("0");

    assertThat(gpu.get("energy_consumption").asDouble()).isEqualTo(5.0e15);
  }

  @Test
  void sample_invalidUtf8Name_fallsBackToGpuIndexAndKeepsOtherMetrics() throws Exception {
    var config = FakeConfig.machine().gpu(0, h100(0)).gpu(1, h100(1))
        .remove("gpu.1.name").set("gpu.1.name_hex", "F8 88 80 80 80 9F");
    var backend = backend(Variant.CURRENT, config);

    ObjectNode gpu = backend.sample().gpus().get("1");

    assertThat(gpu.get("name").asText()).isEqualTo("GPU 1");
    assertThat(gpu.get("temperature").asDouble()).isEqualTo(53.0);
    assertThat(Json.MAPPER.writeValueAsString(gpu)).contains("\"name\":\"GPU 1\"");
  }

  @Test
  void sample_nameWithOneInvalidByte_keepsTheReadablePart() throws Exception {
    var config = FakeConfig.machine().gpu(0, h100(0))
        .remove("gpu.0.name").set("gpu.0.name_hex", "4E 56 49 44 49 41 20 48 31 30 30 FF");
    var backend = backend(Variant.CURRENT, config);

    ObjectNode gpu = backend.sample().gpus().get("0");

    assertThat(gpu.get("name").asText()).isEqualTo("NVIDIA H100\uFFFD");
    byte[] wire = Json.MAPPER.writeValueAsBytes(gpu);
    assertThat(Json.MAPPER.readTree(wire).get("name").asText()).isEqualTo("NVIDIA H100\uFFFD");
  }

  @Test
  void sample_r470Library_fallsBackToMemoryV1AndThrottleReasons() throws Exception {
    var backend = backend(Variant.R470, FakeConfig.machine().gpu(0, h100(0)));
    var fake = FakeNvml.control(Variant.R470);

    ObjectNode gpu = backend.sample().gpus().get("0");

    assertThat(gpu.get("memory_used").asDouble()).as("v1 counts the reservation as used")
        .isEqualTo(19818.0 + 479.0);
    assertThat(gpu.has("memory_reserved")).isFalse();
    assertThat(gpu.get("throttle_reasons").asText()).isEqualTo("SW Power Cap");
    assertThat(fake.fake_nvml_calls("nvmlDeviceGetCurrentClocksThrottleReasons")).isEqualTo(1);
  }

  @Test
  void sample_afterClose_throwsAndMakesNoNativeCall() throws Exception {
    var backend = FakeNvml.open(Variant.CURRENT, FakeConfig.machine().gpu(0, h100(0)));
    backend.close();

    org.assertj.core.api.Assertions.assertThatThrownBy(backend::sample)
        .isInstanceOf(IllegalStateException.class).hasMessage("NvmlBackend is closed");
    assertThat(fake().fake_nvml_uninitialized_calls()).isZero();
  }

  @Test
  void close_pairsTheOneInitWithOneShutdown() throws Exception {
    var fake = fake();
    var backend = FakeNvml.open(Variant.CURRENT, FakeConfig.machine().gpu(0, h100(0)));
    backend.sample();

    assertThat(fake.fake_nvml_init_depth()).isEqualTo(1);
    backend.close();
    backend.close();

    assertThat(fake.fake_nvml_calls("nvmlInit_v2")).isEqualTo(1);
    assertThat(fake.fake_nvml_calls("nvmlShutdown")).isEqualTo(1);
    assertThat(fake.fake_nvml_init_depth()).isZero();
    assertThat(fake.fake_nvml_uninitialized_calls()).isZero();
  }

  @Test
  void open_deviceFilter_keepsGpusNamedByIndexOrUuid() throws Exception {
    FakeNvml.configure(FakeConfig.machine().gpu(0, h100(0)).gpu(1, h100(1)).gpu(2, h100(2)));

    try (var backend = NvmlBackend.open(FakeNvml.library(Variant.CURRENT),
        List.of("0", uuid(2).toLowerCase()))) {
      assertThat(backend.gpuCount()).isEqualTo(2);
      assertThat(backend.sample().gpus()).containsOnlyKeys("0", "2");
    }
  }

  @Test
  void open_deviceFilterMatchingNothing_failsWithOneLineAndShutsDown() throws Exception {
    var fake = fake();
    FakeNvml.configure(FakeConfig.machine().gpu(0, h100(0)));
    fake.fake_nvml_reset_counts();

    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> NvmlBackend.open(FakeNvml.library(Variant.CURRENT), List.of("7")))
        .isInstanceOf(NvmlUnavailableException.class)
        .hasMessage("NVML: no GPU matches the device filter [7] (present: 0 " + uuid(0) + ")");
    assertThat(fake.fake_nvml_init_depth()).isZero();
  }

  @Test
  void open_gpuWithoutHandle_isReportedAsFailedWithoutIdentity() throws Exception {
    var config = FakeConfig.machine().gpu(0, h100(0)).gpu(1, h100(1))
        .set("gpu.1.rc.nvmlDeviceGetHandleByIndex_v2", "GPU_IS_LOST");
    var backend = backend(Variant.CURRENT, config);

    var sample = backend.sample();

    assertThat(wire(sample.gpus().get("1")))
        .isEqualTo(json("{\"index\": \"1\", \"error\": \"GPU is lost (NVML_ERROR_GPU_IS_LOST)\"}"));
    assertThat(sample.gpus().get("0").get("name").asText()).isEqualTo("NVIDIA H100 80GB HBM3");
  }

  @Test
  void sample_eightH100s_areKeyedByIndexInOrder() throws Exception {
    var config = FakeConfig.machine();
    for (int i = 0; i < 8; i++) {
      config.gpu(i, h100(i));
    }
    var backend = backend(Variant.CURRENT, config);

    var gpus = backend.sample().gpus();

    assertThat(gpus.keySet()).containsExactly("0", "1", "2", "3", "4", "5", "6", "7");
    assertThat(gpus.get("7").get("pci_bus_id").asText()).isEqualTo("00000000:DB:00.0");
  }
}
