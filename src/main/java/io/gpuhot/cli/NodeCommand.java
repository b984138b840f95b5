package io.gpuhot.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(
    name = "node",
    mixinStandardHelpOptions = true,
    description = "Samples this machine's GPUs and serves the dashboard, API and stream on port 1312.")
final class NodeCommand implements Callable<Integer> {
  private final Settings settings;

  NodeCommand(Settings settings) {
    this.settings = settings;
  }

  @Override
  public Integer call() {
    throw new ConfigException("node mode is not built yet in this version");
  }
}
