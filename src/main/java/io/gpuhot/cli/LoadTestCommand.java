package io.gpuhot.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "loadtest", mixinStandardHelpOptions = true,
    description = "Measures end-to-end latency, bandwidth and hub cost against a mock cluster.")
final class LoadTestCommand implements Callable<Integer> {
  private final Settings settings;

  LoadTestCommand(Settings settings) {
    this.settings = settings;
  }

  @Override
  public Integer call() {
    throw new ConfigException("loadtest is not built yet in this version");
  }
}
