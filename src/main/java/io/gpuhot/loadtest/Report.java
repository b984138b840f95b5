package io.gpuhot.loadtest;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gpuhot.support.Json;
import io.gpuhot.support.ProcessStats;
import io.gpuhot.support.Version;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import org.HdrHistogram.Histogram;

/** The figures of one load test, as a table for people and as JSON for tools. */
public record Report(
    LoadTestConfig config,
    String where,
    Instant date,
    double windowS,
    Latency latency,
    Updates updates,
    double wireBytesPerClientS,
    double jsonBytesPerClientS,
    double hubCpuCores,
    double hubCpuUsPerUpdate,
    double mockCpuCores,
    double clientCpuCores,
    double processCpuCores,
    long hubPeakRssBytes,
    long hubRssBytes,
    long hubHeapAfterGcBytes,
    long mockPeakRssBytes,
    long offlineEvents,
    long clientsClosed,
    int nodesSeen) {

  /** End-to-end delay from sample to client, in milliseconds. */
  public record Latency(long count, double mean, double p50, double p90, double p99, double p999,
      double max) {
    static Latency of(Histogram h) {
      if (h.getTotalCount() == 0) {
        return new Latency(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
      }
      return new Latency(h.getTotalCount(), h.getMean() / 1000, ms(h, 50), ms(h, 90), ms(h, 99),
          ms(h, 99.9), h.getMaxValue() / 1000.0);
    }

    private static double ms(Histogram h, double percentile) {
      return h.getValueAtPercentile(percentile) / 1000.0;
    }
  }

  /**
   * Node updates in the window: {@code expectedPerClient} is what the nodes produced (from their
   * sequence numbers), {@code delivered} what the clients got, {@code missed} the difference.
   */
  public record Updates(long expectedPerClient, long delivered, long missed, long late,
      long minDeliveredByAClient, double perClientPerSecond, double deliveredRatio) {}

  static Report of(LoadTestConfig config, String where, Histogram h, List<Probe.Counts> counts,
      LoadTest.Snapshot before, LoadTest.Snapshot after, long heap, ProcessStats.Reading hub,
      ProcessStats.Reading mock, long closed) {
    double seconds = (after.nanos() - before.nanos()) / 1e9;
    int clients = counts.size();
    var updates = updates(counts, config.durationS());
    double hubCpu = delta(before.hubCpu(), after.hubCpu());
    double perUpdate = updates.delivered() > 0 && hubCpu >= 0 ? hubCpu * 1e6 / updates.delivered() : Double.NaN;
    long offline = counts.stream().mapToLong(Probe.Counts::offlineEvents).max().orElse(0);
    return new Report(config, where, Instant.now(), seconds, Latency.of(h), updates,
        clients == 0 ? 0 : (after.wireBytes() - before.wireBytes()) / seconds / clients,
        clients == 0 ? 0 : (after.jsonBytes() - before.jsonBytes()) / seconds / clients,
        cores(hubCpu, seconds), perUpdate, cores(delta(before.mockCpu(), after.mockCpu()), seconds),
        cores(delta(before.clientCpu(), after.clientCpu()), seconds),
        cores(delta(before.processCpu(), after.processCpu()), seconds),
        hub.peakRssBytes(), hub.rssBytes(), heap, mock.peakRssBytes(), offline, closed,
        counts.stream().mapToInt(Probe.Counts::nodes).max().orElse(0));
  }

  private static double delta(double a, double b) {
    return a < 0 || b < 0 ? -1 : b - a;
  }

  private static double cores(double cpuSeconds, double seconds) {
    return cpuSeconds < 0 ? Double.NaN : cpuSeconds / seconds;
  }

  private static Updates updates(List<Probe.Counts> counts, double durationS) {
    if (counts.isEmpty()) {
      return new Updates(0, 0, 0, 0, 0, 0, Double.NaN);
    }
    int nodes = counts.stream().mapToInt(c -> c.first().length).max().orElse(0);
    long expected = 0;
    for (int n = 0; n < nodes; n++) {
      long first = Long.MAX_VALUE;
      long last = -1;
      for (var c : counts) {
        if (n < c.first().length && c.first()[n] >= 0) {
          first = Math.min(first, c.first()[n]);
          last = Math.max(last, c.last()[n]);
        }
      }
      if (last >= 0) {
        expected += last - first + 1;
      }
    }
    long delivered = 0;
    long late = 0;
    long min = Long.MAX_VALUE;
    for (var c : counts) {
      long d = 0;
      for (long x : c.delivered()) {
        d += x;
      }
      delivered += d;
      late += c.late();
      min = Math.min(min, d);
    }
    long missed = expected * counts.size() - delivered;
    return new Updates(expected, delivered, missed, late, min,
        delivered / (double) counts.size() / durationS,
        expected == 0 ? Double.NaN : delivered / (double) (expected * counts.size()));
  }

  /** The report as JSON, with latency under {@code latency_ms} and hub CPU under {@code hub_cpu_cores}. */
  public ObjectNode json() {
    var root = Json.object();
    root.put("date", date.toString());
    var machine = root.putObject("machine");
    machine.put("cores", Runtime.getRuntime().availableProcessors());
    machine.put("jvm", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
    machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
    machine.put("gpu_hot", Version.current());
    var s = root.putObject("settings");
    s.put("shape", config.shape());
    s.put("nodes", config.nodes());
    s.put("gpus", config.gpus());
    s.put("clients", config.clients());
    s.put("duration_s", config.durationS());
    s.put("warmup_s", config.warmupS());
    s.put("interval_s", config.intervalS());
    s.put("view", config.view());
    s.put("fields", config.fields());
    s.put("compression", config.compression().wire());
    s.put("split", config.split());
    s.put("target", where);
    s.put("seed", config.seed());
    s.put("history", config.history());
    var l = root.putObject("latency_ms");
    l.put("count", latency.count());
    put(l, "mean", latency.mean());
    put(l, "p50", latency.p50());
    put(l, "p90", latency.p90());
    put(l, "p99", latency.p99());
    put(l, "p999", latency.p999());
    put(l, "max", latency.max());
    var u = root.putObject("updates");
    u.put("expected_per_client", updates.expectedPerClient());
    u.put("delivered", updates.delivered());
    u.put("missed", updates.missed());
    u.put("late", updates.late());
    u.put("min_delivered_by_a_client", updates.minDeliveredByAClient());
    put(u, "per_client_per_s", updates.perClientPerSecond());
    put(u, "delivered_ratio", updates.deliveredRatio());
    var b = root.putObject("bytes_per_client_per_s");
    put(b, "wire", wireBytesPerClientS);
    put(b, "json", jsonBytesPerClientS);
    put(root, "hub_cpu_cores", hubCpuCores);
    put(root, "hub_cpu_us_per_update", hubCpuUsPerUpdate);
    put(root, "mock_cpu_cores", mockCpuCores);
    put(root, "client_cpu_cores", clientCpuCores);
    put(root, "process_cpu_cores", processCpuCores);
    var m = root.putObject("memory_mb");
    put(m, "hub_peak_rss", mb(hubPeakRssBytes));
    put(m, "hub_rss", mb(hubRssBytes));
    put(m, "hub_heap_after_gc", mb(hubHeapAfterGcBytes));
    put(m, "mock_peak_rss", mb(mockPeakRssBytes));
    root.put("offline_events", offlineEvents);
    root.put("clients_closed", clientsClosed);
    root.put("nodes_seen", nodesSeen);
    return root;
  }

  private static double mb(long bytes) {
    return bytes < 0 ? Double.NaN : bytes / 1048576.0;
  }

  private static void put(ObjectNode o, String key, double v) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      o.putNull(key);
    } else {
      o.put(key, Math.round(v * 1000) / 1000.0);
    }
  }

  /** The report as a table. */
  public String table() {
    var t = new StringBuilder();
    row(t, "cluster", config.hub() != null
        ? "as the hub at " + config.hub() + " has it (" + nodesSeen + " nodes seen)"
        : config.nodes() + " nodes, " + config.gpus() + " GPUs (" + config.shape() + ")");
    row(t, "clients", config.clients() + " (view " + config.view() + ", " + config.fields()
        + " fields, compression "
        + config.compression().wire() + ")");
    row(t, "window", f("%.1f s after %.0f s warmup", windowS, config.warmupS()));
    row(t, "target", where);
    row(t, "latency p50/p90/p99", f("%.2f / %.2f / %.2f ms", latency.p50(), latency.p90(), latency.p99()));
    row(t, "latency p99.9/max", f("%.2f / %.2f ms (%d samples)", latency.p999(), latency.max(), latency.count()));
    row(t, "updates per client", f("%.1f /s; %d of %d delivered (%.4f), %d missed, %d late",
        updates.perClientPerSecond(), updates.delivered(), updates.expectedPerClient() * config.clients(),
        updates.deliveredRatio(), updates.missed(), updates.late()));
    row(t, "bytes per client", f("%.1f KB/s on the wire, %.1f KB/s of JSON",
        wireBytesPerClientS / 1024, jsonBytesPerClientS / 1024));
    String notMeasured = config.hub() != null ? "n/a (the hub was not started by this test)"
        : null;
    row(t, "hub CPU", notMeasured != null ? notMeasured
        : f("%.3f cores, %.2f µs per update delivered", hubCpuCores, hubCpuUsPerUpdate));
    row(t, "mock CPU", notMeasured != null ? notMeasured : f("%.3f cores", mockCpuCores));
    row(t, "clients CPU", f("%.3f cores on their threads, %.3f for this whole process",
        clientCpuCores, processCpuCores));
    row(t, "hub memory", hubPeakRssBytes < 0
        ? (notMeasured != null ? notMeasured : "n/a in one process (run with --split)")
        : f("peak RSS %.0f MB, RSS %.0f MB, live heap after GC %.1f MB",
            mb(hubPeakRssBytes), mb(hubRssBytes), mb(hubHeapAfterGcBytes)));
    row(t, "nodes seen offline", String.valueOf(offlineEvents));
    row(t, "clients disconnected", String.valueOf(clientsClosed));
    return t.toString();
  }

  private static void row(StringBuilder t, String k, String v) {
    t.append(String.format(Locale.ROOT, "%-22s %s%n", k, v));
  }

  private static String f(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }
}
