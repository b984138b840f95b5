package io.gpuhot.smi;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The runner against stand-in {@code nvidia-smi} shell scripts written at test time. */
@EnabledOnOs({OS.LINUX, OS.MAC})
final class SmiRunnerTest {
  private static final Duration SHORT = Duration.ofSeconds(1);
  private static final Duration GENEROUS = Duration.ofSeconds(20);

  @TempDir Path dir;

  /** Writes an executable {@code nvidia-smi} script; {@code $D} in the body is the temp dir. */
  private Path script(String body) throws IOException {
    Path p = dir.resolve("nvidia-smi");
    Files.writeString(p, "#!/bin/sh\nD='" + dir + "'\necho x >> \"$D/calls\"\n" + body);
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
    return p;
  }

  /** A stand-in that prints a fixture's stdout and stderr and exits with its status. */
  private Path replaying(Fixture f) throws IOException {
    Files.writeString(dir.resolve("stdout"), f.stdout());
    Files.writeString(dir.resolve("stderr"), f.stderr());
    return script("printf '%s\\n' \"$@\" > \"$D/args\"\n"
        + "printf '%s' \"$LC_ALL\" > \"$D/lc_all\"\n"
        + "cat \"$D/stdout\"\ncat \"$D/stderr\" >&2\nexit " + f.exit() + "\n");
  }

  private SmiRunner runner(Path script, Duration timeout) {
    return new SmiRunner(List.of(script.toString()), timeout);
  }

  private int calls() throws IOException {
    Path calls = dir.resolve("calls");
    return Files.exists(calls) ? Files.readAllLines(calls).size() : 0;
  }

  @ParameterizedTest
  @ValueSource(strings = {
    "01-h100-sxm-real.load.input", "06-rtx2080super-windows-real.input",
    "14-gpu-requires-reset.input", "15-one-gpu-lost-multi-gpu.input",
    "17-driver-library-mismatch.input", "18-driver-not-loaded.input",
    "19-no-supported-gpus.input", "27-xml-schema-drift-malformed.input",
  })
  void pollGpus_standInReplayingFixture_sameAsParsingIt(String input) throws Exception {
    Fixture f = Fixture.load(input);
    SmiResult expected = f.parse();

    SmiResult r = runner(replaying(f), GENEROUS).pollGpus();

    assertThat(r.timedOut()).isFalse();
    assertThat(r.error()).isEqualTo(expected.error());
    assertThat(r.gpus()).isEqualTo(expected.gpus());
    assertThat(r.gpuErrors()).isEqualTo(expected.gpuErrors());
    assertThat(calls()).isEqualTo(1);
  }

  @Test
  void pollGpus_passesTheFullQueryWithCLocale() throws Exception {
    SmiResult r = runner(replaying(Fixture.load("01-h100-sxm-real.load.input")), GENEROUS)
        .pollGpus();

    assertThat(Files.readAllLines(dir.resolve("args"))).containsExactly(
        "--query-gpu=" + String.join(",", SmiQuery.FULL_FIELDS),
        "--format=csv,noheader,nounits");
    assertThat(SmiQuery.FULL_FIELDS).hasSize(31);
    assertThat(Files.readString(dir.resolve("lc_all"))).isEqualTo("C");
    assertThat(r.ok()).isTrue();
    assertThat(r.query()).isEqualTo(SmiQuery.gpus());
    assertThat(r.gpus().get("0").get("power_draw").asDouble()).isEqualTo(631.95);
    assertThat(r.duration()).isPositive();
  }

  @Test
  void pollGpus_lostGpuOnStderrWithExit15_keepsTheOthers() throws Exception {
    Fixture f = Fixture.load("15-one-gpu-lost-multi-gpu.input");
    Fixture exit15 = new Fixture(f.name(), f.stdout(), f.stderr(), 15, f.query(), f.meta());

    SmiResult r = runner(replaying(exit15), GENEROUS).pollGpus();

    assertThat(r.error()).isNull();
    assertThat(r.gpus().keySet()).containsExactly("0", "1", "2", "3");
    assertThat(r.gpuErrors()).containsOnlyKeys("1");
    assertThat(r.gpus().get("2").get("power_draw").asDouble()).isEqualTo(69.85);
  }

  @Test
  void pollGpus_refusedFields_droppedRetriedAndRemembered() throws Exception {
    List<String> encoder = List.of("encoder.stats.sessionCount", "encoder.stats.averageFps",
        "encoder.stats.averageLatency");
    var cells = new ArrayList<>(List.of(
        Fixture.load("01-h100-sxm-real.load.input").stdout().strip().split(", ")));
    cells.subList(24, 27).clear();
    Files.writeString(dir.resolve("stdout"), String.join(", ", cells) + "\n");
    var body = new StringBuilder("q=\"${1#--query-gpu=}\"\n");
    for (String field : encoder) {
      body.append("case \",$q,\" in *,").append(field).append(",*) printf 'Field \"%s\" is not")
          .append(" a valid field to query.\\n\\n' ").append(field).append("; exit 2;; esac\n");
    }
    SmiRunner runner = runner(script(body + "cat \"$D/stdout\"\n"), GENEROUS);

    SmiResult first = runner.pollGpus();
    SmiResult second = runner.pollGpus();

    assertThat(first.error()).isNull();
    assertThat(first.query().unsupported()).containsExactlyElementsOf(encoder);
    assertThat(first.query().fields()).hasSize(28).doesNotContainAnyElementsOf(encoder);
    ObjectNode gpu = first.gpus().get("0");
    assertThat(gpu.get("power_draw").asDouble()).isEqualTo(631.95);
    assertThat(gpu.get("encoder_utilization").asInt()).isZero();
    assertThat(gpu.has("encoder_sessions")).as("unsupported is not 0").isFalse();
    assertThat(second.gpus()).isEqualTo(first.gpus());
    assertThat(second.query()).isEqualTo(first.query());
    assertThat(calls()).as("3 refusals, 1 answer, then 1 cached").isEqualTo(5);
  }

  @Test
  void pollGpus_driverRefusingManyFields_fallsBackToBasicQuery() throws Exception {
    Files.copy(Fixture.dir().resolve("28-reserved-memory-used-plus-free.basic.input"),
        dir.resolve("stdout"));
    SmiRunner runner = runner(script(
        "basic=\"," + String.join(",", SmiQuery.BASIC_FIELDS) + ",\"\n"
            + "IFS=,\nfor f in ${1#--query-gpu=}; do\n"
            + "  case \"$basic\" in *,$f,*) ;; *) printf 'Field \"%s\" is not a valid field"
            + " to query.\\n\\n' \"$f\"; exit 2;; esac\ndone\n"
            + "cat \"$D/stdout\"\n"), GENEROUS);

    SmiResult r = runner.pollGpus();

    assertThat(r.error()).isNull();
    assertThat(r.query().fields()).isEqualTo(SmiQuery.BASIC_FIELDS);
    assertThat(r.query().unsupported())
        .containsExactly("uuid", "driver_version", "vbios_version", "memory.free");
    assertThat(runner.gpuQuery()).isEqualTo(r.query());
    ObjectNode gpu = r.gpus().get("0");
    assertThat(gpu.get("power_draw").asDouble()).isEqualTo(631.95);
    assertThat(gpu.has("memory_free")).isFalse();
    assertThat(calls()).isEqualTo(5);
  }

  @Test
  void pollGpus_fieldRefusedAgainAndAgain_givesUpWithTheError() throws Exception {
    Fixture f = Fixture.load("20-invalid-field-old-driver.input");
    SmiRunner runner = runner(replaying(f), GENEROUS);

    SmiResult r = runner.pollGpus();

    assertThat(r.gpus()).isEmpty();
    assertThat(r.error()).contains("\"encoder.stats.sessionCount\"", "exit 2");
    assertThat(r.query().isBasic()).isTrue();
    assertThat(calls()).as("full, without the field, basic").isEqualTo(3);
  }

  @Test
  void pollGpus_hangingTreeIgnoringSigterm_killedWithinTimeout() throws Exception {
    Path pids = dir.resolve("pids");
    SmiRunner runner = runner(script(
        "trap '' TERM\necho $$ >> \"$D/pids\"\n"
            + "sleep 600 &\necho $! >> \"$D/pids\"\n"
            + "sh -c 'echo $$ >> \"$1\"; exec sleep 600' sh \"$D/pids\"\n"), SHORT);

    long start = System.nanoTime();
    SmiResult r = runner.pollGpus();
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    assertThat(took).isLessThan(SHORT.plusMillis(2500));
    assertThat(r.timedOut()).isTrue();
    assertThat(r.ok()).isFalse();
    assertThat(r.gpus()).isEmpty();
    assertThat(r.error()).contains("did not answer within 1 s", "killed");
    List<Long> started = Files.readAllLines(pids).stream().map(Long::parseLong).toList();
    assertThat(started).as("script, background child, foreground child").hasSize(3);
    awaitAllDead(started, Duration.ofSeconds(5));
  }

  @Test
  void pollGpus_whileAnotherPollRuns_returnsBusyAtOnce() throws Exception {
    Fixture f = Fixture.load("01-h100-sxm-real.input");
    Files.writeString(dir.resolve("stdout"), f.stdout());
    SmiRunner runner = runner(script("touch \"$D/started\"\ni=0\n"
        + "while [ ! -e \"$D/release\" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done\n"
        + "cat \"$D/stdout\"\n"), GENEROUS);

    CompletableFuture<SmiResult> first = CompletableFuture.supplyAsync(runner::pollGpus);
    awaitFile(dir.resolve("started"), Duration.ofSeconds(10));
    SmiResult second = runner.pollGpus();
    Files.writeString(dir.resolve("release"), "");
    SmiResult firstResult = first.get(GENEROUS.toSeconds(), TimeUnit.SECONDS);

    assertThat(second.gpus()).isEmpty();
    assertThat(second.error()).contains("still busy");
    assertThat(firstResult.ok()).isTrue();
    assertThat(firstResult.gpus()).containsOnlyKeys("0");
    assertThat(calls()).isEqualTo(1);
  }

  @Test
  void pollGpus_missingBinary_saysNotFoundOnPath() {
    SmiResult r = new SmiRunner(List.of("gpuhot-test-no-such-nvidia-smi"), SHORT).pollGpus();

    assertThat(r.error()).isEqualTo("gpuhot-test-no-such-nvidia-smi not found on PATH");
    assertThat(r.timedOut()).isFalse();
    assertThat(r.gpus()).isEmpty();
  }

  @Test
  void pollGpus_notExecutable_saysSo() throws Exception {
    Path p = dir.resolve("nvidia-smi");
    Files.writeString(p, "#!/bin/sh\n");

    SmiResult r = runner(p, SHORT).pollGpus();

    assertThat(r.error()).isEqualTo(p + " is not executable (permission denied)");
  }

  @Test
  void pollProcesses_listsProcessesWithUnknownMemoryAbsent() throws Exception {
    Files.writeString(dir.resolve("stdout"),
        "79, [Insufficient Permissions], GPU-00000000-0000-0000-0000-000000000000, [N/A]\n"
            + "4242, python3, GPU-00000000-0000-0000-0000-000000000000, 19800\n");
    SmiRunner runner = runner(script(
        "printf '%s\\n' \"$@\" > \"$D/args\"\ncat \"$D/stdout\"\n"), GENEROUS);

    SmiResult r = runner.pollProcesses();

    assertThat(Files.readAllLines(dir.resolve("args"))).containsExactly(
        "--query-compute-apps=pid,process_name,gpu_uuid,used_gpu_memory",
        "--format=csv,noheader,nounits");
    assertThat(r.error()).isNull();
    assertThat(r.processes()).hasSize(2);
    assertThat(r.processes().get(0).toString()).isEqualTo(
        "{\"pid\":\"79\",\"gpu_uuid\":\"GPU-00000000-0000-0000-0000-000000000000\"}");
    assertThat(r.processes().get(1).get("memory").asLong()).isEqualTo(19800);
  }

  @Test
  void narrower_dropsTheNamedFieldThenSwitchesToBasic() {
    SmiQuery q = SmiQuery.gpus();
    for (String f : List.of("uuid", "pstate", "fan.speed")) {
      q = SmiRunner.narrower(q, f);
      assertThat(q.isBasic()).isFalse();
    }
    SmiQuery basic = SmiRunner.narrower(q, "clocks.max.sm");

    assertThat(basic.fields()).containsExactlyElementsOf(SmiQuery.BASIC_FIELDS.stream()
        .filter(f -> !f.equals("pstate") && !f.equals("fan.speed")).toList());
    assertThat(basic.unsupported())
        .containsExactly("uuid", "pstate", "fan.speed", "clocks.max.sm");
    assertThat(SmiRunner.narrower(basic, "power.limit").fields()).doesNotContain("power.limit");
    assertThat(SmiRunner.narrower(basic, "uuid")).as("not asked: nothing left to try").isNull();
    assertThat(SmiRunner.narrower(SmiQuery.gpus(), "index")).isNull();
    assertThat(SmiRunner.narrower(SmiQuery.gpus(), "no.such.field").isBasic()).isTrue();
  }

  private static void awaitFile(Path p, Duration limit) throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (!Files.exists(p)) {
      assertThat(System.nanoTime()).as("waiting for " + p).isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  private static void awaitAllDead(List<Long> pids, Duration limit) throws Exception {
    long deadline = System.nanoTime() + limit.toNanos();
    List<Long> alive = running(pids);
    while (!alive.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(50);
      alive = running(pids);
    }
    assertThat(alive).as("processes left alive").isEmpty();
  }

  /**
   * The pids that still run. Zombies do not count: a killed orphan is reparented to PID 1, which
   * in some containers never reaps, yet it no longer runs or holds a pipe.
   */
  private static List<Long> running(List<Long> pids) throws IOException {
    var alive = new ArrayList<Long>();
    for (long pid : pids) {
      if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) && !zombie(pid)) {
        alive.add(pid);
      }
    }
    return alive;
  }

  private static boolean zombie(long pid) throws IOException {
    Path stat = Path.of("/proc", Long.toString(pid), "stat");
    if (!Files.exists(stat)) {
      return false;
    }
    String s = Files.readString(stat);
    return s.charAt(s.lastIndexOf(')') + 2) == 'Z';
  }
}
