package io.gpuhot.cli;

import io.gpuhot.mock.MockCluster;
import io.gpuhot.support.EventLoops;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "mock-cluster",
    mixinStandardHelpOptions = true,
    description = "Runs simulated GPU nodes for load tests and demos: one WebSocket server per node, on consecutive ports, each streaming training workloads. Needs no GPU. Each setting can also come from the environment variable named in brackets.")
final class MockClusterCommand implements Callable<Integer> {
  private final Settings settings;

  @Option(names = "--nodes", paramLabel = "COUNTS",
      description = "GPUs per node, comma-separated (default 2,4,8) [NODES]")
  String nodes;

  @Option(names = "--base-port", paramLabel = "PORT", description = "Port of the first node (default 13120) [BASE_PORT]")
  String basePort;

  @Option(names = "--prefix", paramLabel = "NAME", description = "Node name prefix (default gpu-server) [PREFIX]")
  String prefix;

  @Option(names = "--host", paramLabel = "HOST", description = "Address to listen on (default 127.0.0.1) [HOST]")
  String host;

  @Option(names = "--interval", paramLabel = "SECONDS",
      description = "Seconds between node messages (default 0.5) [UPDATE_INTERVAL]")
  String interval;

  @Option(names = "--seed", paramLabel = "N", description = "Seed of the simulation; same seed, same cluster [SEED]")
  String seed;

  @Option(names = "--threads", paramLabel = "N", description = "Event-loop threads (default 1) [MOCK_THREADS]")
  String threads;

  MockClusterCommand(Settings settings) {
    this.settings = settings;
  }

  /** Reads the mock cluster's settings; shared with the demo and the load test. */
  static MockCluster.Config configure(Settings s, List<Integer> defaultNodes, String nodes,
      String basePort, String prefix, String host, String interval, String seed) {
    return new MockCluster.Config(
        s.get("--nodes", nodes, "NODES", defaultNodes, Settings::gpuCounts),
        s.get("--host", host, "HOST", "127.0.0.1", Settings::nonEmpty),
        s.get("--base-port", basePort, "BASE_PORT", MockCluster.Config.DEFAULT_BASE_PORT,
            Settings::port),
        s.get("--prefix", prefix, "PREFIX", MockCluster.Config.DEFAULT_PREFIX, Settings::nonEmpty),
        s.get("--interval", interval, "UPDATE_INTERVAL", 0.5, Settings::positiveSeconds),
        s.get("--seed", seed, "SEED", System.nanoTime(), Settings::seed),
        List.of());
  }

  /** The nodes' consecutive ports must all exist. */
  static void checkPorts(MockCluster.Config config) {
    if (config.basePort() > 0 && config.basePort() + config.gpusPerNode().size() - 1 > 65535) {
      throw new ConfigException("invalid --base-port " + config.basePort() + ": "
          + config.gpusPerNode().size() + " nodes would need ports past 65535");
    }
  }

  @Override
  public Integer call() {
    var config = configure(settings, List.of(2, 4, 8), nodes, basePort, prefix, host, interval, seed);
    int n = settings.get("--threads", threads, "MOCK_THREADS", 1, Settings::positiveInt);
    checkPorts(config);
    var group = EventLoops.create("mock", n);
    MockCluster cluster;
    try {
      cluster = MockCluster.start(config, group);
    } catch (RuntimeException e) {
      EventLoops.shutdown(group);
      throw e;
    }
    var ports = cluster.nodes().stream().mapToInt(io.gpuhot.mock.MockNode::port).toArray();
    int count = cluster.nodes().size();
    System.out.println("GPU Hot mock cluster: " + count + (count == 1 ? " node, " : " nodes, ")
        + cluster.totalGpus() + " GPUs on " + config.host() + ":" + ports[0]
        + (count == 1 ? "" : "-" + ports[ports.length - 1]) + " (seed " + config.seed() + ")");
    System.out.println("NODE_URLS=" + String.join(",", cluster.urls()));
    return Lifecycle.runUntilStopped(List.of(() -> EventLoops.shutdown(group), cluster));
  }
}
