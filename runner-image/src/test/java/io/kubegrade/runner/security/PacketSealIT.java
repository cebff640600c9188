package io.kubegrade.runner.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.kubegrade.runner.testing.Grading;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What really leaves, measured rather than assumed: the packaged runner grades the whole hostile
 * corpus (every network path a page has, WebRTC with STUN, TURN and remote candidates of every
 * kind, popups, dialogs, navigation games...) inside a network namespace whose only way out is a
 * link with a route to everywhere, and not one frame crosses that link. A probe sent first proves
 * a frame would have been counted.
 */
class PacketSealIT {
  private static final Path JAR = Path.of(System.getProperty("kubegrade.runnerJar", "target/kubegrade-runner-all.jar"));
  private static final Path CORPUS = Path.of("src/test/resources/hostile");

  @Test
  void noFrameCausedByASubmissionLeavesTheRunnersNetwork(@TempDir Path dir) throws Exception {
    assumeTrue(CapturedLink.possible(), "needs root, iproute2 and util-linux to make a network namespace");
    Path challenge = corpusAsChallenge(dir.resolve("hostile-corpus"));
    try (CapturedLink link = CapturedLink.create()) {
      // The control: a datagram from inside does cross, and is counted.
      Process probe = new ProcessBuilder(link.inside(List.of("bash", "-c", "echo probe > /dev/udp/" + link.hostAddress() + "/9")))
          .redirectErrorStream(true).start();
      assertThat(probe.waitFor(10, TimeUnit.SECONDS)).isTrue();
      for (int i = 0; i < 50 && link.framesOut() == 0; i++) {
        Thread.sleep(100);
      }
      assertThat(link.framesOut()).as("the probe crossed the link").isPositive();
      long before = link.settled(); // the host's answer to the probe (ARP, ICMP) is over
      link.record(dir.resolve("frames.pcap"));

      ProcessBuilder runner = new ProcessBuilder(link.inside(List.of("java", "-jar", JAR.toAbsolutePath().toString(),
          "verify", challenge.toString())));
      runner.environment().put("KUBEGRADE_WORK_DIR", dir.resolve("work").toString());
      Path out = dir.resolve("verify.txt");
      Process p = runner.redirectErrorStream(true).redirectOutput(out.toFile()).start();
      assertThat(p.waitFor(5, TimeUnit.MINUTES)).as("the corpus was graded").isTrue();
      assertThat(p.exitValue()).as(Files.readString(out)).isZero(); // every submission got its expected verdict
      Thread.sleep(2000); // anything still in flight has crossed by now

      long leaked = link.framesOut() - before;
      assertThat(leaked).as("frames that left the namespace:\n" + link.recorded()).isZero();
    }
  }

  /** The click challenge with the corpus as its sample solutions (folder = expected verdict). */
  private static Path corpusAsChallenge(Path target) throws Exception {
    Files.createDirectories(target);
    Files.copy(Grading.catalogue().resolve(Grading.CLICK_CHALLENGE).resolve("challenge.yaml"), target.resolve("challenge.yaml"));
    try (Stream<Path> files = Files.walk(CORPUS)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".jsx")).toList()) {
        Path copy = target.resolve("solutions").resolve(CORPUS.relativize(file));
        Files.createDirectories(copy.getParent());
        Files.copy(file, copy);
      }
    }
    return target;
  }
}
