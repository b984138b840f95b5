package io.gpuhot.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpuhot.testing.Browser;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A node's own dashboard in headless Chromium: simulated GPUs, and a node without GPUs. */
final class NodeViewBrowserTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private NodeService node;
  private Browser browser;

  @AfterEach
  void tearDown() throws Exception {
    if (browser != null) {
      browser.close();
    }
    if (node != null) {
      node.close();
    }
  }

  private static NodeConfig config() {
    return new NodeConfig("workstation-7", "127.0.0.1", 0, 0.5, "auto", 2, Devices.ALL, null, true,
        10, 4, 3);
  }

  @Test
  void nodeView_showsItsGpus_andTheHost() throws Exception {
    node = NodeService.start(config(), new SimulatedSource(4, 0.5, 3), pid -> "train.py");
    browser = Browser.start(1400, 1000);
    browser.driver().get("http://127.0.0.1:" + node.port() + "/");

    browser.until(WAIT, "4 GPU cards", "return document.querySelectorAll('[data-gpu-card]').length === 4");
    browser.until(WAIT, "live", "return document.getElementById('conn').dataset.state === 'live'");
    assertThat(browser.texts(".node-head h2")).containsExactly("workstation-7");
    assertThat(browser.js("return document.getElementById('t-nodes').parentElement.hidden"))
        .as("a node does not count nodes").isEqualTo(true);
    assertThat(browser.texts(".node-head .host").get(0)).contains("CPU", "RAM");
    Thread.sleep(3000);
    browser.screenshot("node-view");
  }

  @Test
  void nodeWithoutGpus_saysWhyOnThePage() throws Exception {
    node = NodeService.start(config(), new NoGpuSource("NVML: Driver/library version mismatch"),
        pid -> "x");
    browser = Browser.start(1200, 800);
    browser.driver().get("http://127.0.0.1:" + node.port() + "/");

    browser.until(WAIT, "the reason on the page", "return document.getElementById('empty')"
        + ".textContent.includes('Driver/library version mismatch')");
    assertThat(browser.texts(".node-head .reason").get(0))
        .isEqualTo("NVML: Driver/library version mismatch");
  }
}
