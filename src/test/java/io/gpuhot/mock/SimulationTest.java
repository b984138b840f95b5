package io.gpuhot.mock;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.gpuhot.support.Json;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Statistical checks of the simulated workload, over many seeded samples in simulated time (no
 * sleeping): five seeds of a 64-GPU cluster, two simulated hours each, sampled every 0.5 s.
 */
final class SimulationTest {
  private static final double STEP_S = 0.5;
  private static final int STEPS = 2 * 3600 * 2;
  private static final long[] SEEDS = {1, 2, 3, 4, 5};

  /** One sample of one GPU, as the node reports it, plus the job phase behind it. */
  record Sample(int gpu, int step, boolean busy, String phase, int util, int memory, int temp,
      double power, int clock, String pstate, int jobs, int epoch) {}

  private static final List<List<Sample>> runs = new ArrayList<>();

  @BeforeAll
  static void simulate() {
    for (long seed : SEEDS) {
      var rng = new SplittableRandom(seed);
      var samples = new ArrayList<Sample>();
      var nodes = new ArrayList<SimulatedNode>();
      for (int i = 0; i < 8; i++) {
        nodes.add(new SimulatedNode("n" + i, i, 8, STEP_S, rng.split(), TrainingJob.SCRIPTS));
      }
      for (int step = 0; step < STEPS; step++) {
        int g = 0;
        for (var node : nodes) {
          node.step();
          for (var gpu : node.gpus()) {
            samples.add(new Sample(g++, step, gpu.busy(), gpu.phase(), gpu.utilization(),
                gpu.memoryUsedMiB(), gpu.temperatureC(), gpu.powerW(), gpu.graphicsClockMhz(),
                gpu.pstate(), gpu.jobsStarted(), gpu.jobEpoch()));
          }
        }
      }
      runs.add(samples);
    }
  }

  private static List<Sample> all() {
    return runs.stream().flatMap(List::stream).toList();
  }

  private static double mean(List<Sample> s, java.util.function.ToDoubleFunction<Sample> f) {
    return s.stream().mapToDouble(f).average().orElseThrow();
  }

  @Test
  void busyShare_isAboutFortyPercent_inEverySeed() {
    for (var run : runs) {
      double busy = run.stream().filter(Sample::busy).count() / (double) run.size();
      assertThat(busy).as("busy share").isBetween(0.28, 0.52);
    }
    double overall = all().stream().filter(Sample::busy).count() / (double) all().size();
    assertThat(overall).isBetween(0.33, 0.47);
  }

  @Test
  void jobs_startAndFinish() {
    for (var run : runs) {
      int starts = 0;
      int ends = 0;
      var last = new HashMap<Integer, Boolean>();
      for (var s : run) {
        Boolean before = last.put(s.gpu(), s.busy());
        if (before != null && !before && s.busy()) {
          starts++;
        }
        if (before != null && before && !s.busy()) {
          ends++;
        }
      }
      assertThat(starts).as("jobs started").isGreaterThan(30);
      assertThat(ends).as("jobs finished").isGreaterThan(30);
    }
  }

  @Test
  void epochs_haveWarmupTrainingAndValidation_atTheirLevels() {
    var busy = all().stream().filter(Sample::busy).toList();
    var byPhase = new HashMap<String, List<Sample>>();
    busy.forEach(s -> byPhase.computeIfAbsent(s.phase(), k -> new ArrayList<>()).add(s));

    assertThat(mean(byPhase.get("WARMUP"), Sample::util)).isBetween(18.0, 32.0);
    assertThat(mean(byPhase.get("TRAIN"), Sample::util)).isBetween(92.0, 99.0);
    assertThat(mean(byPhase.get("VALIDATION"), Sample::util)).isBetween(58.0, 72.0);
    double train = byPhase.get("TRAIN").size();
    assertThat(train / busy.size()).as("training is most of a job").isGreaterThan(0.7);
  }

  @Test
  void epochs_repeatWithinAJob() {
    var epochsPerJob = new HashMap<String, Integer>();
    var warmupsSeen = new HashMap<String, Integer>();
    String[] lastPhase = new String[64 * SEEDS.length];
    int run = 0;
    for (var samples : runs) {
      for (var s : samples) {
        if (!s.busy()) {
          continue;
        }
        String job = run + "/" + s.gpu() + "/" + s.jobs();
        epochsPerJob.merge(job, s.epoch(), Math::max);
        int slot = run * 64 + s.gpu();
        if ("WARMUP".equals(s.phase()) && !"WARMUP".equals(lastPhase[slot])) {
          warmupsSeen.merge(job, 1, Integer::sum);
        }
        lastPhase[slot] = s.phase();
      }
      run++;
    }
    long multiEpoch = warmupsSeen.values().stream().filter(n -> n >= 3).count();
    assertThat(multiEpoch).as("jobs with three or more warmups").isGreaterThan(50);
    assertThat(epochsPerJob.values().stream().mapToInt(Integer::intValue).max().orElse(0))
        .isGreaterThanOrEqualTo(4);
  }

  @Test
  void training_hasPeriodicDataLoadingDips() {
    var train = all().stream().filter(s -> "TRAIN".equals(s.phase())).toList();
    var dips = all().stream().filter(s -> "DATA_DIP".equals(s.phase())).toList();

    assertThat(mean(dips, Sample::util)).isLessThan(mean(train, Sample::util) - 30);
    double share = dips.size() / (double) (dips.size() + train.size());
    assertThat(share).as("time in dips").isBetween(0.04, 0.25);
    // A dip comes back: the gaps between dip starts on one GPU cluster around the job's period.
    var gaps = new ArrayList<Integer>();
    var lastStart = new HashMap<Integer, Integer>();
    var inDip = new HashMap<Integer, Boolean>();
    for (var s : runs.get(0)) {
      boolean dip = "DATA_DIP".equals(s.phase());
      if (dip && !inDip.getOrDefault(s.gpu(), false)) {
        Integer prev = lastStart.put(s.gpu(), s.step());
        if (prev != null && s.step() - prev < 60) {
          gaps.add(s.step() - prev);
        }
      }
      inDip.put(s.gpu(), dip);
    }
    assertThat(gaps).hasSizeGreaterThan(200);
    double meanGapS = gaps.stream().mapToInt(Integer::intValue).average().orElseThrow() * STEP_S;
    assertThat(meanGapS).isBetween(8.0, 20.0);
  }

  @Test
  void memory_isAllocatedAtJobStart_andSteadyWhileItRuns() {
    var perJob = new HashMap<String, java.util.Set<Integer>>();
    for (var s : runs.get(0)) {
      if (s.busy()) {
        perJob.computeIfAbsent(s.gpu() + "/" + s.jobs(), k -> new HashSet<>()).add(s.memory());
      } else {
        assertThat(s.memory()).as("idle driver overhead").isBetween(100, 600);
      }
    }
    assertThat(perJob).hasSizeGreaterThan(30);
    perJob.values().forEach(values -> assertThat(values).as("memory during one job").hasSize(1));
    double busyMem = mean(runs.get(0).stream().filter(Sample::busy).toList(), Sample::memory);
    assertThat(busyMem).isGreaterThan(10_000);
  }

  @Test
  void pstateAndClocks_followLoad() {
    var train = all().stream().filter(s -> "TRAIN".equals(s.phase()) && s.util() >= 90).toList();
    long p0 = train.stream().filter(s -> s.pstate().equals("P0")).count();
    assertThat(p0 / (double) train.size()).isGreaterThan(0.97);

    var longIdle = new ArrayList<Sample>();
    var idleSince = new HashMap<Integer, Integer>();
    for (var s : runs.get(0)) {
      if (s.busy()) {
        idleSince.remove(s.gpu());
      } else {
        int since = idleSince.computeIfAbsent(s.gpu(), k -> s.step());
        if (s.step() - since > 40) {
          longIdle.add(s);
        }
      }
    }
    assertThat(longIdle).isNotEmpty().allMatch(s -> s.pstate().equals("P8"));
    assertThat(all().stream().filter(s -> s.pstate().equals("P2")).count())
        .as("middling load reaches P2").isGreaterThan(1000);
    double p0Clock = mean(all().stream().filter(s -> s.pstate().equals("P0")).toList(), Sample::clock);
    double p8Clock = mean(longIdle, Sample::clock);
    assertThat(p0Clock).isGreaterThan(3 * p8Clock);
  }

  @Test
  void temperature_followsPower_withThermalLag() {
    for (var run : runs) {
      var last = new HashMap<Integer, Integer>();
      for (var s : run) {
        Integer before = last.put(s.gpu(), s.temp());
        if (before != null) {
          assertThat(Math.abs(s.temp() - before)).as("temperature step in 0.5 s").isLessThanOrEqualTo(2);
        }
      }
    }
    // After a job starts, the GPU warms over tens of seconds rather than at once.
    var run = runs.get(0);
    var byGpu = new HashMap<Integer, List<Sample>>();
    run.forEach(s -> byGpu.computeIfAbsent(s.gpu(), k -> new ArrayList<>()).add(s));
    int checked = 0;
    for (var list : byGpu.values()) {
      for (int i = 1; i + 240 < list.size(); i++) {
        if (!list.get(i - 1).busy() && list.get(i).busy() && !list.get(i - 1 - Math.min(i - 1, 120)).busy()) {
          int start = list.get(i - 1).temp();
          int after5s = list.get(i + 10).temp();
          int after2min = list.get(i + 240).temp();
          if (list.get(i + 240).busy()) {
            assertThat(after5s - start).as("rise in 5 s").isLessThan(after2min - start);
            checked++;
          }
        }
      }
    }
    assertThat(checked).isGreaterThan(5);
    assertThat(correlation(all(), Sample::power, Sample::temp)).isGreaterThan(0.6);
  }

  @Test
  void power_followsUtilization() {
    var sample = all().subList(0, 200_000);
    assertThat(correlation(sample, Sample::util, Sample::power)).isGreaterThan(0.85);
  }

  @Test
  void sameSeed_sameMessages_otherSeed_otherMessages() {
    Instant t = Instant.parse("2026-12-04T10:00:00Z");
    byte[] a = run(42, t);
    byte[] b = run(42, t);
    byte[] c = run(43, t);
    assertThat(a).isEqualTo(b);
    assertThat(a).isNotEqualTo(c);
  }

  private static byte[] run(long seed, Instant t) {
    var node = new SimulatedNode("n", 0, 8, STEP_S, new SplittableRandom(seed), TrainingJob.SCRIPTS);
    for (int i = 0; i < 500; i++) {
      node.step();
    }
    return node.message(t);
  }

  @Test
  void message_carriesSampleTime_andTheProtocolShape() throws Exception {
    var node = new SimulatedNode("gpu-server-1", 0, 4, STEP_S, new SplittableRandom(9), TrainingJob.SCRIPTS);
    node.step();
    JsonNode msg = Json.MAPPER.readTree(node.message(Instant.parse("2026-12-04T10:00:00.123456Z")));

    assertThat(msg.get("node_name").asText()).isEqualTo("gpu-server-1");
    assertThat(msg.get("sampled_at_ms").decimalValue()).isEqualByComparingTo("1796378400123.456");
    assertThat(msg.get("gpus").size()).isEqualTo(4);
    JsonNode gpu = msg.get("gpus").get("0");
    for (String key : List.of("index", "name", "uuid", "utilization", "memory_used", "memory_total",
        "temperature", "power_draw", "power_limit", "clock_graphics", "clock_memory",
        "performance_state")) {
      assertThat(gpu.has(key)).as(key).isTrue();
    }
    assertThat(gpu.get("index").isTextual()).isTrue();
    assertThat(msg.get("system").has("cpu_percent")).isTrue();
  }

  @Test
  void clusters_mixGpuModels_withTheirOwnLimits() {
    var models = new HashSet<GpuModel>();
    var rng = new SplittableRandom(5);
    List<Integer> light = Preset.LIGHT.gpusPerNode();
    for (int i = 0; i < light.size(); i++) {
      var node = new SimulatedNode("n" + i, i, light.get(i), STEP_S, rng.split(), TrainingJob.SCRIPTS);
      node.gpus().forEach(g -> models.add(g.model));
    }
    assertThat(models).hasSizeGreaterThanOrEqualTo(2);
    assertThat(models.stream().map(GpuModel::memoryMiB).distinct().count()).isEqualTo(models.size());
    assertThat(models.stream().map(GpuModel::powerLimitW).distinct().count()).isEqualTo(models.size());
  }

  private static double correlation(List<Sample> s, java.util.function.ToDoubleFunction<Sample> x,
      java.util.function.ToDoubleFunction<Sample> y) {
    double mx = mean(s, x);
    double my = mean(s, y);
    double sxy = 0;
    double sxx = 0;
    double syy = 0;
    for (var v : s) {
      double dx = x.applyAsDouble(v) - mx;
      double dy = y.applyAsDouble(v) - my;
      sxy += dx * dy;
      sxx += dx * dx;
      syy += dy * dy;
    }
    return sxy / Math.sqrt(sxx * syy);
  }
}
