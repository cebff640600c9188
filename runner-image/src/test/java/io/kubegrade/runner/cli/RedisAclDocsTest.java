package io.kubegrade.runner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.kubegrade.api.redis.RedisLayout;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The Redis users' rules admins copy from the docs are the ones the code enforces, and the ones
 * {@code kubegrade-runner redis-acl} prints.
 */
class RedisAclDocsTest {
  private static final Path ROOT = Path.of("..");

  private static String printed(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = RunnerMain.run(args, Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
    return out.toString(StandardCharsets.UTF_8).strip();
  }

  @Test
  void theCommandPrintsThePodAndWorkerRules() {
    assertThat(printed("redis-acl")).isEqualTo(RedisLayout.RUNNER_ACL);
    assertThat(printed("redis-acl", "pod")).isEqualTo(RedisLayout.RUNNER_ACL);
    assertThat(printed("redis-acl", "worker")).isEqualTo(RedisLayout.WORKER_ACL);
  }

  @Test
  void theDocumentedAclSetUserLinesAreTheCodesRules() throws Exception {
    assertThat(Files.readString(ROOT.resolve("docs/operator.md")))
        .contains("ACL SETUSER kubegrade-runner " + RedisLayout.RUNNER_ACL + " >PASSWORD\n")
        .contains("ACL SETUSER kubegrade-worker " + RedisLayout.WORKER_ACL + " >PASSWORD\n");
    assertThat(Files.readString(ROOT.resolve("helm/kubegrade/README.md")))
        .contains("ACL SETUSER kubegrade-runner " + RedisLayout.RUNNER_ACL + " >RUNNER_PASSWORD\n");
  }
}
