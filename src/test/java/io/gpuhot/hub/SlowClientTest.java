package io.gpuhot.hub;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpuhot.mock.MockCluster;
import io.gpuhot.support.EventLoops;
import io.gpuhot.testing.Await;
import io.gpuhot.testing.DashboardClient;
import io.netty.channel.EventLoopGroup;
import java.net.URI;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A dashboard that stops reading must not delay the others, and the hub must not hold more for
 * it than its write buffer; once it reads again it catches up to the current state.
 */
final class SlowClientTest {
  private static final Duration WAIT = Duration.ofSeconds(15);

  private EventLoopGroup mockGroup;
  private EventLoopGroup clientGroup;
  private MockCluster cluster;
  private Hub hub;

  @BeforeEach
  void setUp() {
    mockGroup = EventLoops.create("mock", 1);
    clientGroup = EventLoops.create("clients", 2);
    var shape = Collections.nCopies(16, 8);
    cluster = MockCluster.start(new MockCluster.Config(shape, "127.0.0.1", 0, "gpu-server", 0.1, 5,
        List.of()), mockGroup);
  }

  @AfterEach
  void tearDown() {
    if (hub != null) {
      hub.close();
    }
    cluster.close();
    EventLoops.shutdown(clientGroup);
    EventLoops.shutdown(mockGroup);
  }

  private Hub startHub(long stallTimeoutMs) {
    hub = Hub.start(HubConfig.builder(cluster.urls().stream().map(URI::create).toList())
        .host("127.0.0.1").port(0).intervalS(0.1).stallTimeoutMs(stallTimeoutMs).build());
    return hub;
  }

  private static int total(DashboardClient c) {
    return c.nodes().values().stream().mapToInt(n -> n.updates.get()).sum();
  }

  @Test
  void stalledClient_doesNotDelayOthers_andHubBacklogStaysBounded_thenItCatchesUp() {
    startHub(60_000);
    var fast = DashboardClient.connect(clientGroup, hub.port(), "?detail=all&fields=full");
    var slow = DashboardClient.connectSmallBuffer(clientGroup, hub.port(), "?detail=all&fields=full");
    Await.until(WAIT, "both see 16 nodes online", () -> fast.online() == 16 && slow.online() == 16);

    slow.pauseReading(true);
    Await.until(WAIT, "the hub skips the stalled client", () -> hub.messagesSkipped() > 0);
    long maxBacklog = 0;
    int before = total(fast);
    for (int i = 0; i < 20; i++) {
      Await.sleep(150);
      maxBacklog = Math.max(maxBacklog, hub.maxDashboardBacklogBytes());
    }
    int perSecond = (int) ((total(fast) - before) / 3.0);

    assertThat(perSecond).as("updates per second to the reading client").isGreaterThan(120);
    assertThat(maxBacklog).as("bytes held for the stalled client").isLessThan(1 << 20);
    assertThat(fast.errors()).isEmpty();

    slow.pauseReading(false);
    cluster.nodes().forEach(n -> n.freeze(true));
    Await.sleep(600);
    Await.until(WAIT, "stalled client catches up", () -> fast.nodes().entrySet().stream()
        .allMatch(e -> slow.node(e.getKey()).v == e.getValue().v));
    for (int id = 0; id < 16; id++) {
      assertThat(slow.node(id).gpus).isEqualTo(fast.node(id).gpus);
    }
    assertThat(slow.errors()).isEmpty();
    fast.close();
    slow.close();
  }

  @Test
  void clientThatAcceptsNothingForTooLong_isDisconnected() {
    startHub(1_500);
    var slow = DashboardClient.connectSmallBuffer(clientGroup, hub.port(), "?detail=all&fields=full");
    Await.until(WAIT, "snapshot", () -> slow.online() == 16);

    slow.pauseReading(true);
    Await.until(WAIT, "hub drops the stalled client", () -> hub.dashboardClients() == 0);
    slow.close();
  }
}
