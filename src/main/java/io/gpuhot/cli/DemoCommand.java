package io.gpuhot.cli;

import io.gpuhot.hub.Hub;
import io.gpuhot.mock.MockCluster;
import io.gpuhot.mock.Preset;
import io.gpuhot.support.EventLoops;
import java.net.URI;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = "Runs a mock cluster and a hub in one process, with the dashboard on port 1312. They talk over real loopback sockets. Needs no GPU.")
final class DemoCommand implements Callable<Integer> {
  private final Settings settings;

  @Option(names = "--preset", paramLabel = "PRESET",
      description = "light (3 nodes, 14 GPUs), medium (8 nodes, 64 GPUs, default), "
          + "heavy (20 nodes, 160 GPUs) or huge (1000 nodes, 8000 GPUs) [PRESET]")
  String preset;

  @Option(names = "--port", paramLabel = "PORT", description = "Port of the dashboard (default 1312; 0 takes a free port) [PORT]")
  String port;

  @Option(names = "--host", paramLabel = "HOST", description = "Address of the dashboard (default 127.0.0.1) [HOST]")
  String host;

  @Option(names = "--base-port", paramLabel = "PORT", description = "Port of the first mock node (default 13120) [BASE_PORT]")
  String basePort;

  @Option(names = "--interval", paramLabel = "SECONDS",
      description = "Seconds between node messages (default 0.5) [UPDATE_INTERVAL]")
  String interval;

  @Option(names = "--seed", paramLabel = "N", description = "Seed of the simulation [SEED]")
  String seed;

  DemoCommand(Settings settings) {
    this.settings = settings;
  }

  @Override
  public Integer call() {
    Preset p = settings.get("--preset", preset, "PRESET", Preset.MEDIUM, Preset::parse);
    var mockConfig = MockClusterCommand.configure(settings, p.gpusPerNode(), null, basePort, null,
        "127.0.0.1", interval, seed);
    var serve = HubCommand.Serve.read(settings, host, port, interval, "127.0.0.1");
    MockClusterCommand.checkPorts(mockConfig);
    var group = EventLoops.create("mock", 1);
    MockCluster cluster;
    try {
      cluster = MockCluster.start(mockConfig, group);
    } catch (RuntimeException e) {
      EventLoops.shutdown(group);
      throw e;
    }
    var config = serve.hub(cluster.urls().stream().map(URI::create).toList()).build();
    Hub hub;
    try {
      hub = Hub.start(config);
    } catch (RuntimeException e) {
      cluster.close();
      EventLoops.shutdown(group);
      throw e;
    }
    System.out.println("GPU Hot demo (" + p.label() + ": " + cluster.nodes().size() + " nodes, "
        + cluster.totalGpus() + " GPUs, seed " + mockConfig.seed() + ")");
    System.out.println("Open http://" + HubCommand.displayHost(config.host()) + ":" + hub.port()
        + "/ in a browser. Ctrl-C stops it.");
    return Lifecycle.runUntilStopped(List.of(() -> EventLoops.shutdown(group), cluster, hub));
  }
}
