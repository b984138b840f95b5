package io.gpuhot.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one node message changed in the hub's state. The state is updated in place, field by
 * field, so values that did not change keep their objects (the freshly parsed ones are garbage at
 * once, which keeps the collector's work small); what did change is recorded here, and the deltas
 * for dashboards are written from it.
 */
final class Changes {
  /** One field that changed: its value before and after (null when absent). */
  record Field(String key, JsonNode before, JsonNode after) {}

  static final Changes NONE = new Changes();

  final Map<String, List<Field>> gpus = new LinkedHashMap<>();
  final Map<String, ObjectNode> added = new LinkedHashMap<>();
  final List<String> removed = new ArrayList<>();
  final List<Field> system = new ArrayList<>();
  boolean processes;

  boolean gpuCountChanged() {
    return !added.isEmpty() || !removed.isEmpty();
  }

  /** Merges a fresh message into the entry's state and returns what changed. */
  static Changes merge(NodeEntry e, NodeMessage m) {
    var c = new Changes();
    for (var gpu : m.gpus().entrySet()) {
      ObjectNode current = e.gpus.get(gpu.getKey());
      if (current == null) {
        e.gpus.put(gpu.getKey(), gpu.getValue());
        c.added.put(gpu.getKey(), gpu.getValue());
        continue;
      }
      var fields = mergeObject(current, gpu.getValue());
      if (!fields.isEmpty()) {
        c.gpus.put(gpu.getKey(), fields);
      }
    }
    if (e.gpus.size() != m.gpus().size()) {
      for (Iterator<String> it = e.gpus.keySet().iterator(); it.hasNext(); ) {
        String id = it.next();
        if (!m.gpus().containsKey(id)) {
          it.remove();
          c.removed.add(id);
        }
      }
    }
    c.system.addAll(mergeObject(e.system, m.system()));
    if (!e.processes.equals(m.processes())) {
      e.processes = m.processes();
      c.processes = true;
    }
    return c;
  }

  /** Sets into {@code current} each field of {@code next} that differs, and drops the absent. */
  static List<Field> mergeObject(ObjectNode current, ObjectNode next) {
    List<Field> changed = List.of();
    for (Iterator<Map.Entry<String, JsonNode>> it = next.fields(); it.hasNext(); ) {
      var f = it.next();
      JsonNode before = current.get(f.getKey());
      if (before == null || !before.equals(f.getValue())) {
        current.set(f.getKey(), f.getValue());
        if (changed.isEmpty()) {
          changed = new ArrayList<>();
        }
        changed.add(new Field(f.getKey(), before, f.getValue()));
      }
    }
    if (current.size() > next.size()) {
      var gone = new ArrayList<String>();
      current.fieldNames().forEachRemaining(k -> {
        if (!next.has(k)) {
          gone.add(k);
        }
      });
      for (String k : gone) {
        if (changed.isEmpty()) {
          changed = new ArrayList<>();
        }
        changed.add(new Field(k, current.remove(k), null));
      }
    }
    return changed;
  }
}
