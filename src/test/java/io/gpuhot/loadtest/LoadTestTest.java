package io.gpuhot.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpuhot.mock.Preset;
import io.gpuhot.net.Compression;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** A short LIGHT load test: the report is complete and consistent; timings are not asserted. */
final class LoadTestTest {

  @Test
  void shortLightRun_everyClientGetsEveryNodeUpdate_andTheReportIsComplete() throws Exception {
    var config = new LoadTestConfig("light", Preset.LIGHT.gpusPerNode(), 5, 4, 2, 0.5, "all",
        "card", Compression.SHARED, false, null, null, 7, true);
    var out = new ByteArrayOutputStream();

    Report r = new LoadTest(config, new PrintStream(out, true, StandardCharsets.UTF_8)).run();

    long expected = r.updates().expectedPerClient();
    assertThat(expected).as("3 nodes x 4 s / 0.5 s").isBetween(21L, 27L);
    assertThat(r.updates().delivered()).isEqualTo(expected * 5);
    assertThat(r.updates().missed()).isZero();
    assertThat(r.updates().minDeliveredByAClient()).isEqualTo(expected);
    assertThat(r.updates().deliveredRatio()).isEqualTo(1.0);
    assertThat(r.latency().count()).isEqualTo(r.updates().delivered());
    assertThat(r.latency().p50()).isPositive().isLessThanOrEqualTo(r.latency().p99());
    assertThat(r.latency().p99()).isLessThanOrEqualTo(r.latency().max());
    assertThat(r.wireBytesPerClientS()).isPositive();
    assertThat(r.jsonBytesPerClientS()).isGreaterThan(r.wireBytesPerClientS());
    assertThat(r.hubCpuCores()).isPositive();
    assertThat(r.offlineEvents()).isZero();
    assertThat(r.clientsClosed()).isZero();

    var json = r.json();
    for (String key : new String[] {"p50", "p90", "p99", "p999", "max"}) {
      assertThat(json.get("latency_ms").get(key).isNumber()).as(key).isTrue();
    }
    assertThat(json.get("hub_cpu_cores").isNumber()).isTrue();
    assertThat(json.get("machine").get("cores").asInt()).isPositive();
    assertThat(json.get("settings").get("clients").asInt()).isEqualTo(5);
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("measure");
    assertThat(r.table()).contains("latency p50/p90/p99", "updates per client", "hub CPU");
  }

  @Test
  void idleHub_isMeasuredWithoutClients() throws Exception {
    var config = new LoadTestConfig("light", Preset.LIGHT.gpusPerNode(), 0, 2, 1, 0.5, "auto",
        "card", Compression.SHARED, false, null, null, 7, true);

    Report r = new LoadTest(config, new PrintStream(new ByteArrayOutputStream())).run();

    assertThat(r.updates().delivered()).isZero();
    assertThat(r.latency().count()).isZero();
    assertThat(r.hubCpuCores()).isPositive();
    assertThat(r.json().get("latency_ms").get("p50").isNull()).isTrue();
  }
}
