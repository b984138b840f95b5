package io.gpuhot.loadtest;

import io.gpuhot.support.ProcessStats;
import java.net.URI;

/** A hub someone else runs: only what the clients see is measured. */
final class ExternalTarget implements Target {
  private final URI stream;

  ExternalTarget(URI hub) {
    String path = hub.getPath() == null || hub.getPath().isEmpty() || hub.getPath().equals("/")
        ? "/ws" : hub.getPath();
    this.stream = URI.create(hub.getScheme() + "://" + hub.getAuthority() + path);
  }

  @Override
  public URI stream() {
    return stream;
  }

  @Override
  public String where() {
    return "hub at " + stream + " (not measured)";
  }

  @Override
  public double hubCpuSeconds() {
    return -1;
  }

  @Override
  public double mockCpuSeconds() {
    return -1;
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
  public void close() {}
}
