package io.gpuhot.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.gpuhot.nvml.FakeConfig;
import io.gpuhot.nvml.FakeNvml;
import io.gpuhot.smi.SmiRunner;
import io.gpuhot.support.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The node end to end over the compiled NVML stand-in: every field through {@code
 * /api/gpu-data}, process names of real child processes, the nvidia-smi fallback for a GPU
 * without NVML utilization, and a failed NVML start.
 */
final class NodeNvmlTest {
  private final HttpClient http = HttpClient.newHttpClient();
  private NodeService node;
  private Process child;
  @TempDir Path tmp;

  @AfterEach
  void tearDown() {
    if (node != null) {
      node.close();
    }
    if (child != null) {
      child.destroyForcibly();
    }
  }

  private static NodeConfig config() {
    return new NodeConfig("nvml-node", "127.0.0.1", 0, 0.25, "auto", 0.3, Devices.ALL,
        FakeNvml.library(FakeNvml.Variant.CURRENT), true, 10, 0, 1);
  }

  private JsonNode gpuData() throws Exception {
    var res = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port()
        + "/api/gpu-data")).build(), HttpResponse.BodyHandlers.ofString());
    return Json.MAPPER.readTree(res.body());
  }

  private SmiRunner fakeSmi(String gpuRows) throws Exception {
    Path script = tmp.resolve("nvidia-smi");
    Files.writeString(script, "#!/bin/sh\ncase \"$*\" in *--query-gpu*) cat <<'EOF'\n" + gpuRows
        + "EOF\n;; esac\nexit 0\n");
    script.toFile().setExecutable(true);
    return new SmiRunner(List.of(script.toString()), Duration.ofSeconds(5));
  }

  @Test
  void h100_everyFieldThroughTheApi_andProcessesNamedFromTheHost() throws Exception {
    Path train = tmp.resolve("train.py");
    Files.writeString(train, "import time\ntime.sleep(60)\n");
    child = new ProcessBuilder("python3", train.toString(), "--epochs", "3").start();
    FakeNvml.configure(FakeConfig.machine().gpu(0, FakeConfig.h100(0)).gpu(1, FakeConfig.h100(1))
        .process(0, 0, child.pid(), "2296").process(1, 0, 4_000_000, "na"));
    node = NodeService.start(config(), GpuSources.open(config()), GpuSources.processNames());

    JsonNode msg = gpuData();

    JsonNode gpu = msg.get("gpus").get("0");
    assertThat(gpu.get("name").asText()).isEqualTo("NVIDIA H100 80GB HBM3");
    assertThat(gpu.get("architecture").asText()).isEqualTo("Hopper");
    assertThat(gpu.get("brand").asText()).isEqualTo("NVIDIA");
    assertThat(gpu.get("performance_state").asText()).isEqualTo("P0");
    assertThat(gpu.get("utilization").asInt()).isEqualTo(97);
    assertThat(gpu.get("memory_total").asDouble()).isEqualTo(81559.0);
    assertThat(gpu.get("power_draw").asDouble()).isEqualTo(631.95);
    assertThat(gpu.get("throttle_reasons").asText()).isEqualTo("SW Power Cap");
    assertThat(gpu.has("fan_speed")).as("no fan on an SXM board").isFalse();
    assertThat(gpu.has("_fallback_mode")).isFalse();
    assertThat(msg.get("gpus").size()).isEqualTo(2);
    var procs = msg.get("processes");
    assertThat(procs).hasSize(2);
    assertThat(procs.get(0).get("pid").asText()).isEqualTo(String.valueOf(child.pid()));
    assertThat(procs.get(0).get("name").asText()).isEqualTo("train.py");
    assertThat(procs.get(0).get("memory").asDouble()).isEqualTo(2296.0);
    assertThat(procs.get(0).get("gpu_id").asText()).isEqualTo("0");
    assertThat(procs.get(1).get("name").asText()).isEqualTo("PID:4000000");
    assertThat(procs.get(1).has("memory")).as("unknown memory is not 0").isFalse();
  }

  @Test
  void gpuWithoutNvmlUtilization_getsItFromNvidiaSmi() throws Exception {
    FakeNvml.configure(FakeConfig.machine().gpu(0, FakeConfig.gt710(0)));
    var smi = fakeSmi("0, NVIDIA GeForce GT 710, " + "GPU-00000000-0000-0000-0000-000000000000"
        + ", 590.48.01, 80.28.A6.00.10, 38, 37, 12, 211, 2048, 1837, [N/A], [N/A], 40, 954, 954,"
        + " 800, 954, 954, 800, 2, 2, 8, 8, 0, 0, 0, P8, Default, [N/A], [N/A]\n");
    node = NodeService.start(config(), GpuSources.open(config(), () -> smi),
        GpuSources.processNames());

    JsonNode gpu = null;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      gpu = gpuData().get("gpus").get("0");
      if (gpu.has("utilization")) {
        break;
      }
      Thread.sleep(200);
    }

    assertThat(gpu.get("utilization").asInt()).isEqualTo(37);
    assertThat(gpu.get("_fallback_mode").asBoolean()).isTrue();
    assertThat(gpu.get("architecture").asText()).as("NVML's figures stay").isEqualTo("Kepler");
    assertThat(gpu.has("power_draw")).isFalse();
  }

  @Test
  void failedNvmlStart_servesNoGpus_andSaysWhyInOneLine() throws Exception {
    FakeNvml.configure(FakeConfig.machine().gpu(0, FakeConfig.h100(0))
        .set("init.rc", "LIB_RM_VERSION_MISMATCH"));
    var noSmi = new SmiRunner(List.of(tmp.resolve("absent-nvidia-smi").toString()),
        Duration.ofSeconds(2));
    node = NodeService.start(config(), GpuSources.open(config(), () -> noSmi),
        GpuSources.processNames());

    JsonNode msg = gpuData();

    assertThat(msg.get("gpus").size()).isZero();
    assertThat(msg.get("error").asText()).contains("version mismatch").doesNotContain("\n");
  }
}
