package io.gpuhot.node;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gpuhot.smi.SmiResult;
import io.gpuhot.smi.SmiRunner;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * GPUs read through nvidia-smi, polled on a thread of its own every few seconds; a read returns
 * the newest poll at once, so a slow or hung nvidia-smi never holds up the node's sampling. A
 * poll that times out keeps the previous values and reports the problem.
 */
final class SmiSource implements GpuSource {
  private static final Logger log = LoggerFactory.getLogger(SmiSource.class);

  private final SmiRunner runner;
  private final Predicate<ObjectNode> wanted;
  private final ScheduledExecutorService poller;
  private volatile Reading latest = new Reading(Map.of(), List.of());
  private volatile String problem;
  private volatile Instant lastGood;
  private String loggedProblem;

  /** Starts polling at once; {@code wanted} picks the GPUs this source reports. */
  SmiSource(SmiRunner runner, double intervalS, Predicate<ObjectNode> wanted) {
    this.runner = runner;
    this.wanted = wanted;
    this.poller = Executors.newSingleThreadScheduledExecutor(r -> {
      var t = new Thread(r, "nvidia-smi");
      t.setDaemon(true);
      return t;
    });
    poller.scheduleWithFixedDelay(this::poll, 0, Math.round(intervalS * 1000), TimeUnit.MILLISECONDS);
  }

  /** Runs nvidia-smi once on the calling thread; for the start-up decision. */
  static SmiResult probe(SmiRunner runner) {
    return runner.pollGpus();
  }

  private void poll() {
    try {
      SmiResult gpus = runner.pollGpus();
      if (!gpus.ok()) {
        report(gpus.timedOut()
            ? "nvidia-smi did not answer in time; showing the values of " + lastGood
            : gpus.error());
        return;
      }
      SmiResult procs = runner.pollProcesses();
      latest = reading(gpus, procs.ok() ? procs.processes() : List.of());
      lastGood = Instant.now();
      report(null);
    } catch (RuntimeException e) {
      log.warn("nvidia-smi poll failed; the next one runs as planned", e);
    }
  }

  private void report(String now) {
    problem = now;
    if (now != null && !now.equals(loggedProblem)) {
      log.warn("nvidia-smi: {}", now);
    } else if (now == null && loggedProblem != null) {
      log.info("nvidia-smi answers again");
    }
    loggedProblem = now;
  }

  private Reading reading(SmiResult gpus, List<ObjectNode> processes) {
    var out = new LinkedHashMap<String, ObjectNode>();
    var byUuid = new HashMap<String, String>();
    for (var e : gpus.gpus().entrySet()) {
      if (wanted.test(e.getValue())) {
        out.put(e.getKey(), e.getValue());
        if (e.getValue().hasNonNull("uuid")) {
          byUuid.put(e.getValue().get("uuid").asText(), e.getKey());
        }
      }
    }
    var procs = new ArrayList<Process>();
    for (var p : processes) {
      String uuid = p.path("gpu_uuid").asText(null);
      String index = uuid == null ? null : byUuid.get(uuid);
      if (index == null) {
        continue;
      }
      long pid;
      try {
        pid = Long.parseLong(p.get("pid").asText());
      } catch (NumberFormatException e) {
        continue;
      }
      Double mem = p.path("memory").isNumber() ? p.get("memory").asDouble() : null;
      procs.add(new Process(pid, mem, index, uuid, "compute"));
    }
    return new Reading(out, procs);
  }

  @Override
  public Reading read() {
    return latest;
  }

  @Override
  public String describe() {
    return "nvidia-smi";
  }

  @Override
  public String problem() {
    return problem;
  }

  @Override
  public void close() {
    poller.shutdownNow();
  }
}
