package io.gpuhot.nvml.jna;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.jna.NativeLibrary;
import io.gpuhot.nvml.FakeNvml;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Finding the library: by soname without the dev symlink, by path, and never by throwing. */
final class NvmlLoaderTest {
  /**
   * Uses a soname of the same shape as {@code libnvidia-ml.so.1} rather than that one: JNA
   * caches a loaded library under its file name, and binding a stand-in to the real soname
   * would hand it to every later lookup of the system NVML in this JVM.
   */
  @Test
  void loadByName_findsAVersionedSonameWhereNoDevSymlinkExists(@TempDir Path dir)
      throws Exception {
    String soname = "libnvidia-ml-solo.so.1";
    Files.copy(FakeNvml.library(FakeNvml.Variant.CURRENT), dir.resolve(soname));
    NativeLibrary.addSearchPath(soname, dir.toString());

    var result = NvmlLoader.loadByName(soname);

    assertThat(Files.exists(dir.resolve("libnvidia-ml-solo.so"))).as("dev symlink").isFalse();
    assertThat(result.reason()).isNull();
    assertThat(result.isAvailable()).isTrue();
    assertThat(result.source()).isEqualTo(soname);
    assertThat(result.hasSymbol("nvmlInit_v2")).isTrue();
    assertThat(result.hasSymbol("nvmlDeviceGetComputeRunningProcesses_v3")).isTrue();
    assertThat(result.hasSymbol("nvmlNoSuchFunction")).isFalse();
  }

  @Test
  void load_olderLibrary_reportsWhichVersionedSymbolsAreMissing() {
    var result = NvmlLoader.load(FakeNvml.library(FakeNvml.Variant.R470));

    assertThat(result.hasSymbol("nvmlDeviceGetComputeRunningProcesses_v2")).isTrue();
    assertThat(result.hasSymbol("nvmlDeviceGetComputeRunningProcesses_v3")).isFalse();
    assertThat(result.hasSymbol("nvmlDeviceGetMemoryInfo_v2")).isFalse();
  }

  @Test
  void loadByName_absentSoname_saysNotFoundWithAHint() {
    var result = NvmlLoader.loadByName("libnvidia-ml-absent.so.1");

    assertThat(result.isAvailable()).isFalse();
    assertThat(result.reason())
        .isEqualTo("NVML: libnvidia-ml-absent.so.1 not found (is the NVIDIA driver installed?)");
    assertThat(result.hasSymbol("nvmlInit_v2")).isFalse();
  }

  @Test
  void load_missingPath_saysNotFoundAndNamesTheSetting(@TempDir Path dir) {
    var result = NvmlLoader.load(dir.resolve("libnvidia-ml.so.1"));

    assertThat(result.reason()).isEqualTo("NVML: " + dir.resolve("libnvidia-ml.so.1")
        + " not found (check NVML_LIBRARY / --nvml-lib)");
  }

  @Test
  void load_notALibrary_givesTheLinkersWordsOnOneLine(@TempDir Path dir) throws Exception {
    Path bogus = Files.write(dir.resolve("libnvidia-ml.so.1"), new byte[64]);

    var result = NvmlLoader.load(bogus);

    assertThat(result.isAvailable()).isFalse();
    assertThat(result.reason()).startsWith("NVML: cannot load " + bogus + ": ")
        .doesNotContain("\n");
  }

  @Test
  void load_systemLibrary_neverThrows() {
    var result = NvmlLoader.load(null);

    assertThat(result).isSameAs(NvmlLoader.load(null));
    if (!result.isAvailable()) {
      assertThat(result.reason()).startsWith("NVML: ").doesNotContain("\n");
    }
  }
}
