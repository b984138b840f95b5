package io.gpuhot.smi;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs one external command with a hard deadline. A wedged nvidia-smi may ignore SIGTERM and
 * leave a child holding its stdout open, so the output is read on separate threads that are
 * never waited for without a bound, and on timeout the whole process tree is killed.
 */
final class ProcessRun {
  /** More than any nvidia-smi answer; keeps a runaway child from filling the heap. */
  static final int MAX_OUTPUT = 1 << 20;
  /** How long readers may lag behind an exited process before their output is cut off. */
  private static final Duration DRAIN_GRACE = Duration.ofMillis(500);
  /** How long killed descendants get to die, so that their own parent can reap them. */
  private static final Duration CHILD_KILL_WAIT = Duration.ofMillis(300);
  private static final Duration PARENT_KILL_WAIT = Duration.ofMillis(700);
  private static final int KILL_ROUNDS = 3;

  /**
   * How a run ended.
   *
   * @param exit the exit status, or -1 when the process did not exit by itself
   * @param failure why the run produced no answer (not started, timed out), else null
   * @param survivors processes of the tree still alive after being killed
   */
  record Outcome(
      int exit, String stdout, String stderr, boolean timedOut, String failure,
      List<ProcessHandle> survivors) {}

  private ProcessRun() {}

  /** Runs {@code command} with {@code LC_ALL=C}; returns within roughly timeout + 1.5 s. */
  static Outcome run(List<String> command, Duration timeout) {
    var builder = new ProcessBuilder(command);
    // nvidia-smi prints '.' decimals today; this keeps it so if it ever localises.
    builder.environment().put("LC_ALL", "C");
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      return new Outcome(-1, "", "", false, notStarted(command.get(0), e), List.of());
    }
    closeQuietly(process);
    var out = Drain.start(process.getInputStream(), "nvidia-smi-stdout");
    var err = Drain.start(process.getErrorStream(), "nvidia-smi-stderr");
    try {
      if (process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
        out.await(DRAIN_GRACE);
        err.await(DRAIN_GRACE);
        return new Outcome(process.exitValue(), out.text(), err.text(), false, null, List.of());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Outcome(-1, out.text(), err.text(), false,
          command.get(0) + " was interrupted and killed", killTree(process));
    }
    List<ProcessHandle> survivors = killTree(process);
    return new Outcome(-1, out.text(), err.text(), true,
        command.get(0) + " did not answer within " + seconds(timeout)
            + "; its process tree was killed", survivors);
  }

  private static void closeQuietly(Process process) {
    try {
      process.getOutputStream().close();
    } catch (IOException e) {
      // Nothing is written to nvidia-smi; a failed close of its stdin changes nothing.
    }
  }

  private static String notStarted(String program, IOException e) {
    String why = String.valueOf(e.getMessage());
    boolean bare = !program.contains("/") && !program.contains("\\");
    if (why.contains("error=2,") || why.contains("No such file")) {
      return program + (bare ? " not found on PATH" : " not found");
    }
    if (why.contains("error=13,")) {
      return program + " is not executable (permission denied)";
    }
    return "could not start " + program + ": " + why;
  }

  private static String seconds(Duration d) {
    long ms = d.toMillis();
    return ms % 1000 == 0 ? (ms / 1000) + " s" : ms + " ms";
  }

  /**
   * Kills the process and everything it started, children first so that the still-living parent
   * reaps them (an orphan whose new parent never reaps it lingers as a zombie). Returns what is
   * still alive afterwards, such as a process stuck in uninterruptible sleep.
   */
  static List<ProcessHandle> killTree(Process process) {
    Set<ProcessHandle> tree = new LinkedHashSet<>();
    for (int round = 0; round < KILL_ROUNDS; round++) {
      int before = tree.size();
      process.descendants().forEach(tree::add);
      for (ProcessHandle h : new ArrayList<>(tree)) {
        h.descendants().forEach(tree::add);
      }
      tree.forEach(ProcessHandle::destroyForcibly);
      if (tree.size() == before) {
        break;
      }
    }
    awaitExit(tree, CHILD_KILL_WAIT);
    process.destroyForcibly();
    tree.add(process.toHandle());
    awaitExit(tree, PARENT_KILL_WAIT);
    var survivors = new ArrayList<ProcessHandle>();
    for (ProcessHandle h : tree) {
      if (alive(h)) {
        survivors.add(h);
      }
    }
    return survivors;
  }

  private static void awaitExit(Set<ProcessHandle> handles, Duration limit) {
    var exits = handles.stream().map(ProcessHandle::onExit).toArray(CompletableFuture[]::new);
    try {
      CompletableFuture.allOf(exits).get(limit.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException | ExecutionException e) {
      // Whoever is still alive is reported by the caller's survivor check.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Whether the process still runs. A zombie does not: it holds no pipe and no GPU, it only
   * waits for a parent that may never reap it (PID 1 in many containers), yet {@link
   * ProcessHandle#isAlive()} reports it alive.
   */
  static boolean alive(ProcessHandle h) {
    return h.isAlive() && !zombie(h.pid());
  }

  private static boolean zombie(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      int close = stat.lastIndexOf(')');
      return close >= 0 && close + 2 < stat.length() && stat.charAt(close + 2) == 'Z';
    } catch (IOException | RuntimeException e) {
      // No procfs (not Linux) or the process is gone: trust isAlive().
      return false;
    }
  }

  /** Copies a stream into memory on its own thread, so no caller ever blocks on the pipe. */
  private static final class Drain implements Runnable {
    private final InputStream in;
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    private final Thread thread;

    private Drain(InputStream in, String name) {
      this.in = in;
      this.thread = new Thread(this, name);
      thread.setDaemon(true);
    }

    static Drain start(InputStream in, String name) {
      var d = new Drain(in, name);
      d.thread.start();
      return d;
    }

    @Override
    public void run() {
      var chunk = new byte[8192];
      try (in) {
        for (int n; (n = in.read(chunk)) >= 0; ) {
          synchronized (buffer) {
            // Keep draining past the cap so the writer never blocks on a full pipe.
            int room = MAX_OUTPUT - buffer.size();
            buffer.write(chunk, 0, Math.max(0, Math.min(n, room)));
          }
        }
      } catch (IOException e) {
        // The pipe broke (process killed); what was read so far is all there is.
      }
    }

    void await(Duration limit) throws InterruptedException {
      thread.join(Math.max(1, limit.toMillis()));
    }

    String text() {
      synchronized (buffer) {
        return buffer.toString(StandardCharsets.UTF_8);
      }
    }
  }
}
