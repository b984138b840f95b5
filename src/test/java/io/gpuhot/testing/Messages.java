package io.gpuhot.testing;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gpuhot.support.Json;
import java.time.Instant;

/** Node messages for fake nodes: a GPU that reports everything, and one that reports little. */
public final class Messages {
  private Messages() {}

  /** An H100 SXM as NVML reports it: every metric present except the fan it does not have. */
  public static ObjectNode fullGpu(long seq) {
    var g = Json.object();
    g.put("index", "0");
    g.put("name", "NVIDIA H100 80GB HBM3");
    g.put("uuid", "GPU-11111111-2222-3333-4444-555555555555");
    g.put("serial", "1650123456789");
    g.put("driver_version", "550.127.05");
    g.put("vbios_version", "96.00.74.00.0D");
    g.put("brand", "NVIDIA");
    g.put("architecture", "Hopper");
    g.put("cuda_compute_capability", "9.0");
    g.put("pci_bus_id", "00000000:18:00.0");
    g.put("utilization", 97);
    g.put("memory_utilization", 41);
    g.put("encoder_utilization", 3);
    g.put("decoder_utilization", 12);
    g.put("performance_state", "P0");
    g.put("compute_mode", "Default");
    g.put("memory_used", 61234);
    g.put("memory_total", 81559);
    g.put("memory_free", 20325);
    g.put("bar1_memory_used", 34);
    g.put("bar1_memory_total", 131072);
    g.put("temperature", 64 + seq % 3);
    g.put("temperature_slowdown", 87);
    g.put("power_draw", 612.345 + seq % 5);
    g.put("power_limit", 700);
    g.put("energy_consumption_wh", 123456.7);
    g.put("throttle_reasons", "None");
    g.put("clock_graphics", 1980);
    g.put("clock_sm", 1980);
    g.put("clock_memory", 2619);
    g.put("clock_video", 1755);
    g.put("clock_graphics_max", 1980);
    g.put("clock_sm_max", 1980);
    g.put("clock_memory_max", 2619);
    g.put("clock_video_max", 1755);
    g.put("pcie_gen", "5");
    g.put("pcie_gen_max", "5");
    g.put("pcie_width", "16");
    g.put("pcie_width_max", "16");
    g.put("pcie_tx_throughput", 41000);
    g.put("pcie_rx_throughput", 612000);
    g.put("encoder_sessions", 1);
    g.put("decoder_sessions", 2);
    g.put("ecc_enabled", true);
    g.put("persistence_mode", "Enabled");
    g.put("compute_processes_count", 1);
    g.put("graphics_processes_count", 0);
    return g;
  }

  /** An old card behind nvidia-smi: name, memory and temperature only. */
  public static ObjectNode sparseGpu(long seq) {
    var g = Json.object();
    g.put("index", "0");
    g.put("name", "Quadro K4000");
    g.put("memory_used", 812);
    g.put("memory_total", 3071);
    g.put("temperature", 41 + seq % 2);
    g.put("_fallback_mode", true);
    return g;
  }

  /** A node message with the given GPUs, host figures and processes. */
  public static String node(String name, long seq, ObjectNode... gpus) {
    var m = Json.object();
    m.put("mode", "default");
    m.put("node_name", name);
    m.put("seq", seq);
    m.put("sampled_at_ms", Instant.now().toEpochMilli());
    m.put("update_interval", 0.3);
    var g = m.putObject("gpus");
    for (int i = 0; i < gpus.length; i++) {
      gpus[i].put("index", String.valueOf(i));
      g.set(String.valueOf(i), gpus[i]);
    }
    m.putArray("processes");
    var sys = m.putObject("system");
    sys.put("cpu_percent", 12.5 + seq % 4);
    sys.put("memory_percent", 40.0);
    sys.put("memory_used_gb", 100.5);
    sys.put("memory_total_gb", 251.3);
    sys.put("cpu_count", 64);
    sys.put("swap_percent", 0.5);
    sys.put("load_avg_1", 8.25);
    sys.put("load_avg_5", 7.5);
    sys.put("load_avg_15", 7.0);
    sys.put("net_bytes_sent", 1_000_000 + seq * 50_000);
    sys.put("net_bytes_recv", 9_000_000 + seq * 900_000);
    sys.put("disk_read_bytes", 5_000_000 + seq * 120_000);
    sys.put("disk_write_bytes", 7_000_000 + seq * 30_000);
    return m.toString();
  }
}
