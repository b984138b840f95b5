package io.gpuhot.smi;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one nvidia-smi poll produced: GPUs in GPU Hot's wire format (or process entries for a
 * process query), the problems found, and how the run went.
 *
 * <p>A GPU that nvidia-smi could not read is still listed, with an {@code "error"} field holding
 * the reason; the same reason is in {@link #gpuErrors()}. When nothing could be read at all,
 * {@link #gpus()} is empty and {@link #error()} says why in one sentence.
 *
 * @param query the query that produced this result, including the fields the driver refused
 * @param gpus per-GPU objects keyed by the GPU index as a string, ordered by index
 * @param processes process entries of a process query; empty for a GPU query
 * @param gpuErrors per-GPU problems keyed like {@code gpus}, e.g. "GPU requires reset"
 * @param error the node-level problem when no GPU could be read, else null
 * @param timedOut whether nvidia-smi was killed for not answering in time
 * @param duration how long the poll took, retries included
 */
public record SmiResult(
    SmiQuery query,
    Map<String, ObjectNode> gpus,
    List<ObjectNode> processes,
    Map<String, String> gpuErrors,
    String error,
    boolean timedOut,
    Duration duration) {

  /** Freezes the collections; the JSON objects themselves stay the caller's to use. */
  public SmiResult {
    gpus = Collections.unmodifiableMap(new LinkedHashMap<>(gpus));
    processes = List.copyOf(processes);
    gpuErrors = Collections.unmodifiableMap(new LinkedHashMap<>(gpuErrors));
  }

  /** A poll that read nothing, for the given reason. */
  static SmiResult failed(SmiQuery query, String error, boolean timedOut, Duration duration) {
    return new SmiResult(query, Map.of(), List.of(), Map.of(), error, timedOut, duration);
  }

  /** True when nvidia-smi answered and no node-level error was found. */
  public boolean ok() {
    return error == null && !timedOut;
  }

  /** The same result, timed. */
  SmiResult took(Duration d) {
    return new SmiResult(query, gpus, processes, gpuErrors, error, timedOut, d);
  }
}
