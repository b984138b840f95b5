package io.gpuhot.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpuhot.hub.Hub;
import io.gpuhot.hub.HubConfig;
import io.gpuhot.support.EventLoops;
import io.gpuhot.support.Json;
import io.gpuhot.testing.Await;
import io.gpuhot.testing.Browser;
import io.gpuhot.testing.FakeNode;
import io.gpuhot.testing.Messages;
import io.netty.channel.EventLoopGroup;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The GPU detail view for a GPU that reports every metric and for one that reports few: what is
 * missing reads "n/a", never 0, and its chart is left out. Strings from nodes stay text.
 */
final class DetailViewBrowserTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  static final String EVIL = "<img src=x onerror=alert(1)>";

  private EventLoopGroup group;
  private FakeNode full;
  private FakeNode sparse;
  private FakeNode evil;
  private Hub hub;
  private Browser browser;

  @BeforeEach
  void setUp() throws Exception {
    group = EventLoops.create("fake", 1);
    full = new FakeNode(group, 300, seq -> Messages.node("h100-box", seq, Messages.fullGpu(seq)));
    sparse = new FakeNode(group, 300, seq -> Messages.node("old-box", seq, Messages.sparseGpu(seq)));
    evil = new FakeNode(group, 300, seq -> {
      var gpu = Messages.sparseGpu(seq);
      gpu.put("name", "<b>GPU</b>" + EVIL);
      gpu.put("throttle_reasons", seq > 3 ? "<i>hot</i>" + EVIL : "None");
      String text = Messages.node("<script>alert(2)</script>" + EVIL, seq, gpu);
      try {
        var tree = (com.fasterxml.jackson.databind.node.ObjectNode) Json.MAPPER.readTree(text);
        var proc = tree.putArray("processes").addObject();
        proc.put("pid", "4242");
        proc.put("name", EVIL);
        proc.put("gpu_id", "0");
        proc.put("memory", 100);
        return tree.toString();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    hub = Hub.start(HubConfig.builder(List.of(URI.create(full.url()), URI.create(sparse.url()),
        URI.create(evil.url()))).host("127.0.0.1").port(0).intervalS(0.3).build());
    browser = Browser.start(1400, 1100);
    browser.onNewDocument("window.__alerts = []; window.alert = (m) => window.__alerts.push(String(m));");
    browser.driver().get("http://127.0.0.1:" + hub.port() + "/");
    browser.until(WAIT, "3 cards", "return document.querySelectorAll('[data-gpu-card]').length === 3");
  }

  @AfterEach
  void tearDown() throws Exception {
    if (browser != null) {
      browser.close();
    }
    hub.close();
    full.close();
    sparse.close();
    evil.close();
    EventLoops.shutdown(group);
  }

  private void openDetail(int node) {
    browser.js("document.querySelector('[data-gpu-card=\"" + node + ":0\"]').click()");
    browser.until(WAIT, "detail open", "return !document.getElementById('detail').hidden");
  }

  @SuppressWarnings("unchecked")
  private Map<String, String> specs() {
    return (Map<String, String>) browser.js("const o = {}; document.querySelectorAll("
        + "'#detail-body dl.specs:not(.host-specs) > div').forEach(d => o[d.firstChild.textContent] ="
        + " d.lastChild.textContent); return o;");
  }

  @Test
  void fullGpu_showsEveryFigure_andItsCharts() throws Exception {
    openDetail(0);
    browser.until(WAIT, "full fields arrived", "return Array.from(document.querySelectorAll("
        + "'#detail-body dd')).some(d => d.textContent === '96.00.74.00.0D')");
    Await.sleep(1500);

    var specs = specs();
    assertThat(specs).containsEntry("Architecture", "Hopper").containsEntry("Brand", "NVIDIA")
        .containsEntry("Compute capability", "9.0").containsEntry("Throttle status", "not throttled")
        .containsEntry("PCIe link", "Gen 5 x16 (max Gen 5 x16)")
        .containsEntry("SM clock", "1980 / 1980 MHz").containsEntry("Memory controller", "41 %")
        .containsEntry("Encoder", "3 %, 1 sessions").containsEntry("Energy since driver load", "123.5 kWh");
    var hero = browser.texts("#detail-body .hero .value");
    assertThat(hero).containsExactly("97 %", browser.texts("#detail-body .hero .value").get(1),
        "59.8 GiB", hero.get(3), "n/a", "P0");
    assertThat(hero.get(1)).matches("6[4-6] °C");
    assertThat(browser.texts("#detail-body .chart h3")).contains("Utilization %", "Temperature °C",
        "Memory used %", "Power W", "Clocks MHz", "Efficiency % per W", "PCIe MB/s",
        "Encoder / decoder %").doesNotContain("Fan %");
    assertThat(browser.texts("#detail-body .stat-line").get(0)).contains("now 97", "min", "max", "avg");
    browser.screenshot("detail-view");
  }

  @Test
  void sparseGpu_showsNotAvailable_neverZero_andLeavesItsChartsOut() {
    openDetail(1);
    browser.until(WAIT, "detail filled", "return Array.from(document.querySelectorAll("
        + "'#detail-body dd')).some(d => d.textContent === 'nvidia-smi')");
    Await.sleep(1200);

    var hero = browser.texts("#detail-body .hero .value");
    assertThat(hero.get(0)).isEqualTo("n/a");
    assertThat(hero.get(3)).isEqualTo("n/a");
    assertThat(hero.get(4)).isEqualTo("n/a");
    var specs = specs();
    assertThat(specs).containsEntry("Architecture", "n/a").containsEntry("PCIe link", "n/a")
        .containsEntry("Graphics clock", "n/a").containsEntry("Encoder", "n/a");
    String detail = (String) browser.js("return document.getElementById('detail-body').textContent");
    assertThat(detail).doesNotContainPattern("(^|[^0-9.])0(\\.0)? ?(%|W|MHz|sessions)");
    assertThat(browser.texts("#detail-body .chart h3"))
        .containsExactlyInAnyOrder("Temperature °C", "Memory used %");
    var card = browser.texts("[data-gpu-card=\"1:0\"] [data-field]");
    assertThat(card).doesNotContain("0", "0 W", "0 %");
  }

  @Test
  void stringsFromNodes_neverBecomeHtml() {
    browser.until(WAIT, "throttle event",
        "return document.querySelectorAll('#events li[data-event=throttle]').length > 0");
    browser.js("document.querySelectorAll('details.procs').forEach(d => d.open = true)");
    browser.until(WAIT, "process row", "return document.querySelectorAll('td.proc-name').length > 0");
    openDetail(2);
    Await.sleep(800);

    assertThat(browser.texts("td.proc-name")).containsOnly(EVIL);
    assertThat(browser.texts(".node-head h2")).contains("<script>alert(2)</script>" + EVIL);
    assertThat(browser.texts("[data-gpu-card=\"2:0\"] .gpu-name")).containsExactly("<b>GPU</b>" + EVIL);
    assertThat(browser.texts("#events li .msg")).anyMatch(m -> m.contains("<i>hot</i>" + EVIL));
    assertThat(browser.js("return document.querySelectorAll('img, main script, #detail script').length"))
        .isEqualTo(0L);
    assertThat(browser.js("return Array.from(document.querySelectorAll('b, i'))"
        + ".filter(e => /hot|GPU/.test(e.textContent)).length")).isEqualTo(0L);
    assertThat(browser.js("return window.__alerts.length")).isEqualTo(0L);
  }
}
