package io.gpuhot.smi;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * One nvidia-smi CSV query: what it asks for ({@code --query-gpu} or {@code --query-compute-apps}),
 * the fields in column order, and the fields this driver refused and that were therefore dropped.
 *
 * @param target which nvidia-smi query option the fields belong to
 * @param fields the queried fields, in the order nvidia-smi prints their columns
 * @param unsupported fields the driver rejected as "not a valid field to query"; never queried
 */
public record SmiQuery(Target target, List<String> fields, Set<String> unsupported) {

  /** The nvidia-smi option a query is passed with. */
  public enum Target {
    /** One row per GPU. */
    GPU("--query-gpu"),
    /** One row per compute process. */
    COMPUTE_APPS("--query-compute-apps");

    private final String option;

    Target(String option) {
      this.option = option;
    }
  }

  /** GPU Hot's full per-GPU query: 31 columns, the shape all full-query fixtures answer. */
  static final List<String> FULL_FIELDS =
      List.of(
          "index", "name", "uuid", "driver_version", "vbios_version", "temperature.gpu",
          "utilization.gpu", "utilization.memory", "memory.used", "memory.total", "memory.free",
          "power.draw", "power.limit", "fan.speed", "clocks.gr", "clocks.sm", "clocks.mem",
          "clocks.max.gr", "clocks.max.sm", "clocks.max.mem", "pcie.link.gen.current",
          "pcie.link.gen.max", "pcie.link.width.current", "pcie.link.width.max",
          "encoder.stats.sessionCount", "encoder.stats.averageFps",
          "encoder.stats.averageLatency", "pstate", "compute_mode", "utilization.encoder",
          "utilization.decoder");

  /** GPU Hot's 14-column basic query, answered by old drivers that refuse the full one. */
  static final List<String> BASIC_FIELDS =
      List.of(
          "index", "name", "temperature.gpu", "utilization.gpu", "utilization.memory",
          "memory.used", "memory.total", "power.draw", "power.limit", "fan.speed", "clocks.gr",
          "clocks.sm", "clocks.mem", "pstate");

  /** Per-process query: enough to list compute processes when NVML cannot. */
  static final List<String> PROCESS_FIELDS =
      List.of("pid", "process_name", "gpu_uuid", "used_gpu_memory");

  /** The output format every query uses: no header line, no unit suffixes. */
  static final String FORMAT = "--format=csv,noheader,nounits";

  /** Copies the lists so a query can be shared between threads. */
  public SmiQuery {
    if (fields.isEmpty()) {
      throw new IllegalArgumentException("a query needs at least one field");
    }
    fields = List.copyOf(fields);
    unsupported = Collections.unmodifiableSet(new LinkedHashSet<>(unsupported));
  }

  /** The full 31-column GPU query. */
  public static SmiQuery gpus() {
    return new SmiQuery(Target.GPU, FULL_FIELDS, Set.of());
  }

  /** The compute-process query ({@code pid,process_name,gpu_uuid,used_gpu_memory}). */
  public static SmiQuery processes() {
    return new SmiQuery(Target.COMPUTE_APPS, PROCESS_FIELDS, Set.of());
  }

  /**
   * Reads a query as written on a command line or in a fixture's {@code query=} line: either a
   * bare field list (a GPU query) or {@code --query-gpu=...} / {@code --query-compute-apps=...}.
   */
  static SmiQuery of(String text) {
    String list = text.trim();
    Target target = Target.GPU;
    for (Target t : Target.values()) {
      if (list.startsWith(t.option + "=")) {
        target = t;
        list = list.substring(t.option.length() + 1);
      }
    }
    var fields = new ArrayList<String>();
    for (String f : list.split(",")) {
      if (!f.isBlank()) {
        fields.add(f.trim());
      }
    }
    return new SmiQuery(target, fields, Set.of());
  }

  /** The nvidia-smi arguments for this query, e.g. {@code --query-gpu=index,... --format=...}. */
  public List<String> arguments() {
    return List.of(target.option + "=" + String.join(",", fields), FORMAT);
  }

  /** Whether this is the basic GPU query (or what is left of it after dropped fields). */
  boolean isBasic() {
    return target == Target.GPU && BASIC_FIELDS.containsAll(fields);
  }

  /** This query without a field the driver refused; the field is remembered as unsupported. */
  SmiQuery without(String field) {
    var kept = new ArrayList<>(fields);
    kept.remove(field);
    var refused = new LinkedHashSet<>(unsupported);
    refused.add(field);
    return new SmiQuery(target, kept, refused);
  }

  /** The basic GPU query, less the fields already known to be unsupported. */
  SmiQuery basic() {
    var kept = new ArrayList<>(BASIC_FIELDS);
    kept.removeAll(unsupported);
    return new SmiQuery(Target.GPU, kept, unsupported);
  }
}
