package io.gpuhot.loadtest;

import com.fasterxml.jackson.databind.JsonNode;
import io.gpuhot.cli.Main;
import io.gpuhot.support.Json;
import io.gpuhot.support.ProcessStats;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Mock cluster and hub each in a JVM of its own, started from this jar, so their CPU time and
 * memory are those of whole processes (from {@code /proc}). Both bind loopback only.
 */
final class SplitTarget implements Target {
  /** JVM options of both children; {@code -Dgpuhot.childJvm="..."} replaces them. */
  static final List<String> CHILD_JVM = List.of(System.getProperty("gpuhot.childJvm",
      "-XX:+UseSerialGC -Xss512k -Xmx2g").trim().split("\\s+"));
  private static final Pattern HUB_PORT = Pattern.compile("http://[^:]+:(\\d+)/");

  private final Process mock;
  private final Process hub;
  private final int hubPort;
  private final Path logDir;

  SplitTarget(LoadTestConfig config) {
    try {
      logDir = Files.createTempDirectory("gpuhot-loadtest");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a folder for the child logs", e);
    }
    var nodes = String.join(",", config.gpusPerNode().stream().map(String::valueOf).toList());
    mock = start("mock", List.of("mock-cluster", "--nodes", nodes, "--base-port", "0",
        "--host", "127.0.0.1", "--interval", String.valueOf(config.intervalS()),
        "--seed", String.valueOf(config.seed()), "--threads", "1"));
    String urls = awaitLine(mock, "NODE_URLS=", Duration.ofSeconds(120)).substring("NODE_URLS=".length());
    var hubArgs = new ArrayList<>(List.of("hub", "--host", "127.0.0.1", "--port", "0",
        "--interval", String.valueOf(config.intervalS()), "--node-urls", urls));
    hubArgs.addAll(List.of("--compression", config.compression().wire(),
        "--history", String.valueOf(config.history())));
    hub = start("hub", hubArgs);
    var m = HUB_PORT.matcher(awaitLine(hub, "GPU Hot hub:", Duration.ofSeconds(60)));
    if (!m.find()) {
      close();
      throw new IllegalStateException("the hub did not say its port; see " + logDir);
    }
    hubPort = Integer.parseInt(m.group(1));
  }

  private Process start(String name, List<String> args) {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    var cmd = new ArrayList<String>();
    cmd.add(java);
    cmd.addAll(CHILD_JVM);
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
    cmd.addAll(args);
    var pb = new ProcessBuilder(cmd)
        .redirectError(logDir.resolve(name + ".log").toFile());
    pb.environment().remove("NODE_URLS");
    pb.environment().remove("GPU_HOT_MODE");
    try {
      return pb.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the " + name + " process", e);
    }
  }

  /** Reads the child's stdout until a line starts with the prefix; keeps draining after. */
  private String awaitLine(Process p, String prefix, Duration limit) {
    var found = new CompletableFuture<String>();
    var reader = new Thread(() -> {
      try (var in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = in.readLine()) != null) {
          if (line.startsWith(prefix)) {
            found.complete(line);
          }
        }
      } catch (IOException e) {
        found.completeExceptionally(e);
      }
      found.completeExceptionally(new IllegalStateException("process ended"));
    }, "loadtest-child-reader");
    reader.setDaemon(true);
    reader.start();
    try {
      return found.get(limit.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      close();
      throw new IllegalStateException("a child process did not start; its log is in " + logDir, e);
    }
  }

  @Override
  public URI stream() {
    return URI.create("ws://127.0.0.1:" + hubPort + "/ws");
  }

  @Override
  public String where() {
    return "mock cluster and hub in processes of their own (" + String.join(" ", CHILD_JVM) + ")";
  }

  @Override
  public double hubCpuSeconds() {
    return ProcessStats.read(hub.pid()).cpuSeconds();
  }

  @Override
  public double mockCpuSeconds() {
    return ProcessStats.read(mock.pid()).cpuSeconds();
  }

  @Override
  public ProcessStats.Reading hubProcess() {
    return ProcessStats.read(hub.pid());
  }

  @Override
  public ProcessStats.Reading mockProcess() {
    return ProcessStats.read(mock.pid());
  }

  /** Asks the JVM for a full collection (jcmd GC.run), then reads the live heap it left. */
  @Override
  public long hubHeapBytes() {
    try {
      String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
      new ProcessBuilder(jcmd, String.valueOf(hub.pid()), "GC.run")
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .redirectError(ProcessBuilder.Redirect.DISCARD).start().waitFor(20, TimeUnit.SECONDS);
      var res = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + hubPort + "/api/health"))
              .timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString());
      JsonNode health = Json.MAPPER.readTree(res.body());
      return health.path("process").path("heap_live_bytes").asLong(-1);
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  @Override
  public void close() {
    for (Process p : new Process[] {hub, mock}) {
      if (p == null) {
        continue;
      }
      p.destroy();
      try {
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        p.destroyForcibly();
      }
    }
  }
}
