package io.gpuhot.node;

import java.util.List;
import java.util.Map;

/** The source of a machine without readable GPUs: reports none, and says why. */
final class NoGpuSource implements GpuSource {
  private final String reason;

  NoGpuSource(String reason) {
    this.reason = reason;
  }

  @Override
  public Reading read() {
    return new Reading(Map.of(), List.of());
  }

  @Override
  public String describe() {
    return "no GPUs";
  }

  @Override
  public String problem() {
    return reason;
  }
}
