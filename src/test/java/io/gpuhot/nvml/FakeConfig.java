package io.gpuhot.nvml;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A config for the NVML stand-in, built from GPU presets plus per-test edits. Keys are those
 * documented at the top of {@code src/test/c/fake_nvml.c}; an absent key makes the matching
 * NVML query answer NOT_SUPPORTED.
 */
public final class FakeConfig {
  static final String DRIVER = "590.48.01";
  private static final String[] H100_BUS_IDS = {"18", "2A", "3A", "5D", "9A", "AB", "BA", "DB"};

  private final Map<String, String> entries = new LinkedHashMap<>();
  private int gpus;

  private FakeConfig() {}

  /** A machine with the current driver and no GPUs yet. */
  public static FakeConfig machine() {
    return new FakeConfig().set("driver_version", DRIVER);
  }

  /** Adds a GPU at {@code index} with the given preset's keys. */
  public FakeConfig gpu(int index, Map<String, String> preset) {
    preset.forEach((k, v) -> set("gpu." + index + "." + k, v));
    gpus = Math.max(gpus, index + 1);
    return set("gpu.count", gpus);
  }

  public FakeConfig set(String key, Object value) {
    entries.put(key, String.valueOf(value));
    return this;
  }

  public FakeConfig remove(String key) {
    entries.remove(key);
    return this;
  }

  String text() {
    var text = new StringBuilder();
    entries.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
    return text.toString();
  }

  static String uuid(int index) {
    return String.format("GPU-00000000-0000-0000-0000-%012d", index);
  }

  /** An H100 SXM under load (values after the real capture in fixture 01), no fans. */
  public static Map<String, String> h100(int index) {
    var p = new LinkedHashMap<String, String>();
    p.put("name", "NVIDIA H100 80GB HBM3");
    p.put("uuid", uuid(index));
    p.put("serial", "165492200" + index);
    p.put("vbios", "96.00.A5.00.01");
    p.put("brand", "14");
    p.put("arch", "9");
    p.put("cc.major", "9");
    p.put("cc.minor", "0");
    p.put("pci.bus_id", "00000000:" + H100_BUS_IDS[index % H100_BUS_IDS.length] + ":00.0");
    p.put("util.gpu", "97");
    p.put("util.mem", "61");
    p.put("enc.util", "0");
    p.put("dec.util", "0");
    p.put("mem.total_mib", "81559");
    p.put("mem.reserved_mib", "479");
    p.put("mem.used_mib", "19818");
    p.put("mem.free_mib", "61262");
    p.put("bar1.total_mib", "131072");
    p.put("bar1.used_mib", "5");
    p.put("bar1.free_mib", "131067");
    p.put("temp", "53");
    p.put("threshold.shutdown", "92");
    p.put("threshold.slowdown", "89");
    p.put("threshold.mem_max", "95");
    p.put("threshold.gpu_max", "87");
    p.put("power.usage", "631950");
    p.put("power.limit", "700000");
    p.put("power.default_limit", "700000");
    p.put("power.min", "200000");
    p.put("power.max", "700000");
    p.put("energy", "123456789000");
    p.put("fans", "0");
    p.put("clock.graphics", "1980");
    p.put("clock.sm", "1980");
    p.put("clock.mem", "2619");
    p.put("clock.video", "1755");
    p.put("max_clock.graphics", "1980");
    p.put("max_clock.sm", "1980");
    p.put("max_clock.mem", "2619");
    p.put("max_clock.video", "1980");
    p.put("pstate", "0");
    p.put("reasons", "0x4");
    p.put("pcie.gen", "5");
    p.put("pcie.gen_max", "5");
    p.put("pcie.width", "16");
    p.put("pcie.width_max", "16");
    p.put("pcie.tx", "1234");
    p.put("pcie.rx", "5678");
    p.put("enc.sessions", "0");
    p.put("enc.fps", "0");
    p.put("enc.latency", "0");
    p.put("ecc.current", "1");
    p.put("ecc.pending", "1");
    p.put("ecc.corrected", "0");
    p.put("ecc.uncorrected", "0");
    p.put("retired.sbe", "0");
    p.put("retired.dbe", "0");
    p.put("retired.pending", "0");
    p.put("persistence", "1");
    p.put("compute_mode", "0");
    p.put("display_active", "0");
    p.put("mig.current", "0");
    p.put("mig.pending", "0");
    p.put("mig.max", "7");
    p.put("nvlinks", "18");
    p.put("nvlink.3", "0");
    return p;
  }

  /** A desktop RTX 4090 driving a display: two fans, no ECC, no MIG, no NVLink. */
  static Map<String, String> rtx4090(int index) {
    var p = new LinkedHashMap<String, String>();
    p.put("name", "NVIDIA GeForce RTX 4090");
    p.put("uuid", uuid(index));
    p.put("vbios", "95.02.18.80.5F");
    p.put("brand", "5");
    p.put("arch", "8");
    p.put("cc.major", "8");
    p.put("cc.minor", "9");
    p.put("pci.bus_id", "00000000:01:00.0");
    p.put("util.gpu", "0");
    p.put("util.mem", "0");
    p.put("enc.util", "0");
    p.put("dec.util", "0");
    p.put("mem.total_mib", "24564");
    p.put("mem.reserved_mib", "0");
    p.put("mem.used_mib", "412");
    p.put("mem.free_mib", "24152");
    p.put("bar1.total_mib", "256");
    p.put("bar1.used_mib", "3");
    p.put("bar1.free_mib", "253");
    p.put("temp", "34");
    p.put("threshold.shutdown", "95");
    p.put("threshold.slowdown", "92");
    p.put("threshold.gpu_max", "90");
    p.put("power.usage", "21500");
    p.put("power.limit", "450000");
    p.put("power.default_limit", "450000");
    p.put("power.min", "150000");
    p.put("power.max", "600000");
    p.put("energy", "5400000");
    p.put("fans", "2");
    p.put("fan.0", "0");
    p.put("fan.1", "31");
    p.put("clock.graphics", "210");
    p.put("clock.sm", "210");
    p.put("clock.mem", "405");
    p.put("clock.video", "1185");
    p.put("max_clock.graphics", "3120");
    p.put("max_clock.sm", "3120");
    p.put("max_clock.mem", "10501");
    p.put("max_clock.video", "2415");
    p.put("pstate", "8");
    p.put("reasons", "0x1");
    p.put("pcie.gen", "1");
    p.put("pcie.gen_max", "4");
    p.put("pcie.width", "16");
    p.put("pcie.width_max", "16");
    p.put("pcie.tx", "0");
    p.put("pcie.rx", "0");
    p.put("enc.sessions", "1");
    p.put("enc.fps", "60");
    p.put("enc.latency", "3021");
    p.put("ecc.current", "0");
    p.put("persistence", "0");
    p.put("compute_mode", "3");
    p.put("display_active", "1");
    return p;
  }

  /** A Kepler GeForce GT 710 on an R470 driver: most queries answer NOT_SUPPORTED. */
  public static Map<String, String> gt710(int index) {
    var p = new LinkedHashMap<String, String>();
    p.put("name", "NVIDIA GeForce GT 710");
    p.put("uuid", uuid(index));
    p.put("brand", "5");
    p.put("arch", "2");
    p.put("cc.major", "3");
    p.put("cc.minor", "5");
    p.put("pci.bus_id", "00000000:02:00.0");
    p.put("mem.total_mib", "2048");
    p.put("mem.used_mib", "211");
    p.put("mem.free_mib", "1837");
    p.put("temp", "38");
    p.put("fan.0", "40");
    p.put("clock.graphics", "954");
    p.put("clock.sm", "954");
    p.put("clock.mem", "800");
    p.put("max_clock.graphics", "954");
    p.put("max_clock.sm", "954");
    p.put("max_clock.mem", "800");
    p.put("pstate", "8");
    p.put("pcie.gen", "2");
    p.put("pcie.gen_max", "2");
    p.put("pcie.width", "8");
    p.put("pcie.width_max", "8");
    p.put("persistence", "0");
    p.put("compute_mode", "0");
    p.put("display_active", "1");
    p.put("proc.supported", "0");
    p.put("gproc.supported", "0");
    return p;
  }

  /** Adds compute process {@code k} to GPU {@code gpu}: PID and MiB ("na" for unknown). */
  public FakeConfig process(int gpu, int k, long pid, String mib) {
    set("gpu." + gpu + ".proc." + k + ".pid", pid);
    return mib.equals("na")
        ? set("gpu." + gpu + ".proc." + k + ".mem", "na")
        : set("gpu." + gpu + ".proc." + k + ".mem_mib", mib);
  }
}
