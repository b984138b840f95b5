package io.gpuhot.loadtest;

import io.gpuhot.hub.Hub;
import io.gpuhot.hub.HubConfig;
import io.gpuhot.mock.MockCluster;
import io.gpuhot.support.EventLoops;
import io.gpuhot.support.ProcessStats;
import io.netty.channel.EventLoopGroup;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.util.List;

/**
 * Mock cluster and hub in this process, on threads of their own, so their CPU time is measured
 * per thread: the hub's threads are named {@code hub-*}, the mock's {@code mock-*}. Garbage
 * collection and compilation run on shared JVM threads and are counted for neither.
 */
final class InProcessTarget implements Target {
  private final EventLoopGroup mockGroup;
  private final MockCluster cluster;
  private final Hub hub;

  InProcessTarget(LoadTestConfig config) {
    mockGroup = EventLoops.create("mock", 1);
    cluster = MockCluster.start(new MockCluster.Config(config.gpusPerNode(), "127.0.0.1", 0,
        "gpu-server", config.intervalS(), config.seed(), List.of()), mockGroup);
    try {
      hub = Hub.start(HubConfig.builder(cluster.urls().stream().map(URI::create).toList())
          .host("127.0.0.1").port(0).intervalS(config.intervalS())
          .compression(config.compression()).history(config.history()).build());
    } catch (RuntimeException e) {
      cluster.close();
      EventLoops.shutdown(mockGroup);
      throw e;
    }
  }

  @Override
  public URI stream() {
    return URI.create("ws://127.0.0.1:" + hub.port() + "/ws");
  }

  @Override
  public String where() {
    return "mock cluster and hub in the load-test process";
  }

  @Override
  public double hubCpuSeconds() {
    return threadCpuSeconds("hub-");
  }

  @Override
  public double mockCpuSeconds() {
    return threadCpuSeconds("mock-");
  }

  static double threadCpuSeconds(String prefix) {
    var threads = ManagementFactory.getThreadMXBean();
    long nanos = 0;
    for (var info : threads.getThreadInfo(threads.getAllThreadIds())) {
      if (info != null && info.getThreadName().startsWith(prefix)) {
        long t = threads.getThreadCpuTime(info.getThreadId());
        if (t > 0) {
          nanos += t;
        }
      }
    }
    return nanos / 1e9;
  }

  @Override
  public ProcessStats.Reading hubProcess() {
    return ProcessStats.Reading.UNKNOWN;
  }

  @Override
  public ProcessStats.Reading mockProcess() {
    return ProcessStats.Reading.UNKNOWN;
  }

  @Override
  public long hubHeapBytes() {
    return -1;
  }

  @Override
  public void close() {
    hub.close();
    cluster.close();
    EventLoops.shutdown(mockGroup);
  }
}
