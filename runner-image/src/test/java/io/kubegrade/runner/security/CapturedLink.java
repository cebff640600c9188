package io.kubegrade.runner.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A network namespace whose only way out is one veth link with a default route through it (so a
 * packet to anywhere is sent, not refused for want of a route), and whose host end counts every
 * frame that crosses. The kernel itself sends nothing on it: IPv6 is off inside (no router
 * solicitation, duplicate-address detection or MLD report) and both ends know each other's MAC
 * address for good (no ARP, nor its reachability probes), so every frame counted was sent by a
 * program run in the namespace. Needs root, iproute2 and util-linux (unshare, nsenter).
 */
final class CapturedLink implements AutoCloseable {
  private final Process holder;
  private final String namespace;
  private final String hostEnd;
  private final String hostAddress;
  private Process capture;
  private Path captureFile;

  private CapturedLink(Process holder, String hostEnd, String hostAddress) {
    this.holder = holder;
    this.namespace = "/proc/" + holder.pid() + "/ns/net";
    this.hostEnd = hostEnd;
    this.hostAddress = hostAddress;
  }

  static boolean possible() {
    return "root".equals(System.getProperty("user.name")) && run(List.of("unshare", "--net", "true")) == 0
        && run(List.of("nsenter", "--version")) == 0 && run(List.of("ip", "-V")) == 0;
  }

  /**
   * The namespace is held by a process of its own ({@code unshare --net sleep}), not named with
   * {@code ip netns add}: that would leave a /run/netns mount behind, which the node's containerd
   * trips over (scripts/cluster.sh refuses to start beside one).
   */
  static CapturedLink create() {
    long id = ProcessHandle.current().pid() % 100_000;
    int net = (int) (id % 64) * 4; // a /30 of its own, so concurrent builds do not collide
    String host = "kgs" + id + "h";
    String inside = "kgs" + id + "n";
    run(List.of("ip", "link", "del", host)); // left by a run that was killed
    Process holder;
    try {
      holder = new ProcessBuilder("unshare", "--net", "sleep", "infinity").redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    } catch (IOException e) {
      throw new IllegalStateException("cannot start the namespace's holder: " + e.getMessage(), e);
    }
    CapturedLink link = new CapturedLink(holder, host, "10.251." + (id / 64 % 250) + "." + (net + 1));
    String nsAddress = "10.251." + (id / 64 % 250) + "." + (net + 2);
    link.awaitOwnNamespace();
    link.must(link.inside(List.of("sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1")));
    link.must(List.of("ip", "link", "add", host, "type", "veth", "peer", "name", inside));
    link.must(List.of("sysctl", "-qw", "net.ipv6.conf." + host + ".disable_ipv6=1"));
    String hostMac = link.mac(host);
    String insideMac = link.mac(inside);
    link.must(List.of("ip", "link", "set", inside, "netns", Long.toString(holder.pid())));
    link.must(List.of("ip", "addr", "add", link.hostAddress + "/30", "dev", host));
    link.must(List.of("ip", "link", "set", host, "up"));
    link.must(link.inside(List.of("ip", "addr", "add", nsAddress + "/30", "dev", inside)));
    link.must(link.inside(List.of("ip", "link", "set", "lo", "up")));
    link.must(link.inside(List.of("ip", "link", "set", inside, "up")));
    link.must(link.inside(List.of("ip", "route", "add", "default", "via", link.hostAddress)));
    // Fixed neighbours on both ends: no ARP (nor its reachability probes, seconds later) to count.
    link.must(link.inside(List.of("ip", "neigh", "replace", link.hostAddress, "lladdr", hostMac, "dev", inside, "nud", "permanent")));
    link.must(List.of("ip", "neigh", "replace", nsAddress, "lladdr", insideMac, "dev", host, "nud", "permanent"));
    return link;
  }

  private void awaitOwnNamespace() {
    try {
      Path own = Files.readSymbolicLink(Path.of("/proc/self/ns/net"));
      for (int i = 0; i < 100; i++) {
        try {
          if (!Files.readSymbolicLink(Path.of(namespace)).equals(own)) {
            return;
          }
        } catch (IOException e) {
          // not there yet
        }
        Thread.sleep(20);
      }
    } catch (IOException e) {
      // said below
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    close();
    throw new IllegalStateException("unshare --net did not make a namespace");
  }

  /** The address of the link's host end, as seen from inside. */
  String hostAddress() {
    return hostAddress;
  }

  /** {@code command} run inside the namespace. */
  List<String> inside(List<String> command) {
    List<String> full = new ArrayList<>(List.of("nsenter", "--net=" + namespace));
    full.addAll(command);
    return full;
  }

  /** Frames that have crossed the link out of the namespace so far. */
  long framesOut() {
    try {
      return Long.parseLong(Files.readString(Path.of("/sys/class/net/" + hostEnd + "/statistics/rx_packets")).trim());
    } catch (IOException e) {
      throw new IllegalStateException("the link's counters are gone: " + e.getMessage(), e);
    }
  }

  /** The frame count once it has not moved for 1.5 s. */
  long settled() throws InterruptedException {
    long count = framesOut();
    for (int still = 0; still < 15; still++) {
      Thread.sleep(100);
      long now = framesOut();
      if (now != count) {
        count = now;
        still = -1;
      }
    }
    return count;
  }

  /** Starts recording the frames, when tcpdump is installed, so a failure can say what left. */
  void record(Path file) {
    if (run(List.of("sh", "-c", "command -v tcpdump")) != 0) {
      return;
    }
    try {
      captureFile = file;
      capture = new ProcessBuilder("tcpdump", "-i", hostEnd, "-nn", "-U", "-w", file.toString())
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      Thread.sleep(500);
    } catch (IOException e) {
      capture = null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The recorded frames, decoded, or a note that nothing was recorded. */
  String recorded() {
    if (capture == null) {
      return "(install tcpdump to see the frames)";
    }
    capture.destroy();
    try {
      capture.waitFor(5, TimeUnit.SECONDS);
      Process read = new ProcessBuilder("tcpdump", "-nn", "-v", "-r", captureFile.toString()).redirectErrorStream(true).start();
      String text = new String(read.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      read.waitFor(5, TimeUnit.SECONDS);
      return text;
    } catch (IOException e) {
      return "(the capture could not be read: " + e.getMessage() + ")";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "(interrupted)";
    }
  }

  @Override
  public void close() {
    if (capture != null) {
      capture.destroy();
    }
    removeLeftovers();
  }

  /** Every process still in the namespace (the runner's browsers, say), then its holder. */
  private void removeLeftovers() {
    try {
      Path ns = Files.readSymbolicLink(Path.of(namespace));
      ProcessHandle.allProcesses().filter(p -> p.pid() != holder.pid()).filter(p -> {
        try {
          return Files.readSymbolicLink(Path.of("/proc/" + p.pid() + "/ns/net")).equals(ns);
        } catch (IOException e) {
          return false;
        }
      }).forEach(ProcessHandle::destroyForcibly);
    } catch (IOException e) {
      // the holder is gone, and the namespace with it
    }
    holder.destroyForcibly();
    try {
      holder.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    run(List.of("ip", "link", "del", hostEnd)); // gone with the namespace, unless something held it
  }

  private String mac(String device) {
    try {
      String mac = Files.readString(Path.of("/sys/class/net/" + device + "/address")).trim();
      if (mac.matches("([0-9a-f]{2}:){5}[0-9a-f]{2}")) {
        return mac;
      }
    } catch (IOException e) {
      // said below
    }
    close();
    throw new IllegalStateException("could not read the MAC address of " + device);
  }

  private void must(List<String> command) {
    if (run(command) != 0) {
      close();
      throw new IllegalStateException("could not set up the captured link: " + String.join(" ", command) + " failed");
    }
  }

  private static int run(List<String> command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      return p.waitFor(30, TimeUnit.SECONDS) ? p.exitValue() : -1;
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }
}
