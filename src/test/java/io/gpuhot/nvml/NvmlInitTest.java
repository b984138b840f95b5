package io.gpuhot.nvml;

import static io.gpuhot.nvml.FakeConfig.h100;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.gpuhot.nvml.FakeNvml.Variant;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Opening NVML when it cannot be used: every reason is one line, and init pairs with shutdown. */
final class NvmlInitTest {
  private final FakeNvml.Control fake = FakeNvml.control(Variant.CURRENT);

  private NvmlUnavailableException failure(FakeConfig config) {
    FakeNvml.configure(config);
    fake.fake_nvml_reset_counts();
    try (var backend = NvmlBackend.open(FakeNvml.library(Variant.CURRENT))) {
      throw new AssertionError("opened " + backend.gpuCount() + " GPU(s), expected a failure");
    } catch (NvmlUnavailableException e) {
      assertThat(e.getMessage()).as("one line").doesNotContain("\n");
      return e;
    }
  }

  @Test
  void open_driverLibraryMismatch_failsWithOneLineThatSaysWhatToDo() {
    var e = failure(FakeConfig.machine().gpu(0, h100(0)).set("init.rc", "LIB_RM_VERSION_MISMATCH"));

    assertThat(e).hasMessage("NVML: Driver/library version mismatch"
        + " (NVML_ERROR_LIB_RM_VERSION_MISMATCH); reboot or reload the nvidia kernel module");
    assertThat(e.code()).isEqualTo(NvmlReturn.LIB_RM_VERSION_MISMATCH);
    assertThat(fake.fake_nvml_calls("nvmlShutdown")).as("init failed: nothing to shut down")
        .isZero();
  }

  @Test
  void open_driverNotLoaded_namesTheKernelModule() {
    var e = failure(FakeConfig.machine().set("init.rc", "NVML_ERROR_DRIVER_NOT_LOADED"));

    assertThat(e).hasMessage("NVML: NVIDIA driver is not loaded (NVML_ERROR_DRIVER_NOT_LOADED);"
        + " load the nvidia kernel module; in a container, start it with the NVIDIA container"
        + " runtime");
  }

  @Test
  void open_initCodeNewerThanThisBuild_showsTheRawNumber() {
    var e = failure(FakeConfig.machine().set("init.rc", "77"));

    assertThat(e).hasMessage("NVML: Unknown error (NVML error code 77)");
    assertThat(e.code()).isEqualTo(NvmlReturn.UNKNOWN);
  }

  @Test
  void open_noGpus_failsAndShutsDownWhatItInitialised() {
    var e = failure(FakeConfig.machine());

    assertThat(e).hasMessage("NVML: no NVIDIA GPU found");
    assertThat(e.code()).isEqualTo(NvmlReturn.GPU_NOT_FOUND);
    assertThat(fake.fake_nvml_calls("nvmlInit_v2")).isEqualTo(1);
    assertThat(fake.fake_nvml_calls("nvmlShutdown")).isEqualTo(1);
    assertThat(fake.fake_nvml_init_depth()).isZero();
  }

  @Test
  void open_countRefused_failsWithTheReasonAndShutsDown() {
    var e = failure(FakeConfig.machine().gpu(0, h100(0))
        .set("rc.nvmlDeviceGetCount_v2", "NO_PERMISSION"));

    assertThat(e).hasMessage(
        "NVML: cannot count GPUs: Insufficient permissions (NVML_ERROR_NO_PERMISSION)");
    assertThat(fake.fake_nvml_init_depth()).isZero();
  }

  @Test
  void open_missingLibraryFile_failsWithOneLineNamingThePath(@TempDir Path dir) {
    Path missing = dir.resolve("nvidia/libnvidia-ml.so.1");

    assertThatThrownBy(() -> NvmlBackend.open(missing))
        .isInstanceOf(NvmlUnavailableException.class)
        .hasMessage("NVML: " + missing + " not found (check NVML_LIBRARY / --nvml-lib)");
  }

  @Test
  void open_fileThatIsNotALibrary_failsWithTheLinkersReason(@TempDir Path dir) throws Exception {
    Path bogus = Files.writeString(dir.resolve("libnvidia-ml.so.1"), "not an ELF file\n");

    assertThatThrownBy(() -> NvmlBackend.open(bogus))
        .isInstanceOf(NvmlUnavailableException.class)
        .hasMessageStartingWith("NVML: cannot load " + bogus + ": ")
        .hasMessageNotContaining("\n");
  }

  @Test
  void open_libraryWithoutNvml_saysItIsNotAnNvmlLibrary() {
    Path libc = Path.of("/lib/x86_64-linux-gnu/libc.so.6");
    assumeThat(Files.isRegularFile(libc)).as("a glibc x86-64 system").isTrue();

    assertThatThrownBy(() -> NvmlBackend.open(libc))
        .isInstanceOf(NvmlUnavailableException.class)
        .hasMessage("NVML: " + libc + " has no nvmlInit_v2; it is not an NVML library, or the"
            + " driver is too old");
  }

  @Test
  void open_afterAFailedOpen_succeedsWhenTheConditionClears() throws Exception {
    failure(FakeConfig.machine().gpu(0, h100(0)).set("init.rc", "LIB_RM_VERSION_MISMATCH"));

    FakeNvml.configure(FakeConfig.machine().gpu(0, h100(0)));
    try (var backend = NvmlBackend.open(FakeNvml.library(Variant.CURRENT))) {
      assertThat(backend.sample().gpus()).containsOnlyKeys("0");
    }
  }
}
