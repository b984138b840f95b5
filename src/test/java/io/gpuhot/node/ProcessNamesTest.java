package io.gpuhot.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Names of real child processes, and the naming rules on a stand-in {@code /proc}. */
final class ProcessNamesTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  private final List<Process> started = new ArrayList<>();

  @TempDir Path temp;

  @AfterEach
  void stopChildren() throws InterruptedException {
    for (Process p : started) {
      ProcessHandle.of(p.pid()).ifPresent(ProcessHandle::destroyForcibly);
      p.waitFor(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  private Process start(String... command) throws IOException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    started.add(p);
    return p;
  }

  /** Polls until the name settles (interpreter shims exec the real binary after a moment). */
  private static String nameOnceItIs(ProcessNames names, long pid, String expected)
      throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    String name = names.nameOf(pid);
    while (!name.equals(expected) && System.nanoTime() < deadline) {
      Thread.sleep(20);
      name = names.nameOf(pid);
    }
    return name;
  }

  private static String python() {
    return Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
  }

  @Test
  void nameOf_pythonScript_isTheScriptsBasename() throws Exception {
    Path script = Files.writeString(temp.resolve("train.py"), "import time\ntime.sleep(30)\n");
    Process child = start(python(), "-u", script.toString(), "--lr", "3");
    var names = new ProcessNames(Path.of("/proc"), Duration.ZERO);

    assertThat(nameOnceItIs(names, child.pid(), "train.py")).isEqualTo("train.py");
  }

  @Test
  void nameOf_shellRunningACommand_isTheCommand() throws Exception {
    Process child = start("sh", "-c", "sleep 30");
    var names = new ProcessNames(Path.of("/proc"), Duration.ZERO);

    assertThat(nameOnceItIs(names, child.pid(), "sleep")).isEqualTo("sleep");
  }

  @Test
  void nameOf_processThatExited_isItsPid() throws Exception {
    Process child = start("sleep", "30");
    long pid = child.pid();
    var names = new ProcessNames(Path.of("/proc"), Duration.ZERO);
    assertThat(nameOnceItIs(names, pid, "sleep")).isEqualTo("sleep");

    child.destroyForcibly();
    assertThat(child.waitFor(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();

    assertThat(names.nameOf(pid)).isEqualTo("PID:" + pid);
  }

  @Test
  void nameOf_pidNotInThisNamespace_isItsPid() {
    var names = new ProcessNames();

    assertThat(names.nameOf(4_000_123)).isEqualTo("PID:4000123");
    assertThat(names.nameOf(0)).isEqualTo("PID:0");
    assertThat(names.nameOf(-3)).isEqualTo("PID:-3");
  }

  private ProcessNames fakeProc(long pid, String cmdline, String comm) throws IOException {
    Path dir = Files.createDirectories(temp.resolve("proc/" + pid));
    byte[] argv = cmdline.replace('|', '\0').getBytes(StandardCharsets.UTF_8);
    Files.write(dir.resolve("cmdline"), argv);
    if (comm != null) {
      Files.writeString(dir.resolve("comm"), comm + "\n");
    }
    return new ProcessNames(temp.resolve("proc"), Duration.ZERO);
  }

  private String named(String cmdline) throws IOException {
    return fakeProc(100, cmdline, null).nameOf(100);
  }

  @Test
  void nameOf_interpreters_nameTheirScriptOrModule() throws Exception {
    assertThat(named("/usr/bin/python3.11|-u|/opt/train.py|--lr|3|")).isEqualTo("train.py");
    assertThat(named("python|-m|torch.distributed.run|--nproc_per_node=8|train.py|"))
        .isEqualTo("torch.distributed.run");
    assertThat(named("python3|-X|importtime|-W|ignore|serve.py|")).isEqualTo("serve.py");
    assertThat(named("/usr/bin/env|python3|/srv/app/worker.py|")).isEqualTo("worker.py");
    assertThat(named("/usr/bin/env|-u|HOME|CUDA_VISIBLE_DEVICES=0|node|index.js|"))
        .isEqualTo("index.js");
    assertThat(named("node|--max-old-space-size=4096|/srv/app/index.js|"))
        .isEqualTo("index.js");
    assertThat(named("java|-Xmx4g|-jar|/opt/app/server.jar|")).isEqualTo("server.jar");
    assertThat(named("java|-cp|/opt/lib/*|com.example.Main|")).isEqualTo("com.example.Main");
    assertThat(named("/bin/bash|/opt/run.sh|")).isEqualTo("run.sh");
    assertThat(named("bash|-c|exec python3 train.py --epochs 3|")).isEqualTo("train.py");
    assertThat(named("perl5.36|-w|/usr/local/bin/monitor.pl|")).isEqualTo("monitor.pl");
  }

  @Test
  void nameOf_interpreterWithoutScript_isTheInterpreter() throws Exception {
    assertThat(named("/usr/bin/python3|")).isEqualTo("python3");
    assertThat(named("python3|-c|import torch; torch.cuda.init()|")).isEqualTo("python3");
  }

  @Test
  void nameOf_plainExecutables_areTheirBasename() throws Exception {
    assertThat(named("/usr/local/bin/ollama|serve|")).isEqualTo("ollama");
    assertThat(named("/usr/lib/xorg/Xorg|:0|")).isEqualTo("Xorg");
    assertThat(named("nginx: worker process")).as("a rewritten title").isEqualTo(
        "nginx: worker process");
    assertThat(named("ray::Trainer.train()|")).isEqualTo("ray::Trainer.train()");
  }

  @Test
  void nameOf_emptyCommandLine_fallsBackToComm() throws Exception {
    assertThat(fakeProc(7, "", "kworker/0:1").nameOf(7)).isEqualTo("kworker/0:1");
  }

  @Test
  void nameOf_unreadableFiles_isThePid() throws Exception {
    Path dir = Files.createDirectories(temp.resolve("proc/9/cmdline"));
    var names = new ProcessNames(temp.resolve("proc"), Duration.ZERO);

    assertThat(Files.isDirectory(dir)).isTrue();
    assertThat(names.nameOf(9)).isEqualTo("PID:9");
    assertThat(fakeProc(11, "", null).nameOf(11)).isEqualTo("PID:11");
  }

  @Test
  void nameOf_controlCharactersAndHugeNames_areTidied() throws Exception {
    assertThat(named("/opt/evil\u001b[31mname|")).isEqualTo("evil [31mname");
    assertThat(named("/opt/" + "x".repeat(500) + "|")).hasSize(128);
  }

  @Test
  void nameOf_withinTheCacheLifetime_reusesTheName() throws Exception {
    Path dir = Files.createDirectories(temp.resolve("proc/42"));
    Files.write(dir.resolve("cmdline"), "/bin/first\0".getBytes(StandardCharsets.UTF_8));
    var cached = new ProcessNames(temp.resolve("proc"), Duration.ofHours(1));
    var fresh = new ProcessNames(temp.resolve("proc"), Duration.ZERO);
    assertThat(cached.nameOf(42)).isEqualTo("first");

    Files.write(dir.resolve("cmdline"), "/bin/second\0".getBytes(StandardCharsets.UTF_8));

    assertThat(cached.nameOf(42)).isEqualTo("first");
    assertThat(fresh.nameOf(42)).isEqualTo("second");
  }
}
