package io.webrtcgw.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;


/** The gateway's command line, parsed into a config and an action. */
public record CommandLine(Action action, GatewayConfig config) {

  /** What the process was asked to do. */
  public enum Action {
    SERVE,
    HELP,
    LIST_CAMERAS
  }

  /** Served when neither the command line nor a config file names a stream. */
  public static final StreamConfig DEFAULT_STREAM = StreamConfig.of("demo", "file:samples/demo.mp4");

  public static final String USAGE = String.join("\n",
      "usage: java -jar gateway.jar [--port N] [--host ADDR] [--stream NAME=URI]... [--config FILE]",
      "                             [--max-viewers N] [--list-cameras] [--help]",
      "  URI is one of: pattern:[WIDTHxHEIGHT@FPS]   file:PATH   camera:[NAME|INDEX]",
      "  with no stream the gateway serves '" + DEFAULT_STREAM.name() + "' from " + DEFAULT_STREAM.source());

  public static CommandLine parse(String[] args) throws ConfigException {
    return parse(args, DEFAULT_STREAM);
  }

  public static CommandLine parse(String[] args, StreamConfig defaultStream) throws ConfigException {
    Path configFile = null;
    Integer port = null;
    String host = null;
    Integer maxViewers = null;
    List<StreamConfig> streams = new ArrayList<>();
    Action action = Action.SERVE;
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      String value = null;
      int eq = arg.indexOf('=');
      if (arg.startsWith("--") && eq > 0) {
        value = arg.substring(eq + 1);
        arg = arg.substring(0, eq);
      }
      switch (arg) {
        case "--help", "-h" -> action = Action.HELP;
        case "--list-cameras" -> action = Action.LIST_CAMERAS;
        case "--port" -> port = parsePort(value != null ? value : next(args, ++i, arg));
        case "--host" -> host = nonEmpty(value != null ? value : next(args, ++i, arg), arg);
        case "--config" -> configFile = Path.of(nonEmpty(value != null ? value : next(args, ++i, arg), arg));
        case "--max-viewers" -> maxViewers = parsePositive(value != null ? value : next(args, ++i, arg), arg);
        case "--stream" -> streams.add(parseStream(value != null ? value : next(args, ++i, arg)));
        default -> throw new ConfigException("unknown argument '" + args[i] + "' (try --help)");
      }
    }
    GatewayConfig config = configFile == null
        ? GatewayConfig.fromJson(null, null, null, null, null)
        : ConfigLoader.load(configFile);
    try {
      if (!streams.isEmpty()) {
        // Command-line streams are added to the file's; a name given twice is an error.
        List<StreamConfig> all = new ArrayList<>(config.streams());
        all.addAll(streams);
        config = config.withStreams(all);
      }
      if (config.streams().isEmpty()) {
        config = config.withStreams(List.of(defaultStream));
      }
      if (port != null) {
        config = config.withPort(port);
      }
      if (host != null) {
        config = config.withHost(host);
      }
      if (maxViewers != null) {
        config = config.withLimits(config.limits().withMaxViewers(maxViewers));
      }
    } catch (IllegalArgumentException e) {
      throw new ConfigException(e.getMessage());
    }
    return new CommandLine(action, config);
  }

  private static String next(String[] args, int i, String option) throws ConfigException {
    if (i >= args.length || args[i].startsWith("--")) {
      throw new ConfigException(option + " needs a value");
    }
    return args[i];
  }

  private static String nonEmpty(String value, String option) throws ConfigException {
    if (value.isBlank()) {
      throw new ConfigException(option + " needs a value");
    }
    return value;
  }

  private static int parsePort(String value) throws ConfigException {
    try {
      int port = Integer.parseInt(value);
      if (port >= 0 && port <= 65535) {
        return port;
      }
    } catch (NumberFormatException ignored) {
      // fall through to the message below
    }
    throw new ConfigException("--port must be a number from 0 to 65535, not '" + value + "'");
  }

  private static int parsePositive(String value, String option) throws ConfigException {
    try {
      int n = Integer.parseInt(value);
      if (n > 0) {
        return n;
      }
    } catch (NumberFormatException ignored) {
      // fall through to the message below
    }
    throw new ConfigException(option + " must be a positive number, not '" + value + "'");
  }

  private static StreamConfig parseStream(String value) throws ConfigException {
    int eq = value.indexOf('=');
    if (eq <= 0 || eq == value.length() - 1) {
      throw new ConfigException("--stream needs NAME=URI, not '" + value + "'");
    }
    try {
      return StreamConfig.of(value.substring(0, eq), value.substring(eq + 1));
    } catch (IllegalArgumentException e) {
      throw new ConfigException("--stream " + value + ": " + e.getMessage());
    }
  }

}
