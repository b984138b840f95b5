package io.gpuhot.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A node message after normalisation: the shapes of the Java node, the original Python node and
 * the original's mock node all become one, so the rest of the hub sees one format.
 *
 * <p>What changes: integer {@code index}, {@code pid} and {@code gpu_id} become strings; {@code
 * pstate} becomes {@code performance_state}; a list of throttle reasons becomes the comma-joined
 * string ("None" when empty); the fallback's {@code clock_max_x} becomes {@code clock_x_max};
 * {@code gpu_memory} becomes {@code memory}; the mock's system {@code memory_used}/{@code
 * memory_total} become {@code memory_used_gb}/{@code memory_total_gb}; values that say "not
 * available" (NaN, Infinity, "N/A", "[Not Supported]") are dropped, because missing is not zero.
 *
 * @param name the reported node name, or null when the node sent none or an empty one
 * @param seq the node's sample counter, or -1 when it sends none
 * @param sampledAtMs when the node took the sample (epoch ms), or NaN when it does not say
 * @param intervalS the node's own update interval, or NaN when it does not say
 * @param error the node's own problem reading its GPUs (driver missing...), or null
 */
record NodeMessage(
    String name,
    long seq,
    double sampledAtMs,
    double intervalS,
    Map<String, ObjectNode> gpus,
    ArrayNode processes,
    ObjectNode system,
    String freshness,
    String error) {

  private static final Set<String> NOT_AVAILABLE =
      Set.of("N/A", "[N/A]", "n/a", "[Not Supported]", "Not Supported", "[Unknown Error]", "");
  private static final Set<String> STRING_FIELDS =
      Set.of("index", "pcie_gen", "pcie_gen_max", "pcie_width", "pcie_width_max");
  private static final Map<String, String> RENAMED_GPU_FIELDS =
      Map.of(
          "pstate", "performance_state",
          "clock_max_graphics", "clock_graphics_max",
          "clock_max_sm", "clock_sm_max",
          "clock_max_memory", "clock_memory_max");

  /** A message that cannot be read as a node message; the text says why. */
  static final class Malformed extends Exception {
    Malformed(String message) {
      super(message);
    }
  }

  /** Normalises a parsed node message, or says why it is not one. */
  static NodeMessage of(JsonNode root) throws Malformed {
    if (!(root instanceof ObjectNode msg)) {
      throw new Malformed("expected a JSON object, got " + kind(root));
    }
    if ("hub".equals(msg.path("mode").asText())) {
      throw new Malformed("this URL is a hub, not a node");
    }
    JsonNode gpus = msg.get("gpus");
    if (!(gpus instanceof ObjectNode gpuObject)) {
      throw new Malformed("\"gpus\" must be an object, got " + kind(gpus));
    }
    var normalised = new LinkedHashMap<String, ObjectNode>();
    for (Iterator<Map.Entry<String, JsonNode>> it = gpuObject.fields(); it.hasNext(); ) {
      var e = it.next();
      if (!(e.getValue() instanceof ObjectNode gpu)) {
        throw new Malformed("GPU \"" + e.getKey() + "\" must be an object, got " + kind(e.getValue()));
      }
      normalised.put(e.getKey(), gpu(gpu));
    }
    String name = msg.path("node_name").asText("");
    return new NodeMessage(
        name.isBlank() ? null : name,
        msg.path("seq").canConvertToLong() ? msg.path("seq").asLong() : -1,
        number(msg.get("sampled_at_ms")),
        number(msg.get("update_interval")),
        normalised,
        processes(msg.get("processes")),
        system(msg.get("system")),
        freshness(msg, normalised),
        msg.hasNonNull("error") ? msg.get("error").asText() : null);
  }

  private static String kind(JsonNode n) {
    return n == null || n.isMissingNode() ? "nothing" : n.getNodeType().name().toLowerCase();
  }

  private static double number(JsonNode n) {
    return n != null && n.isNumber() && Double.isFinite(n.asDouble()) ? n.asDouble() : Double.NaN;
  }

  /**
   * What tells one sample from the next: the node's sample time, its counter, or else the GPUs'
   * own timestamps. Null when the message carries none of these.
   */
  private static String freshness(ObjectNode msg, Map<String, ObjectNode> gpus) {
    for (String key : new String[] {"sampled_at_ms", "seq"}) {
      JsonNode n = msg.get(key);
      if (n != null && n.isValueNode()) {
        return n.asText();
      }
    }
    for (ObjectNode gpu : gpus.values()) {
      JsonNode ts = gpu.get("timestamp");
      if (ts != null && ts.isTextual()) {
        return ts.asText();
      }
    }
    return null;
  }

  /**
   * Normalises one parsed GPU object in place (the tree is fresh and ours): most fields stay as
   * they are, so changing the few that need it is cheaper than copying every field.
   */
  private static ObjectNode gpu(ObjectNode in) {
    List<String> drop = null;
    List<Map.Entry<String, JsonNode>> put = null;
    for (Iterator<Map.Entry<String, JsonNode>> it = in.fields(); it.hasNext(); ) {
      var e = it.next();
      String key = RENAMED_GPU_FIELDS.getOrDefault(e.getKey(), e.getKey());
      JsonNode value = e.getValue();
      JsonNode fixed = value;
      if (key.equals("throttle_reasons") && value.isArray()) {
        fixed = throttleText((ArrayNode) value);
      } else if (STRING_FIELDS.contains(key) && value.isNumber()) {
        fixed = TextNode.valueOf(value.asText());
      }
      boolean renamed = !key.equals(e.getKey());
      if (renamed || !available(fixed)) {
        drop = add(drop, e.getKey());
      }
      if (available(fixed) && (renamed ? !in.has(key) : fixed != value)) {
        put = add(put, Map.entry(key, fixed));
      }
    }
    if (drop != null) {
      in.remove(drop);
    }
    if (put != null) {
      put.forEach(e -> in.set(e.getKey(), e.getValue()));
    }
    return in;
  }

  private static <T> List<T> add(List<T> list, T item) {
    var l = list == null ? new ArrayList<T>() : list;
    l.add(item);
    return l;
  }

  private static JsonNode throttleText(ArrayNode reasons) {
    var parts = new StringBuilder();
    for (JsonNode r : reasons) {
      if (r.isTextual() && !r.asText().isBlank()) {
        parts.append(parts.length() == 0 ? "" : ", ").append(r.asText());
      }
    }
    return TextNode.valueOf(parts.length() == 0 ? "None" : parts.toString());
  }

  private static boolean available(JsonNode v) {
    if (v == null || v.isNull()) {
      return false;
    }
    if (v.isNumber()) {
      return Double.isFinite(v.asDouble());
    }
    return !v.isTextual() || !NOT_AVAILABLE.contains(v.asText().trim());
  }

  private static ArrayNode processes(JsonNode in) {
    var out = JsonNodeFactory.instance.arrayNode();
    if (in == null || !in.isArray()) {
      return out;
    }
    for (JsonNode p : in) {
      if (!(p instanceof ObjectNode proc)) {
        continue;
      }
      var o = JsonNodeFactory.instance.objectNode();
      for (Iterator<Map.Entry<String, JsonNode>> it = proc.fields(); it.hasNext(); ) {
        var e = it.next();
        String key = e.getKey().equals("gpu_memory") && !proc.has("memory") ? "memory" : e.getKey();
        JsonNode v = e.getValue();
        if ((key.equals("pid") || key.equals("gpu_id")) && v.isNumber()) {
          v = TextNode.valueOf(v.asText());
        }
        if (available(v)) {
          o.set(key, v);
        }
      }
      out.add(o);
    }
    return out;
  }

  private static ObjectNode system(JsonNode in) {
    var out = JsonNodeFactory.instance.objectNode();
    if (!(in instanceof ObjectNode sys)) {
      return out;
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = sys.fields(); it.hasNext(); ) {
      var e = it.next();
      String key = e.getKey();
      if ((key.equals("memory_used") || key.equals("memory_total")) && !sys.has(key + "_gb")) {
        key = key + "_gb";
      }
      if (available(e.getValue())) {
        out.set(key, e.getValue());
      }
    }
    return out;
  }
}
