package io.kubegrade.gateway.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * The processes of the local platform under test (scripts/run.sh started on the data directory
 * scripts/reliability.sh made), seen from outside: found by the KUBEGRADE_DATA every one of them
 * inherits, stopped as a crash or an operator would stop them, and started again exactly as they
 * were (their command line, environment and working directory, read from /proc). Whatever this
 * class starts it stops in {@link #close}.
 */
final class PlatformProcesses implements AutoCloseable {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final Path data;
  private final String redisPort;
  private final List<Process> started = new ArrayList<>();

  PlatformProcesses(Path data) {
    this.data = data;
    this.redisPort = System.getenv("KUBEGRADE_REDIS_PORT");
  }

  /** A process as it was started: enough to start it again. */
  record Template(List<String> command, Map<String, String> environment, Path directory) {
    /** The same, with each argument starting with a key of {@code replaced} given that value instead. */
    Template with(Map<String, String> replaced) {
      List<String> args = new ArrayList<>();
      for (String arg : command) {
        String value = arg;
        for (var r : replaced.entrySet()) {
          if (arg.startsWith(r.getKey())) {
            value = r.getKey() + r.getValue();
          }
        }
        args.add(value);
      }
      for (var r : replaced.entrySet()) {
        if (command.stream().noneMatch(a -> a.startsWith(r.getKey()))) {
          args.add(r.getKey() + r.getValue());
        }
      }
      return new Template(args, environment, directory);
    }
  }

  /** The only running process of the platform whose command line matches, as a template. */
  Template template(Predicate<String> commandLine) {
    long pid = pid(commandLine);
    String[] argv = read(pid, "cmdline").split("\0");
    Map<String, String> env = new LinkedHashMap<>();
    for (String entry : read(pid, "environ").split("\0")) {
      int eq = entry.indexOf('=');
      if (eq > 0) {
        env.put(entry.substring(0, eq), entry.substring(eq + 1));
      }
    }
    try {
      return new Template(List.of(argv), env, Files.readSymbolicLink(Path.of("/proc/" + pid + "/cwd")));
    } catch (IOException e) {
      throw new IllegalStateException("cannot read the working directory of " + pid, e);
    }
  }

  /** Starts a process from a template, its output appended to {@code $KUBEGRADE_DATA/logs/NAME.log}. */
  Process start(Template template, String name) throws IOException {
    ProcessBuilder builder = new ProcessBuilder(template.command()).directory(template.directory().toFile());
    builder.environment().clear();
    builder.environment().putAll(template.environment());
    Path log = data.resolve("logs").resolve(name + ".log");
    Process p = builder.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    synchronized (started) {
      started.add(p);
    }
    return p;
  }

  /**
   * Redis again, from the configuration file scripts/run.sh writes for it (Redis rewrites its own
   * command line, so /proc cannot give it back). Its append-only file brings back what it held.
   */
  Process startRedis() throws IOException {
    Map<String, String> env = new LinkedHashMap<>(System.getenv());
    Process p = start(new Template(List.of("redis-server", data.resolve("redis/redis.conf").toString()), env, data), "redis");
    awaitPort(Integer.parseInt(redisPort), Duration.ofSeconds(20));
    return p;
  }

  /** Stops a process (SIGTERM: as a restart by an operator would) and waits until it has gone. */
  void stop(long pid) throws InterruptedException {
    ProcessHandle handle = ProcessHandle.of(pid).orElse(null);
    if (handle == null) {
      return;
    }
    handle.destroy();
    try {
      handle.onExit().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      handle.destroyForcibly();
    }
  }

  /** The pid of the only running process of the platform whose command line matches. */
  long pid(Predicate<String> commandLine) {
    List<Long> pids = ProcessHandle.allProcesses().map(ProcessHandle::pid)
        .filter(p -> {
          String cmd = commandLine(p);
          return belongs(p, cmd) && commandLine.test(cmd);
        }).toList();
    if (pids.size() != 1) {
      throw new IllegalStateException("expected one such process of the platform, found " + pids);
    }
    return pids.get(0);
  }

  /** The pid of the platform's Redis server. */
  long redis() {
    return pid(cmd -> cmd.startsWith("redis-server"));
  }

  static boolean isRedis(String commandLine, String port) {
    return commandLine.matches("redis-server 127\\.0\\.0\\.1:" + port + "(\\s.*)?");
  }

  /**
   * A process of the platform under test, not this one: scripts/reliability.sh starts it with
   * KUBEGRADE_DATA set, and every process inherits that (Redis, which rewrites its command line,
   * is known by its port; a renderer's command line names no profile).
   */
  boolean belongs(long pid, String commandLine) {
    return pid != ProcessHandle.current().pid()
        && (read(pid, "environ").contains("KUBEGRADE_DATA=" + data + "\0") || isRedis(commandLine, redisPort));
  }

  /** A process's command line, its arguments separated by spaces. */
  static String commandLine(long pid) {
    return read(pid, "cmdline").replace('\0', ' ');
  }

  static long rss(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("\\D+", "")) * 1024;
        }
      }
    } catch (IOException | NumberFormatException e) {
      // gone meanwhile
    }
    return 0;
  }

  /** Waits until something listens on a loopback port. */
  static void awaitPort(int port, Duration within) {
    long deadline = System.nanoTime() + within.toNanos();
    while (System.nanoTime() < deadline) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return;
      } catch (IOException e) {
        sleep(100);
      }
    }
    throw new IllegalStateException("nothing listens on port " + port + " after " + within);
  }

  /** Waits until a gateway reports itself ready. */
  static void awaitReady(String base, Duration within) {
    long deadline = System.nanoTime() + within.toNanos();
    while (System.nanoTime() < deadline) {
      try {
        HttpResponse<Void> r = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/actuator/health/readiness"))
            .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
      sleep(200);
    }
    throw new IllegalStateException(base + " was not ready after " + within);
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  static String read(long pid, String file) {
    try {
      return new String(Files.readAllBytes(Path.of("/proc/" + pid + "/" + file)), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  @Override
  public void close() {
    synchronized (started) {
      for (Process p : started) {
        p.destroy();
      }
      for (Process p : started) {
        try {
          if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly();
          }
        } catch (InterruptedException e) {
          p.destroyForcibly();
          Thread.currentThread().interrupt();
        }
      }
    }
  }
}
