package io.gpuhot.smi;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Polls nvidia-smi for one node: one run at a time, each under a hard timeout, with the GPU query
 * narrowed (and remembered) when the driver refuses a field.
 *
 * <p>Blocking: call it from a worker thread, never from an event loop. A call made while another
 * is still running, or while a process killed by an earlier timeout is still alive, does not
 * start nvidia-smi again: it returns at once with a "still busy" error, so stuck processes never
 * pile up. Thread-safe.
 */
public final class SmiRunner {
  /** The timeout GPU Hot has always used for one nvidia-smi call. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

  private static final Logger log = LoggerFactory.getLogger(SmiRunner.class);
  /** Field drops after which the driver is taken to be old and the basic query is used. */
  static final int DROPS_BEFORE_BASIC = 4;
  /** More rounds than fields in both queries together: every round drops one field. */
  private static final int MAX_ROUNDS = 48;

  private final List<String> command;
  private final Duration timeout;
  private final SmiParser parser = new SmiParser();
  private final WarnOnce warnings = new WarnOnce(log);
  private final ReentrantLock running = new ReentrantLock();
  private volatile SmiQuery gpuQuery = SmiQuery.gpus();
  private List<ProcessHandle> survivors = List.of();
  private final Map<SmiQuery.Target, String> lastErrors = new EnumMap<>(SmiQuery.Target.class);

  /** A runner for {@code nvidia-smi} on the PATH with the default 10 s timeout. */
  public SmiRunner() {
    this(List.of("nvidia-smi"), DEFAULT_TIMEOUT);
  }

  /**
   * A runner for the given program and leading arguments (the query arguments are appended).
   *
   * @param timeout the hard limit for one nvidia-smi process, after which its tree is killed
   */
  public SmiRunner(List<String> command, Duration timeout) {
    if (command.isEmpty() || timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("need a command and a positive timeout");
    }
    this.command = List.copyOf(command);
    this.timeout = timeout;
  }

  /** Reads all GPUs; see {@link SmiResult} for what a failed or partial read looks like. */
  public SmiResult pollGpus() {
    return locked(gpuQuery, this::readGpus);
  }

  /** Lists compute processes with {@link SmiQuery#processes()}. */
  public SmiResult pollProcesses() {
    SmiQuery q = SmiQuery.processes();
    return locked(q, () -> once(q));
  }

  /** The GPU query the next poll will use: narrower than the full one on old drivers. */
  public SmiQuery gpuQuery() {
    return gpuQuery;
  }

  private SmiResult locked(SmiQuery query, Supplier<SmiResult> work) {
    if (!running.tryLock()) {
      return SmiResult.failed(query, "the previous nvidia-smi run is still busy; poll skipped",
          false, Duration.ZERO);
    }
    try {
      long start = System.nanoTime();
      String stuck = stuck();
      SmiResult r = stuck != null ? SmiResult.failed(query, stuck, false, Duration.ZERO)
          : work.get();
      report(r);
      return r.took(Duration.ofNanos(System.nanoTime() - start));
    } finally {
      running.unlock();
    }
  }

  /** Why no new process may start yet: one from an earlier timeout refuses to die. */
  private String stuck() {
    var alive = new ArrayList<ProcessHandle>();
    for (ProcessHandle h : survivors) {
      if (ProcessRun.alive(h)) {
        h.destroyForcibly();
        alive.add(h);
      }
    }
    survivors = alive;
    return alive.isEmpty() ? null
        : "an earlier nvidia-smi (pid " + alive.get(0).pid() + ") is still alive after being"
            + " killed, probably stuck in the driver; poll skipped";
  }

  private SmiResult readGpus() {
    SmiQuery q = gpuQuery;
    for (int round = 0; ; round++) {
      ProcessRun.Outcome o = run(q);
      if (o.failure() != null) {
        return SmiResult.failed(q, o.failure(), o.timedOut(), Duration.ZERO);
      }
      String field = Messages.invalidField(o.stdout() + "\n" + o.stderr());
      SmiQuery next = field == null || round >= MAX_ROUNDS ? null : narrower(q, field);
      if (next == null) {
        return parser.parse(q, o.exit(), o.stdout(), o.stderr());
      }
      warnings.warn("refused:" + field,
          "nvidia-smi refuses query field {}; querying {}{} fields from now on", field,
          next.isBasic() && !q.isBasic() ? "the basic " : "", next.fields().size());
      q = next;
      gpuQuery = q;
    }
  }

  /**
   * The query to retry with after {@code field} was refused, or null when there is none: the
   * refused field is dropped; after {@link #DROPS_BEFORE_BASIC} drops, or when the driver names
   * a field that was not asked for, the basic query is used instead.
   */
  static SmiQuery narrower(SmiQuery q, String field) {
    boolean asked = q.fields().contains(field);
    if (field.equals("index") || (asked && q.fields().size() == 1)) {
      return null;
    }
    SmiQuery dropped = asked ? q.without(field) : q;
    if (q.isBasic()) {
      return asked ? dropped : null;
    }
    if (!asked || dropped.unsupported().size() >= DROPS_BEFORE_BASIC) {
      return dropped.basic();
    }
    return dropped;
  }

  private SmiResult once(SmiQuery q) {
    ProcessRun.Outcome o = run(q);
    return o.failure() != null
        ? SmiResult.failed(q, o.failure(), o.timedOut(), Duration.ZERO)
        : parser.parse(q, o.exit(), o.stdout(), o.stderr());
  }

  private ProcessRun.Outcome run(SmiQuery q) {
    var argv = new ArrayList<>(command);
    argv.addAll(q.arguments());
    ProcessRun.Outcome o = ProcessRun.run(argv, timeout);
    survivors = o.survivors();
    return o;
  }

  /**
   * Notes a problem when it appears or changes and once when it clears, not on every poll; at
   * debug level, since the caller decides what the user hears (a failed start-up probe is part
   * of one combined line, a failing poll is its caller's warning).
   */
  private void report(SmiResult r) {
    String last = lastErrors.get(r.query().target());
    if (r.error() != null && !r.error().equals(last)) {
      log.debug("{}", r.error());
    } else if (r.error() == null && last != null) {
      log.debug("nvidia-smi answers again");
    }
    lastErrors.put(r.query().target(), r.error());
  }
}
