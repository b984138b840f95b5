package io.gpuhot.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.gpuhot.hub.Hub;
import io.gpuhot.hub.HubConfig;
import io.gpuhot.support.EventLoops;
import io.gpuhot.support.Json;
import io.gpuhot.testing.Await;
import io.gpuhot.testing.DashboardClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The node service over a simulated GPU source, on loopback with free ports. */
final class NodeServiceTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private final HttpClient http = HttpClient.newHttpClient();
  private NodeService node;
  private Hub hub;

  @AfterEach
  void tearDown() {
    if (hub != null) {
      hub.close();
    }
    if (node != null) {
      node.close();
    }
  }

  private static NodeConfig config(double idleSampleS) {
    return new NodeConfig("test-node", "127.0.0.1", 0, 0.25, "auto", 2, Devices.ALL, null, true,
        idleSampleS, 4, 9);
  }

  private JsonNode get(String path) throws Exception {
    var res = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + path))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(res.statusCode()).isEqualTo(200);
    return Json.MAPPER.readTree(res.body());
  }

  @Test
  void gpuData_isANodeMessage_withEveryGpuAndTheHost() throws Exception {
    node = NodeService.start(config(10), new SimulatedSource(4, 0.25, 9), pid -> "p" + pid);

    JsonNode msg = get("/api/gpu-data");

    assertThat(msg.get("node_name").asText()).isEqualTo("test-node");
    assertThat(msg.get("gpus").size()).isEqualTo(4);
    assertThat(msg.get("gpus").get("0").get("name").asText()).startsWith("NVIDIA");
    assertThat(msg.get("system").get("cpu_count").asInt()).isPositive();
    assertThat(msg.get("sampled_at_ms").asDouble()).isPositive();
    for (JsonNode p : msg.get("processes")) {
      assertThat(p.get("name").asText()).isEqualTo("p" + p.get("pid").asText());
    }
    assertThat(get("/api/version").get("update_available").asBoolean()).isFalse();
  }

  @Test
  void hub_readsTheJavaNode_likeAnyNode() throws Exception {
    node = NodeService.start(config(10), new SimulatedSource(4, 0.25, 9), pid -> "p" + pid);
    hub = Hub.start(HubConfig.builder(List.of(URI.create("http://127.0.0.1:" + node.port())))
        .host("127.0.0.1").port(0).intervalS(0.25).build());
    var group = EventLoops.create("client", 1);
    try (var client = DashboardClient.connect(group, hub.port())) {
      Await.until(WAIT, "node online in the hub", () -> client.online() == 1);
      Await.until(WAIT, "updates", () -> client.node(0).updates.get() > 8);

      assertThat(client.node(0).gpus).hasSize(4);
      assertThat(client.name(0)).isEqualTo("test-node");
      assertThat(client.errors()).isEmpty();
    } finally {
      EventLoops.shutdown(group);
    }
  }

  @Test
  void idleNode_samplesOnlyForHistory_andFullRateWhileWatched() throws Exception {
    node = NodeService.start(config(1.0), new SimulatedSource(2, 0.25, 9), pid -> "p" + pid);
    Await.sleep(300);
    long a = get("/api/gpu-data").get("seq").asLong();
    Await.sleep(2100);
    long b = get("/api/gpu-data").get("seq").asLong();
    assertThat(b - a).as("idle samples in 2.1 s at one per second").isBetween(1L, 4L);

    var group = EventLoops.create("client", 1);
    try (var client = DashboardClient.connect(group, node.port())) {
      Await.until(WAIT, "dashboard sees the node", () -> client.online() == 1);
      long c = get("/api/gpu-data").get("seq").asLong();
      Await.sleep(2000);
      long d = get("/api/gpu-data").get("seq").asLong();
      assertThat(d - c).as("samples in 2 s at 0.25 s while watched").isBetween(5L, 10L);
    } finally {
      EventLoops.shutdown(group);
    }
  }

  @Test
  void machineWithoutGpus_servesNoGpus_andSaysWhy() throws Exception {
    node = NodeService.start(config(10), new NoGpuSource("NVML: libnvidia-ml.so.1 not found"),
        pid -> "p" + pid);

    JsonNode msg = get("/api/gpu-data");

    assertThat(msg.get("gpus").size()).isZero();
    assertThat(msg.get("error").asText()).isEqualTo("NVML: libnvidia-ml.so.1 not found");
  }
}
