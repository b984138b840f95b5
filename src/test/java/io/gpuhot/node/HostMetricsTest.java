package io.gpuhot.node;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** OSHI on this very machine: the figures are there and plausible. */
final class HostMetricsTest {

  @Test
  void read_givesTheHostFigures() throws Exception {
    var host = new HostMetrics();
    host.read();
    Thread.sleep(300);

    var o = host.read();

    assertThat(o.get("cpu_count").asInt()).isEqualTo(Runtime.getRuntime().availableProcessors());
    assertThat(o.get("cpu_percent").asDouble()).isBetween(0.0, 100.0);
    assertThat(o.get("memory_total_gb").asDouble()).isPositive();
    assertThat(o.get("memory_used_gb").asDouble())
        .isLessThanOrEqualTo(o.get("memory_total_gb").asDouble());
    assertThat(o.get("memory_percent").asDouble()).isBetween(0.0, 100.0);
    assertThat(o.get("load_avg_1").asDouble()).isGreaterThanOrEqualTo(0);
    assertThat(o.has("disk_read_bytes")).isTrue();
    assertThat(o.get("timestamp").asText()).endsWith("Z");
  }

  @Test
  void counters_onlyGrow() throws Exception {
    var host = new HostMetrics();
    var a = host.read();
    Thread.sleep(200);
    var b = host.read();

    if (a.has("net_bytes_recv")) {
      assertThat(b.get("net_bytes_recv").asLong()).isGreaterThanOrEqualTo(a.get("net_bytes_recv").asLong());
    }
    assertThat(b.get("disk_read_bytes").asLong()).isGreaterThanOrEqualTo(a.get("disk_read_bytes").asLong());
  }
}
