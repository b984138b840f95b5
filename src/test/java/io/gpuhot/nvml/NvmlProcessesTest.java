package io.gpuhot.nvml;

import static io.gpuhot.nvml.FakeConfig.h100;
import static io.gpuhot.nvml.FakeConfig.uuid;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import ch.qos.logback.classic.Level;
import io.gpuhot.node.ProcessNames;
import io.gpuhot.nvml.FakeNvml.Variant;
import io.gpuhot.nvml.GpuProcess.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Process lists through each struct version a driver may export. The stand-in writes entries
 * in the layout of the entry point called, so a binding that pairs an entry point with the
 * wrong struct reads scrambled PIDs here, as it would on a real driver.
 */
final class NvmlProcessesTest {
  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void tearDown() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
  }

  private NvmlBackend backend(Variant variant, FakeConfig config) throws Exception {
    var backend = FakeNvml.open(variant, config);
    open.add(backend);
    return backend;
  }

  /** The three processes of scenario 24 (values from the real H100 capture). */
  private static FakeConfig threeProcesses() {
    return FakeConfig.machine().gpu(0, h100(0))
        .process(0, 0, 21180, "2296").process(0, 1, 21181, "1272").process(0, 2, 21198, "7484");
  }

  @ParameterizedTest
  @EnumSource(Variant.class)
  void sample_anyDriverGeneration_readsEveryPidWithTheMatchingStruct(Variant variant)
      throws Exception {
    var backend = backend(variant, threeProcesses());

    var processes = backend.sample().processes();

    assertThat(processes).extracting(GpuProcess::pid).containsExactly(21180L, 21181L, 21198L);
    assertThat(processes).extracting(GpuProcess::memoryMib)
        .containsExactly(2296.0, 1272.0, 7484.0);
    assertThat(processes).allSatisfy(p -> {
      assertThat(p.type()).isEqualTo(Type.COMPUTE);
      assertThat(p.gpuIndex()).isEqualTo("0");
      assertThat(p.gpuUuid()).isEqualTo(uuid(0));
      assertThat(p.gpuInstanceId()).isNull();
      assertThat(p.computeInstanceId()).isNull();
    });
  }

  @Test
  void sample_currentDriver_callsTheV3EntryPointOnly() throws Exception {
    var backend = backend(Variant.CURRENT, threeProcesses());
    var fake = FakeNvml.control(Variant.CURRENT);

    backend.sample();

    assertThat(fake.fake_nvml_calls("nvmlDeviceGetComputeRunningProcesses_v3")).isEqualTo(1);
    assertThat(fake.fake_nvml_calls("nvmlDeviceGetComputeRunningProcesses_v2")).isZero();
    assertThat(fake.fake_nvml_calls("nvmlDeviceGetComputeRunningProcesses")).isZero();
  }

  @Test
  void sample_r418Driver_fallsBackToTheUnversionedEntryPoint() throws Exception {
    var backend = backend(Variant.R418, threeProcesses());
    var fake = FakeNvml.control(Variant.R418);

    backend.sample();

    assertThat(fake.fake_nvml_calls("nvmlDeviceGetComputeRunningProcesses")).isEqualTo(1);
    assertThat(fake.fake_nvml_calls("nvmlDeviceGetGraphicsRunningProcesses")).isEqualTo(1);
  }

  @Test
  void sample_driverWritingAnotherStructSize_dropsTheListAndWarnsOnce() throws Exception {
    var backend = backend(Variant.CURRENT, threeProcesses().set("gpu.0.proc_stride", 32));

    try (var log = new LogCapture()) {
      var first = backend.sample();
      var second = backend.sample();

      assertThat(first.processes()).isEmpty();
      assertThat(second.processes()).isEmpty();
      assertThat(first.gpus().get("0").has("compute_processes_count")).isFalse();
      assertThat(first.gpus().get("0").get("graphics_processes_count").asInt()).isZero();
      assertThat(first.gpus().get("0").get("temperature").asDouble()).isEqualTo(53.0);
      assertThat(log.lines(Level.WARN)).containsExactly("GPU 0 (" + uuid(0) + "): compute"
          + " process list unreliable (entry 1 has PID 0); leaving it out. The driver and this"
          + " binding may disagree on the nvmlProcessInfo_t layout (logged once)");
    }
  }

  @Test
  void sample_processUsingMoreMemoryThanTheGpuHas_dropsTheList() throws Exception {
    var config = threeProcesses().process(0, 3, 21199, "90000");
    var backend = backend(Variant.CURRENT, config);

    var sample = backend.sample();

    assertThat(sample.processes()).isEmpty();
    assertThat(sample.gpus().get("0").has("compute_processes_count")).isFalse();
  }

  @Test
  void sample_pidBeyondTheKernelLimit_dropsTheList() throws Exception {
    var backend = backend(Variant.CURRENT, threeProcesses().process(0, 3, 4194305, "10"));

    assertThat(backend.sample().processes()).isEmpty();
  }

  @Test
  void sample_unknownProcessMemory_keepsTheProcessWithNullMemory() throws Exception {
    var config = FakeConfig.machine().gpu(0, h100(0))
        .process(0, 0, 79, "na").process(0, 1, 80, "512");
    var backend = backend(Variant.CURRENT, config);

    var sample = backend.sample();

    assertThat(sample.processes()).extracting(GpuProcess::pid).containsExactly(79L, 80L);
    assertThat(sample.processes().get(0).memoryMib()).isNull();
    assertThat(sample.processes().get(1).memoryMib()).isEqualTo(512.0);
    assertThat(sample.gpus().get("0").get("compute_processes_count").asInt()).isEqualTo(2);
  }

  @Test
  void sample_migProcesses_carryTheirInstanceIds() throws Exception {
    var config = threeProcesses().set("gpu.0.mig.current", 1)
        .set("gpu.0.proc.0.gi", 1).set("gpu.0.proc.0.ci", 0)
        .set("gpu.0.proc.1.gi", 2).set("gpu.0.proc.1.ci", 0)
        .set("gpu.0.proc.2.gi", 2).set("gpu.0.proc.2.ci", 1);
    var backend = backend(Variant.CURRENT, config);

    var processes = backend.sample().processes();

    assertThat(processes).extracting(GpuProcess::gpuInstanceId).containsExactly(1, 2, 2);
    assertThat(processes).extracting(GpuProcess::computeInstanceId).containsExactly(0, 0, 1);
  }

  @Test
  void sample_graphicsAndComputeOnSeveralGpus_comeInGpuOrderWithTheirType() throws Exception {
    var config = FakeConfig.machine().gpu(0, h100(0)).gpu(1, h100(1))
        .process(1, 0, 5001, "100")
        .set("gpu.0.gproc.0.pid", 2301).set("gpu.0.gproc.0.mem_mib", 412)
        .process(0, 0, 4001, "200");
    var backend = backend(Variant.CURRENT, config);

    var sample = backend.sample();

    assertThat(sample.processes()).extracting(GpuProcess::pid, GpuProcess::type,
            GpuProcess::gpuIndex)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(4001L, Type.COMPUTE, "0"),
            org.assertj.core.groups.Tuple.tuple(2301L, Type.GRAPHICS, "0"),
            org.assertj.core.groups.Tuple.tuple(5001L, Type.COMPUTE, "1"));
    assertThat(sample.gpus().get("0").get("graphics_processes_count").asInt()).isEqualTo(1);
    assertThat(sample.gpus().get("1").get("graphics_processes_count").asInt()).isZero();
  }

  @Test
  void sample_moreProcessesThanTheBuffer_growsItOnceAndReadsThemAll() throws Exception {
    var config = FakeConfig.machine().gpu(0, h100(0));
    for (int k = 0; k < 40; k++) {
      config.process(0, k, 30000 + k, "64");
    }
    var backend = backend(Variant.CURRENT, config);
    var fake = FakeNvml.control(Variant.CURRENT);

    var first = backend.sample();
    var second = backend.sample();

    assertThat(first.processes()).hasSize(40);
    assertThat(second.processes()).extracting(GpuProcess::pid).last().isEqualTo(30039L);
    assertThat(fake.fake_nvml_calls("nvmlDeviceGetComputeRunningProcesses_v3"))
        .as("one retry after INSUFFICIENT_SIZE, then the grown buffer fits").isEqualTo(3);
  }

  @Test
  void sample_processesInAnotherPidNamespace_areKeptAndNamedByPid() throws Exception {
    long[] pids = {4_000_123, 4_000_188};
    for (long pid : pids) {
      assumeThat(Files.exists(Path.of("/proc/" + pid))).as("PID " + pid + " unused").isFalse();
    }
    var config = FakeConfig.machine().gpu(0, h100(0))
        .process(0, 0, pids[0], "10240").process(0, 1, pids[1], "512");
    var backend = backend(Variant.CURRENT, config);
    var names = new ProcessNames(Path.of("/proc"), Duration.ZERO);

    var processes = backend.sample().processes();

    assertThat(processes).extracting(GpuProcess::memoryMib).containsExactly(10240.0, 512.0);
    assertThat(processes).extracting(p -> names.nameOf(p.pid()))
        .containsExactly("PID:4000123", "PID:4000188");
  }
}
