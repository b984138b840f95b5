package io.gpuhot.smi;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * One shared nvidia-smi fixture: the bytes of a {@code .input} and what its {@code .meta} says
 * about the run (exit status, stderr, the query answered).
 */
record Fixture(String name, String stdout, String stderr, int exit, SmiQuery query,
    Map<String, String> meta) {

  static Path dir() {
    String project = System.getProperty("gpuhot.project.dir", ".");
    return Path.of(project, "src", "test", "resources", "fixtures", "nvidia-smi");
  }

  /** Names of all {@code .input} files in the fixture folder, sorted. */
  static List<String> inputs() {
    try (Stream<Path> files = Files.list(dir())) {
      return files.map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".input"))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Loads {@code NN-name[.variant].input} with its own {@code .meta}, else the case's one. */
  static Fixture load(String inputName) {
    String stem = inputName.substring(0, inputName.length() - ".input".length());
    Path meta = dir().resolve(stem + ".meta");
    if (!Files.exists(meta)) {
      meta = dir().resolve(stem.substring(0, stem.indexOf('.') < 0 ? stem.length()
          : stem.indexOf('.')) + ".meta");
    }
    Map<String, String> m = readMeta(meta);
    String query = m.get("query");
    return new Fixture(inputName, read(dir().resolve(inputName)),
        unescape(m.getOrDefault("stderr", "")), Integer.parseInt(m.getOrDefault("exit", "0")),
        query == null ? SmiQuery.gpus() : SmiQuery.of(query), m);
  }

  SmiResult parse() {
    return new SmiParser().parse(query, exit, stdout, stderr);
  }

  private static Map<String, String> readMeta(Path meta) {
    var m = new HashMap<String, String>();
    for (String line : read(meta).split("\n")) {
      int eq = line.indexOf('=');
      if (eq > 0) {
        m.put(line.substring(0, eq).trim(), line.substring(eq + 1));
      }
    }
    return m;
  }

  static String read(Path p) {
    try {
      return Files.readString(p, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The C-style escapes the {@code .meta} files use. */
  static String unescape(String s) {
    var out = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c != '\\' || i + 1 == s.length()) {
        out.append(c);
        continue;
      }
      char n = s.charAt(++i);
      out.append(n == 'n' ? '\n' : n == 't' ? '\t' : n == 'r' ? '\r' : n);
    }
    return out.toString();
  }
}
