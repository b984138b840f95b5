package io.gpuhot.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpuhot.support.Json;
import org.junit.jupiter.api.Test;

final class NodeMessageTest {

  private static NodeMessage parse(String json) throws Exception {
    return NodeMessage.of(Json.MAPPER.readTree(json));
  }

  @Test
  void originalNodeMessage_isKeptAsSent() throws Exception {
    var m = parse("""
        {"mode": "default", "node_name": "gpu-01", "gpus": {"0": {"index": "0",
         "timestamp": "2025-01-01T10:00:00.123456", "name": "NVIDIA H100 80GB HBM3",
         "utilization": 97.0, "performance_state": "P1", "pcie_gen": "5",
         "throttle_reasons": "SW Power Cap"}},
         "processes": [{"pid": "12", "name": "train.py", "gpu_uuid": "GPU-1", "gpu_id": "0",
         "memory": 100.0}], "system": {"cpu_percent": 10.0, "memory_used_gb": 3.5}}
        """);

    assertThat(m.name()).isEqualTo("gpu-01");
    assertThat(m.gpus().get("0").toString()).isEqualTo(
        "{\"index\":\"0\",\"timestamp\":\"2025-01-01T10:00:00.123456\","
            + "\"name\":\"NVIDIA H100 80GB HBM3\",\"utilization\":97.0,"
            + "\"performance_state\":\"P1\",\"pcie_gen\":\"5\","
            + "\"throttle_reasons\":\"SW Power Cap\"}");
    assertThat(m.processes().get(0).get("memory").asDouble()).isEqualTo(100.0);
    assertThat(m.freshness()).isEqualTo("2025-01-01T10:00:00.123456");
    assertThat(m.seq()).isEqualTo(-1);
    assertThat(Double.isNaN(m.sampledAtMs())).isTrue();
  }

  @Test
  void originalMockMessage_isNormalised() throws Exception {
    var m = parse(HubIntegrationTest.pythonMockMessage("mock", 3));
    var gpu = m.gpus().get("0");

    assertThat(gpu.get("index").asText()).isEqualTo("0");
    assertThat(gpu.has("pstate")).isFalse();
    assertThat(gpu.get("performance_state").asText()).isEqualTo("P0");
    assertThat(gpu.get("throttle_reasons").asText()).isEqualTo("None");
    assertThat(gpu.get("pcie_gen").asText()).isEqualTo("4");
    assertThat(gpu.has("fan_speed")).as("NaN is not a reading").isFalse();
    assertThat(m.processes().get(0).get("pid").asText()).isEqualTo("4242");
    assertThat(m.processes().get(0).get("gpu_id").asText()).isEqualTo("0");
    assertThat(m.processes().get(0).get("memory").asDouble()).isEqualTo(1024.0);
    assertThat(m.system().get("memory_total_gb").asDouble()).isEqualTo(64.0);
  }

  @Test
  void fallbackMessage_dropsNotAvailable_andRenamesMaxClocks() throws Exception {
    var m = parse("""
        {"node_name": "", "gpus": {"0": {"index": "0", "fan_speed": "N/A", "uuid": "[N/A]",
         "clock_max_sm": 1980, "clock_sm_max": 1980, "clock_max_graphics": 2100,
         "power_draw": "[Not Supported]", "_fallback_mode": true,
         "throttle_reasons": ["HW Slowdown", "SW Thermal"]}}}
        """);
    var gpu = m.gpus().get("0");

    assertThat(m.name()).as("an empty name is no name").isNull();
    assertThat(gpu.has("fan_speed")).isFalse();
    assertThat(gpu.has("uuid")).isFalse();
    assertThat(gpu.has("power_draw")).isFalse();
    assertThat(gpu.get("clock_sm_max").asInt()).isEqualTo(1980);
    assertThat(gpu.has("clock_max_sm")).isFalse();
    assertThat(gpu.get("clock_graphics_max").asInt()).isEqualTo(2100);
    assertThat(gpu.get("throttle_reasons").asText()).isEqualTo("HW Slowdown, SW Thermal");
  }

  @Test
  void wrongShapes_areRejectedWithTheReason() {
    assertThatThrownBy(() -> parse("[1]")).hasMessageContaining("expected a JSON object, got array");
    assertThatThrownBy(() -> parse("{\"gpus\": []}")).hasMessageContaining("\"gpus\" must be an object");
    assertThatThrownBy(() -> parse("{\"node_name\": \"x\"}")).hasMessageContaining("got nothing");
    assertThatThrownBy(() -> parse("{\"gpus\": {\"0\": 5}}")).hasMessageContaining("GPU \"0\" must be an object");
    assertThatThrownBy(() -> parse("{\"mode\": \"hub\", \"nodes\": {}}")).hasMessageContaining("is a hub");
  }
}
