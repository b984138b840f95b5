package io.gpuhot.nvml.jna;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Finds and binds the NVML shared library without ever throwing: the outcome is a {@link Result}
 * that either holds the binding or says in one line why there is none.
 *
 * <p>By default it asks the dynamic linker for {@code libnvidia-ml.so.1}, the name the driver
 * package installs. The bare {@code libnvidia-ml.so} symlink comes only with development
 * packages, so JNA's usual {@code "nvidia-ml"} mapping misses NVML on most servers. A caller may
 * instead name the library file itself (a stand-in for tests, or a driver in a custom place).
 */
public final class NvmlLoader {
  /** The soname the NVIDIA driver installs on Linux. */
  public static final String LIBRARY_NAME = "libnvidia-ml.so.1";

  private static final Map<String, Object> OPTIONS = Map.of();

  private NvmlLoader() {}

  /** The outcome of loading: the bound library, or why there is none. */
  public static final class Result {
    private final NvmlLibrary library;
    private final NativeLibrary nativeLibrary;
    private final String source;
    private final String reason;

    private Result(NvmlLibrary library, NativeLibrary nativeLibrary, String source, String reason) {
      this.library = library;
      this.nativeLibrary = nativeLibrary;
      this.source = source;
      this.reason = reason;
    }

    /** True when {@link #library()} can be called. */
    public boolean isAvailable() {
      return library != null;
    }

    /** The bound library; only when {@link #isAvailable()}. */
    public NvmlLibrary library() {
      if (library == null) {
        throw new IllegalStateException(reason);
      }
      return library;
    }

    /** What was loaded: the file path given, or the soname looked up. */
    public String source() {
      return source;
    }

    /** One line saying why NVML is unavailable; null when it is available. */
    public String reason() {
      return reason;
    }

    /**
     * Whether the library exports a symbol. Lets callers pick a versioned entry point that
     * exists before calling it, since older drivers lack the newer ones.
     */
    public boolean hasSymbol(String symbol) {
      if (nativeLibrary == null) {
        return false;
      }
      try {
        nativeLibrary.getFunction(symbol);
        return true;
      } catch (UnsatisfiedLinkError e) {
        return false;
      }
    }
  }

  /** Loads the given library file, or the system's NVML when the path is null. */
  public static Result load(Path libraryOrNull) {
    if (libraryOrNull == null) {
      return SystemLibrary.RESULT;
    }
    Path file = libraryOrNull.toAbsolutePath();
    if (!Files.isRegularFile(file)) {
      return unavailable(
          file.toString(), "NVML: " + file + " not found (check NVML_LIBRARY / --nvml-lib)");
    }
    return bind(file.toString(), file.toString());
  }

  /** Loads a library by soname through the dynamic linker's search path, without caching. */
  public static Result loadByName(String soname) {
    return bind(soname, soname);
  }

  /** Loads the system library once, on first use, so a missing driver costs one lookup. */
  private static final class SystemLibrary {
    static final Result RESULT = loadByName(LIBRARY_NAME);
  }

  private static Result bind(String nameOrPath, String source) {
    try {
      NativeLibrary nativeLibrary = NativeLibrary.getInstance(nameOrPath, OPTIONS);
      NvmlLibrary library = Native.load(nameOrPath, NvmlLibrary.class, OPTIONS);
      return new Result(library, nativeLibrary, source, null);
    } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
      return unavailable(source, describe(source, e));
    }
  }

  private static Result unavailable(String source, String reason) {
    return new Result(null, null, source, reason);
  }

  /** Turns JNA's multi-line load error into one line; "not found" gets the usual hint. */
  private static String describe(String source, Throwable e) {
    String text = String.valueOf(e.getMessage());
    if (e instanceof NoClassDefFoundError) {
      return "NVML: JNA is not usable here (" + firstLine(text) + ")";
    }
    boolean byName = !source.contains("/");
    if (byName && (text.contains("cannot open shared object file") || text.contains("No such"))) {
      return "NVML: " + source + " not found (is the NVIDIA driver installed?)";
    }
    return "NVML: cannot load " + source + ": " + linkerMessage(text);
  }

  /** JNA lists one attempt per line; the dynamic linker's own words are the useful part. */
  private static String linkerMessage(String text) {
    for (String line : text.split("\n")) {
      int colon = line.lastIndexOf(": ");
      boolean jnaLine = line.startsWith("Unable to load") || line.startsWith("Native library");
      if (!jnaLine && colon > 0) {
        return line.substring(colon + 2).trim();
      }
    }
    return firstLine(text);
  }

  private static String firstLine(String text) {
    int nl = text.indexOf('\n');
    return (nl < 0 ? text : text.substring(0, nl)).trim();
  }
}
