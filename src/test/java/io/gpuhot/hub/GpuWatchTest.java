package io.gpuhot.hub;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gpuhot.support.Json;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

final class GpuWatchTest {
  private final GpuWatch watch = new GpuWatch();
  private final List<GpuWatch.Finding> found = new ArrayList<>();
  private long now = 1_000_000;

  private void observe(ObjectNode gpu) {
    watch.observe(gpu, now, found::add);
    now += 500;
  }

  private static ObjectNode gpu(String throttle, double temp, double used) {
    var g = Json.object();
    g.put("throttle_reasons", throttle);
    g.put("temperature", temp);
    g.put("temperature_slowdown", 87);
    g.put("memory_used", used);
    g.put("memory_total", 1000);
    return g;
  }

  @Test
  void throttling_startsAfterTwoSamples_andEndsAfterTenQuietSeconds() {
    observe(gpu("HW Thermal Slowdown", 60, 10));
    assertThat(found).isEmpty();
    observe(gpu("HW Thermal Slowdown", 60, 10));
    assertThat(found).singleElement().satisfies(f -> {
      assertThat(f.kind()).isEqualTo("throttle");
      assertThat(f.severity()).isEqualTo("warning");
      assertThat(f.active()).isTrue();
      assertThat(f.message()).contains("HW Thermal Slowdown");
    });
    for (int i = 0; i < 19; i++) {
      observe(gpu("None", 60, 10));
    }
    assertThat(found).hasSize(1);
    observe(gpu("None", 60, 10));
    observe(gpu("None", 60, 10));
    assertThat(found).hasSize(2);
    assertThat(found.get(1).active()).isFalse();
  }

  @Test
  void powerCap_isInformation_andOnlyWhenItLasts() {
    for (int i = 0; i < 60; i++) {
      observe(gpu("SW Power Cap", 60, 10));
    }
    assertThat(found).isEmpty();
    observe(gpu("SW Power Cap", 60, 10));

    assertThat(found).singleElement().extracting(GpuWatch.Finding::severity).isEqualTo("info");
  }

  @Test
  void temperature_atItsThreshold_warnsOnce_andClearsThreeDegreesBelow() {
    observe(gpu("None", 86, 10));
    observe(gpu("None", 87, 10));
    observe(gpu("None", 88, 10));
    observe(gpu("None", 85, 10));
    assertThat(found).hasSize(1);
    observe(gpu("None", 84, 10));

    assertThat(found).extracting(GpuWatch.Finding::active).containsExactly(true, false);
    assertThat(found.get(0).message()).contains("87 °C");
  }

  @Test
  void memoryNearlyFull_warnsAtNinetyFivePercent() {
    observe(gpu("None", 60, 940));
    observe(gpu("None", 60, 960));
    observe(gpu("None", 60, 930));
    observe(gpu("None", 60, 900));

    assertThat(found).extracting(GpuWatch.Finding::kind).containsExactly("memory", "memory");
    assertThat(found).extracting(GpuWatch.Finding::active).containsExactly(true, false);
  }

  @Test
  void lostGpu_isCritical() {
    var g = Json.object();
    g.put("index", "1");
    g.put("error", "GPU is lost");
    observe(g);

    assertThat(found).singleElement().satisfies(f -> {
      assertThat(f.severity()).isEqualTo("critical");
      assertThat(f.message()).contains("GPU is lost");
    });
  }
}
