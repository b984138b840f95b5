package io.gpuhot.nvml;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * Measures the CPU time one {@link NvmlBackend#sample()} costs on the sampling thread (JNA
 * calls, struct copies and building the wire objects), as median and p99 over many samples.
 *
 * <p>Usage: {@code SampleBenchmark [library|-] [samples] [warmup]}; "-" or no argument opens
 * the system's NVML. To run it on the test stand-in, point {@code FAKE_NVML_CONFIG} at a config
 * describing the GPUs. Wall time is printed too, but on real hardware it is dominated by the
 * driver's 20 ms PCIe throughput windows, which cost no CPU.
 */
public final class SampleBenchmark {
  private static final int DEFAULT_SAMPLES = 2000;
  private static final int DEFAULT_WARMUP = 500;

  private SampleBenchmark() {}

  /** Runs the benchmark and prints one result line; exits 1 when NVML cannot be opened. */
  public static void main(String[] args) {
    Path library = args.length > 0 && !args[0].equals("-") ? Path.of(args[0]) : null;
    int samples = args.length > 1 ? Integer.parseInt(args[1]) : DEFAULT_SAMPLES;
    int warmup = args.length > 2 ? Integer.parseInt(args[2]) : DEFAULT_WARMUP;
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    if (!threads.isCurrentThreadCpuTimeSupported()) {
      System.err.println("this JVM cannot measure per-thread CPU time");
      System.exit(2);
    }
    try (NvmlBackend backend = NvmlBackend.open(library)) {
      System.out.println(run(backend, threads, samples, warmup));
    } catch (NvmlUnavailableException e) {
      System.err.println(e.getMessage());
      System.exit(1);
    }
  }

  private static String run(NvmlBackend backend, ThreadMXBean threads, int samples, int warmup) {
    for (int i = 0; i < warmup; i++) {
      backend.sample();
    }
    long[] cpu = new long[samples];
    long wallStart = System.nanoTime();
    for (int i = 0; i < samples; i++) {
      long before = threads.getCurrentThreadCpuTime();
      backend.sample();
      cpu[i] = threads.getCurrentThreadCpuTime() - before;
    }
    double wallMeanMs = (System.nanoTime() - wallStart) / 1e6 / samples;
    Arrays.sort(cpu);
    return String.format(Locale.ROOT,
        "%d GPU(s), %d samples after %d warm-up: CPU per sample median %.3f ms, p99 %.3f ms,"
            + " max %.3f ms; wall mean %.3f ms",
        backend.gpuCount(), samples, warmup, ms(percentile(cpu, 0.50)),
        ms(percentile(cpu, 0.99)), ms(cpu[cpu.length - 1]), wallMeanMs);
  }

  private static long percentile(long[] sorted, double q) {
    int rank = (int) Math.ceil(q * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank))];
  }

  private static double ms(long nanos) {
    return nanos / 1e6;
  }
}
