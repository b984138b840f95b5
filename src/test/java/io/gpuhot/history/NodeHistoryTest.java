package io.gpuhot.history;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gpuhot.support.Json;
import java.io.StringWriter;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class NodeHistoryTest {
  private static final long T0 = 1_796_378_400_000L;

  private static Map<String, ObjectNode> gpus(long i) {
    var g0 = Json.object();
    g0.put("utilization", i % 2 == 0 ? 0 : 100);
    g0.put("temperature", 60);
    g0.put("memory_used", 40_000);
    g0.put("memory_total", 80_000);
    g0.put("power_draw", 300.25);
    g0.put("clock_graphics", 1980);
    var g1 = Json.object();
    g1.put("utilization", 50);
    var m = new LinkedHashMap<String, ObjectNode>();
    m.put("0", g0);
    m.put("1", g1);
    return m;
  }

  private static NodeHistory filled(int samples) {
    var h = new NodeHistory();
    var sys = Json.object();
    sys.put("cpu_percent", 12.5);
    for (int i = 0; i < samples; i++) {
      h.record(T0 + i * 500L, gpus(i), sys);
    }
    return h;
  }

  private static JsonNode json(NodeHistory h, long rangeS) throws Exception {
    var w = new StringWriter();
    try (var g = Json.factory().createGenerator(w)) {
      h.write(g, rangeS * 1000, null, EnumSet.allOf(Metric.class));
    }
    return Json.MAPPER.readTree(w.toString());
  }

  @Test
  void shortRanges_comeFromEverySample_longOnesFromAverages() throws Exception {
    var h = filled(4 * 3600 * 2);

    JsonNode raw = json(h, 900);
    JsonNode hour = json(h, 3600);
    JsonNode day = json(h, 86_400);

    assertThat(raw.get("step_s").asDouble()).isZero();
    assertThat(raw.get("t")).hasSize(1800);
    assertThat(hour.get("step_s").asDouble()).isEqualTo(10.0);
    assertThat(hour.get("t").size()).isBetween(359, 361);
    assertThat(day.get("step_s").asDouble()).isEqualTo(60.0);
    assertThat(day.get("t").size()).isBetween(238, 240);
    assertThat(hour.get("gpus").get("0").get("util").get(5).asDouble()).isEqualTo(50.0);
    assertThat(hour.get("gpus").get("0").get("power").get(5).asDouble()).isEqualTo(300.3);
    assertThat(raw.get("gpus").get("0").get("mem").get(0).asDouble()).isEqualTo(50.0);
    assertThat(raw.get("host").get("cpu").get(0).asDouble()).isEqualTo(12.5);
  }

  @Test
  void missingReadings_stayMissing_notZero() throws Exception {
    JsonNode raw = json(filled(100), 60);

    JsonNode gpu1 = raw.get("gpus").get("1");
    assertThat(gpu1.get("util").get(0).asDouble()).isEqualTo(50.0);
    assertThat(gpu1.get("temp")).allMatch(JsonNode::isNull);
    assertThat(gpu1.get("fan")).allMatch(JsonNode::isNull);
    assertThat(raw.get("gpus").get("0").get("fan")).allMatch(JsonNode::isNull);
    assertThat(raw.get("host").get("ram")).allMatch(JsonNode::isNull);
  }

  @Test
  void memory_isFixedOnceTheRingsAreFull() {
    var h = filled(2 * 24 * 3600 * 2 / 20);
    long perNode = (8 + 2 * 2) * (long) (NodeHistory.RAW_SAMPLES + 720 + 1440);

    assertThat(NodeHistory.bytesPerGpu()).isEqualTo(47_520);
    assertThat(h.bytes()).isEqualTo(perNode + 2 * NodeHistory.bytesPerGpu());
  }

  @Test
  void timesAreEpochSeconds_inPlainNotation() throws Exception {
    var w = new StringWriter();
    try (var g = Json.factory().createGenerator(w)) {
      filled(3).write(g, 60_000, "0", EnumSet.of(Metric.UTIL));
    }

    assertThat(w.toString()).contains("\"t\":[1796378400.000,1796378400.500,1796378401.000]")
        .doesNotContain("E9");
  }
}
