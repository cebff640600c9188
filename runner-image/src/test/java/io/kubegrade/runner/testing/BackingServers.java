package io.kubegrade.runner.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Real backing servers for the gateway and operator tests, on free ports under a temporary
 * directory: redis-server (Debian), FerretDB on SQLite (MongoDB wire protocol) and MinIO (S3), the
 * last two built by scripts/install-servers.sh. {@link #shared()} is one set per JVM on loopback;
 * {@link #on} starts a set on another address of this machine (the cluster's bridge, for pods).
 */
public final class BackingServers implements AutoCloseable {
  public static final String S3_USER = "kubegrade";
  public static final String S3_PASSWORD = "kubegrade-test-secret";

  private static BackingServers shared;

  public final RedisServerProcess redis;
  public final String host;
  public final int mongoPort;
  public final int s3Port;
  private final List<Process> processes = new ArrayList<>();

  private BackingServers(String host, String redisPassword) {
    this.host = host;
    Path tools = Path.of(System.getenv().getOrDefault("KUBEGRADE_TOOLS", System.getProperty("user.home") + "/.cache/kubegrade/bin"));
    Path ferretdb = tools.resolve("ferretdb");
    Path minio = tools.resolve("minio");
    if (!Files.isExecutable(ferretdb) || !Files.isExecutable(minio)) {
      throw new IllegalStateException("FerretDB and MinIO are missing from " + tools + ": run scripts/setup.sh");
    }
    try {
      Path data = Files.createTempDirectory("kubegrade-it-");
      redis = RedisServerProcess.start(host, redisPassword, null);
      mongoPort = freePort(host);
      Files.createDirectories(data.resolve("ferretdb"));
      start(data.resolve("ferretdb.log"), new ProcessBuilder(ferretdb.toString(), "--handler=sqlite", "--sqlite-url=file:" + data.resolve("ferretdb") + "/",
          "--listen-addr=" + host + ":" + mongoPort, "--telemetry=disable",
          "--log-level=" + System.getenv().getOrDefault("KUBEGRADE_IT_FERRETDB_LOG", "warn"), "--debug-addr=-",
          "--state-dir=" + data.resolve("ferretdb")), mongoPort);
      s3Port = freePort(host);
      ProcessBuilder minioProcess = new ProcessBuilder(minio.toString(), "server", data.resolve("minio").toString(),
          "--address", host + ":" + s3Port, "--console-address", "127.0.0.1:" + freePort(), "--quiet");
      minioProcess.environment().put("MINIO_ROOT_USER", S3_USER);
      minioProcess.environment().put("MINIO_ROOT_PASSWORD", S3_PASSWORD);
      minioProcess.environment().put("MINIO_BROWSER", "off");
      start(data.resolve("minio.log"), minioProcess, s3Port);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Runtime.getRuntime().addShutdownHook(new Thread(this::close));
  }

  public static synchronized BackingServers shared() {
    if (shared == null) {
      shared = new BackingServers("127.0.0.1", null);
    }
    return shared;
  }

  /** A set of its own on {@code host}, its Redis default user protected by {@code redisPassword}. */
  public static BackingServers on(String host, String redisPassword) {
    return new BackingServers(host, redisPassword);
  }

  public String mongoUri() {
    return "mongodb://" + host + ":" + mongoPort + "/";
  }

  public URI s3Endpoint() {
    return URI.create("http://" + host + ":" + s3Port);
  }

  private void start(Path log, ProcessBuilder builder, int port) throws IOException {
    Process p = builder.redirectErrorStream(true).redirectOutput(log.toFile()).start();
    processes.add(p);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      if (!p.isAlive()) {
        throw new IllegalStateException(builder.command().get(0) + " exited with " + p.exitValue());
      }
      try (Socket s = new Socket(host, port)) {
        return;
      } catch (IOException e) {
        try {
          Thread.sleep(100);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(ie);
        }
      }
    }
    throw new IllegalStateException(builder.command().get(0) + " did not listen on " + port);
  }

  @Override
  public synchronized void close() {
    processes.forEach(Process::destroy);
    for (Process p : processes) {
      try {
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    processes.clear();
    redis.close();
  }

  public static int freePort() {
    return freePort("127.0.0.1");
  }

  private static int freePort(String host) {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName(host))) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
