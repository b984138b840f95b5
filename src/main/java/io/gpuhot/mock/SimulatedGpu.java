package io.gpuhot.mock;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One simulated GPU, advanced in fixed steps. Utilization comes from the job's phase; power
 * follows utilization within a second; temperature follows power with a thermal time constant
 * of tens of seconds; clocks and P-state follow a smoothed load; memory is set when a job starts
 * and stays put until it ends.
 */
public final class SimulatedGpu {
  /** Share of time a GPU spends in a job, in the long run. */
  static final double BUSY_SHARE = 0.4;
  /** Mean idle gap between jobs, chosen so that busy / (busy + idle) = {@link #BUSY_SHARE}. */
  static final double MEAN_IDLE_S = 540 * (1 - BUSY_SHARE) / BUSY_SHARE;

  private static final double HEAT_TAU_S = 40;
  private static final double COOL_TAU_S = 60;
  private static final double POWER_TAU_S = 0.4;
  private static final double LOAD_TAU_S = 3;
  private static final double FAN_TAU_S = 6;

  final int index;
  final GpuModel model;
  final String uuid;
  final String serial;
  final String busId;
  private final SplittableRandom rng;
  private final List<String> processNames;
  private final double inletC;
  private final int idleMemoryMiB;

  private TrainingJob job;
  private double tempC;
  private double powerW;
  private double load;
  private double fanPct;
  private double energyJ;
  private int utilization;
  private int memUtilization;
  private int graphicsMhz;
  private int memoryMhz;
  private String pstate = "P8";
  private String throttle = "None";
  private String forcedThrottle;
  private long pcieRxKBps;
  private long pcieTxKBps;
  private int jobsStarted;

  SimulatedGpu(int index, GpuModel model, SplittableRandom rng, double inletC, List<String> names) {
    this.index = index;
    this.model = model;
    this.rng = rng;
    this.processNames = names;
    this.inletC = inletC + rng.nextDouble(-1.5, 3);
    this.idleMemoryMiB = rng.nextInt(250, 560);
    this.uuid = uuid(rng);
    this.serial = String.valueOf(1_650_000_000_000L + rng.nextLong(1_000_000_000L));
    this.busId = String.format("00000000:%02X:00.0", 0x18 + index * 0x10 % 0xE0);
    this.energyJ = rng.nextDouble(1e8, 5e9);
    this.tempC = this.inletC + 6;
    this.powerW = model.idlePowerW();
    this.fanPct = model.hasFan() ? 30 : 0;
    if (rng.nextDouble() < BUSY_SHARE) {
      startJob();
      job.skipTo(rng.nextDouble(0, job.durationS * 0.9));
      double share = powerShare(job.intensity);
      tempC = targetTemp(share);
      load = job.intensity;
      powerW = model.idlePowerW() + (model.powerLimitW() * job.powerFactor - model.idlePowerW()) * share;
    }
    settle();
  }

  private static String uuid(SplittableRandom rng) {
    String hex = Long.toHexString(rng.nextLong() | Long.MIN_VALUE) + Long.toHexString(rng.nextLong() | Long.MIN_VALUE);
    return "GPU-" + hex.substring(0, 8) + "-" + hex.substring(8, 12) + "-" + hex.substring(12, 16)
        + "-" + hex.substring(16, 20) + "-" + hex.substring(20, 32);
  }

  /** Advances the GPU by one step of {@code dtS} seconds. */
  void step(double dtS) {
    scheduleJobs(dtS);
    utilization = nextUtilization();
    load += (utilization - load) * (1 - Math.exp(-dtS / LOAD_TAU_S));
    double targetPower = targetPower();
    powerW += (targetPower - powerW) * (1 - Math.exp(-dtS / POWER_TAU_S));
    powerW = Math.min(powerW * (1 + rng.nextDouble(-0.006, 0.006)), model.powerLimitW());
    double share = (powerW - model.idlePowerW()) / (model.powerLimitW() - model.idlePowerW());
    double target = targetTemp(Math.max(0, share));
    double tau = target > tempC ? HEAT_TAU_S : COOL_TAU_S;
    tempC += (target - tempC) * (1 - Math.exp(-dtS / tau));
    if (model.hasFan()) {
      double fanTarget = Math.max(30, Math.min(100, 30 + (tempC - 40) * 1.6));
      fanPct += (fanTarget - fanPct) * (1 - Math.exp(-dtS / FAN_TAU_S));
    }
    energyJ += powerW * dtS;
    settle();
  }

  private void scheduleJobs(double dtS) {
    if (job != null) {
      job.advance(dtS);
      if (job.finished()) {
        job = null;
      }
    } else if (rng.nextDouble() < 1 - Math.exp(-dtS / MEAN_IDLE_S)) {
      startJob();
    }
  }

  private void startJob() {
    job = new TrainingJob(rng, model, processNames);
    jobsStarted++;
  }

  private int nextUtilization() {
    if (job == null) {
      return rng.nextDouble() < 0.05 ? 1 : 0;
    }
    double u =
        switch (job.phase()) {
          case WARMUP -> rng.nextGaussian(25, 5);
          case TRAIN -> rng.nextGaussian(job.intensity, 1.5);
          case DATA_DIP -> rng.nextGaussian(job.intensity * job.dipDepth, 5);
          case VALIDATION -> rng.nextGaussian(65, 5);
        };
    return (int) Math.round(Math.max(0, Math.min(100, u)));
  }

  private double powerShare(double util) {
    return Math.pow(util / 100.0, 1.15);
  }

  private double targetPower() {
    if (job == null) {
      return model.idlePowerW();
    }
    double full = model.powerLimitW() * job.powerFactor;
    return model.idlePowerW() + (full - model.idlePowerW()) * powerShare(utilization);
  }

  private double targetTemp(double powerShare) {
    return inletC + (model.fullLoadTempC() - 25) * powerShare + 6 * (1 - powerShare);
  }

  /** Derives the reported figures (clocks, P-state, throttling) from the physical state. */
  private void settle() {
    boolean powerCapped = job != null && powerW >= model.powerLimitW() * 0.985;
    boolean hot = tempC >= model.slowdownTempC();
    throttle = forcedThrottle != null ? forcedThrottle
        : hot ? "SW Thermal Slowdown" : powerCapped ? "SW Power Cap" : "None";
    if (load >= 50) {
      pstate = "P0";
      int derate = hot ? (int) ((tempC - model.slowdownTempC() + 1) * 45) : 0;
      if (powerCapped) {
        derate += 45 + 15 * rng.nextInt(3);
      }
      if (forcedThrottle != null) {
        derate += model.maxGraphicsMhz() / 3;
      }
      graphicsMhz = quantize(model.maxGraphicsMhz() - derate - 15 * rng.nextInt(2));
      memoryMhz = model.maxMemoryMhz();
    } else if (load >= 8) {
      pstate = "P2";
      graphicsMhz = quantize(model.maxGraphicsMhz() * 0.75);
      memoryMhz = model.maxMemoryMhz();
    } else {
      pstate = "P8";
      graphicsMhz = model.idleGraphicsMhz();
      memoryMhz = model.idleMemoryMhz();
    }
    memUtilization = job == null ? 0 : (int) Math.round(Math.max(0, utilization * job.memControllerShare
        + rng.nextGaussian(0, 2)));
    if (job == null) {
      pcieRxKBps = rng.nextInt(0, 40);
      pcieTxKBps = rng.nextInt(0, 20);
    } else {
      boolean loading = job.phase() == TrainingJob.Phase.DATA_DIP;
      pcieRxKBps = rng.nextInt(loading ? 3_000_000 : 150_000, loading ? 9_000_000 : 900_000);
      pcieTxKBps = rng.nextInt(20_000, 120_000);
    }
  }

  private static int quantize(double mhz) {
    return (int) (Math.round(mhz / 15.0) * 15);
  }

  /** Makes the GPU report a throttle reason until cleared with null, for fault tests. */
  void forceThrottle(String reason) {
    forcedThrottle = reason;
    settle();
  }

  // Figures as the node reports them.

  public int utilization() {
    return utilization;
  }

  public int memoryUtilization() {
    return memUtilization;
  }

  public int memoryUsedMiB() {
    return idleMemoryMiB + (job == null ? 0 : job.memoryMiB);
  }

  public int temperatureC() {
    return (int) Math.round(tempC);
  }

  public double powerW() {
    return Math.round(powerW * 1000) / 1000.0;
  }

  public int graphicsClockMhz() {
    return graphicsMhz;
  }

  public int memoryClockMhz() {
    return memoryMhz;
  }

  public String pstate() {
    return pstate;
  }

  public String throttleReasons() {
    return throttle;
  }

  public Integer fanPercent() {
    return model.hasFan() ? (int) Math.round(fanPct) : null;
  }

  public boolean busy() {
    return job != null;
  }

  /** The phase of the running job, or null when idle. */
  public String phase() {
    return job == null ? null : job.phase().name();
  }

  public int jobEpoch() {
    return job == null ? -1 : job.epoch();
  }

  public int jobsStarted() {
    return jobsStarted;
  }

  TrainingJob job() {
    return job;
  }

  /** Writes this GPU as a node-message GPU object, in the key order of the original. */
  void write(JsonGenerator g, String driver, String timestamp) throws IOException {
    g.writeStartObject();
    g.writeStringField("index", String.valueOf(index));
    g.writeStringField("timestamp", timestamp);
    g.writeStringField("name", model.name());
    g.writeStringField("uuid", uuid);
    g.writeStringField("driver_version", driver);
    g.writeStringField("vbios_version", model.vbios());
    g.writeStringField("brand", model.brand());
    g.writeStringField("architecture", model.architecture());
    g.writeStringField("cuda_compute_capability", model.computeCapability());
    g.writeStringField("serial", serial);
    g.writeNumberField("utilization", utilization);
    g.writeNumberField("memory_utilization", memUtilization);
    g.writeStringField("performance_state", pstate);
    g.writeStringField("compute_mode", "Default");
    int used = memoryUsedMiB();
    g.writeNumberField("memory_used", used);
    g.writeNumberField("memory_total", model.memoryMiB());
    g.writeNumberField("memory_free", model.memoryMiB() - used);
    g.writeNumberField("bar1_memory_used", job == null ? 2 : 34);
    g.writeNumberField("bar1_memory_total", model.ecc() ? 131072 : 32768);
    g.writeNumberField("temperature", temperatureC());
    g.writeNumberField("temperature_slowdown", model.slowdownTempC());
    g.writeNumberField("temperature_shutdown", model.shutdownTempC());
    g.writeNumberField("power_draw", powerW());
    g.writeNumberField("power_limit", model.powerLimitW());
    g.writeNumberField("power_default_limit", model.powerLimitW());
    g.writeNumberField("energy_consumption", Math.round(energyJ));
    g.writeNumberField("energy_consumption_wh", Math.round(energyJ / 3.6) / 1000.0);
    Integer fan = fanPercent();
    if (fan != null) {
      g.writeNumberField("fan_speed", fan);
    }
    g.writeStringField("throttle_reasons", throttle);
    g.writeNumberField("clock_graphics", graphicsMhz);
    g.writeNumberField("clock_sm", graphicsMhz);
    g.writeNumberField("clock_memory", memoryMhz);
    g.writeNumberField("clock_video", (int) (graphicsMhz * model.maxVideoMhz() / (double) model.maxGraphicsMhz()));
    g.writeNumberField("clock_graphics_max", model.maxGraphicsMhz());
    g.writeNumberField("clock_sm_max", model.maxGraphicsMhz());
    g.writeNumberField("clock_memory_max", model.maxMemoryMhz());
    g.writeNumberField("clock_video_max", model.maxVideoMhz());
    g.writeStringField("pcie_gen", String.valueOf(job == null ? 1 : model.pcieGen()));
    g.writeStringField("pcie_gen_max", String.valueOf(model.pcieGen()));
    g.writeStringField("pcie_width", "16");
    g.writeStringField("pcie_width_max", "16");
    g.writeNumberField("pcie_tx_throughput", pcieTxKBps);
    g.writeNumberField("pcie_rx_throughput", pcieRxKBps);
    g.writeStringField("pci_bus_id", busId);
    g.writeNumberField("encoder_utilization", 0);
    g.writeNumberField("encoder_sessions", 0);
    g.writeNumberField("decoder_utilization", 0);
    g.writeNumberField("decoder_sessions", 0);
    if (model.ecc()) {
      g.writeBooleanField("ecc_enabled", true);
      g.writeNumberField("ecc_errors_corrected", 0);
    }
    g.writeStringField("persistence_mode", "Enabled");
    g.writeNumberField("compute_processes_count", job == null ? 0 : 1);
    g.writeNumberField("graphics_processes_count", 0);
    g.writeEndObject();
  }
}
