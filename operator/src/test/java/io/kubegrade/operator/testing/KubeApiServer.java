package io.kubegrade.operator.testing;

import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * A real kube-apiserver (built from the Go module proxy by scripts/install-servers.sh) over
 * Debian's etcd, on free loopback ports: real validation, status subresource, RBAC and Pod
 * Security admission - everything but a scheduler, kubelets and controllers, which the tests play.
 * Users come from a static token file: an admin, and named users for RBAC tests.
 */
public final class KubeApiServer implements AutoCloseable {
  public static final String ADMIN_TOKEN = "kubegrade-admin-token";
  private final List<Process> processes = new ArrayList<>();
  private final int port;
  private final Path dir;

  private KubeApiServer(Path dir, int port) {
    this.dir = dir;
    this.port = port;
  }

  /** {@code users}: token -> "name,uid,group1|group2" lines of the static token file. */
  public static KubeApiServer start(List<String> extraTokenLines) {
    Path tools = Path.of(System.getenv().getOrDefault("KUBEGRADE_TOOLS", System.getProperty("user.home") + "/.cache/kubegrade/bin"));
    Path apiserver = tools.resolve("kube-apiserver");
    Path etcd = Path.of("/usr/bin/etcd");
    if (!Files.isExecutable(apiserver) || !Files.isExecutable(etcd)) {
      throw new IllegalStateException("kube-apiserver (" + apiserver + ") or etcd (" + etcd + ") is missing: run scripts/setup.sh");
    }
    try {
      Path dir = Files.createTempDirectory("kubegrade-apiserver-");
      int etcdPort = freePort();
      KubeApiServer server = new KubeApiServer(dir, freePort());
      // A test JVM that exits abruptly (System.exit, a killed fork) must not leave servers behind.
      Runtime.getRuntime().addShutdownHook(new Thread(server::close, "kube-apiserver-stop"));
      server.launch(dir.resolve("etcd.log"), new ProcessBuilder(etcd.toString(), "--data-dir", dir.resolve("etcd").toString(),
          "--listen-client-urls", "http://127.0.0.1:" + etcdPort, "--advertise-client-urls", "http://127.0.0.1:" + etcdPort,
          "--listen-peer-urls", "http://127.0.0.1:" + freePort(), "--log-level", "warn"));
      KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
      rsa.initialize(2048);
      KeyPair serviceAccountKey = rsa.generateKeyPair();
      Files.writeString(dir.resolve("sa.key"), pem("PRIVATE KEY", serviceAccountKey.getPrivate().getEncoded()));
      Files.writeString(dir.resolve("sa.pub"), pem("PUBLIC KEY", serviceAccountKey.getPublic().getEncoded()));
      List<String> tokens = new ArrayList<>(List.of(ADMIN_TOKEN + ",kubegrade-admin,admin,\"system:masters\""));
      tokens.addAll(extraTokenLines);
      Files.write(dir.resolve("tokens.csv"), tokens);
      server.launch(dir.resolve("kube-apiserver.log"), new ProcessBuilder(apiserver.toString(),
          "--etcd-servers=http://127.0.0.1:" + etcdPort, "--bind-address=127.0.0.1", "--advertise-address=127.0.0.1",
          "--secure-port=" + server.port, "--cert-dir=" + dir.resolve("certs"), "--token-auth-file=" + dir.resolve("tokens.csv"),
          "--authorization-mode=RBAC", "--service-account-issuer=https://kubernetes.default.svc",
          "--service-account-key-file=" + dir.resolve("sa.pub"), "--service-account-signing-key-file=" + dir.resolve("sa.key"),
          "--service-cluster-ip-range=10.96.0.0/16", "--v=0"));
      server.awaitReady();
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  public String url() {
    return "https://127.0.0.1:" + port;
  }

  public KubernetesClient client(String token) {
    return new KubernetesClientBuilder().withConfig(new ConfigBuilder().withMasterUrl(url()).withOauthToken(token)
        .withTrustCerts(true).withRequestRetryBackoffLimit(2).build()).build();
  }


  private void launch(Path log, ProcessBuilder builder) throws IOException {
    processes.add(builder.redirectErrorStream(true).redirectOutput(log.toFile()).start());
  }

  private void awaitReady() {
    HttpClient http = HttpClient.newBuilder().sslContext(trustAll()).build();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    String last = "";
    while (System.nanoTime() < deadline) {
      for (Process p : processes) {
        if (!p.isAlive()) {
          throw new IllegalStateException("a server exited during start-up; see " + dir);
        }
      }
      try {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url() + "/readyz"))
            .header("Authorization", "Bearer " + ADMIN_TOKEN).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return;
        }
        last = r.body();
      } catch (IOException e) {
        last = e.toString();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      try {
        Thread.sleep(250);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    close();
    throw new IllegalStateException("kube-apiserver was not ready within 90s: " + last + " (logs in " + dir + ")");
  }

  private static SSLContext trustAll() {
    try {
      SSLContext ssl = SSLContext.getInstance("TLS");
      ssl.init(null, new TrustManager[] {new X509TrustManager() {
        public void checkClientTrusted(X509Certificate[] chain, String authType) {}

        public void checkServerTrusted(X509Certificate[] chain, String authType) {}

        public X509Certificate[] getAcceptedIssuers() {
          return new X509Certificate[0];
        }
      }}, new SecureRandom());
      return ssl;
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Override
  public void close() {
    for (int i = processes.size() - 1; i >= 0; i--) {
      Process p = processes.get(i);
      p.destroy();
      try {
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
          p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
