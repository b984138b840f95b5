package io.gpuhot.node;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;

/**
 * The GPUs a node shows, as {@code NVIDIA_VISIBLE_DEVICES} names them: {@code all} (or nothing),
 * {@code none}/{@code void}, or a comma-separated list of indices and UUIDs.
 */
public record Devices(boolean none, List<String> ids) {
  public static final Devices ALL = new Devices(false, List.of());

  public static Devices parse(String spec) {
    String s = spec == null ? "" : spec.trim();
    switch (s.toLowerCase(Locale.ROOT)) {
      case "", "all" -> {
        return ALL;
      }
      case "none", "void" -> {
        return new Devices(true, List.of());
      }
      default -> {
        var ids = List.of(s.split("\\s*,\\s*"));
        for (String id : ids) {
          if (!id.matches("\\d+") && !id.startsWith("GPU-") && !id.startsWith("MIG-")) {
            throw new IllegalArgumentException("expected all, none, or GPU indices and UUIDs "
                + "separated by commas, such as 0,1 or GPU-8d3f…");
          }
        }
        return new Devices(false, ids);
      }
    }
  }

  boolean all() {
    return !none && ids.isEmpty();
  }

  /** Whether a GPU with this index and UUID is shown. */
  boolean shows(String index, String uuid) {
    if (none) {
      return false;
    }
    return ids.isEmpty() || ids.contains(index) || uuid != null && ids.contains(uuid);
  }

  Predicate<ObjectNode> filter() {
    return g -> shows(g.path("index").asText(null), g.path("uuid").asText(null));
  }
}
