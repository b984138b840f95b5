package io.gpuhot.smi;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Parser behaviour the fixtures do not show directly, on rows derived from the H100 capture. */
final class SmiParserTest {
  private static final String H100 = Fixture.load("01-h100-sxm-real.input").stdout().strip();
  private static final SmiQuery FULL = SmiQuery.gpus();

  /** The H100 idle row with the column of {@code field} replaced by {@code value}. */
  private static String h100With(String field, String value) {
    var cells = new ArrayList<>(List.of(H100.split(", ")));
    cells.set(SmiQuery.FULL_FIELDS.indexOf(field), value);
    return String.join(", ", cells);
  }

  private static ObjectNode gpu0(SmiQuery query, String stdout) {
    SmiResult r = new SmiParser().parse(query, 0, stdout, "");
    assertThat(r.error()).isNull();
    return r.gpus().get("0");
  }

  @Test
  void parse_nameWithCommas_keepsTheNameWhole() {
    ObjectNode gpu = gpu0(FULL, h100With("name", "NVIDIA H100, 80GB,HBM3 (rev, a)"));

    assertThat(gpu.get("name").asText()).isEqualTo("NVIDIA H100, 80GB,HBM3 (rev, a)");
    assertThat(gpu.get("uuid").asText()).isEqualTo("GPU-00000000-0000-0000-0000-000000000000");
    assertThat(gpu.get("power_draw").asDouble()).isEqualTo(69.85);
    assertThat(gpu.get("decoder_utilization").asInt()).isZero();
  }

  @Test
  void parse_processNameWithComma_keepsTheNameWhole() {
    SmiResult r = new SmiParser().parse(SmiQuery.processes(), 0,
        "4242, /opt/app/run,fast.py, GPU-00000000-0000-0000-0000-000000000000, 1024\n", "");

    assertThat(r.processes()).hasSize(1);
    assertThat(r.processes().get(0).toString()).isEqualTo(
        "{\"pid\":\"4242\",\"name\":\"/opt/app/run,fast.py\","
            + "\"gpu_uuid\":\"GPU-00000000-0000-0000-0000-000000000000\",\"memory\":1024}");
  }

  @Test
  void parse_trailingWhitespaceAndBlankLines_ignored() {
    ObjectNode gpu = gpu0(FULL, "\n" + H100.replace(", ", " ,  ") + " \t\r\n\r\n");

    assertThat(gpu).isEqualTo(gpu0(FULL, H100));
  }

  @ParameterizedTest
  @CsvSource({
    "temperature.gpu, 255, temperature",
    "temperature.gpu, -256, temperature",
    "temperature.gpu, 510, temperature",
    "memory.used, 18446744073709551615, memory_used",
    "memory.used, 9223372036854775792, memory_used",
    "memory.free, 9.223372036854776E18, memory_free",
    "power.draw, 140737488355328.0, power_draw",
    "clocks.sm, 2147483632, clock_sm",
    "clocks.sm, -1, clock_sm",
    "utilization.gpu, 101, utilization",
    "fan.speed, 255, fan_speed",
    "encoder.stats.averageLatency, 4294967295, encoder_latency",
    "pstate, P16, performance_state",
    "pstate, Requested functionality has been deprecated, performance_state",
    "pcie.link.gen.current, 5.0, pcie_gen",
    "power.draw, 69.85 W, power_draw",
  })
  void parse_sentinelOrImplausibleValue_isAbsent(String field, String value, String key) {
    ObjectNode gpu = gpu0(FULL, h100With(field, value));

    assertThat(gpu.has(key)).as(key + " = " + value).isFalse();
    assertThat(gpu.has("error")).isFalse();
    assertThat(gpu.get("power_limit").asDouble()).isEqualTo(700.0);
  }

  @ParameterizedTest
  @ValueSource(strings = {"[N/A]", "N/A", "[Not Supported]", "", "[Not Available]"})
  void parse_notAvailableMarkers_absentWithoutError(String marker) {
    ObjectNode gpu = gpu0(FULL, h100With("power.draw", marker));

    assertThat(gpu.has("power_draw")).isFalse();
    assertThat(gpu.has("error")).isFalse();
  }

  @Test
  void parse_unknownErrorOnOneSensor_dropsOnlyThatField() {
    SmiResult r =
        new SmiParser().parse(FULL, 0, h100With("temperature.gpu", "[Unknown Error]"), "");

    assertThat(r.gpuErrors()).isEmpty();
    assertThat(r.gpus().get("0").has("temperature")).isFalse();
    assertThat(r.gpus().get("0").get("power_draw").asDouble()).isEqualTo(69.85);
  }

  @Test
  void parse_unknownErrorOnEveryMetric_marksTheGpu() {
    var cells = new ArrayList<>(List.of(H100.split(", ")));
    for (int i = 5; i < cells.size(); i++) {
      cells.set(i, i % 2 == 0 ? "[Unknown Error]" : "[N/A]");
    }

    SmiResult r = new SmiParser().parse(FULL, 0, String.join(", ", cells), "");

    assertThat(r.gpuErrors()).containsEntry("0", "Unknown Error");
    assertThat(r.gpus().get("0").get("vbios_version").asText()).isEqualTo("96.00.A5.00.01");
  }

  @Test
  void parse_resetMarkerOnOneField_marksTheGpu() {
    SmiResult r =
        new SmiParser().parse(FULL, 0, h100With("temperature.gpu", "[GPU requires reset]"), "");

    assertThat(r.gpus().get("0").get("error").asText()).isEqualTo("GPU requires reset");
  }

  @Test
  void parse_powerVariants_theNumericOneWins() {
    SmiQuery q = SmiQuery.of("index,power.draw.average,power.draw.instant");
    SmiQuery all = SmiQuery.of("index,power.draw.instant,power.draw,power.draw.average");

    assertThat(gpu0(q, "0, [N/A], 39.32").get("power_draw").asDouble()).isEqualTo(39.32);
    assertThat(gpu0(q, "0, 40.10, 39.32").get("power_draw").asDouble()).isEqualTo(40.10);
    assertThat(gpu0(all, "0, 39.32, 39.50, 40.10").get("power_draw").asDouble())
        .as("power.draw itself comes first").isEqualTo(39.50);
    assertThat(gpu0(q, "0, [N/A], [N/A]").has("power_draw")).isFalse();
  }

  @Test
  void parse_migModeColumn_isReported() {
    SmiQuery q = SmiQuery.of("index,utilization.gpu,mig.mode.current,pci.bus_id");

    ObjectNode gpu = gpu0(q, "0, [N/A], Enabled, 00000000:18:00.0");

    assertThat(gpu.get("mig_mode_current").asText()).isEqualTo("Enabled");
    assertThat(gpu.get("pci_bus_id").asText()).isEqualTo("00000000:18:00.0");
    assertThat(gpu.has("utilization")).isFalse();
  }

  @Test
  void parse_unknownQueryField_isIgnored() {
    ObjectNode gpu = gpu0(SmiQuery.of("index,serial,temperature.gpu"), "0, 1650123456789, 41");

    assertThat(gpu.toString()).isEqualTo("{\"index\":\"0\",\"temperature\":41,"
        + "\"_fallback_mode\":true}");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
    "Unable to determine the device handle for GPU 0000:02:00.0: GPU is lost. Reboot the system"
        + " to recover this GPU|0000:02:00.0|GPU is lost. Reboot the system to recover this GPU",
    "Unable to determine the device handle for GPU0000:A1:00.0: Unknown Error|0000:A1:00.0"
        + "|Unknown Error",
  })
  void parse_lostGpuWithoutIndex_keyedByBusId(String line, String busId, String reason) {
    SmiResult r = new SmiParser().parse(FULL, 0, H100 + "\n", line + "\n");

    assertThat(r.gpus().keySet()).containsExactly("0", busId);
    assertThat(r.gpus().get(busId).get("error").asText()).isEqualTo(reason);
    assertThat(r.gpus().get(busId).has("index")).isFalse();
    assertThat(r.gpus().get("0").has("error")).isFalse();
  }

  @Test
  void parse_everyGpuLost_listsThemWithoutNodeError() {
    String line = "Unable to determine the device handle for GPU1: 0000:1B:00.0: GPU is lost";

    SmiResult r = new SmiParser().parse(FULL, 15, line + "\n", "");

    assertThat(r.error()).isNull();
    assertThat(r.gpuErrors()).containsEntry("1", "GPU is lost");
  }

  @ParameterizedTest
  @ValueSource(strings = {
    "Failed to initialize NVML: Unknown Error",
    "GPU 0: NVIDIA H100 80GB HBM3 (UUID: GPU-00000000-0000-0000-0000-000000000000)",
    "index, name, uuid",
  })
  void parse_lineThatIsNotARow_isAMessage(String line) {
    SmiResult r = new SmiParser().parse(FULL, 0, line + "\n", "");

    assertThat(r.gpus()).isEmpty();
    assertThat(r.error()).startsWith("nvidia-smi printed no GPU rows, only: ");
  }

  @Test
  void parse_rowWithNonNumericIndex_isNotAGpu() {
    SmiResult r = new SmiParser().parse(FULL, 0, h100With("index", "Failed"), "");

    assertThat(r.gpus()).isEmpty();
  }

  @Test
  void parse_memoryGapNegative_noReservedAdded() {
    ObjectNode gpu = gpu0(FULL, h100With("memory.free", "81600"));

    assertThat(gpu.get("memory_free").asLong()).isEqualTo(81600);
    assertThat(gpu.has("memory_reserved")).isFalse();
  }

  @Test
  void parse_otherFailures_sayWhatAndTheExitStatus() {
    var p = new SmiParser();

    assertThat(p.parse(FULL, 12, "NVIDIA-SMI couldn't find libnvidia-ml.so library\n", "").error())
        .isEqualTo("NVML library not found: the NVIDIA driver's user-space libraries are"
            + " missing (nvidia-smi exit 12).");
    assertThat(p.parse(FULL, 255, "", "Segmentation fault\n").error())
        .isEqualTo("nvidia-smi failed: Segmentation fault (nvidia-smi exit 255).");
    assertThat(p.parse(FULL, 3, "", "").error())
        .isEqualTo("nvidia-smi failed with no message (nvidia-smi exit 3).");
  }

  @Test
  void parse_nullStreams_treatedAsEmpty() {
    SmiResult r = new SmiParser().parse(FULL, 0, null, null);

    assertThat(r.gpus()).isEmpty();
    assertThat(r.error()).isEqualTo("nvidia-smi printed no GPU rows (nvidia-smi exit 0).");
  }

  @Test
  void parse_duplicateIndex_keepsTheFirst() {
    SmiResult r = new SmiParser().parse(FULL, 0,
        H100 + "\n" + h100With("power.draw", "99.00") + "\n", "");

    assertThat(r.gpus()).hasSize(1);
    assertThat(r.gpus().get("0").get("power_draw").asDouble()).isEqualTo(69.85);
  }

  @Test
  void parse_manyGpus_orderedNumerically() {
    var out = new StringBuilder();
    for (String i : List.of("10", "2", "0", "1")) {
      out.append(h100With("index", i)).append('\n');
    }

    SmiResult r = new SmiParser().parse(FULL, 0, out.toString(), "");

    assertThat(r.gpus().keySet()).containsExactly("0", "1", "2", "10");
  }
}
