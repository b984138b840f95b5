package io.gpuhot.loadtest;

import io.gpuhot.net.Compression;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;

/**
 * What one load test runs.
 *
 * @param shape label of the cluster shape ("heavy", or "custom" for {@code --nodes})
 * @param gpusPerNode the mock cluster, one entry per node
 * @param clients dashboard clients to connect (0 measures an idle hub)
 * @param view "all" (every node in detail), "overview" (summaries only) or "auto"
 * @param fields "card" (what the cluster view shows, as the dashboard asks) or "full"
 * @param compression the hub's permessage-deflate mode; clients offer deflate unless it is off
 * @param split run the mock cluster and the hub in processes of their own
 * @param history whether the hub it starts keeps history (it does by default)
 * @param hub a hub already running ({@code ws://host:port/ws}); null starts one
 */
public record LoadTestConfig(
    String shape,
    List<Integer> gpusPerNode,
    int clients,
    double durationS,
    double warmupS,
    double intervalS,
    String view,
    String fields,
    Compression compression,
    boolean split,
    URI hub,
    Path json,
    long seed,
    boolean history) {

  public LoadTestConfig {
    gpusPerNode = List.copyOf(gpusPerNode);
  }

  public int nodes() {
    return gpusPerNode.size();
  }

  public int gpus() {
    return gpusPerNode.stream().mapToInt(Integer::intValue).sum();
  }
}
