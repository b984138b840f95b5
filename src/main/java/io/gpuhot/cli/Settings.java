package io.gpuhot.cli;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Resolves settings from a flag, else an environment variable, else a default, and parses them
 * with messages that name where the bad value came from: {@code invalid UPDATE_INTERVAL 'abc':
 * expected a number of seconds greater than 0}.
 */
final class Settings {
  /** Parses one text value; throws {@link IllegalArgumentException} with what was expected. */
  @FunctionalInterface
  interface Parser<T> {
    T parse(String text);
  }

  private final Map<String, String> env;

  Settings(Map<String, String> env) {
    this.env = env;
  }

  String env(String name) {
    return env.get(name);
  }

  /** The flag's value if given, else the environment's if set, else the default. */
  <T> T get(String flag, String flagValue, String envName, T fallback, Parser<T> parser) {
    String source;
    String text;
    if (flagValue != null) {
      source = flag;
      text = flagValue;
    } else if (envName != null && env.get(envName) != null) {
      source = envName;
      text = env.get(envName);
    } else {
      return fallback;
    }
    try {
      return parser.parse(text.trim());
    } catch (IllegalArgumentException e) {
      throw new ConfigException("invalid " + source + " '" + text + "': " + e.getMessage());
    }
  }

  // Parsers.

  /** Shortest interval accepted: sampling NVML or a hub faster than this only burns CPU. */
  static final double MIN_INTERVAL_S = 0.05;

  static double positiveSeconds(String s) {
    double v;
    try {
      v = Double.parseDouble(s.endsWith("s") ? s.substring(0, s.length() - 1) : s);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("expected a number of seconds greater than 0");
    }
    if (!(v > 0) || Double.isInfinite(v)) {
      throw new IllegalArgumentException("expected a number of seconds greater than 0");
    }
    if (v < MIN_INTERVAL_S) {
      throw new IllegalArgumentException("expected at least " + MIN_INTERVAL_S + " seconds");
    }
    return v;
  }

  /** A GPU count for simulated GPUs: 1 to 64, as on a mock node. */
  static int gpuCount(String s) {
    int n = positiveInt(s);
    if (n > 64) {
      throw new IllegalArgumentException("expected 1 to 64 GPUs");
    }
    return n;
  }

  /** A duration such as {@code 30s}, {@code 2m} or {@code 500ms}, in seconds. */
  static double duration(String s) {
    String t = s.toLowerCase(Locale.ROOT);
    double scale = 1;
    if (t.endsWith("ms")) {
      scale = 0.001;
      t = t.substring(0, t.length() - 2);
    } else if (t.endsWith("m")) {
      scale = 60;
      t = t.substring(0, t.length() - 1);
    } else if (t.endsWith("s")) {
      t = t.substring(0, t.length() - 1);
    }
    try {
      double v = Double.parseDouble(t) * scale;
      if (v > 0 && Double.isFinite(v)) {
        return v;
      }
    } catch (NumberFormatException e) {
      // fall through to the message below
    }
    throw new IllegalArgumentException("expected a duration such as 30s, 2m or 500ms");
  }

  static int port(String s) {
    int v;
    try {
      v = Integer.parseInt(s);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("expected a port number from 1 to 65535 (0: any free port)");
    }
    if (v < 0 || v > 65535) {
      throw new IllegalArgumentException("port out of range; expected 1 to 65535 (0: any free port)");
    }
    return v;
  }

  static int positiveInt(String s) {
    try {
      int v = Integer.parseInt(s);
      if (v > 0) {
        return v;
      }
    } catch (NumberFormatException e) {
      // fall through to the message below
    }
    throw new IllegalArgumentException("expected a whole number greater than 0");
  }

  static long seed(String s) {
    try {
      return Long.parseLong(s);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("expected a whole number");
    }
  }

  static String nonEmpty(String s) {
    if (s.isEmpty()) {
      throw new IllegalArgumentException("must not be empty");
    }
    return s;
  }

  /** GPU counts of a mock cluster: {@code 2,4,8}. */
  static List<Integer> gpuCounts(String s) {
    var counts = new ArrayList<Integer>();
    for (String part : s.split(",", -1)) {
      String p = part.trim();
      int n;
      try {
        n = Integer.parseInt(p);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("expected GPU counts separated by commas, such as 2,4,8");
      }
      if (n < 1 || n > 64) {
        throw new IllegalArgumentException("each node has 1 to 64 GPUs, got " + n);
      }
      counts.add(n);
    }
    if (counts.size() > 5000) {
      throw new IllegalArgumentException("at most 5000 nodes");
    }
    return counts;
  }

  /** Node URLs: {@code http://a:1312,http://b:1312}; ws and https schemes are accepted. */
  static List<URI> nodeUrls(String s) {
    if (s.isBlank()) {
      throw new IllegalArgumentException(
          "expected node URLs separated by commas, such as http://gpu-1:1312,http://gpu-2:1312");
    }
    var urls = new ArrayList<URI>();
    for (String part : s.split(",", -1)) {
      String p = part.trim();
      if (p.isEmpty()) {
        throw new IllegalArgumentException("empty entry in the URL list");
      }
      URI u;
      try {
        u = new URI(p);
      } catch (URISyntaxException e) {
        throw new IllegalArgumentException("'" + p + "' is not a URL");
      }
      String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
      if (!List.of("http", "https", "ws", "wss").contains(scheme) || u.getHost() == null) {
        throw new IllegalArgumentException(
            "'" + p + "' is not an http(s):// or ws(s):// URL with a host");
      }
      if (u.getPort() > 65535) {
        throw new IllegalArgumentException("'" + p + "' has a port out of range");
      }
      if (urls.contains(u)) {
        throw new IllegalArgumentException("'" + p + "' is listed twice");
      }
      urls.add(u);
    }
    return urls;
  }

  static boolean bool(String s) {
    return switch (s.toLowerCase(Locale.ROOT)) {
      case "true", "1", "yes", "on" -> true;
      case "false", "0", "no", "off" -> false;
      default -> throw new IllegalArgumentException("expected true or false (or yes/no, on/off, 1/0)");
    };
  }
}
