package io.gpuhot.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpuhot.hub.Hub;
import io.gpuhot.hub.HubConfig;
import io.gpuhot.mock.MockCluster;
import io.gpuhot.mock.Preset;
import io.gpuhot.support.EventLoops;
import io.gpuhot.testing.Await;
import io.gpuhot.testing.Browser;
import io.netty.channel.EventLoopGroup;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The dashboard in headless Chromium against a LIGHT mock cluster and a hub on loopback. */
final class DashboardBrowserTest {
  static final String EVIL = "<img src=x onerror=alert(1)>";
  private static final Duration WAIT = Duration.ofSeconds(20);

  private EventLoopGroup group;
  private MockCluster cluster;
  private Hub hub;
  private Browser browser;

  @BeforeEach
  void setUp() throws Exception {
    group = EventLoops.create("mock", 1);
    var config = new MockCluster.Config(Preset.LIGHT.gpusPerNode(), "127.0.0.1", 0, "gpu-server",
        0.5, 3, List.of(EVIL));
    cluster = MockCluster.start(config, group);
    hub = Hub.start(HubConfig.builder(cluster.urls().stream().map(URI::create).toList())
        .host("127.0.0.1").port(0).reconnect(100, 500).build());
    browser = Browser.start(1400, 1000);
    browser.onNewDocument("window.__alerts = []; window.alert = (m) => window.__alerts.push(String(m));");
  }

  @AfterEach
  void tearDown() throws Exception {
    if (browser != null) {
      browser.close();
    }
    hub.close();
    cluster.close();
    EventLoops.shutdown(group);
  }

  private void open() {
    browser.driver().get("http://127.0.0.1:" + hub.port() + "/");
  }

  @Test
  void hubView_showsFourteenGpus_whoseValuesChange() throws Exception {
    open();
    browser.until(WAIT, "14 GPU cards", "return document.querySelectorAll('[data-gpu-card]').length === 14");
    browser.until(WAIT, "live", "return document.getElementById('conn').dataset.state === 'live'");
    var first = browser.texts("[data-gpu-card] [data-field=power]");
    var firstClocks = browser.texts("[data-gpu-card] [data-field=utilization]");

    Await.until(WAIT, "values to change", () ->
        !browser.texts("[data-gpu-card] [data-field=power]").equals(first)
            || !browser.texts("[data-gpu-card] [data-field=utilization]").equals(firstClocks));
    assertThat(browser.texts("#t-gpus")).containsExactly("14");
    assertThat(browser.texts(".node-head h2")).containsExactly("gpu-server-1", "gpu-server-2", "gpu-server-3");
    browser.screenshot("hub-view");
  }

  @Test
  void stoppedNode_isShownOffline_whileTheOthersStayLive() throws Exception {
    open();
    browser.until(WAIT, "3 nodes online",
        "return document.querySelectorAll('.node-head .badge.online').length === 3");
    cluster.nodes().get(1).stop();

    browser.until(WAIT, "node 2 offline", "return document.querySelector('[data-node=\"1\"] .badge')"
        + ".textContent === 'offline'");
    var others = browser.texts("[data-node=\"0\"] .badge, [data-node=\"2\"] .badge");
    assertThat(others).containsExactly("online", "online");
    assertThat(browser.texts("[data-node=\"1\"] .reason").get(0)).isNotBlank();
    assertThat(browser.texts("#t-nodes")).containsExactly("2 / 3 online");
    Object before = browser.js("return window.gpuHot.state.nodes.get(2).seq");
    Await.until(WAIT, "node 3 still updating", () -> ((Long) browser.js(
        "return window.gpuHot.state.nodes.get(2).seq")) > (Long) before + 2);
    browser.screenshot("hub-view-node-offline");
  }

  @Test
  void history_isThereRightAfterAReload() {
    Await.sleep(6000);
    open();
    browser.until(WAIT, "history loaded", "return (window.gpuHotHistoryLoaded || 0) >= 1");

    Object points = browser.js("return window.gpuHot.state.nodes.get(2).hist.t.length");
    assertThat((Long) points).as("points right after the load").isGreaterThanOrEqualTo(9);
    Object util = browser.js("return window.gpuHot.state.nodes.get(2).hist.gpus['0'].util"
        + ".filter(x => x !== null).length");
    assertThat((Long) util).isGreaterThanOrEqualTo(9);
  }

  @Test
  void throttlingGpu_appearsInTheEvents_andItsCardIsHighlighted() {
    open();
    browser.until(WAIT, "cards", "return document.querySelectorAll('[data-gpu-card]').length === 14");
    cluster.nodes().get(0).forceThrottle(1, "HW Thermal Slowdown");

    browser.until(WAIT, "event listed", "return Array.from(document.querySelectorAll('#events li'))"
        + ".some(li => li.textContent.includes('HW Thermal Slowdown') && li.textContent.includes('GPU 1'))");
    browser.until(WAIT, "card highlighted",
        "return document.querySelector('[data-gpu-card=\"0:1\"]').classList.contains('event')");
    assertThat(browser.texts("[data-gpu-card=\"0:1\"] .throttle")).containsExactly(
        "Throttled: HW Thermal Slowdown");
    assertThat(browser.js("return document.querySelector('[data-gpu-card=\"0:0\"]')"
        + ".classList.contains('event')")).isEqualTo(false);
  }

  @Test
  void thresholdChanges_areKeptAcrossAReload() {
    open();
    browser.until(WAIT, "cards", "return document.querySelectorAll('[data-gpu-card]').length === 14");
    browser.js("document.getElementById('open-settings').click()");
    browser.js("const i = document.querySelector('#settings-fields input[name=\"temperature.warn\"]');"
        + "i.value = '20'; document.querySelector('#settings-form button[type=submit]').click();");

    browser.driver().navigate().refresh();
    browser.until(WAIT, "cards again", "return document.querySelectorAll('[data-gpu-card]').length === 14");
    browser.js("document.getElementById('open-settings').click()");
    Object warn = browser.js("return document.querySelector("
        + "'#settings-fields input[name=\"temperature.warn\"]').value");
    assertThat(warn).isEqualTo("20");
    browser.js("document.getElementById('settings-close').click()");
    browser.until(WAIT, "every temperature above 20 °C is marked",
        "return Array.from(document.querySelectorAll('[data-field=temperature]'))"
            + ".every(d => d.className === 'warn' || d.className === 'crit')");
  }

  @Test
  void processNamesFromNodes_areShownAsText_neverAsHtml() {
    open();
    browser.until(WAIT, "cards", "return document.querySelectorAll('[data-gpu-card]').length === 14");
    browser.until(WAIT, "a node with a process",
        "return Array.from(document.querySelectorAll('details.procs summary'))"
            + ".some(s => !s.textContent.includes('(0)'))");
    browser.js("document.querySelectorAll('details.procs').forEach(d => d.open = true)");
    browser.until(WAIT, "process rows", "return document.querySelectorAll('td.proc-name').length > 0");

    var names = browser.texts("td.proc-name");
    assertThat(names).isNotEmpty().allMatch(EVIL::equals);
    assertThat(browser.js("return document.querySelectorAll('img').length")).isEqualTo(0L);
    Await.sleep(500);
    assertThat(browser.js("return window.__alerts.length")).isEqualTo(0L);
  }
}
