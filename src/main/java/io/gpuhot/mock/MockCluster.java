package io.gpuhot.mock;

import io.netty.channel.EventLoopGroup;
import java.io.Closeable;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A cluster of simulated GPU nodes, one {@link MockNode} per port starting at the base port, all
 * served by one event-loop group.
 */
public final class MockCluster implements Closeable {
  /**
   * How to build the cluster.
   *
   * @param gpusPerNode GPU count of each node, in port order
   * @param processNames names given to the simulated training processes
   */
  public record Config(
      List<Integer> gpusPerNode,
      String host,
      int basePort,
      String prefix,
      double intervalS,
      long seed,
      List<String> processNames) {
    public static final String DEFAULT_PREFIX = "gpu-server";
    public static final int DEFAULT_BASE_PORT = 13120;

    public Config {
      gpusPerNode = List.copyOf(gpusPerNode);
      processNames = List.copyOf(processNames);
      if (gpusPerNode.isEmpty()) {
        throw new IllegalArgumentException("a mock cluster needs at least one node");
      }
      if (processNames.isEmpty()) {
        processNames = TrainingJob.SCRIPTS;
      }
    }

    public Config withProcessNames(List<String> names) {
      return new Config(gpusPerNode, host, basePort, prefix, intervalS, seed, names);
    }

    public int totalGpus() {
      return gpusPerNode.stream().mapToInt(Integer::intValue).sum();
    }
  }

  private final List<MockNode> nodes;

  private MockCluster(List<MockNode> nodes) {
    this.nodes = nodes;
  }

  /** Builds the simulated nodes without opening any port. */
  public static MockCluster create(Config config, EventLoopGroup group) {
    var root = new SplittableRandom(config.seed());
    var nodes = new ArrayList<MockNode>();
    long intervalMs = Math.max(1, Math.round(config.intervalS() * 1000));
    for (int i = 0; i < config.gpusPerNode().size(); i++) {
      var rng = root.split();
      String name = config.prefix() + "-" + (i + 1);
      var sim = new SimulatedNode(name, i, config.gpusPerNode().get(i), config.intervalS(), rng,
          config.processNames());
      int port = config.basePort() == 0 ? 0 : config.basePort() + i;
      long phase = rng.nextLong(intervalMs);
      nodes.add(new MockNode(sim, group, config.host(), port, phase));
    }
    return new MockCluster(List.copyOf(nodes));
  }

  /** Builds the nodes and opens their ports; on a failure the ports already opened are closed. */
  public static MockCluster start(Config config, EventLoopGroup group) {
    var cluster = create(config, group);
    try {
      cluster.nodes.forEach(MockNode::start);
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
    return cluster;
  }

  /** One simulated node outside any cluster, for a node that simulates its GPUs. */
  public static SimulatedNode simulatedNode(String name, int gpus, double intervalS, long seed) {
    return new SimulatedNode(name, 0, gpus, intervalS, new SplittableRandom(seed),
        TrainingJob.SCRIPTS);
  }

  public List<MockNode> nodes() {
    return nodes;
  }

  public List<String> urls() {
    return nodes.stream().map(MockNode::url).toList();
  }

  public int totalGpus() {
    return nodes.stream().mapToInt(MockNode::gpuCount).sum();
  }

  @Override
  public void close() {
    nodes.forEach(MockNode::stop);
  }
}
