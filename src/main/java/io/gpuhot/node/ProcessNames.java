package io.gpuhot.node;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Names GPU processes from {@code /proc/<pid>/cmdline} the way a person would: the executable's
 * basename, or, when the executable is an interpreter, the script or module it runs ({@code
 * python3 -u /opt/train.py} is "train.py", {@code python -m torch.distributed.run} is
 * "torch.distributed.run"). {@code comm} is the fallback for an empty command line.
 *
 * <p>Anything unreadable (the process is gone, access is denied, or it lives in another PID
 * namespace, as NVML reports host PIDs to a container without {@code pid: host}) gives {@code
 * "PID:<pid>"}; this class never throws for a PID. Names are cached briefly per PID, so a
 * reused PID or an {@code exec} shows its new name after at most the cache's lifetime.
 * Thread-safe.
 */
public final class ProcessNames {
  /** How long a name is reused before the files are read again. */
  public static final Duration DEFAULT_TTL = Duration.ofSeconds(2);

  private static final int CAPACITY = 1024;
  private static final int MAX_NAME = 128;
  private static final int MAX_CMDLINE = 64 * 1024;
  private static final int MAX_DEPTH = 3;

  private static final Pattern VERSIONED_INTERPRETER =
      Pattern.compile("(python|pypy|perl|ruby|lua|php|node|nodejs)[0-9.]*[a-z]?");
  private static final Set<String> INTERPRETERS = Set.of(
      "sh", "bash", "dash", "zsh", "ksh", "fish", "java", "deno", "bun", "Rscript", "julia",
      "tclsh", "wish");
  private static final Set<String> SHELLS = Set.of("sh", "bash", "dash", "zsh", "ksh", "fish");

  /** Flags that take the next argument as their value, so it is not the script. */
  private static final Set<String> VALUE_FLAGS = Set.of(
      "-W", "-X", "--check-hash-based-pycs", "-cp", "-classpath", "--class-path",
      "--module-path", "--add-modules", "-r", "--require", "--import", "--loader");

  private final Path procRoot;
  private final long ttlNanos;
  private final Map<Long, Entry> cache = new LinkedHashMap<>(64, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<Long, Entry> eldest) {
      return size() > CAPACITY;
    }
  };

  private record Entry(String name, long readAtNanos) {}

  /** Reads the live {@code /proc} with {@link #DEFAULT_TTL}. */
  public ProcessNames() {
    this(Path.of("/proc"), DEFAULT_TTL);
  }

  /** Reads {@code procRoot} (a stand-in directory in tests); a zero TTL disables the cache. */
  public ProcessNames(Path procRoot, Duration ttl) {
    this.procRoot = procRoot;
    this.ttlNanos = ttl.toNanos();
  }

  /** A short display name for the process, or {@code "PID:<pid>"} when it cannot be read. */
  public synchronized String nameOf(long pid) {
    if (pid <= 0) {
      return unknown(pid);
    }
    long now = System.nanoTime();
    Entry hit = cache.get(pid);
    if (hit != null && now - hit.readAtNanos() < ttlNanos) {
      return hit.name();
    }
    String name = read(pid);
    if (ttlNanos > 0) {
      cache.put(pid, new Entry(name, now));
    }
    return name;
  }

  private String read(long pid) {
    Path dir = procRoot.resolve(Long.toString(pid));
    try {
      List<String> argv = split(Files.readAllBytes(dir.resolve("cmdline")));
      String name = argv.isEmpty() ? null : fromArgv(argv, 0);
      if (name == null) {
        name = Files.readString(dir.resolve("comm"), StandardCharsets.UTF_8).strip();
      }
      return name.isEmpty() ? unknown(pid) : tidy(name);
    } catch (IOException | RuntimeException e) {
      // Gone, denied or in another namespace: the PID alone still explains the memory.
      return unknown(pid);
    }
  }

  /** NUL-separated arguments; a rewritten title (no NULs, spaces) stays one argument. */
  private static List<String> split(byte[] raw) {
    int length = Math.min(raw.length, MAX_CMDLINE);
    var argv = new ArrayList<String>();
    int start = 0;
    for (int i = 0; i <= length; i++) {
      if (i == length || raw[i] == 0) {
        if (i > start) {
          argv.add(new String(raw, start, i - start, StandardCharsets.UTF_8));
        }
        start = i + 1;
      }
    }
    return argv;
  }

  private static String fromArgv(List<String> argv, int depth) {
    String program = basename(argv.get(0));
    if (program.equals("env")) {
      return afterEnv(argv, depth);
    }
    if (depth >= MAX_DEPTH || !isInterpreter(program)) {
      return program;
    }
    for (int i = 1; i < argv.size(); i++) {
      String arg = argv.get(i);
      if (arg.equals("-m") || arg.equals("-jar")) {
        return i + 1 < argv.size() ? basename(argv.get(i + 1)) : program;
      }
      if (arg.equals("-c") || arg.equals("-e") || arg.equals("--eval")) {
        return SHELLS.contains(program) && i + 1 < argv.size()
            ? fromCommand(argv.get(i + 1), program, depth)
            : program;
      }
      if (VALUE_FLAGS.contains(arg)) {
        i++;
      } else if (!arg.startsWith("-")) {
        return basename(arg);
      }
    }
    return program;
  }

  /** {@code env [-i] [-u NAME] [VAR=value]… program args}: name the program. */
  private static String afterEnv(List<String> argv, int depth) {
    for (int i = 1; i < argv.size(); i++) {
      String arg = argv.get(i);
      if (arg.equals("-u") || arg.equals("-C") || arg.equals("-S")) {
        i++;
      } else if (!arg.startsWith("-") && !arg.contains("=")) {
        return depth >= MAX_DEPTH ? basename(arg) : fromArgv(argv.subList(i, argv.size()),
            depth + 1);
      }
    }
    return "env";
  }

  /** A shell's {@code -c} string: name its first command, e.g. "python3 train.py". */
  private static String fromCommand(String command, String shell, int depth) {
    var words = new ArrayList<String>();
    for (String w : command.strip().split("\\s+")) {
      if (w.contains("=") && words.isEmpty()) {
        continue;
      }
      if (w.equals("exec") && words.isEmpty()) {
        continue;
      }
      if (!w.isEmpty()) {
        words.add(w.replace("'", "").replace("\"", "").replace(";", ""));
      }
    }
    return words.isEmpty() || words.get(0).isEmpty() ? shell : fromArgv(words, depth + 1);
  }

  private static boolean isInterpreter(String program) {
    return INTERPRETERS.contains(program) || VERSIONED_INTERPRETER.matcher(program).matches();
  }

  private static String basename(String path) {
    String p = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    int slash = p.lastIndexOf('/');
    // A rewritten process title such as "nginx: worker process" is not a path.
    return slash < 0 || p.indexOf(' ') >= 0 && p.indexOf(' ') < slash ? p : p.substring(slash + 1);
  }

  private static String tidy(String name) {
    var out = new StringBuilder(Math.min(name.length(), MAX_NAME));
    name.codePoints()
        .limit(MAX_NAME)
        .forEach(cp -> out.appendCodePoint(Character.isISOControl(cp) ? ' ' : cp));
    return out.toString().strip();
  }

  private static String unknown(long pid) {
    return "PID:" + pid;
  }
}
