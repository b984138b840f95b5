package io.gpuhot.node;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import oshi.SystemInfo;
import oshi.hardware.CentralProcessor;
import oshi.hardware.GlobalMemory;
import oshi.hardware.HWDiskStore;
import oshi.hardware.NetworkIF;

/**
 * The host's figures for the node message, read through OSHI: CPU use since the previous call,
 * CPU count and frequency, load averages, RAM and swap, and cumulative network and disk bytes
 * (the browser turns counters into rates). A figure OSHI cannot read on this host is left out.
 * Blocking; called from the sampling thread only.
 */
final class HostMetrics {
  private static final Logger log = LoggerFactory.getLogger(HostMetrics.class);
  private static final double GIB = 1024.0 * 1024 * 1024;

  private final CentralProcessor cpu;
  private final GlobalMemory memory;
  private final List<NetworkIF> nics;
  private final List<HWDiskStore> disks;
  private long[] previousTicks;

  HostMetrics() {
    var hw = new SystemInfo().getHardware();
    this.cpu = hw.getProcessor();
    this.memory = hw.getMemory();
    this.nics = hw.getNetworkIFs(false).stream().filter(n -> !isLoopback(n)).toList();
    this.disks = hw.getDiskStores();
    this.previousTicks = cpu.getSystemCpuLoadTicks();
    log.debug("host metrics: {} CPUs, {} network interfaces, {} disks", cpu.getLogicalProcessorCount(),
        nics.size(), disks.size());
  }

  private static boolean isLoopback(NetworkIF n) {
    return n.getName().equals("lo") || n.queryNetworkInterface().getName().startsWith("lo");
  }

  /** Reads the host now, as the {@code system} object of a node message. */
  ObjectNode read() {
    var o = JsonNodeFactory.instance.objectNode();
    long[] ticks = cpu.getSystemCpuLoadTicks();
    double load = cpu.getSystemCpuLoadBetweenTicks(previousTicks);
    previousTicks = ticks;
    if (load >= 0) {
      o.put("cpu_percent", round(load * 100, 1));
    }
    long total = memory.getTotal();
    long available = memory.getAvailable();
    if (total > 0) {
      o.put("memory_percent", round((total - available) * 100.0 / total, 1));
      o.put("memory_total_gb", round(total / GIB, 2));
      o.put("memory_used_gb", round((total - available) / GIB, 2));
      o.put("memory_available_gb", round(available / GIB, 2));
    }
    o.put("cpu_count", cpu.getLogicalProcessorCount());
    o.put("timestamp", Instant.now().toString());
    var swap = memory.getVirtualMemory();
    if (swap.getSwapTotal() > 0) {
      o.put("swap_percent", round(swap.getSwapUsed() * 100.0 / swap.getSwapTotal(), 1));
    }
    long[] freq = cpu.getCurrentFreq();
    double mean = 0;
    int n = 0;
    for (long f : freq) {
      if (f > 0) {
        mean += f;
        n++;
      }
    }
    if (n > 0) {
      o.put("cpu_freq_current", Math.round(mean / n / 1e6));
    }
    if (cpu.getMaxFreq() > 0) {
      o.put("cpu_freq_max", Math.round(cpu.getMaxFreq() / 1e6));
    }
    double[] loads = cpu.getSystemLoadAverage(3);
    String[] keys = {"load_avg_1", "load_avg_5", "load_avg_15"};
    for (int i = 0; i < 3; i++) {
      if (loads[i] >= 0) {
        o.put(keys[i], round(loads[i], 2));
      }
    }
    counters(o);
    return o;
  }

  private void counters(ObjectNode o) {
    long sent = 0;
    long recv = 0;
    for (var nic : nics) {
      if (nic.updateAttributes()) {
        sent += nic.getBytesSent();
        recv += nic.getBytesRecv();
      }
    }
    if (!nics.isEmpty()) {
      o.put("net_bytes_sent", sent);
      o.put("net_bytes_recv", recv);
    }
    long read = 0;
    long written = 0;
    for (var disk : disks) {
      if (disk.updateAttributes()) {
        read += disk.getReadBytes();
        written += disk.getWriteBytes();
      }
    }
    if (!disks.isEmpty()) {
      o.put("disk_read_bytes", read);
      o.put("disk_write_bytes", written);
    }
  }

  private static double round(double v, int decimals) {
    double s = Math.pow(10, decimals);
    return Math.round(v * s) / s;
  }
}
