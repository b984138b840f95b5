package io.gpuhot.hub;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.gpuhot.mock.MockCluster;
import io.gpuhot.mock.Preset;
import io.gpuhot.support.EventLoops;
import io.gpuhot.support.Json;
import io.gpuhot.testing.Await;
import io.gpuhot.testing.DashboardClient;
import io.gpuhot.testing.FakeNode;
import io.netty.channel.EventLoopGroup;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The hub against a real mock cluster over loopback sockets, with free ports from the OS. */
final class HubIntegrationTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  private EventLoopGroup group;
  private final List<AutoCloseable> open = new ArrayList<>();

  @BeforeEach
  void setUp() {
    group = EventLoops.create("test", 2);
  }

  @AfterEach
  void tearDown() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
    EventLoops.shutdown(group);
  }

  private <T extends AutoCloseable> T track(T resource) {
    open.add(resource);
    return resource;
  }

  private MockCluster cluster(List<Integer> shape) {
    var config = new MockCluster.Config(shape, "127.0.0.1", 0, "gpu-server", 0.5, 11, List.of());
    return track(MockCluster.start(config, group));
  }

  private Hub hub(List<String> urls) {
    var config = HubConfig.builder(urls.stream().map(URI::create).toList())
        .host("127.0.0.1").port(0).reconnect(100, 500).build();
    return track(Hub.start(config));
  }

  private DashboardClient dashboard(Hub hub) {
    return track(DashboardClient.connect(group, hub.port()));
  }

  private static void noProtocolErrors(DashboardClient c) {
    assertThat(c.errors()).as("protocol errors seen by the dashboard").isEmpty();
  }

  @Test
  void lightCluster_showsThreeNodesAndFourteenGpusOnline_withChangingValues() {
    var cluster = cluster(Preset.LIGHT.gpusPerNode());
    var hub = hub(cluster.urls());
    var client = dashboard(hub);

    Await.until(WAIT, "3 nodes online", () -> client.online() == 3);
    assertThat(client.onlineGpus()).isEqualTo(14);
    var first = new ArrayList<JsonNode>();
    client.nodes().values().forEach(n -> first.add(n.system.deepCopy()));
    Await.until(WAIT, "20 updates per node", () ->
        client.nodes().values().stream().allMatch(n -> n.updates.get() > 20));

    var later = new ArrayList<JsonNode>();
    client.nodes().values().forEach(n -> later.add(n.system));
    assertThat(later).isNotEqualTo(first);
    assertThat(client.stats().get("online_nodes").asInt()).isEqualTo(3);
    assertThat(client.stats().get("total_gpus").asInt()).isEqualTo(14);
    noProtocolErrors(client);
  }

  @Test
  void stoppedNode_isOfflineWithinTwoSeconds_othersKeepUpdating_andItComesBack() {
    var cluster = cluster(Preset.LIGHT.gpusPerNode());
    var hub = hub(cluster.urls());
    var client = dashboard(hub);
    Await.until(WAIT, "3 nodes online", () -> client.online() == 3);

    long stoppedAt = System.nanoTime();
    cluster.nodes().get(1).stop();
    Await.until(Duration.ofSeconds(2), "node 1 offline", () -> "offline".equals(client.status(1)));
    long offlineMs = (System.nanoTime() - stoppedAt) / 1_000_000;
    int before0 = client.node(0).updates.get();
    int before2 = client.node(2).updates.get();
    Await.sleep(1500);

    assertThat(offlineMs).isLessThan(2000);
    assertThat(client.node(0).updates.get()).isGreaterThan(before0 + 1);
    assertThat(client.node(2).updates.get()).isGreaterThan(before2 + 1);
    assertThat(client.node(1).gpus).as("offline node keeps its last GPUs").hasSize(4);
    assertThat(client.stats().get("online_nodes").asInt()).isEqualTo(2);

    cluster.nodes().get(1).start();
    Await.until(WAIT, "node 1 back online", () -> "online".equals(client.status(1)));
    assertThat(client.stats().get("online_nodes").asInt()).isEqualTo(3);
    noProtocolErrors(client);
  }

  @Test
  void frozenNode_staysConnected_butGoesOfflineAfterThreeIntervals_andReturns() {
    var cluster = cluster(List.of(2, 2));
    var hub = hub(cluster.urls());
    var client = dashboard(hub);
    Await.until(WAIT, "2 nodes online", () -> client.online() == 2);

    long frozenAt = System.nanoTime();
    cluster.nodes().get(0).freeze(true);
    Await.until(Duration.ofSeconds(3), "frozen node offline", () -> "offline".equals(client.status(0)));
    long ms = (System.nanoTime() - frozenAt) / 1_000_000;
    Await.until(WAIT, "reason names the silence", () -> client.reason(0).contains("no message"));

    assertThat(ms).isBetween(1000L, 2500L);
    assertThat(client.node(1).status).isEqualTo("online");
    cluster.nodes().get(0).freeze(false);
    Await.until(WAIT, "node back online", () -> "online".equals(client.status(0)));
  }

  @Test
  void nodeRepeatingAnOldSample_isShownOffline() {
    var cluster = cluster(List.of(2, 2));
    var hub = hub(cluster.urls());
    var client = dashboard(hub);
    Await.until(WAIT, "2 nodes online", () -> client.online() == 2);

    cluster.nodes().get(1).repeatStale(true);
    Await.until(Duration.ofSeconds(4), "stale node offline", () -> "offline".equals(client.status(1)));

    assertThat(client.node(1).reason).contains("repeats a sample");
    cluster.nodes().get(1).repeatStale(false);
    Await.until(WAIT, "node back online", () -> "online".equals(client.status(1)));
  }

  @Test
  void malformedJson_putsTheNodeInError_othersStreamOn_andItRecovers() {
    var cluster = cluster(List.of(2, 4));
    var hub = hub(cluster.urls());
    var client = dashboard(hub);
    Await.until(WAIT, "2 nodes online", () -> client.online() == 2);

    cluster.nodes().get(0).freeze(true);
    cluster.nodes().get(0).sendRaw("{\"gpus\": {\"0\": {\"utilization\": 5,");
    Await.until(WAIT, "node 0 in error", () -> "error".equals(client.status(0)));
    assertThat(client.node(0).reason).startsWith("malformed JSON");
    int before = client.node(1).updates.get();
    Await.sleep(1200);
    assertThat(client.node(1).updates.get()).isGreaterThan(before + 1);

    cluster.nodes().get(0).freeze(false);
    Await.until(WAIT, "node 0 back online", () -> "online".equals(client.status(0)));
    noProtocolErrors(client);
  }

  @Test
  void oversizedMessage_putsTheNodeInError_withTheReason() {
    var cluster = cluster(List.of(2));
    var big = track(new FakeNode(group, 500, seq -> seq == 2 ? "[\"" + "x".repeat(9 << 20) + "\"]"
        : pythonMockMessage("huge-node", seq)));
    var hub = hub(List.of(cluster.urls().get(0), big.url()));
    var client = dashboard(hub);

    Await.until(WAIT, "big node in error", () -> "error".equals(client.status(1)));
    assertThat(client.node(1).reason).contains("larger than");
    assertThat(client.node(0).status).isEqualTo("online");
    Await.until(WAIT, "big node back after redial", () -> "online".equals(client.status(1)));
  }

  @Test
  void binaryGarbage_putsTheNodeInError() {
    var fake = track(new FakeNode(group, 300, seq -> null));
    var hub = hub(List.of(fake.url()));
    var client = dashboard(hub);
    Await.until(WAIT, "hub connected to the fake node", () -> fake.clients() == 1);

    fake.sendBinary(new byte[] {(byte) 0xF8, 0x00, 0x13, (byte) 0xFF, 0x7B});
    Await.until(WAIT, "node in error", () -> "error".equals(client.status(0)));
    assertThat(client.node(0).reason).isNotBlank();

    fake.sendBinary("[1,2,3]".getBytes());
    Await.until(WAIT, "shape error", () -> client.reason(0).contains("expected a JSON object"));
  }

  @Test
  void originalMockNodeMessages_areNormalised() {
    var fake = track(new FakeNode(group, 250, seq -> pythonMockMessage("py-mock", seq)));
    var hub = hub(List.of(fake.url()));
    var client = dashboard(hub);

    Await.until(WAIT, "python mock online", () -> client.online() == 1);
    JsonNode gpu = client.node(0).gpus.get("0");
    assertThat(gpu.get("index").asText()).isEqualTo("0");
    assertThat(gpu.get("performance_state").asText()).isEqualTo("P0");
    assertThat(gpu.get("throttle_reasons").asText()).isEqualTo("None");
    assertThat(gpu.get("pcie_gen").isTextual()).isTrue();
    JsonNode proc = client.node(0).processes.get(0);
    assertThat(proc.get("pid").asText()).isEqualTo("4242");
    assertThat(proc.get("memory").asDouble()).isEqualTo(1024.0);
    assertThat(client.node(0).system.get("memory_used_gb").asDouble()).isEqualTo(12.5);
    assertThat(client.node(0).name).isEqualTo("py-mock");
  }

  /** A message in the shape the original's mock nodes send (protocol.md section 4). */
  static String pythonMockMessage(String name, long seq) {
    return "{\"node_name\": \"" + name + "\", \"gpus\": {\"0\": {\"index\": 0, \"name\": \"NVIDIA RTX 3090\","
        + " \"utilization\": " + (90 + seq % 7) + ".0, \"temperature\": 70.0, \"memory_used\": 12000.0,"
        + " \"memory_total\": 24576, \"power_draw\": 300.5, \"power_limit\": 350, \"pstate\": \"P0\","
        + " \"throttle_reasons\": [], \"pcie_gen\": 4, \"pcie_width\": 16, \"fan_speed\": NaN}},"
        + " \"processes\": [{\"pid\": 4242, \"name\": \"train.py\", \"gpu_memory\": 1024.0, \"gpu_id\": 0}],"
        + " \"system\": {\"cpu_percent\": 40.1, \"memory_percent\": 20.0, \"memory_used\": 12.5,"
        + " \"memory_total\": 64.0}}";
  }

  @Test
  void nodesReportingTheSameName_areBothShown() {
    var a = track(new FakeNode(group, 300, seq -> pythonMockMessage("twin", seq)));
    var b = track(new FakeNode(group, 300, seq -> pythonMockMessage("twin", seq)));
    var hub = hub(List.of(a.url(), b.url()));
    var client = dashboard(hub);

    Await.until(WAIT, "both twins online", () -> client.online() == 2);
    Await.until(WAIT, "names qualified", () -> client.name(0).contains("(")
        && client.name(1).contains("("));
    assertThat(client.node(0).name).isNotEqualTo(client.node(1).name).startsWith("twin (");
    assertThat(client.stats().get("total_nodes").asInt()).isEqualTo(2);
  }

  @Test
  void originalProtocolStream_keepsTheHubMessageShape() throws Exception {
    var cluster = cluster(List.of(2, 4));
    var hub = hub(cluster.urls());
    var client = dashboard(hub);
    Await.until(WAIT, "2 nodes online", () -> client.online() == 2);

    var http = HttpClient.newHttpClient();
    var body = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + hub.port()
        + "/api/gpu-data")).build(), HttpResponse.BodyHandlers.ofString()).body();
    JsonNode msg = Json.MAPPER.readTree(body);

    assertThat(msg.get("mode").asText()).isEqualTo("hub");
    assertThat(msg.get("nodes").size()).as("one entry per node, no phantoms").isEqualTo(2);
    JsonNode entry = msg.get("nodes").get(cluster.urls().get(1));
    assertThat(entry.get("status").asText()).isEqualTo("online");
    assertThat(entry.get("gpus").size()).isEqualTo(4);
    assertThat(entry.get("processes").isArray()).isTrue();
    assertThat(entry.get("system").has("cpu_percent")).isTrue();
    assertThat(entry.get("last_update").asText()).endsWith("Z");
    assertThat(msg.get("cluster_stats").get("total_nodes").asInt()).isEqualTo(2);
    assertThat(msg.get("cluster_stats").get("total_gpus").asInt()).isEqualTo(6);
  }

  @Test
  void deltas_rebuildTheSameStateAsAFreshSnapshot() throws Exception {
    var cluster = cluster(List.of(4, 8));
    var hub = hub(cluster.urls());
    var client = dashboard(hub);
    Await.until(WAIT, "12 updates", () -> client.nodes().size() == 2
        && client.nodes().values().stream().allMatch(n -> n.updates.get() > 12));
    cluster.nodes().forEach(n -> n.freeze(true));
    Await.sleep(700);

    var late = track(DashboardClient.connect(group, hub.port()));
    Await.until(WAIT, "snapshot", () -> late.nodes().size() == 2);
    for (int id = 0; id < 2; id++) {
      var a = client.node(id);
      var b = late.node(id);
      assertThat(a.v).isEqualTo(b.v);
      assertThat(a.gpus).isEqualTo(b.gpus);
      assertThat(a.system).isEqualTo(b.system);
      assertThat(a.processes).isEqualTo(b.processes);
    }
    noProtocolErrors(client);
  }

  @Test
  void clientChurn_duringBroadcasts_leavesTheOtherClientsStreaming() {
    var cluster = cluster(List.of(8, 8, 8));
    var hub = hub(cluster.urls());
    var steady = new ArrayList<DashboardClient>();
    for (int i = 0; i < 10; i++) {
      steady.add(dashboard(hub));
    }
    Await.until(WAIT, "steady clients see 3 nodes", () -> steady.stream().allMatch(c -> c.online() == 3));

    for (int round = 0; round < 20; round++) {
      var churn = Stream.generate(() -> DashboardClient.connect(group, hub.port())).limit(10).toList();
      Await.sleep(60);
      churn.forEach(DashboardClient::close);
    }
    var before = steady.stream().map(c -> c.node(0).updates.get()).toList();
    Await.sleep(1500);

    for (int i = 0; i < steady.size(); i++) {
      assertThat(steady.get(i).node(0).updates.get()).isGreaterThan(before.get(i) + 1);
      noProtocolErrors(steady.get(i));
    }
    Await.until(WAIT, "churned connections gone", () -> hubClients(hub) == 10);
  }

  private static int hubClients(Hub hub) {
    return hub.dashboardClients();
  }

  @Test
  void flappingNode_endsOnlineWithOneEntry() {
    var cluster = cluster(List.of(2, 2));
    var hub = hub(cluster.urls());
    var client = dashboard(hub);
    Await.until(WAIT, "2 nodes online", () -> client.online() == 2);

    var node = cluster.nodes().get(0);
    for (int i = 0; i < 6; i++) {
      node.stop();
      Await.sleep(250);
      node.start();
      Await.sleep(400);
    }
    Await.until(WAIT, "flapping node online again", () -> "online".equals(client.status(0)));

    assertThat(client.nodes()).hasSize(2);
    assertThat(client.stats().get("total_nodes").asInt()).isEqualTo(2);
    assertThat(client.node(1).status).isEqualTo("online");
    noProtocolErrors(client);
  }

  @Test
  void restartedHub_findsEveryNodeAgain() throws Exception {
    var cluster = cluster(List.of(2, 2, 2, 2, 2));
    var first = hub(cluster.urls());
    var c1 = dashboard(first);
    Await.until(WAIT, "5 nodes online", () -> c1.online() == 5);
    first.close();
    open.remove(first);

    var second = hub(cluster.urls());
    var c2 = dashboard(second);
    Await.until(WAIT, "5 nodes online after restart", () -> c2.online() == 5);
  }

  @Test
  void unreachableNode_isRetriedForever_andComesBackOnItsOwn() {
    var cluster = cluster(List.of(2, 2));
    cluster.nodes().get(1).stop();
    var hub = hub(cluster.urls());
    var client = dashboard(hub);
    Await.until(WAIT, "node 0 online", () -> "online".equals(client.status(0)));
    assertThat(client.node(1).status).isEqualTo("offline");
    Await.until(WAIT, "refused", () -> client.reason(1).contains("refused"));

    Await.sleep(3000);
    cluster.nodes().get(1).start();
    Await.until(Duration.ofSeconds(3), "node 1 online", () -> "online".equals(client.status(1)));
  }
}
