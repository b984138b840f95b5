package io.gpuhot.mock;

import java.util.Collections;
import java.util.List;
import java.util.Locale;

/** The cluster shapes the demo and the load test know by name. */
public enum Preset {
  LIGHT(List.of(2, 4, 8)),
  MEDIUM(Collections.nCopies(8, 8)),
  HEAVY(Collections.nCopies(20, 8)),
  HUGE(Collections.nCopies(1000, 8));

  private final List<Integer> gpusPerNode;

  Preset(List<Integer> gpusPerNode) {
    this.gpusPerNode = gpusPerNode;
  }

  public List<Integer> gpusPerNode() {
    return gpusPerNode;
  }

  public int nodes() {
    return gpusPerNode.size();
  }

  public int gpus() {
    return gpusPerNode.stream().mapToInt(Integer::intValue).sum();
  }

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses a preset name, case-insensitively; the message lists the names that exist. */
  public static Preset parse(String name) {
    for (Preset p : values()) {
      if (p.name().equalsIgnoreCase(name.trim())) {
        return p;
      }
    }
    throw new IllegalArgumentException("unknown preset; expected light, medium, heavy or huge");
  }
}
