package io.gpuhot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Bad flags and environment values stop the program with one line and exit status 2. */
final class ConfigErrorTest {

  record Result(int status, String err) {}

  private static synchronized Result run(Map<String, String> env, String... args) {
    var err = new ByteArrayOutputStream();
    PrintStream saved = System.err;
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      int status = Main.run(args, env);
      return new Result(status, err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setErr(saved);
    }
  }

  private static Map<String, String> env(String pairs) {
    var map = new java.util.HashMap<String, String>();
    if (!pairs.isBlank()) {
      for (String pair : pairs.split(";")) {
        int eq = pair.indexOf('=');
        map.put(pair.substring(0, eq), pair.substring(eq + 1));
      }
    }
    return map;
  }

  @ParameterizedTest(name = "{0} {1} -> {2}")
  @CsvSource(delimiter = '|', value = {
    "UPDATE_INTERVAL=abc              | demo                  | invalid UPDATE_INTERVAL 'abc'",
    "UPDATE_INTERVAL=-1               | demo                  | invalid UPDATE_INTERVAL '-1'",
    "''                               | demo --interval 0     | invalid --interval '0'",
    "GPU_HOT_MODE=hub                 | ''                    | needs node URLs",
    "GPU_HOT_MODE=hub;NODE_URLS=      | ''                    | invalid NODE_URLS ''",
    "NODE_URLS=http://a:1312,,        | hub                   | empty entry",
    "NODE_URLS=ftp://a:1312           | hub                   | invalid NODE_URLS 'ftp://a:1312'",
    "NODE_URLS=http://a:1312,http://a:1312 | hub              | listed twice",
    "''                               | demo --port 70000     | invalid --port '70000': port out of range",
    "PORT=-1                          | demo                  | invalid PORT '-1'",
    "PORT=http                        | hub --node-urls http://a:1 | invalid PORT 'http'",
    "''                               | demo --preset extreme | invalid --preset 'extreme': unknown preset",
    "PRESET=tiny                      | demo                  | invalid PRESET 'tiny'",
    "NODES=2,x                        | mock-cluster          | invalid NODES '2,x'",
    "NODES=0                          | mock-cluster          | each node has 1 to 64 GPUs",
    "''                               | mock-cluster --base-port 65530 --nodes 8,8,8,8,8,8,8 | past 65535",
    "SEED=x1                          | mock-cluster          | invalid SEED 'x1'",
    "GPU_HOT_MODE=cluster             | ''                    | invalid GPU_HOT_MODE 'cluster'",
    "''                               | demo --bogus          | Unknown option: '--bogus'",
    "''                               | frobnicate            | unknown command 'frobnicate'",
    "UPDATE_INTERVAL=0.001            | demo                  | expected at least 0.05 seconds",
    "SIMULATE=100                     | node                  | expected 1 to 64 GPUs",
    "HISTORY=maybe                    | node --simulate 1     | expected true or false",
    "''                               | demo --base-port 65535 | nodes would need ports past 65535",
    "''                               | node --simulate 1 --host not..host --port 0 | host name given with --host",
  })
  void badSetting_isOneLine_namingTheSettingAndValue_exitTwo(String env, String args, String expected) {
    var argv = args.isBlank() ? new String[0] : args.trim().split("\\s+");
    var result = run(env(env.equals("''") ? "" : env.trim()), argv);

    assertThat(result.status()).isEqualTo(2);
    assertThat(result.err().strip().lines().toList()).hasSize(1);
    assertThat(result.err()).startsWith("gpu-hot: ").contains(expected);
  }

  @Test
  void portInUse_isOneLine_exitOne() throws Exception {
    try (var busy = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      var result = run(Map.of(), "hub", "--host", "127.0.0.1", "--port",
          String.valueOf(busy.getLocalPort()), "--node-urls", "http://127.0.0.1:9");

      assertThat(result.status()).isEqualTo(1);
      assertThat(result.err().strip().lines().toList()).hasSize(1);
      assertThat(result.err()).startsWith("gpu-hot: cannot listen: the port is already in use");
    }
  }

  @Test
  void realProcess_exitsWithStatusTwo_andOneLine() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    var cmd = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
        Main.class.getName(), "hub"));
    var pb = new ProcessBuilder(cmd);
    pb.environment().put("NODE_URLS", "not a url");
    pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
    Process p = pb.start();
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);

    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isEqualTo(2);
    assertThat(err.strip()).isEqualTo(
        "gpu-hot: invalid NODE_URLS 'not a url': 'not a url' is not a URL");
  }
}
