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
 * Real backing servers for the gateway and operator tests, started once per JVM on free loopback ports under
 * a temporary directory: redis-server (Debian), FerretDB on SQLite (MongoDB wire protocol) and
 * MinIO (S3), the last two built by scripts/install-servers.sh.
 */
public final class BackingServers {
  public static final String S3_USER = "kubegrade";
  public static final String S3_PASSWORD = "kubegrade-test-secret";

  private static BackingServers shared;

  public final RedisServerProcess redis;
  public final int mongoPort;
  public final int s3Port;
  private final List<Process> processes = new ArrayList<>();

  private BackingServers() {
    Path tools = Path.of(System.getenv().getOrDefault("KUBEGRADE_TOOLS", System.getProperty("user.home") + "/.cache/kubegrade/bin"));
    Path ferretdb = tools.resolve("ferretdb");
    Path minio = tools.resolve("minio");
    if (!Files.isExecutable(ferretdb) || !Files.isExecutable(minio)) {
      throw new IllegalStateException("FerretDB and MinIO are missing from " + tools + ": run scripts/setup.sh");
    }
    try {
      Path data = Files.createTempDirectory("kubegrade-it-");
      redis = RedisServerProcess.start();
      mongoPort = freePort();
      Files.createDirectories(data.resolve("ferretdb"));
      start(data.resolve("ferretdb.log"), new ProcessBuilder(ferretdb.toString(), "--handler=sqlite", "--sqlite-url=file:" + data.resolve("ferretdb") + "/",
          "--listen-addr=127.0.0.1:" + mongoPort, "--telemetry=disable",
          "--log-level=" + System.getenv().getOrDefault("KUBEGRADE_IT_FERRETDB_LOG", "warn"), "--debug-addr=-",
          "--state-dir=" + data.resolve("ferretdb")), mongoPort);
      s3Port = freePort();
      ProcessBuilder minioProcess = new ProcessBuilder(minio.toString(), "server", data.resolve("minio").toString(),
          "--address", "127.0.0.1:" + s3Port, "--console-address", "127.0.0.1:" + freePort(), "--quiet");
      minioProcess.environment().put("MINIO_ROOT_USER", S3_USER);
      minioProcess.environment().put("MINIO_ROOT_PASSWORD", S3_PASSWORD);
      minioProcess.environment().put("MINIO_BROWSER", "off");
      start(data.resolve("minio.log"), minioProcess, s3Port);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Runtime.getRuntime().addShutdownHook(new Thread(this::stop));
  }

  public static synchronized BackingServers shared() {
    if (shared == null) {
      shared = new BackingServers();
    }
    return shared;
  }

  public String mongoUri() {
    return "mongodb://127.0.0.1:" + mongoPort + "/";
  }

  public URI s3Endpoint() {
    return URI.create("http://127.0.0.1:" + s3Port);
  }

  private void start(Path log, ProcessBuilder builder, int port) throws IOException {
    Process p = builder.redirectErrorStream(true).redirectOutput(log.toFile()).start();
    processes.add(p);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      if (!p.isAlive()) {
        throw new IllegalStateException(builder.command().get(0) + " exited with " + p.exitValue());
      }
      try (Socket s = new Socket("127.0.0.1", port)) {
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

  private void stop() {
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
    redis.close();
  }

  public static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
