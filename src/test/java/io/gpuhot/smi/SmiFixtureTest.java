package io.gpuhot.smi;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gpuhot.support.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every shared nvidia-smi fixture, parsed, against what its {@code .md} says a monitor reports. */
final class SmiFixtureTest {

  /** The inputs this class has a case for; a new fixture fails the coverage test until added. */
  private static final Set<String> COVERED =
      Set.of(
          "01-h100-sxm-real.input", "01-h100-sxm-real.load.input",
          "02-h100-mig-enabled-real.input", "02-h100-mig-enabled-real.load.input",
          "04-l40s-persistence-off-spike-real.input",
          "04-l40s-persistence-off-spike-real.load.input",
          "06-rtx2080super-windows-real.input", "06-rtx2080super-windows-real.load.input",
          "07-a100-sxm4-80gb-mig-xml.input", "08-tesla-t4-xml.input",
          "10-dual-rtx2070-new-power-schema-xml.input",
          "10-dual-rtx2070-new-power-schema-xml.a5000.input",
          "11-old-driver-odd-name-xml.input", "11-old-driver-odd-name-xml.p400.input",
          "11-old-driver-odd-name-xml.pro6000.input", "12-gt1030-no-power-no-nvenc-xml.input",
          "14-gpu-requires-reset.input", "15-one-gpu-lost-multi-gpu.input",
          "17-driver-library-mismatch.input", "18-driver-not-loaded.input",
          "19-no-supported-gpus.input", "20-invalid-field-old-driver.input",
          "21-nvidia-smi-hang.input", "23-wsl-process-memory-na.input",
          "27-xml-schema-drift-malformed.input",
          "28-reserved-memory-used-plus-free.basic.input",
          "34-unified-memory-gb10-memory-na.input");

  private static final List<String> UTILIZATIONS =
      List.of("utilization", "memory_utilization", "encoder_utilization", "decoder_utilization");

  static List<String> inputs() {
    return Fixture.inputs();
  }

  @ParameterizedTest
  @MethodSource("inputs")
  void everyFixtureInput_hasAnExpectedValuesCase(String input) {
    assertThat(COVERED).as("add a test with the values from the fixture's .md").contains(input);
  }

  @Test
  void everyCoveredInput_stillExists() {
    assertThat(Fixture.inputs()).containsAll(COVERED);
  }

  @ParameterizedTest
  @MethodSource("inputs")
  void parse_anyFixture_marksFallbackAndNeverEmitsMarkerText(String input) {
    SmiResult r = Fixture.load(input).parse();
    for (ObjectNode gpu : r.gpus().values()) {
      assertThat(gpu.get("_fallback_mode").asBoolean()).isTrue();
      gpu.properties().forEach(e ->
          assertThat(e.getValue().asText()).as(e.getKey()).doesNotContain("N/A", "[", "]"));
    }
  }

  private static ObjectNode only(String input) {
    SmiResult r = Fixture.load(input).parse();
    assertThat(r.error()).isNull();
    assertThat(r.gpuErrors()).isEmpty();
    assertThat(r.gpus()).containsOnlyKeys("0");
    return r.gpus().get("0");
  }

  // ---- 01 H100 SXM

  @Test
  void parse_h100Idle_isTheExactWireObject() {
    ObjectNode gpu = only("01-h100-sxm-real.input");

    assertThat(gpu.toString()).isEqualTo(
        "{\"index\":\"0\",\"name\":\"NVIDIA H100 80GB HBM3\","
            + "\"uuid\":\"GPU-00000000-0000-0000-0000-000000000000\","
            + "\"driver_version\":\"590.48.01\",\"vbios_version\":\"96.00.A5.00.01\","
            + "\"temperature\":41,\"utilization\":0,\"memory_utilization\":0,"
            + "\"memory_used\":0,\"memory_total\":81559,\"memory_free\":81081,"
            + "\"power_draw\":69.85,\"power_limit\":700.0,"
            + "\"clock_graphics\":345,\"clock_sm\":345,\"clock_memory\":2619,"
            + "\"clock_graphics_max\":1980,\"clock_sm_max\":1980,\"clock_memory_max\":2619,"
            + "\"pcie_gen\":\"5\",\"pcie_gen_max\":\"5\",\"pcie_width\":\"16\","
            + "\"pcie_width_max\":\"16\",\"encoder_sessions\":0,\"encoder_fps\":0,"
            + "\"encoder_latency\":0,\"performance_state\":\"P0\",\"compute_mode\":\"Default\","
            + "\"encoder_utilization\":0,\"decoder_utilization\":0,\"memory_reserved\":478,"
            + "\"_fallback_mode\":true}");
  }

  @Test
  void parse_h100Idle_fanAbsentAndFreeAsReported() {
    ObjectNode gpu = only("01-h100-sxm-real.input");

    assertThat(gpu.has("fan_speed")).as("[N/A] is not 0 %").isFalse();
    assertThat(gpu.get("memory_free").asLong()).as("not total - used").isEqualTo(81081);
    assertThat(gpu.get("memory_used").isInt()).isTrue();
    assertThat(gpu.get("power_draw").isDouble()).isTrue();
  }

  @Test
  void parse_h100Load_reportsLoadAndReservedSlice() {
    ObjectNode gpu = only("01-h100-sxm-real.load.input");

    assertThat(gpu.get("power_draw").asDouble()).isEqualTo(631.95);
    assertThat(gpu.get("power_limit").asDouble()).isEqualTo(700.0);
    assertThat(gpu.get("utilization").asInt()).isEqualTo(100);
    assertThat(gpu.get("memory_utilization").asInt()).isEqualTo(11);
    assertThat(gpu.get("temperature").asInt()).isEqualTo(59);
    assertThat(gpu.get("memory_used").asLong()).isEqualTo(19818);
    assertThat(gpu.get("memory_free").asLong()).isEqualTo(61263);
    assertThat(gpu.get("memory_total").asLong()).isEqualTo(81559);
    assertThat(gpu.get("memory_reserved").asLong()).isEqualTo(478);
    assertThat(gpu.get("clock_graphics").asInt()).isEqualTo(1980);
    assertThat(gpu.get("performance_state").asText()).isEqualTo("P0");
    assertThat(gpu.has("fan_speed")).isFalse();
  }

  // ---- 02 / 07 MIG

  @Test
  void parse_h100MigIdle_utilizationAbsentRestPresent() {
    ObjectNode gpu = only("02-h100-mig-enabled-real.input");

    assertThat(UTILIZATIONS).allSatisfy(k -> assertThat(gpu.has(k)).as(k).isFalse());
    assertThat(gpu.get("memory_used").asLong()).isEqualTo(59);
    assertThat(gpu.get("memory_free").asLong()).isEqualTo(81022);
    assertThat(gpu.get("power_draw").asDouble()).isEqualTo(71.15);
    assertThat(gpu.get("temperature").asInt()).isEqualTo(42);
    assertThat(gpu.get("clock_sm").asInt()).isEqualTo(345);
    assertThat(gpu.has("mig_mode_current")).as("the 31 columns cannot tell").isFalse();
  }

  @Test
  void parse_h100MigLoad_utilizationAbsentWhileDrawingPower() {
    ObjectNode gpu = only("02-h100-mig-enabled-real.load.input");

    assertThat(UTILIZATIONS).allSatisfy(k -> assertThat(gpu.has(k)).as(k).isFalse());
    assertThat(gpu.get("power_draw").asDouble()).isEqualTo(433.78);
    assertThat(gpu.get("memory_used").asLong()).isEqualTo(11125);
    assertThat(gpu.get("memory_free").asLong()).isEqualTo(69956);
    assertThat(gpu.get("temperature").asInt()).isEqualTo(53);
  }

  @Test
  void parse_a100Mig_utilizationAbsentParentMemoryKept() {
    ObjectNode gpu = only("07-a100-sxm4-80gb-mig-xml.input");

    assertThat(UTILIZATIONS).allSatisfy(k -> assertThat(gpu.has(k)).as(k).isFalse());
    assertThat(gpu.get("name").asText()).isEqualTo("NVIDIA A100-SXM4-80GB");
    assertThat(gpu.get("memory_used").asLong()).isEqualTo(50);
    assertThat(gpu.get("memory_total").asLong()).isEqualTo(81920);
    assertThat(gpu.get("memory_free").asLong()).isEqualTo(80999);
    assertThat(gpu.get("memory_reserved").asLong()).isEqualTo(871);
    assertThat(gpu.get("power_draw").asDouble()).isEqualTo(67.03);
    assertThat(gpu.get("power_limit").asDouble()).isEqualTo(500.0);
    assertThat(gpu.get("temperature").asInt()).isEqualTo(27);
    assertThat(gpu.get("performance_state").asText()).isEqualTo("P0");
    assertThat(gpu.has("fan_speed")).isFalse();
  }

  // ---- 04 L40S

  @Test
  void parse_l40sFirstSample_reportsTheSpikeAsPrinted() {
    ObjectNode gpu = only("04-l40s-persistence-off-spike-real.input");

    assertThat(gpu.get("utilization").asInt()).isEqualTo(100);
    assertThat(gpu.get("power_draw").asDouble()).isEqualTo(144.97);
    assertThat(gpu.get("clock_sm").asInt()).isEqualTo(2520);
    assertThat(gpu.get("memory_used").asLong()).isEqualTo(0);
    assertThat(gpu.get("memory_reserved").asLong()).isEqualTo(608);
    assertThat(gpu.get("pcie_gen").asText()).isEqualTo("4");
    assertThat(gpu.has("fan_speed")).isFalse();
  }

  @Test
  void parse_l40sEncoderLoad_keepsSevenDigitLatency() {
    ObjectNode gpu = only("04-l40s-persistence-off-spike-real.load.input");

    assertThat(gpu.get("encoder_latency").asLong()).isEqualTo(4_271_133L);
    assertThat(gpu.get("encoder_latency").isIntegralNumber()).isTrue();
    assertThat(gpu.get("encoder_fps").asInt()).isEqualTo(237);
    assertThat(gpu.get("encoder_sessions").asInt()).isEqualTo(2);
    assertThat(gpu.get("encoder_utilization").asInt()).isEqualTo(60);
    assertThat(gpu.get("decoder_utilization").asInt()).isEqualTo(0);
    assertThat(gpu.get("power_draw").asDouble()).isEqualTo(110.23);
    assertThat(gpu.get("memory_used").asLong()).isEqualTo(1235);
  }

  // ---- 06 RTX 2080 SUPER on Windows

  @Test
  void parse_windowsIdle_versionsAreOpaqueStrings() {
    ObjectNode gpu = only("06-rtx2080super-windows-real.input");

    assertThat(gpu.get("driver_version").isTextual()).isTrue();
    assertThat(gpu.get("driver_version").asText()).isEqualTo("591.86");
    assertThat(gpu.get("vbios_version").asText()).isEqualTo("90.04.7a.40.73");
    assertThat(gpu.get("fan_speed").asInt()).isEqualTo(37);
    assertThat(gpu.get("memory_used").asLong()).isEqualTo(702);
    assertThat(gpu.get("power_draw").asDouble()).isEqualTo(38.92);
    assertThat(gpu.get("pcie_gen").asText()).isEqualTo("3");
    assertThat(gpu.get("performance_state").asText()).isEqualTo("P8");
  }

  @Test
  void parse_windowsLoad_exactDecimals() {
    ObjectNode gpu = only("06-rtx2080super-windows-real.load.input");

    assertThat(gpu.get("power_draw").asDouble()).isEqualTo(97.43);
    assertThat(gpu.get("power_limit").asDouble()).isEqualTo(250.0);
    assertThat(gpu.get("fan_speed").asInt()).isEqualTo(38);
    assertThat(gpu.get("encoder_latency").asLong()).isEqualTo(4191);
    assertThat(gpu.get("encoder_utilization").asInt()).isEqualTo(100);
    assertThat(gpu.get("performance_state").asText()).isEqualTo("P2");
    assertThat(gpu.get("clock_memory").asInt()).isEqualTo(7500);
  }

  @Test
  void parse_windowsCrlfPipe_sameAsLf() {
    Fixture f = Fixture.load("06-rtx2080super-windows-real.load.input");
    String crlf = f.stdout().replace("\n", "  \r\n");

    SmiResult r = new SmiParser().parse(f.query(), 0, crlf, "");

    assertThat(r.gpus().get("0")).isEqualTo(f.parse().gpus().get("0"));
  }

  @Test
  void parse_underGermanLocale_keepsDotDecimals() throws Exception {
    Locale saved = Locale.getDefault();
    Locale savedFormat = Locale.getDefault(Locale.Category.FORMAT);
    Locale savedDisplay = Locale.getDefault(Locale.Category.DISPLAY);
    try {
      Locale.setDefault(Locale.GERMANY);
      ObjectNode h100 = only("01-h100-sxm-real.load.input");
      ObjectNode rtx = only("06-rtx2080super-windows-real.load.input");

      assertThat(h100.get("power_draw").asDouble()).isEqualTo(631.95);
      assertThat(rtx.get("power_draw").asDouble()).isEqualTo(97.43);
      assertThat(Json.MAPPER.writeValueAsString(h100)).contains("\"power_draw\":631.95");
      assertThat(Json.MAPPER.writeValueAsString(rtx)).contains("\"power_draw\":97.43");
    } finally {
      Locale.setDefault(saved);
      Locale.setDefault(Locale.Category.FORMAT, savedFormat);
      Locale.setDefault(Locale.Category.DISPLAY, savedDisplay);
    }
  }

  // ---- 08 Tesla T4

  @Test
  void parse_teslaT4_fanAbsentLinkX8OfX16() {
    ObjectNode gpu = only("08-tesla-t4-xml.input");

    assertThat(gpu.get("name").asText()).isEqualTo("Tesla T4");
    assertThat(gpu.has("fan_speed")).isFalse();
    assertThat(gpu.get("pcie_width").asText()).isEqualTo("8");
    assertThat(gpu.get("pcie_width_max").asText()).isEqualTo("16");
    assertThat(gpu.get("power_draw").asDouble()).isEqualTo(26.78);
    assertThat(gpu.get("power_limit").asDouble()).isEqualTo(70.0);
    assertThat(gpu.get("memory_reserved").asLong()).isEqualTo(15360 - 1032 - 13939);
    assertThat(gpu.get("clock_memory_max").asInt()).isEqualTo(5001);
  }

  // ---- 10 dual GPUs, power from the instant reading

  @Test
  void parse_dualRtx2070_bothGpusInIndexOrder() {
    SmiResult r = Fixture.load("10-dual-rtx2070-new-power-schema-xml.input").parse();

    assertThat(r.error()).isNull();
    assertThat(r.gpus().keySet()).containsExactly("0", "1");
    ObjectNode g0 = r.gpus().get("0");
    ObjectNode g1 = r.gpus().get("1");
    assertThat(g0.get("power_draw").asDouble()).isEqualTo(9.23);
    assertThat(g1.get("power_draw").asDouble()).isEqualTo(11.82);
    assertThat(g0.get("uuid").asText()).isEqualTo("GPU-00000000-0000-0000-0000-000000000000");
    assertThat(g1.get("uuid").asText()).isEqualTo("GPU-00000000-0000-0000-0000-000000000001");
    assertThat(g0.get("fan_speed").asInt()).isEqualTo(35);
    assertThat(g1.get("fan_speed").asInt()).isEqualTo(34);
    assertThat(g1.get("temperature").asInt()).isEqualTo(13);
    assertThat(g0.get("pcie_gen").asText()).isEqualTo("1");
    assertThat(g0.get("pcie_gen_max").asText()).isEqualTo("3");
    assertThat(g0.get("pcie_width").asText()).isEqualTo("8");
  }

  @Test
  void parse_dualA5000_memoryHeldAtZeroUtilization() {
    SmiResult r = Fixture.load("10-dual-rtx2070-new-power-schema-xml.a5000.input").parse();

    assertThat(r.gpus().keySet()).containsExactly("0", "1");
    ObjectNode g0 = r.gpus().get("0");
    ObjectNode g1 = r.gpus().get("1");
    assertThat(g0.get("memory_used").asLong()).isEqualTo(22437);
    assertThat(g1.get("memory_used").asLong()).isEqualTo(17253);
    assertThat(g0.get("memory_total").asLong()).isEqualTo(24564);
    assertThat(g0.get("utilization").asInt()).isZero();
    assertThat(g1.get("utilization").asInt()).isZero();
    assertThat(g0.get("power_draw").asDouble()).isEqualTo(6.41);
    assertThat(g1.get("power_draw").asDouble()).isEqualTo(13.60);
    assertThat(g0.get("memory_reserved").asLong()).isEqualTo(449);
    assertThat(g0.get("vbios_version").asText()).isEqualTo("94.02.6D.00.0D");
  }

  // ---- 11 odd names, no power sensing

  @Test
  void parse_genericName_acceptedVerbatimFanZeroKept() {
    ObjectNode gpu = only("11-old-driver-odd-name-xml.input");

    assertThat(gpu.get("name").asText()).isEqualTo("Graphics Device");
    assertThat(gpu.get("driver_version").asText()).isEqualTo("418.43");
    assertThat(gpu.get("fan_speed").asInt()).as("a real 0 % stays").isZero();
    assertThat(gpu.get("memory_total").asLong()).isEqualTo(5912);
    assertThat(gpu.has("memory_reserved")).as("used + free = total").isFalse();
    assertThat(gpu.get("power_draw").asDouble()).isEqualTo(8.93);
    assertThat(gpu.get("power_limit").asDouble()).isEqualTo(130.0);
  }

  @Test
  void parse_quadroP400_powerDrawAndLimitAbsent() {
    ObjectNode gpu = only("11-old-driver-odd-name-xml.p400.input");

    assertThat(gpu.get("name").asText()).isEqualTo("Quadro P400");
    assertThat(gpu.has("power_draw")).isFalse();
    assertThat(gpu.has("power_limit")).isFalse();
    assertThat(gpu.get("fan_speed").asInt()).isEqualTo(34);
    assertThat(gpu.get("memory_total").asLong()).isEqualTo(1998);
    assertThat(gpu.get("memory_utilization").asInt()).isEqualTo(3);
  }

  @Test
  void parse_longBlackwellName_keptWhole() {
    ObjectNode gpu = only("11-old-driver-odd-name-xml.pro6000.input");

    assertThat(gpu.get("name").asText())
        .isEqualTo("NVIDIA RTX PRO 6000 Blackwell Max-Q Workstation Edition");
    assertThat(gpu.get("memory_used").asLong()).isEqualTo(65720);
    assertThat(gpu.get("memory_total").asLong()).isEqualTo(97887);
    assertThat(gpu.get("memory_free").asLong()).isEqualTo(31531);
    assertThat(gpu.get("utilization").asInt()).isZero();
    assertThat(gpu.get("power_draw").asDouble()).isEqualTo(3.97);
    assertThat(gpu.get("clock_memory_max").asInt()).isEqualTo(14001);
  }

  // ---- 12 GT 1030

  @Test
  void parse_gt1030_powerDrawAbsentLimitKeptNoEncoder() {
    ObjectNode gpu = only("12-gt1030-no-power-no-nvenc-xml.input");

    assertThat(gpu.has("power_draw")).isFalse();
    assertThat(gpu.get("power_limit").asDouble()).isEqualTo(30.0);
    assertThat(gpu.has("encoder_utilization")).isFalse();
    assertThat(gpu.get("decoder_utilization").asInt()).isZero();
    assertThat(gpu.get("pcie_width").asText()).isEqualTo("4");
    assertThat(gpu.get("pcie_width_max").asText()).isEqualTo("4");
    assertThat(gpu.get("memory_used").asLong()).isEqualTo(875);
    assertThat(gpu.has("memory_reserved")).isFalse();
  }

  // ---- 14 / 15 broken GPUs among good ones

  @Test
  void parse_gpuRequiresReset_identityKeptEveryMetricAbsent() {
    SmiResult r = Fixture.load("14-gpu-requires-reset.input").parse();
    ObjectNode gpu = r.gpus().get("0");

    assertThat(r.error()).as("the node itself answers").isNull();
    assertThat(r.gpuErrors()).containsExactly(Map.entry("0", "GPU requires reset"));
    assertThat(gpu.get("error").asText()).isEqualTo("GPU requires reset");
    assertThat(gpu.get("name").asText()).isEqualTo("NVIDIA GeForce RTX 3060 Laptop GPU");
    assertThat(gpu.get("uuid").asText()).isEqualTo("GPU-00000000-0000-0000-0000-000000000000");
    assertThat(gpu.get("driver_version").asText()).isEqualTo("580.95.05");
    assertThat(fieldNames(gpu)).containsExactly(
        "index", "name", "uuid", "driver_version", "error", "_fallback_mode");
  }

  @Test
  void parse_lostGpu_keepsTheOthers() {
    SmiResult r = Fixture.load("15-one-gpu-lost-multi-gpu.input").parse();

    assertLostGpuOneAmongThree(r);
  }

  @Test
  void parse_lostGpuLineOnStdoutWithExit15_sameResult() {
    Fixture f = Fixture.load("15-one-gpu-lost-multi-gpu.input");
    assertThat(f.meta()).containsEntry("variant_exit", "15");

    SmiResult r = new SmiParser().parse(f.query(), 15, f.stderr() + f.stdout(), "");

    assertLostGpuOneAmongThree(r);
  }

  private static void assertLostGpuOneAmongThree(SmiResult r) {
    assertThat(r.error()).isNull();
    assertThat(r.gpus().keySet()).containsExactly("0", "1", "2", "3");
    for (String k : List.of("0", "2", "3")) {
      ObjectNode gpu = r.gpus().get(k);
      assertThat(gpu.get("index").asText()).isEqualTo(k);
      assertThat(gpu.get("power_draw").asDouble()).isEqualTo(69.85);
      assertThat(gpu.get("memory_free").asLong()).isEqualTo(81081);
      assertThat(gpu.has("error")).isFalse();
    }
    assertThat(r.gpus().get("3").get("uuid").asText()).endsWith("000000000003");
    ObjectNode lost = r.gpus().get("1");
    assertThat(lost.get("pci_bus_id").asText()).isEqualTo("0000:1B:00.0");
    assertThat(lost.get("error").asText())
        .isEqualTo("GPU is lost. Reboot the system to recover this GPU");
    assertThat(fieldNames(lost)).containsExactly("index", "pci_bus_id", "error", "_fallback_mode");
    assertThat(r.gpuErrors()).containsOnlyKeys("1");
  }

  // ---- 17 / 18 / 19 / 20 / 21: no GPU rows at all

  @Test
  void parse_driverLibraryMismatch_oneNodeErrorNoGpus() {
    SmiResult r = Fixture.load("17-driver-library-mismatch.input").parse();

    assertThat(r.gpus()).isEmpty();
    assertThat(r.error()).isEqualTo(
        "NVIDIA driver/library version mismatch: reboot or reload the nvidia kernel module"
            + " (the driver was updated without a reboot; NVML library version 535.161,"
            + " nvidia-smi exit 18).");
  }

  @Test
  void parse_driverNotLoaded_saysDriverNotReachable() {
    SmiResult r = Fixture.load("18-driver-not-loaded.input").parse();

    assertThat(r.gpus()).isEmpty();
    assertThat(r.error()).isEqualTo(
        "NVIDIA driver not reachable: nvidia-smi could not communicate with the driver;"
            + " check that the nvidia kernel module is loaded (nvidia-smi exit 9).");
  }

  @Test
  void parse_noSupportedGpus_saysNoGpuWithDriverMessage() {
    SmiResult r = Fixture.load("19-no-supported-gpus.input").parse();

    assertThat(r.gpus()).isEmpty();
    assertThat(r.error()).isEqualTo(
        "No NVIDIA GPU available on this node: Failed to initialize NVML:"
            + " No supported GPUs were found (nvidia-smi exit 255).");
  }

  @Test
  void parse_noDevicesVariant_saysNoGpu() {
    Fixture f = Fixture.load("19-no-supported-gpus.input");
    String stdout = Fixture.unescape(f.meta().get("variant_stdout"));
    int exit = Integer.parseInt(f.meta().get("variant_exit"));

    SmiResult r = new SmiParser().parse(f.query(), exit, stdout, "");

    assertThat(r.gpus()).isEmpty();
    assertThat(r.error()).isEqualTo(
        "No NVIDIA GPU available on this node: No devices were found (nvidia-smi exit 6).");
  }

  @Test
  void parse_invalidField_namesTheFieldAndNarrowsTheQuery() {
    Fixture f = Fixture.load("20-invalid-field-old-driver.input");
    SmiResult r = f.parse();

    assertThat(r.gpus()).isEmpty();
    assertThat(r.error()).isEqualTo("nvidia-smi does not support the query field"
        + " \"encoder.stats.sessionCount\" (nvidia-smi exit 2).");
    String field = Messages.invalidField(f.stdout());
    assertThat(field).isEqualTo("encoder.stats.sessionCount");
    SmiQuery next = SmiRunner.narrower(f.query(), field);
    assertThat(next.fields()).hasSize(30).doesNotContain(field);
    assertThat(next.unsupported()).containsExactly(field);
  }

  @Test
  void parse_hangLeftNoOutput_saysNoRows() {
    SmiResult r = Fixture.load("21-nvidia-smi-hang.input").parse();

    assertThat(r.gpus()).isEmpty();
    assertThat(r.error()).isEqualTo("nvidia-smi printed no GPU rows (nvidia-smi exit 0).");
  }

  // ---- 23 processes, 27 XML, 28 basic query, 34 unified memory

  @Test
  void parse_wslProcessMemoryNotAvailable_listsThePidOnly() {
    Fixture f = Fixture.load("23-wsl-process-memory-na.input");
    assertThat(f.query().target()).isEqualTo(SmiQuery.Target.COMPUTE_APPS);

    SmiResult r = f.parse();

    assertThat(r.error()).isNull();
    assertThat(r.gpus()).isEmpty();
    assertThat(r.processes()).hasSize(1);
    assertThat(r.processes().get(0).toString()).isEqualTo("{\"pid\":\"79\"}");
  }

  @Test
  void parse_xmlDocuments_areNeverTakenForRows() {
    Fixture f = Fixture.load("27-xml-schema-drift-malformed.input");

    for (String doc : f.stdout().split("(?m)^----$")) {
      SmiResult r = new SmiParser().parse(f.query(), 0, doc, "");
      assertThat(r.gpus()).isEmpty();
      assertThat(r.error()).startsWith("nvidia-smi printed no GPU rows, only: <?xml");
    }
  }

  @Test
  void parse_basicQuery_freeUnknownNotDerived() {
    Fixture f = Fixture.load("28-reserved-memory-used-plus-free.basic.input");
    assertThat(f.query().fields()).isEqualTo(SmiQuery.BASIC_FIELDS);
    ObjectNode gpu = only(f.name());

    assertThat(gpu.has("memory_free")).as("never total - used").isFalse();
    assertThat(gpu.has("memory_reserved")).isFalse();
    assertThat(gpu.get("memory_used").asLong()).isEqualTo(19818);
    assertThat(gpu.get("memory_total").asLong()).isEqualTo(81559);
    assertThat(gpu.get("power_draw").asDouble()).isEqualTo(631.95);
    assertThat(gpu.get("utilization").asInt()).isEqualTo(100);
    assertThat(gpu.get("clock_memory").asInt()).isEqualTo(2619);
    assertThat(gpu.get("performance_state").asText()).isEqualTo("P0");
    assertThat(gpu.has("uuid")).isFalse();
    assertThat(gpu.has("fan_speed")).isFalse();
  }

  @Test
  void parse_unifiedMemoryGb10_memoryAbsentGpuListed() {
    ObjectNode gpu = only("34-unified-memory-gb10-memory-na.input");

    assertThat(gpu.has("memory_used")).isFalse();
    assertThat(gpu.has("memory_total")).isFalse();
    assertThat(gpu.has("memory_free")).isFalse();
    assertThat(gpu.has("memory_reserved")).isFalse();
    assertThat(gpu.get("utilization").asInt()).isZero();
    assertThat(gpu.get("power_draw").asDouble()).isEqualTo(11.17);
    assertThat(gpu.get("temperature").asInt()).isEqualTo(35);
  }

  private static List<String> fieldNames(ObjectNode gpu) {
    var names = new ArrayList<String>();
    gpu.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
