package io.kubegrade.runner.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A real redis-server (Debian's package, installed by scripts/setup.sh) on a free port of a local
 * address (loopback unless told otherwise), without persistence. Restartable on the same port, for
 * reconnection tests.
 */
public final class RedisServerProcess implements AutoCloseable {
  private final Path binary;
  private final String host;
  private final int port;
  private final String password;
  private final Path dataDir;
  private Process process;

  private RedisServerProcess(Path binary, String host, int port, String password, Path dataDir) {
    this.binary = binary;
    this.host = host;
    this.port = port;
    this.password = password;
    this.dataDir = dataDir;
  }

  public static RedisServerProcess start() {
    return start(null);
  }

  /** With {@code dataDir}, an append-only file there keeps the data across a restart. */
  public static RedisServerProcess start(Path dataDir) {
    return start("127.0.0.1", null, dataDir);
  }

  /** On {@code host} (an address of this machine); with {@code password}, the default user needs it. */
  public static RedisServerProcess start(String host, String password, Path dataDir) {
    Path binary = Path.of(System.getenv().getOrDefault("KUBEGRADE_REDIS_SERVER", "/usr/bin/redis-server"));
    if (!Files.isExecutable(binary)) {
      throw new IllegalStateException(binary + " is missing: run scripts/setup.sh (installs redis-server)");
    }
    RedisServerProcess redis = new RedisServerProcess(binary, host, freePort(host), password, dataDir);
    redis.startProcess();
    return redis;
  }

  public void startProcess() {
    try {
      java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of(binary.toString(), "--port",
          String.valueOf(port), "--bind", host, "--save", "", "--protected-mode", "yes"));
      if (password != null) {
        command.addAll(java.util.List.of("--requirepass", password));
      }
      if (dataDir == null) {
        command.addAll(java.util.List.of("--appendonly", "no"));
      } else {
        command.addAll(java.util.List.of("--appendonly", "yes", "--appendfsync", "always", "--dir", dataDir.toString()));
      }
      process = new ProcessBuilder(command)
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      try (Socket s = new Socket(host, port)) {
        return;
      } catch (IOException e) {
        sleep();
      }
    }
    throw new IllegalStateException("redis-server did not start on port " + port);
  }

  public void stopProcess() {
    if (process != null) {
      process.destroy(); // SIGTERM: with persistence on, what was written is on disk
      try {
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** With the default user's password in it, when there is one. */
  public String url() {
    return "redis://" + (password == null ? "" : ":" + password + "@") + host + ":" + port;
  }

  public String host() {
    return host;
  }

  public int port() {
    return port;
  }

  @Override
  public void close() {
    stopProcess();
  }

  private static int freePort(String host) {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName(host))) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void sleep() {
    try {
      Thread.sleep(50);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
