package io.gpuhot.cli;

import io.gpuhot.hub.Hub;
import io.gpuhot.hub.HubConfig;
import io.gpuhot.net.Compression;
import java.net.URI;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "hub",
    mixinStandardHelpOptions = true,
    description = "Gathers many nodes into one dashboard for the whole cluster: dials every node's WebSocket and redials forever. Each setting can also come from the environment variable named in brackets.")
final class HubCommand implements Callable<Integer> {
  private final Settings settings;

  @Option(names = "--node-urls", paramLabel = "URLS",
      description = "Required: comma-separated node URLs, e.g. http://gpu-1:1312,http://gpu-2:1312 [NODE_URLS]")
  String nodeUrls;

  @Option(names = "--host", paramLabel = "HOST", description = "Address to listen on (default 0.0.0.0) [HOST]")
  String host;

  @Option(names = "--port", paramLabel = "PORT", description = "Port of the dashboard (default 1312; 0 takes a free port) [PORT]")
  String port;

  @Option(names = "--interval", paramLabel = "SECONDS",
      description = "Expected node update interval; a node silent for 3 intervals is offline "
          + "(default 0.5) [UPDATE_INTERVAL]")
  String interval;

  @Option(names = "--reconnect-max", paramLabel = "SECONDS",
      description = "Longest wait between reconnect attempts (default 5) [RECONNECT_MAX]")
  String reconnectMax;

  @Option(names = "--io-threads", paramLabel = "N", description = "Threads for node connections (default 1) [IO_THREADS]")
  String ioThreads;

  @Option(names = "--history", paramLabel = "BOOL",
      description = "Keep 24 h of history of every node in memory (default true) [HISTORY]")
  String history;

  @Option(names = "--compression", paramLabel = "MODE",
      description = "permessage-deflate for dashboards: shared (default: each message compressed "
          + "once for all), per-connection, or off [COMPRESSION]")
  String compression;

  HubCommand(Settings settings) {
    this.settings = settings;
  }

  /** Where and how often a hub serves; read before anything starts, shared with the demo. */
  record Serve(String host, int port, double intervalS) {
    static Serve read(Settings s, String host, String port, String interval, String defaultHost) {
      return new Serve(
          s.get("--host", host, "HOST", defaultHost, Settings::nonEmpty),
          s.get("--port", port, "PORT", HubConfig.DEFAULT_PORT, Settings::port),
          s.get("--interval", interval, "UPDATE_INTERVAL", HubConfig.DEFAULT_INTERVAL_S,
              Settings::positiveSeconds));
    }

    HubConfig.Builder hub(List<URI> urls) {
      return HubConfig.builder(urls).host(host).port(port).intervalS(intervalS);
    }
  }

  @Override
  public Integer call() {
    if (nodeUrls == null && settings.env("NODE_URLS") == null) {
      throw new ConfigException(
          "hub mode needs node URLs: set --node-urls or NODE_URLS, e.g. http://gpu-1:1312");
    }
    List<URI> urls =
        settings.get("--node-urls", nodeUrls, "NODE_URLS", List.of(), Settings::nodeUrls);
    double maxWait = settings.get("--reconnect-max", reconnectMax, "RECONNECT_MAX",
        HubConfig.DEFAULT_RECONNECT_MAX_MS / 1000.0, Settings::positiveSeconds);
    var config = Serve.read(settings, host, port, interval, HubConfig.DEFAULT_HOST).hub(urls)
        .reconnect(Math.min(HubConfig.DEFAULT_RECONNECT_BASE_MS, (long) (maxWait * 1000)),
            (long) (maxWait * 1000))
        .ioThreads(settings.get("--io-threads", ioThreads, "IO_THREADS", 1, Settings::positiveInt))
        .compression(settings.get("--compression", compression, "COMPRESSION",
            Compression.SHARED, Compression::parse))
        .history(settings.get("--history", history, "HISTORY", true, Settings::bool))
        .build();
    var hub = Hub.start(config);
    System.out.println("GPU Hot hub: http://" + displayHost(config.host()) + ":" + hub.port()
        + "/ watching " + urls.size() + " node(s)");
    return Lifecycle.runUntilStopped(List.of(hub));
  }

  static String displayHost(String host) {
    return host.equals("0.0.0.0") ? "localhost" : host;
  }
}
