package io.gpuhot.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Headless Chromium from the Debian packages ({@code chromium}, {@code chromium-driver}), driven
 * through ChromeDriver. Without them the browser tests are skipped, unless {@code
 * GPUHOT_REQUIRE_BROWSER=1} (set by CI), where a missing browser is a failure.
 */
public final class Browser implements AutoCloseable {
  static final String CHROMIUM = System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium");
  static final String DRIVER = System.getenv().getOrDefault("CHROMEDRIVER", "/usr/bin/chromedriver");

  private final ChromeDriver driver;
  private final Path profile;

  private Browser(int width, int height) throws IOException {
    profile = Files.createTempDirectory("gpuhot-chromium");
    var options = new ChromeOptions();
    options.setBinary(CHROMIUM);
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--disable-dev-shm-usage", "--user-data-dir=" + profile,
        "--window-size=" + width + "," + height, "--force-prefers-reduced-motion");
    var service = new ChromeDriverService.Builder()
        .usingDriverExecutable(new File(DRIVER))
        .usingAnyFreePort()
        .build();
    driver = new ChromeDriver(service, options);
    driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(20));
  }

  /** Starts a browser, or skips the test when none is installed and none is required. */
  public static Browser start(int width, int height) throws IOException {
    boolean present = new File(CHROMIUM).canExecute() && new File(DRIVER).canExecute();
    if (!present && "1".equals(System.getenv("GPUHOT_REQUIRE_BROWSER"))) {
      throw new IllegalStateException("GPUHOT_REQUIRE_BROWSER=1 but " + CHROMIUM + " or " + DRIVER
          + " is missing; install the Debian packages chromium and chromium-driver");
    }
    assumeTrue(present, "headless Chromium not installed (apt-get install chromium chromium-driver)");
    return new Browser(width, height);
  }

  public ChromeDriver driver() {
    return driver;
  }

  /** Runs a script before any page script, on every page load (e.g. to record alerts). */
  public void onNewDocument(String script) {
    driver.executeCdpCommand("Page.addScriptToEvaluateOnNewDocument", Map.of("source", script));
  }

  public Object js(String script, Object... args) {
    return driver.executeScript(script, args);
  }

  /** Polls a script until it returns true. */
  public void until(Duration limit, String what, String script) {
    Await.until(limit, what, () -> Boolean.TRUE.equals(js(script)));
  }

  /** Writes a PNG of the page to the screenshot folder ({@code -Dgpuhot.screenshots}). */
  public Path screenshot(String name) throws IOException {
    Path dir = Path.of(System.getProperty("gpuhot.screenshots", "target/screenshots"));
    Files.createDirectories(dir);
    Path file = dir.resolve(name + ".png");
    Files.write(file, driver.getScreenshotAs(OutputType.BYTES));
    return file;
  }

  @SuppressWarnings("unchecked")
  public List<String> texts(String selector) {
    return (List<String>) js("return Array.from(document.querySelectorAll(arguments[0])).map(e => e.textContent)",
        selector);
  }

  @Override
  public void close() throws IOException {
    driver.quit();
    try (var files = Files.walk(profile)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
