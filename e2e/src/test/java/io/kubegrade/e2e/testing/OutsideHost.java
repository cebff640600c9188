package io.kubegrade.e2e.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * "The internet", as far as a pod can tell: a network namespace of its own behind a veth pair,
 * with an address outside every range the cluster uses (TEST-NET-3) routed from this machine, and a
 * listener there that logs every connection it accepts. The machine itself reaches it; a pod
 * must not.
 */
public final class OutsideHost implements AutoCloseable {
  public static final String ADDRESS = "203.0.113.10";
  public static final int PORT = 9999;
  private static final String HOST_SIDE = "kg-e2e-out0";
  private final Path log;
  private final Process holder;
  private final Process listener;

  private OutsideHost(Path log, Process holder, Process listener) {
    this.log = log;
    this.holder = holder;
    this.listener = listener;
  }

  /**
   * The namespace is held by a process of its own ({@code unshare --net}), not made with
   * {@code ip netns add}: that turns /run/netns into a shared mount point, after which the
   * node's containerd can no longer remove pod network namespaces there.
   */
  public static OutsideHost start() {
    removeLeftovers();
    try {
      Process holder = new ProcessBuilder("unshare", "--net", "sleep", "infinity").redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      String pid = String.valueOf(holder.pid());
      sh("ip link add " + HOST_SIDE + " type veth peer name kg-e2e-out1");
      awaitNamespace(pid);
      sh("ip link set kg-e2e-out1 netns " + pid);
      sh("ip addr add 203.0.113.1/24 dev " + HOST_SIDE + " && ip link set " + HOST_SIDE + " up");
      sh("nsenter -t " + pid + " -n sh -c 'ip addr add " + ADDRESS + "/24 dev kg-e2e-out1 && ip link set kg-e2e-out1 up"
          + " && ip link set lo up && ip route add default via 203.0.113.1'");
      Path log = Files.createTempFile("kubegrade-outside-", ".log");
      // Logs the peer of every connection it accepts, then closes it.
      String canary = "import socket,sys\n"
          + "s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('" + ADDRESS + "'," + PORT + ")); s.listen(64)\n"
          + "while True:\n  c,a=s.accept(); print('connect from %s:%d' % a, flush=True); c.close()\n";
      Process p = new ProcessBuilder("nsenter", "-t", pid, "-n", "python3", "-c", canary)
          .redirectErrorStream(true).redirectOutput(log.toFile()).start();
      OutsideHost host = new OutsideHost(log, holder, p);
      host.awaitListening();
      return host;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** unshare has switched namespaces once its process's network namespace differs from ours. */
  private static void awaitNamespace(String pid) throws IOException {
    String ours = Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (System.nanoTime() < deadline) {
      try {
        if (!Files.readSymbolicLink(Path.of("/proc/" + pid + "/ns/net")).toString().equals(ours)) {
          return;
        }
      } catch (IOException e) {
        // not there yet
      }
      sleep();
    }
    throw new IllegalStateException("unshare --net did not start");
  }

  private void awaitListening() {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(ADDRESS, PORT), 500);
        return; // the machine reaches it: this is the control connection in the log
      } catch (IOException e) {
        sleep();
      }
    }
    throw new IllegalStateException("the outside listener did not come up; log: " + connections());
  }

  /** Every "connect from" line the listener logged. */
  public List<String> connections() {
    try {
      return Files.readAllLines(log).stream().filter(l -> l.contains("connect from")).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String target() {
    return ADDRESS + ":" + PORT;
  }

  @Override
  public void close() {
    listener.destroyForcibly();
    holder.destroyForcibly(); // the namespace, and the veth pair with it, go with its last process
    removeLeftovers();
  }

  private static void removeLeftovers() {
    Cluster.run(List.of("sh", "-c", "ip link del " + HOST_SIDE + " 2>/dev/null; true"), 30);
  }

  private static void sh(String command) {
    Cluster.run(List.of("sh", "-c", command), 30);
  }

  private static void sleep() {
    try {
      Thread.sleep(100);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
