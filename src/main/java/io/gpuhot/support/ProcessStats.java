package io.gpuhot.support;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time and memory of a process, read from Linux {@code /proc}. Outside Linux, or when the
 * process is gone, the readings are absent (negative), never made up.
 */
public final class ProcessStats {
  /** Clock ticks per second of {@code /proc/<pid>/stat}; 100 on every Linux we run on. */
  private static final double TICKS_PER_SECOND = 100.0;

  private ProcessStats() {}

  /** One reading: user+system CPU seconds, resident and peak resident bytes; -1 when unknown. */
  public record Reading(double cpuSeconds, long rssBytes, long peakRssBytes) {
    public static final Reading UNKNOWN = new Reading(-1, -1, -1);
  }

  public static long selfPid() {
    return ProcessHandle.current().pid();
  }

  public static Reading read(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      // Fields after the command name, which is in parentheses and may contain spaces.
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      double cpu = (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS_PER_SECOND;
      long rss = -1;
      long hwm = -1;
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("VmRSS:")) {
          rss = kib(line);
        } else if (line.startsWith("VmHWM:")) {
          hwm = kib(line);
        }
      }
      return new Reading(cpu, rss, hwm);
    } catch (IOException | RuntimeException e) {
      return Reading.UNKNOWN;
    }
  }

  private static long kib(String line) {
    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
  }

  /** Heap bytes in use now. */
  public static long heapUsedBytes() {
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  /** Heap bytes that survived the last collection of each heap pool: the live heap. */
  public static long heapLiveBytes() {
    long live = 0;
    for (var pool : ManagementFactory.getMemoryPoolMXBeans()) {
      var after = pool.getCollectionUsage();
      if (pool.getType() == java.lang.management.MemoryType.HEAP && after != null) {
        live += after.getUsed();
      }
    }
    return live;
  }

  /** The JSON object of the process's own figures, for health endpoints. */
  public static String json() {
    var r = read(selfPid());
    var heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
    return "{\"pid\":" + selfPid() + ",\"cpu_seconds\":" + r.cpuSeconds() + ",\"rss_bytes\":"
        + r.rssBytes() + ",\"peak_rss_bytes\":" + r.peakRssBytes() + ",\"heap_used_bytes\":"
        + heap.getUsed() + ",\"heap_live_bytes\":" + heapLiveBytes()
        + ",\"heap_committed_bytes\":" + heap.getCommitted()
        + ",\"heap_max_bytes\":" + heap.getMax() + ",\"threads\":"
        + ManagementFactory.getThreadMXBean().getThreadCount() + "}";
  }
}
