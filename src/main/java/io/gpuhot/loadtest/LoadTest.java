package io.gpuhot.loadtest;

import io.gpuhot.net.Compression;
import io.gpuhot.support.EventLoops;
import io.gpuhot.support.ProcessStats;
import io.gpuhot.support.Times;
import io.netty.channel.EventLoopGroup;
import java.io.PrintStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Runs one load test: starts the mock cluster and hub (unless a hub is given), connects the
 * dashboard clients, lets them warm up, then measures for the duration and reports.
 *
 * <p>The measured window is defined by sample time: an update counts when the mock node took
 * its sample inside the window. After the window the clients get a short drain, so updates in
 * flight at its end still arrive; an update that never arrives is a gap in the node's sequence.
 */
public final class LoadTest {
  private static final long CONNECT_BATCH = 100;
  private static final double DRAIN_S = 1.0;
  private static final long WINDOW_LEAD_MS = 250;

  private final LoadTestConfig config;
  private final PrintStream out;

  public LoadTest(LoadTestConfig config, PrintStream out) {
    this.config = config;
    this.out = out;
  }

  /** Runs the test; every process and connection it opened is closed when it returns. */
  public Report run() throws InterruptedException {
    EventLoopGroup clientGroup = EventLoops.create("loadtest-client", Integer.getInteger("gpuhot.clientThreads", 2));
    try (Target target = start()) {
      out.println("load test: " + config.nodes() + " nodes, " + config.gpus() + " GPUs, "
          + config.clients() + " clients, " + target.where());
      return measure(target, clientGroup);
    } finally {
      EventLoops.shutdown(clientGroup);
    }
  }

  private Target start() {
    if (config.hub() != null) {
      return new ExternalTarget(config.hub());
    }
    return config.split() ? new SplitTarget(config) : new InProcessTarget(config);
  }

  private Report measure(Target target, EventLoopGroup group) throws InterruptedException {
    var latency = new Recorder(3_600_000_000L, 3);
    var progress = new Recorder(3_600_000_000L, 3);
    String view = switch (config.view()) {
      case "all" -> "?detail=all";
      case "overview" -> "?detail=none";
      default -> "?detail=auto";
    };
    URI uri = URI.create(target.stream() + view + "&fields=" + config.fields());
    var probes = new ArrayList<Probe>();
    for (int i = 0; i < config.clients(); i++) {
      probes.add(new Probe(group, uri, config.compression() != Compression.OFF, latency, progress,
          config.intervalS() * 1000));
      if ((i + 1) % CONNECT_BATCH == 0) {
        Thread.sleep(100);
      }
    }
    awaitSnapshots(probes);
    out.println("each second: messages and node updates the clients got, and the delay from the"
        + " node's sample to the client (p50, p99, max)");
    sleepWithProgress(config.warmupS(), progress, probes, "warmup");

    // The window opens a little in the future, so every client knows it before any update
    // sampled inside it can reach that client.
    double startMs = Times.nowMillis() + WINDOW_LEAD_MS;
    double endMs = startMs + config.durationS() * 1000;
    probes.forEach(p -> p.window(startMs, endMs));
    Thread.sleep(WINDOW_LEAD_MS);
    latency.getIntervalHistogram();
    var before = Snapshot.take(target, probes);
    sleepWithProgress(config.durationS(), progress, probes, "measure");
    var after = Snapshot.take(target, probes);
    Thread.sleep((long) (DRAIN_S * 1000));
    Histogram h = latency.getIntervalHistogram();
    var counts = probes.stream().map(Probe::counts).toList();
    long heap = target.hubHeapBytes();
    var hubProc = target.hubProcess();
    var mockProc = target.mockProcess();
    long closed = probes.stream().filter(p -> !p.open()).count();
    probes.forEach(Probe::close);
    return Report.of(config, target.where(), h, counts, before, after, heap, hubProc, mockProc,
        closed);
  }

  private void awaitSnapshots(List<Probe> probes) throws InterruptedException {
    long deadline = System.nanoTime() + 120_000_000_000L;
    while (probes.stream().anyMatch(p -> !p.hasSnapshot())) {
      if (!probes.isEmpty() && probes.stream().allMatch(p -> !p.open() && p.closeReason() != null)) {
        throw new IllegalStateException("no client could connect to the hub: "
            + probes.get(0).closeReason());
      }
      if (System.nanoTime() > deadline) {
        long missing = probes.stream().filter(p -> !p.hasSnapshot()).count();
        String why = probes.stream().filter(p -> p.closeReason() != null).map(Probe::closeReason)
            .findFirst().orElse("no answer");
        throw new IllegalStateException(missing + " clients got no snapshot in 120 s: " + why);
      }
      Thread.sleep(50);
    }
  }

  private void sleepWithProgress(double seconds, Recorder progress, List<Probe> probes,
      String phase) throws InterruptedException {
    long end = System.nanoTime() + (long) (seconds * 1e9);
    long lastMessages = messages(probes);
    while (System.nanoTime() < end) {
      Thread.sleep(Math.min(1000, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
      Histogram h = progress.getIntervalHistogram();
      long m = messages(probes);
      out.printf(Locale.ROOT, "%-8s %5.0f s left  %6d msg/s  updates %6d  p50 %7.2f ms  p99 %7.2f ms  max %7.2f ms%n",
          phase, Math.max(0, (end - System.nanoTime()) / 1e9), m - lastMessages, h.getTotalCount(),
          h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(99) / 1000.0,
          h.getMaxValue() / 1000.0);
      lastMessages = m;
    }
  }

  private static long messages(List<Probe> probes) {
    long n = 0;
    for (var p : probes) {
      n += p.counts().messages();
    }
    return n;
  }

  /** Counters at one moment, to take differences over the window. */
  record Snapshot(long nanos, double hubCpu, double mockCpu, double clientCpu, double processCpu,
      long wireBytes, long jsonBytes) {
    static Snapshot take(Target target, List<Probe> probes) {
      long wire = 0;
      long json = 0;
      for (var p : probes) {
        wire += p.wireBytes();
        json += p.jsonBytes();
      }
      return new Snapshot(System.nanoTime(), target.hubCpuSeconds(), target.mockCpuSeconds(),
          InProcessTarget.threadCpuSeconds("loadtest-client"),
          ProcessStats.read(ProcessStats.selfPid()).cpuSeconds(), wire, json);
    }
  }
}
