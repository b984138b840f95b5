package io.gpuhot.cli;

import io.gpuhot.loadtest.LoadTest;
import io.gpuhot.loadtest.LoadTestConfig;
import io.gpuhot.mock.Preset;
import io.gpuhot.net.Compression;
import io.gpuhot.support.Json;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "loadtest",
    mixinStandardHelpOptions = true,
    description = "Measures latency, bandwidth and hub cost with many dashboard clients. Latency is the time from the moment a node took its sample to the moment a client has the update. Starts a mock cluster and a hub on loopback unless --hub names one.")
final class LoadTestCommand implements Callable<Integer> {
  private final Settings settings;

  @Option(names = "--preset", paramLabel = "PRESET", description = "light, medium, heavy (default) or huge")
  String preset;

  @Option(names = "--nodes", paramLabel = "COUNTS",
      description = "Custom cluster: GPUs per node, e.g. 8,8,4 (instead of --preset)")
  String nodes;

  @Option(names = "--clients", paramLabel = "N", description = "Dashboard clients (default 10; 0 measures an idle hub)")
  String clients;

  @Option(names = "--duration", paramLabel = "TIME", description = "Measured time, e.g. 30s or 2m (default 30s)")
  String duration;

  @Option(names = "--warmup", paramLabel = "TIME", description = "Time before measuring (default 5s)")
  String warmup;

  @Option(names = "--interval", paramLabel = "SECONDS", description = "Node update interval (default 0.5)")
  String interval;

  @Option(names = "--view", paramLabel = "VIEW", description = "all, overview or auto (default auto)")
  String view;

  @Option(names = "--fields", paramLabel = "FIELDS", description = "card (what the cluster view shows; default) or full")
  String fields;

  @Option(names = "--compression", paramLabel = "MODE",
      description = "The hub's permessage-deflate: shared (default), per-connection or off; "
          + "clients offer it unless off")
  String compression;

  @Option(names = "--split", description = "Run mock cluster and hub in processes of their own")
  boolean split;

  @Option(names = "--hub", paramLabel = "URL", description = "Aim at a running hub, e.g. ws://127.0.0.1:1312/ws")
  String hub;

  @Option(names = "--json", paramLabel = "FILE", description = "Also write the report as JSON")
  String json;

  @Option(names = "--seed", paramLabel = "N", description = "Seed of the mock cluster (default 1312)")
  String seed;

  @Option(names = "--history", paramLabel = "BOOL",
      description = "Whether the hub it starts keeps history (default true)")
  String history;

  LoadTestCommand(Settings settings) {
    this.settings = settings;
  }

  @Override
  public Integer call() throws Exception {
    if (preset != null && nodes != null) {
      throw new ConfigException("give --preset or --nodes, not both");
    }
    Preset p = settings.get("--preset", preset, null, Preset.HEAVY, Preset::parse);
    List<Integer> shape = nodes == null ? p.gpusPerNode()
        : settings.get("--nodes", nodes, null, List.of(), Settings::gpuCounts);
    String v = settings.get("--view", view, null, "auto", s -> {
      if (!List.of("all", "overview", "auto").contains(s)) {
        throw new IllegalArgumentException("expected all, overview or auto");
      }
      return s;
    });
    var config = new LoadTestConfig(
        nodes == null ? p.label() : "custom",
        shape,
        settings.get("--clients", clients, null, 10, LoadTestCommand::clientCount),
        settings.get("--duration", duration, null, 30.0, Settings::duration),
        settings.get("--warmup", warmup, null, 5.0, LoadTestCommand::warmup),
        settings.get("--interval", interval, null, 0.5, Settings::positiveSeconds),
        v,
        settings.get("--fields", fields, null, "card", s -> {
          if (!List.of("card", "full").contains(s)) {
            throw new IllegalArgumentException("expected card or full");
          }
          return s;
        }),
        settings.get("--compression", compression, null, Compression.SHARED, Compression::parse),
        split,
        settings.get("--hub", hub, null, null, LoadTestCommand::hubUri),
        json == null ? null : Path.of(json),
        settings.get("--seed", seed, null, 1312L, Settings::seed),
        settings.get("--history", history, null, true, Settings::bool));
    var report = new LoadTest(config, System.out).run();
    System.out.println();
    System.out.print(report.table());
    if (config.json() != null) {
      write(config.json(), Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(report.json()));
      System.out.println("report written to " + config.json());
    }
    return 0;
  }

  private static void write(Path file, String text) throws IOException {
    if (file.getParent() != null) {
      Files.createDirectories(file.getParent());
    }
    Files.writeString(file, text + "\n");
  }

  static int clientCount(String s) {
    try {
      int n = Integer.parseInt(s);
      if (n >= 0 && n <= 10_000) {
        return n;
      }
    } catch (NumberFormatException e) {
      // fall through to the message below
    }
    throw new IllegalArgumentException("expected a number of clients from 0 to 10000");
  }

  static double warmup(String s) {
    return s.equals("0") ? 0 : Settings.duration(s);
  }

  static URI hubUri(String s) {
    URI u;
    try {
      u = URI.create(s);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("expected a ws:// URL of a hub, such as ws://127.0.0.1:1312/ws");
    }
    if (!"ws".equals(u.getScheme()) && !"wss".equals(u.getScheme()) || u.getHost() == null) {
      throw new IllegalArgumentException("expected a ws:// URL of a hub, such as ws://127.0.0.1:1312/ws");
    }
    return u;
  }
}
