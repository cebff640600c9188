package io.kubegrade.gateway.smoke;

import static org.assertj.core.api.Assertions.assertThat;

import io.kubegrade.gateway.testing.PlatformIT;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The chart's {@code helm test} command against the running platform: it must see ACCEPTED. */
class SmokeCheckIT extends PlatformIT {

  @Test
  void theSmokeCheckSubmitsFollowsTheEventsAndPassesOnAccepted() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int code = SmokeCheck.run(Map.of("KUBEGRADE_URL", "http://127.0.0.1:" + port, "KUBEGRADE_SECURITY_HMACSECRET", SECRET),
        new PrintStream(out, true, StandardCharsets.UTF_8));
    String log = out.toString(StandardCharsets.UTF_8);
    assertThat(code).as(log).isZero();
    assertThat(log).contains("QUEUED").contains("verdict ACCEPTED 3/3");
  }

  @Test
  void aWrongSecretFailsTheCheckWithTheReason() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int code = SmokeCheck.run(Map.of("KUBEGRADE_URL", "http://127.0.0.1:" + port,
        "KUBEGRADE_SECURITY_HMACSECRET", "another-secret-of-at-least-thirty-two-bytes"), new PrintStream(out, true, StandardCharsets.UTF_8));
    assertThat(code).isEqualTo(1);
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("answered 401");
  }
}
