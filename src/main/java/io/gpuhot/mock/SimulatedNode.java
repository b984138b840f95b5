package io.gpuhot.mock;

import com.fasterxml.jackson.core.JsonGenerator;
import io.gpuhot.support.Json;
import io.gpuhot.support.Times;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A simulated GPU server: its GPUs and a host whose CPU, memory, network and disk follow the jobs
 * on them. {@link #step()} advances it by one update interval; {@link #writeMessage} writes the
 * node message of {@code protocol.md} for the current state. Given the same seed and the same
 * number of steps, two nodes are identical.
 */
public final class SimulatedNode {
  static final String DRIVER = "550.127.05";

  private final String name;
  private final double intervalS;
  private final List<SimulatedGpu> gpus = new ArrayList<>();
  private final SplittableRandom rng;
  private final int cpuCount;
  private final double memoryTotalGb;
  private double cpuPercent;
  private double load1;
  private double load5;
  private double load15;
  private long netSent;
  private long netRecv;
  private long diskRead;
  private long diskWrite;
  private long seq;
  private long steps;

  SimulatedNode(String name, int index, int gpuCount, double intervalS, SplittableRandom rng,
      List<String> processNames) {
    this.name = name;
    this.intervalS = intervalS;
    this.rng = rng;
    GpuModel model = GpuModel.forNode(index, gpuCount);
    double inlet = rng.nextDouble(22, 31);
    for (int i = 0; i < gpuCount; i++) {
      gpus.add(new SimulatedGpu(i, model, rng.split(), inlet, processNames));
    }
    this.cpuCount = gpuCount <= 2 ? 32 : 16 * gpuCount;
    this.memoryTotalGb = gpuCount <= 2 ? 125.7 : 251.5 * gpuCount;
    this.netSent = rng.nextLong(1L << 36);
    this.netRecv = rng.nextLong(1L << 40);
    this.diskRead = rng.nextLong(1L << 40);
    this.diskWrite = rng.nextLong(1L << 38);
    this.cpuPercent = 5;
    this.load1 = this.load5 = this.load15 = busyGpus() * 6.0;
  }

  public String name() {
    return name;
  }

  public List<SimulatedGpu> gpus() {
    return gpus;
  }

  public long seq() {
    return seq;
  }

  public double intervalS() {
    return intervalS;
  }

  /** Seconds of simulated time since the node was created. */
  public double simulatedSeconds() {
    return steps * intervalS;
  }

  /** Advances every GPU and the host by one update interval. */
  public void step() {
    for (var gpu : gpus) {
      gpu.step(intervalS);
    }
    stepHost();
    steps++;
    seq++;
  }

  private int busyGpus() {
    int n = 0;
    for (var gpu : gpus) {
      n += gpu.busy() ? 1 : 0;
    }
    return n;
  }

  private void stepHost() {
    int busy = busyGpus();
    double utilSum = 0;
    for (var gpu : gpus) {
      utilSum += gpu.utilization();
    }
    double target = 2 + 48.0 * busy / gpus.size() + 0.05 * utilSum / gpus.size();
    cpuPercent += (target - cpuPercent) * 0.3 + rng.nextGaussian(0, 1.2);
    cpuPercent = Math.max(0.3, Math.min(100, cpuPercent));
    double running = cpuPercent / 100 * cpuCount;
    load1 += (running - load1) * (1 - Math.exp(-intervalS / 60));
    load5 += (running - load5) * (1 - Math.exp(-intervalS / 300));
    load15 += (running - load15) * (1 - Math.exp(-intervalS / 900));
    netRecv += (long) ((busy * 60e6 + rng.nextDouble(2e4, 2e5)) * intervalS);
    netSent += (long) ((busy * 4e6 + rng.nextDouble(1e4, 8e4)) * intervalS);
    diskRead += (long) ((busy * 120e6 + rng.nextDouble(0, 1e5)) * intervalS);
    diskWrite += (long) ((busy * 8e6 + rng.nextDouble(0, 5e4)) * intervalS);
  }

  private double memoryUsedGb() {
    double used = 14.2;
    for (var gpu : gpus) {
      var job = gpu.job();
      if (job != null) {
        used += 18 + job.memoryMiB / 1024.0 * 0.6;
      }
    }
    return Math.min(used, memoryTotalGb * 0.95);
  }

  /** Writes the current state as one node message. */
  public void writeMessage(OutputStream out, Instant sampledAt) {
    try (JsonGenerator g = Json.factory().createGenerator(out)) {
      writeMessage(g, sampledAt);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encode the node message of " + name, e);
    }
  }

  /** Returns the current state as one node message. */
  public byte[] message(Instant sampledAt) {
    var out = new ByteArrayOutputStream(16 * 1024);
    writeMessage(out, sampledAt);
    return out.toByteArray();
  }

  private void writeMessage(JsonGenerator g, Instant sampledAt) throws IOException {
    String ts = sampledAt.toString();
    g.writeStartObject();
    g.writeStringField("mode", "default");
    g.writeStringField("node_name", name);
    g.writeNumberField("seq", seq);
    g.writeFieldName("sampled_at_ms");
    g.writeNumber(Times.epochMillis(sampledAt));
    g.writeNumberField("update_interval", intervalS);
    g.writeObjectFieldStart("gpus");
    for (var gpu : gpus) {
      g.writeFieldName(String.valueOf(gpu.index));
      gpu.write(g, DRIVER, ts);
    }
    g.writeEndObject();
    g.writeArrayFieldStart("processes");
    for (var gpu : gpus) {
      var job = gpu.job();
      if (job == null) {
        continue;
      }
      g.writeStartObject();
      g.writeStringField("pid", String.valueOf(job.pid));
      g.writeStringField("name", job.processName);
      g.writeStringField("gpu_uuid", gpu.uuid);
      g.writeStringField("gpu_id", String.valueOf(gpu.index));
      g.writeNumberField("memory", job.memoryMiB);
      g.writeEndObject();
    }
    g.writeEndArray();
    writeSystem(g, ts);
    g.writeEndObject();
  }

  private void writeSystem(JsonGenerator g, String ts) throws IOException {
    double used = memoryUsedGb();
    g.writeObjectFieldStart("system");
    g.writeNumberField("cpu_percent", round1(cpuPercent));
    g.writeNumberField("memory_percent", round1(used / memoryTotalGb * 100));
    g.writeNumberField("memory_total_gb", round2(memoryTotalGb));
    g.writeNumberField("memory_used_gb", round2(used));
    g.writeNumberField("memory_available_gb", round2(memoryTotalGb - used));
    g.writeNumberField("cpu_count", cpuCount);
    g.writeStringField("timestamp", ts);
    g.writeNumberField("swap_percent", 0.0);
    g.writeNumberField("cpu_freq_current", (double) (cpuPercent > 20 ? 3100 : 2000));
    g.writeNumberField("cpu_freq_max", 3800.0);
    g.writeNumberField("load_avg_1", round2(load1));
    g.writeNumberField("load_avg_5", round2(load5));
    g.writeNumberField("load_avg_15", round2(load15));
    g.writeNumberField("net_bytes_sent", netSent);
    g.writeNumberField("net_bytes_recv", netRecv);
    g.writeNumberField("disk_read_bytes", diskRead);
    g.writeNumberField("disk_write_bytes", diskWrite);
    g.writeEndObject();
  }

  private static double round1(double v) {
    return Math.round(v * 10) / 10.0;
  }

  private static double round2(double v) {
    return Math.round(v * 100) / 100.0;
  }

  /** Makes one GPU report a throttle reason (null clears it), for fault tests. */
  public void forceThrottle(int gpu, String reason) {
    gpus.get(gpu).forceThrottle(reason);
  }
}
