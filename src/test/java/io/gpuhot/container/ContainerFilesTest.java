package io.gpuhot.container;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * No Docker engine runs here, so the container files are checked as text: every preset of the
 * test compose file lists one node URL per mock node, on consecutive ports from the base port,
 * and the active preset is the same in both services.
 */
final class ContainerFilesTest {
  private static final Path ROOT = Path.of(System.getProperty("gpuhot.project.dir", "."));
  private static final Pattern PRESET = Pattern.compile("^\\s*# preset (\\w+):");
  private static final Pattern SETTING =
      Pattern.compile("^\\s*(#\\s*)?(NODES|NODE_URLS|BASE_PORT): \"([^\"]*)\"");

  /** One preset's value of a setting, and whether it is the active (uncommented) one. */
  record Line(String preset, String key, String value, boolean active) {}

  private static List<Line> settings() throws IOException {
    var lines = new ArrayList<Line>();
    String preset = null;
    for (String line : Files.readAllLines(ROOT.resolve("tests/docker-compose.test.yml"))) {
      Matcher p = PRESET.matcher(line);
      if (p.find()) {
        preset = p.group(1);
        continue;
      }
      Matcher m = SETTING.matcher(line);
      if (m.find()) {
        lines.add(new Line(preset, m.group(2), m.group(3), m.group(1) == null));
      }
    }
    return lines;
  }

  @Test
  void everyPreset_hasOneUrlPerNode_onConsecutivePorts() throws IOException {
    var lines = settings();
    int base = Integer.parseInt(lines.stream().filter(l -> l.key().equals("BASE_PORT"))
        .findFirst().orElseThrow().value());
    Map<String, String> nodes = new LinkedHashMap<>();
    Map<String, String> urls = new LinkedHashMap<>();
    for (var l : lines) {
      if (l.key().equals("NODES")) {
        nodes.put(l.preset(), l.value());
      } else if (l.key().equals("NODE_URLS")) {
        urls.put(l.preset(), l.value());
      }
    }

    assertThat(nodes.keySet()).containsExactly("LIGHT", "MEDIUM", "HEAVY");
    assertThat(urls.keySet()).isEqualTo(nodes.keySet());
    assertThat(nodes).containsEntry("LIGHT", "2,4,8");
    assertThat(nodes.get("MEDIUM").split(",")).hasSize(8).containsOnly("8");
    assertThat(nodes.get("HEAVY").split(",")).hasSize(20).containsOnly("8");
    for (var preset : nodes.keySet()) {
      int count = nodes.get(preset).split(",").length;
      String[] list = urls.get(preset).split(",");
      assertThat(list).as(preset + " URLs").hasSize(count);
      for (int i = 0; i < count; i++) {
        assertThat(list[i]).as(preset + " URL " + i).isEqualTo("http://mock-cluster:" + (base + i));
      }
    }
  }

  @Test
  void theSamePresetIsActive_inBothServices() throws IOException {
    var active = settings().stream().filter(Line::active).filter(l -> l.preset() != null).toList();

    assertThat(active).extracting(Line::key).containsExactlyInAnyOrder("NODES", "NODE_URLS");
    assertThat(active).extracting(Line::preset).containsOnly(active.get(0).preset());
  }

  @Test
  void nodeCompose_exposesTheDashboardPort_andGivesTheContainerTheGpus() throws IOException {
    String compose = Files.readString(ROOT.resolve("docker-compose.yml"));
    String dockerfile = Files.readString(ROOT.resolve("Dockerfile"));

    assertThat(compose).contains("\"1312:1312\"", "driver: nvidia", "NODE_NAME:");
    assertThat(dockerfile).contains("EXPOSE 1312", "gpu-hot.jar");
  }
}
