package io.gpuhot.bench;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.gpuhot.hub.Hub;
import io.gpuhot.hub.HubConfig;
import io.gpuhot.mock.MockCluster;
import io.gpuhot.mock.Preset;
import io.gpuhot.support.EventLoops;
import io.gpuhot.support.Json;
import io.gpuhot.testing.Browser;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Benchmark, not a test: what the dashboard costs the browser. Runs only with
 * {@code -Dgpuhot.bench=dashboard}:
 *
 * <pre>
 * mvn -q test -Dtest=DashboardRenderBenchmark -Dgpuhot.bench=dashboard \
 *     -Dgpuhot.bench.preset=heavy -Dgpuhot.bench.seconds=120 [-Dgpuhot.bench.height=12000]
 * </pre>
 *
 * <p>It starts a mock cluster and a hub, opens the hub view in headless Chromium, and reads
 * Chromium's own counters (CDP {@code Performance.getMetrics}: ScriptDuration, JSHeapUsedSize)
 * every ten seconds, together with the number of node updates the page applied. It reports
 * script time per node update and per frame, and the JS heap over the run; it writes the figures
 * to {@code target/bench/dashboard.json}. It asserts nothing about the figures.
 */
final class DashboardRenderBenchmark {

  @Test
  void hubView_scriptTimePerUpdate_andHeapOverTime() throws Exception {
    assumeTrue("dashboard".equals(System.getProperty("gpuhot.bench")),
        "benchmark; run with -Dgpuhot.bench=dashboard");
    Preset preset = Preset.parse(System.getProperty("gpuhot.bench.preset", "heavy"));
    long seconds = Long.getLong("gpuhot.bench.seconds", 120);
    var group = EventLoops.create("mock", 1);
    var cluster = MockCluster.start(new MockCluster.Config(preset.gpusPerNode(), "127.0.0.1", 0,
        "gpu-server", 0.5, 1312, List.of()), group);
    var hub = Hub.start(HubConfig.builder(cluster.urls().stream().map(URI::create).toList())
        .host("127.0.0.1").port(0).build());
    try (var browser = Browser.start(1600, Integer.getInteger("gpuhot.bench.height", 1200))) {
      browser.driver().get("http://127.0.0.1:" + hub.port() + "/");
      browser.until(Duration.ofSeconds(60), "all cards",
          "return document.querySelectorAll('[data-gpu-card]').length === " + preset.gpus());
      browser.driver().executeCdpCommand("Performance.enable", Map.of());
      Thread.sleep(10_000);
      var rows = new ArrayList<double[]>();
      long end = System.nanoTime() + seconds * 1_000_000_000L;
      double[] first = sample(browser);
      rows.add(first);
      while (System.nanoTime() < end) {
        Thread.sleep(10_000);
        rows.add(sample(browser));
      }
      report(preset, seconds, rows);
    } finally {
      hub.close();
      cluster.close();
      EventLoops.shutdown(group);
    }
  }

  /** [time s, script s, task s, heap bytes, updates applied, frames rendered, frame ms sum]. */
  @SuppressWarnings("unchecked")
  private static double[] sample(Browser browser) {
    var m = (Map<String, Object>) browser.driver().executeCdpCommand("Performance.getMetrics", Map.of());
    double script = 0;
    double task = 0;
    double heap = 0;
    double ts = 0;
    for (var metric : (List<Map<String, Object>>) m.get("metrics")) {
      double v = ((Number) metric.get("value")).doubleValue();
      switch ((String) metric.get("name")) {
        case "ScriptDuration" -> script = v;
        case "TaskDuration" -> task = v;
        case "JSHeapUsedSize" -> heap = v;
        case "Timestamp" -> ts = v;
        default -> { }
      }
    }
    var page = (List<Number>) browser.js("const p = window.gpuHotPerf; return [window.gpuHot.state.updates,"
        + " p.frames, p.total];");
    return new double[] {ts, script, task, heap, page.get(0).doubleValue(),
        page.get(1).doubleValue(), page.get(2).doubleValue()};
  }

  private static void report(Preset preset, long seconds, List<double[]> rows) throws Exception {
    double[] a = rows.get(0);
    double[] b = rows.get(rows.size() - 1);
    double updates = b[4] - a[4];
    double frames = b[5] - a[5];
    double scriptMsPerUpdate = (b[1] - a[1]) * 1000 / updates;
    double scriptMsPerFrame = (b[1] - a[1]) * 1000 / frames;
    double renderMsPerFrame = (b[6] - a[6]) / frames;
    double heapMin = rows.stream().mapToDouble(r -> r[3]).min().orElseThrow() / 1048576;
    double heapMax = rows.stream().mapToDouble(r -> r[3]).max().orElseThrow() / 1048576;
    var out = new StringBuilder();
    out.append(String.format(Locale.ROOT, "dashboard %s (%d GPUs), %d s measured%n", preset.label(),
        preset.gpus(), seconds));
    out.append(String.format(Locale.ROOT, "node updates applied   %.0f (%.1f/s)%n", updates,
        updates / (b[0] - a[0])));
    out.append(String.format(Locale.ROOT, "frames rendered        %.0f%n", frames));
    out.append(String.format(Locale.ROOT, "script time            %.3f ms per node update, %.3f ms per frame%n",
        scriptMsPerUpdate, scriptMsPerFrame));
    out.append(String.format(Locale.ROOT, "render()               %.3f ms per frame (performance.now)%n",
        renderMsPerFrame));
    out.append(String.format(Locale.ROOT, "JS heap                start %.1f MB, end %.1f MB, min %.1f, max %.1f%n",
        a[3] / 1048576, b[3] / 1048576, heapMin, heapMax));
    System.out.print(out);
    var json = Json.object();
    json.put("preset", preset.label());
    json.put("seconds", seconds);
    json.put("updates", updates);
    json.put("frames", frames);
    json.put("script_ms_per_update", scriptMsPerUpdate);
    json.put("script_ms_per_frame", scriptMsPerFrame);
    json.put("render_ms_per_frame", renderMsPerFrame);
    var heap = json.putArray("heap_mb");
    rows.forEach(r -> heap.add(Math.round(r[3] / 1048576 * 10) / 10.0));
    Path dir = Path.of("target", "bench");
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("dashboard.json"), json.toPrettyString());
    Files.writeString(dir.resolve("dashboard.txt"), out.toString());
  }
}
