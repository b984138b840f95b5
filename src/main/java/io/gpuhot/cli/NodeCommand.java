package io.gpuhot.cli;

import io.gpuhot.node.Devices;
import io.gpuhot.node.NodeConfig;
import io.gpuhot.node.NodeService;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "node",
    mixinStandardHelpOptions = true,
    description = "Samples this machine's GPUs and serves the dashboard, API and stream on port 1312. Reads GPUs through NVML, with nvidia-smi as the fallback. Each setting can also come from the environment variable named in brackets.")
final class NodeCommand implements Callable<Integer> {
  private final Settings settings;

  @Option(names = "--name", paramLabel = "NAME", description = "Node name shown in hubs (default: host name) [NODE_NAME]")
  String name;

  @Option(names = "--host", paramLabel = "HOST", description = "Address to listen on (default 0.0.0.0) [HOST]")
  String host;

  @Option(names = "--port", paramLabel = "PORT", description = "Port (default 1312; 0 takes a free port) [PORT]")
  String port;

  @Option(names = "--interval", paramLabel = "SECONDS",
      description = "Seconds between samples while watched (default 0.5) [UPDATE_INTERVAL]")
  String interval;

  @Option(names = "--nvidia-smi", paramLabel = "BOOL",
      description = "Read every GPU through nvidia-smi (default false) [NVIDIA_SMI]")
  String smi;

  @Option(names = "--smi-interval", paramLabel = "SECONDS",
      description = "Seconds between nvidia-smi runs (default 2) [NVIDIA_SMI_INTERVAL]")
  String smiInterval;

  @Option(names = "--devices", paramLabel = "LIST",
      description = "GPUs to show: all, none, or indices/UUIDs (default all) [NVIDIA_VISIBLE_DEVICES]")
  String devices;

  @Option(names = "--nvml-lib", paramLabel = "PATH",
      description = "Path of libnvidia-ml.so.1 for unusual installs [NVML_LIBRARY]")
  String nvmlLib;

  @Option(names = "--history", paramLabel = "BOOL",
      description = "Keep 24 h of history in memory, sampling every 10 s when nobody watches "
          + "(default true) [HISTORY]")
  String history;

  @Option(names = "--simulate", paramLabel = "GPUS",
      description = "Serve this many simulated GPUs instead of real ones [SIMULATE]")
  String simulate;

  NodeCommand(Settings settings) {
    this.settings = settings;
  }

  static NodeConfig configure(Settings s, NodeCommand c) {
    String nvml = s.get("--nvml-lib", c.nvmlLib, "NVML_LIBRARY", null, p -> {
      if (!Files.isRegularFile(Path.of(p))) {
        throw new IllegalArgumentException("no such file");
      }
      return p;
    });
    boolean allSmi = s.get("--nvidia-smi", c.smi, "NVIDIA_SMI", false, Settings::bool);
    return new NodeConfig(
        s.get("--name", c.name, "NODE_NAME", hostName(), Settings::nonEmpty),
        s.get("--host", c.host, "HOST", "0.0.0.0", Settings::nonEmpty),
        s.get("--port", c.port, "PORT", NodeConfig.DEFAULT_PORT, Settings::port),
        s.get("--interval", c.interval, "UPDATE_INTERVAL", NodeConfig.DEFAULT_INTERVAL_S,
            Settings::positiveSeconds),
        allSmi ? "all" : "auto",
        s.get("--smi-interval", c.smiInterval, "NVIDIA_SMI_INTERVAL",
            NodeConfig.DEFAULT_SMI_INTERVAL_S, Settings::positiveSeconds),
        s.get("--devices", c.devices, "NVIDIA_VISIBLE_DEVICES", Devices.ALL, Devices::parse),
        nvml == null ? null : Path.of(nvml),
        s.get("--history", c.history, "HISTORY", true, Settings::bool),
        NodeConfig.DEFAULT_IDLE_SAMPLE_S,
        s.get("--simulate", c.simulate, "SIMULATE", 0, Settings::gpuCount),
        System.nanoTime());
  }

  /** The host name, or "gpu-hot" when the host does not know its own name. */
  static String hostName() {
    try {
      String h = InetAddress.getLocalHost().getHostName();
      return h == null || h.isBlank() ? "gpu-hot" : h;
    } catch (UnknownHostException e) {
      return "gpu-hot";
    }
  }

  @Override
  public Integer call() {
    var config = configure(settings, this);
    var node = NodeService.start(config, io.gpuhot.node.GpuSources.open(config),
        io.gpuhot.node.GpuSources.processNames());
    System.out.println("GPU Hot node " + config.name() + ": http://"
        + HubCommand.displayHost(config.host()) + ":" + node.port() + "/");
    return Lifecycle.runUntilStopped(List.of(node));
  }
}
