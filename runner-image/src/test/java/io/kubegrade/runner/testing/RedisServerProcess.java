package io.kubegrade.runner.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A real redis-server (Debian's package, installed by scripts/setup.sh) on a free loopback port,
 * without persistence. Restartable on the same port, for reconnection tests.
 */
public final class RedisServerProcess implements AutoCloseable {
  private final Path binary;
  private final int port;
  private Process process;

  private RedisServerProcess(Path binary, int port) {
    this.binary = binary;
    this.port = port;
  }

  public static RedisServerProcess start() {
    Path binary = Path.of(System.getenv().getOrDefault("KUBEGRADE_REDIS_SERVER", "/usr/bin/redis-server"));
    if (!Files.isExecutable(binary)) {
      throw new IllegalStateException(binary + " is missing: run scripts/setup.sh (installs redis-server)");
    }
    RedisServerProcess redis = new RedisServerProcess(binary, freePort());
    redis.startProcess();
    return redis;
  }

  public void startProcess() {
    try {
      process = new ProcessBuilder(binary.toString(), "--port", String.valueOf(port), "--bind", "127.0.0.1",
          "--save", "", "--appendonly", "no", "--protected-mode", "yes")
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      try (Socket s = new Socket("127.0.0.1", port)) {
        return;
      } catch (IOException e) {
        sleep();
      }
    }
    throw new IllegalStateException("redis-server did not start on port " + port);
  }

  public void stopProcess() {
    if (process != null) {
      process.destroyForcibly();
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  public String url() {
    return "redis://127.0.0.1:" + port;
  }

  @Override
  public void close() {
    stopProcess();
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
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
