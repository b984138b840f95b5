package io.gpuhot.nvml;

import com.sun.jna.Library;
import com.sun.jna.Native;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The NVML stand-in for tests: compiles {@code src/test/c/fake_nvml.c} into {@code
 * target/fake-nvml/<variant>/libnvidia-ml-fake.so.1} once per JVM (again only when the source
 * is newer), points {@code FAKE_NVML_CONFIG} at a fresh config file, and exposes the library's
 * call counters.
 *
 * <p>The file is deliberately not called {@code libnvidia-ml.so.1}: JNA also caches a loaded
 * library under its file name, so a stand-in with the real soname would answer any later
 * lookup of the system NVML in the same JVM, for as long as it stays reachable.
 */
public final class FakeNvml {
  /** Which entry points the compiled library exports, after the driver generation it mimics. */
  public enum Variant {
    /** Everything, as a current (R535+) driver. */
    CURRENT(3),
    /** No _v3 process queries, no memory _v2, no clocks-event reasons: an R470-era driver. */
    R470(2),
    /** Only the unversioned process queries (nvmlProcessInfo_v1_t): an R418-era driver. */
    R418(1);

    final int apiLevel;

    Variant(int apiLevel) {
      this.apiLevel = apiLevel;
    }
  }

  /** The stand-in's test hooks. */
  interface Control extends Library {
    int fake_nvml_calls(String function);

    int fake_nvml_gpu_calls(int gpu, String function);

    int fake_nvml_uninitialized_calls();

    int fake_nvml_init_depth();

    void fake_nvml_reset_counts();

    int fake_nvml_set(String key, String value);
  }

  /** setenv(3), so the stand-in's getenv sees the config path; Java cannot change its env. */
  interface LibC extends Library {
    int setenv(String name, String value, int overwrite);
  }

  private static final Map<Variant, Path> BUILT = new EnumMap<>(Variant.class);
  private static final LibC LIBC = Native.load("c", LibC.class);

  private FakeNvml() {}

  static Path projectDir() {
    return Path.of(System.getProperty("gpuhot.project.dir", System.getProperty("user.dir")));
  }

  /** The compiled library for a variant, built on first use. */
  public static synchronized Path library(Variant variant) {
    Path built = BUILT.get(variant);
    if (built == null) {
      built = build(variant);
      BUILT.put(variant, built);
    }
    return built;
  }

  static Control control(Variant variant) {
    return Native.load(library(variant).toString(), Control.class);
  }

  /** Writes the config to a new file and exports its path as FAKE_NVML_CONFIG. */
  public static Path configure(FakeConfig config) {
    try {
      Path dir = Files.createDirectories(projectDir().resolve("target/fake-nvml/config"));
      Path file = Files.createTempFile(dir, "nvml-", ".conf");
      Files.writeString(file, config.text(), StandardCharsets.UTF_8);
      file.toFile().deleteOnExit();
      if (LIBC.setenv("FAKE_NVML_CONFIG", file.toString(), 1) != 0) {
        throw new IllegalStateException("setenv(FAKE_NVML_CONFIG) failed");
      }
      return file;
    } catch (IOException e) {
      throw new IllegalStateException("cannot write the stand-in's config", e);
    }
  }

  /** Configures the stand-in, zeroes its counters and opens the backend on it. */
  static NvmlBackend open(Variant variant, FakeConfig config) throws NvmlUnavailableException {
    configure(config);
    control(variant).fake_nvml_reset_counts();
    return NvmlBackend.open(library(variant));
  }

  /**
   * Builds the stand-in and writes a config of {@code count} H100s for the sample benchmark;
   * prints the library path. Arguments: {@code <count> <config file>}.
   */
  public static void main(String[] args) throws IOException {
    int count = Integer.parseInt(args[0]);
    var config = FakeConfig.machine();
    for (int i = 0; i < count; i++) {
      config.gpu(i, FakeConfig.h100(i))
          .process(i, 0, 21180 + 3 * i, "2296").process(i, 1, 21181 + 3 * i, "1272")
          .process(i, 2, 21182 + 3 * i, "7484");
    }
    Files.writeString(Path.of(args[1]), config.text(), StandardCharsets.UTF_8);
    System.out.println(library(Variant.CURRENT));
  }

  private static Path build(Variant variant) {
    Path source = projectDir().resolve("src/test/c/fake_nvml.c");
    Path dir = projectDir().resolve("target/fake-nvml/" + variant.name().toLowerCase());
    Path target = dir.resolve("libnvidia-ml-fake.so.1");
    try {
      if (Files.exists(target)
          && Files.getLastModifiedTime(target).compareTo(Files.getLastModifiedTime(source)) > 0) {
        return target;
      }
      Files.createDirectories(dir);
      Path partial = Files.createTempFile(dir, "libnvidia-ml-fake", ".so.partial");
      compile(source, partial, variant.apiLevel);
      // A concurrent build in another JVM must never see a half-written library.
      return Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE,
          StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new IllegalStateException("cannot build the NVML stand-in in " + dir, e);
    }
  }

  private static void compile(Path source, Path out, int apiLevel) throws IOException {
    Process gcc;
    try {
      gcc = new ProcessBuilder("gcc", "-shared", "-fPIC", "-O1", "-Wall", "-Wextra",
          "-DFAKE_API_LEVEL=" + apiLevel, "-o", out.toString(), source.toString())
          .redirectErrorStream(true)
          .start();
    } catch (IOException e) {
      throw new AssertionError("gcc not found on PATH: the NVML tests compile their stand-in"
          + " library from src/test/c/fake_nvml.c with it (" + e.getMessage() + ")", e);
    }
    try {
      boolean done = gcc.waitFor(120, TimeUnit.SECONDS);
      String output = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!done) {
        gcc.destroyForcibly();
        throw new AssertionError("gcc did not finish building the NVML stand-in in 120 s");
      }
      if (gcc.exitValue() != 0) {
        throw new AssertionError("gcc failed to build the NVML stand-in:\n" + output);
      }
    } catch (InterruptedException e) {
      gcc.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while building the NVML stand-in", e);
    }
  }
}
