package io.gpuhot.cli;

import io.gpuhot.support.Version;
import java.io.PrintWriter;
import java.net.BindException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code gpu-hot} command. Without a subcommand it runs the node (or the hub when {@code
 * GPU_HOT_MODE=hub}). Bad flags and environment values print one line and exit with status 2;
 * runtime failures exit with status 1.
 */
@Command(
    name = "gpu-hot",
    mixinStandardHelpOptions = true,
    versionProvider = Main.VersionProvider.class,
    description = {
      "Real-time NVIDIA GPU monitor: node, hub, mock cluster, demo and load test.",
      "Without a command it runs the node, or the hub when GPU_HOT_MODE=hub."
    },
    subcommands = {
      NodeCommand.class,
      HubCommand.class,
      MockClusterCommand.class,
      DemoCommand.class,
      LoadTestCommand.class
    })
public final class Main implements Callable<Integer> {
  static final int CONFIG_ERROR = 2;
  static final int RUNTIME_ERROR = 1;
  private static final Set<String> COMMANDS =
      Set.of("node", "hub", "mock-cluster", "demo", "loadtest", "help");

  public static void main(String[] args) {
    System.exit(run(args, System.getenv()));
  }

  /** Runs the command line and returns the exit status. */
  public static int run(String[] args, Map<String, String> env) {
    String[] effective;
    try {
      effective = withDefaultCommand(args, env);
    } catch (ConfigException e) {
      System.err.println("gpu-hot: " + e.getMessage());
      return CONFIG_ERROR;
    }
    var settings = new Settings(env);
    var cli = new CommandLine(new Main(), new Factory(settings));
    cli.setErr(new PrintWriter(System.err, true));
    cli.setParameterExceptionHandler(
        (ex, a) -> {
          String hint = ex.getCommandLine().getCommandName();
          System.err.println("gpu-hot: " + ex.getMessage() + " (see: gpu-hot "
              + (hint.equals("gpu-hot") ? "" : hint + " ") + "--help)");
          return CONFIG_ERROR;
        });
    cli.setExecutionExceptionHandler(
        (ex, c, parse) -> {
          if (ex instanceof ConfigException) {
            System.err.println("gpu-hot: " + ex.getMessage());
            return CONFIG_ERROR;
          }
          Throwable root = rootCause(ex);
          String listen = listenProblem(root);
          if (listen != null) {
            System.err.println("gpu-hot: " + listen);
            return listen.contains("in use") ? RUNTIME_ERROR : CONFIG_ERROR;
          }
          System.err.println("gpu-hot: " + c.getCommandName() + " failed: " + ex);
          ex.printStackTrace();
          return RUNTIME_ERROR;
        });
    return cli.execute(effective);
  }

  /**
   * Says in one line why a server could not listen, for the failures a user can fix (a port in
   * use, an address that is not this machine's), or returns null.
   */
  static String listenProblem(Throwable root) {
    String msg = String.valueOf(root.getMessage());
    if (root instanceof BindException || msg.contains("Address already in use")) {
      return "cannot listen: the port is already in use (choose another with --port or PORT)";
    }
    if (msg.contains("Cannot assign requested address")) {
      return "cannot listen: the address given with --host or HOST is not one of this machine's";
    }
    if (root instanceof java.nio.channels.UnresolvedAddressException) {
      return "cannot listen: the host name given with --host or HOST does not resolve";
    }
    return null;
  }

  /** Puts {@code node} (or {@code hub} in hub mode) in front when no subcommand is named. */
  static String[] withDefaultCommand(String[] args, Map<String, String> env) {
    if (args.length > 0 && (COMMANDS.contains(args[0]) || isTopLevelFlag(args[0]))) {
      return args;
    }
    if (args.length > 0 && !args[0].startsWith("-")) {
      throw new ConfigException("unknown command '" + args[0]
          + "'; expected node, hub, mock-cluster, demo or loadtest (see: gpu-hot --help)");
    }
    String mode = env.getOrDefault("GPU_HOT_MODE", "default").trim();
    String command =
        switch (mode) {
          case "default", "node", "" -> "node";
          case "hub" -> "hub";
          default -> throw new ConfigException(
              "invalid GPU_HOT_MODE '" + mode + "': expected default, node or hub");
        };
    var list = new java.util.ArrayList<String>(List.of(command));
    list.addAll(List.of(args));
    return list.toArray(String[]::new);
  }

  private static boolean isTopLevelFlag(String a) {
    return a.equals("-h") || a.equals("--help") || a.equals("-V") || a.equals("--version");
  }

  private static Throwable rootCause(Throwable t) {
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t;
  }

  @Override
  public Integer call() {
    return 0;
  }

  /** Hands every command the settings resolver. */
  private record Factory(Settings settings) implements CommandLine.IFactory {
    @Override
    public <K> K create(Class<K> cls) throws Exception {
      try {
        return cls.getDeclaredConstructor(Settings.class).newInstance(settings);
      } catch (NoSuchMethodException e) {
        return CommandLine.defaultFactory().create(cls);
      }
    }
  }

  static final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"gpu-hot " + Version.current()};
    }
  }
}
