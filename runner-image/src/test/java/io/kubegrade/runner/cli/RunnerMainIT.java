package io.kubegrade.runner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.kubegrade.api.Json;
import io.kubegrade.api.event.EventType;
import io.kubegrade.api.event.GradingEvent;
import io.kubegrade.api.event.Verdict;
import io.kubegrade.api.event.VerdictStatus;
import io.kubegrade.runner.sink.RedisEventSink;
import io.kubegrade.runner.testing.RedisServerProcess;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged jar, run as a process the way a pod or a challenge author runs it. */
class RunnerMainIT {
  private static final Path JAR = Path.of(System.getProperty("kubegrade.runnerJar", "target/kubegrade-runner-all.jar"));
  private static final Path CATALOGUE = Path.of(System.getProperty("kubegrade.challenges", "../challenges"));

  record Run(int exit, String out, String err) {}

  static Run run(Path workDir, String... args) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of("java", "-jar", JAR.toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().put("KUBEGRADE_WORK_DIR", workDir.resolve("work").toString());
    Path out = workDir.resolve("out.txt");
    Path err = workDir.resolve("err.txt");
    Process p = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    assertThat(p.waitFor(180, TimeUnit.SECONDS)).isTrue();
    return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
  }

  @Test
  void gradePrintsTheVerdictPublishesToRedisAndWritesTheTerminationMessage(@TempDir Path dir) throws Exception {
    Path termination = dir.resolve("termination-log");
    Path challenge = CATALOGUE.resolve("click-changes-label");
    try (RedisServerProcess redis = RedisServerProcess.start()) {
      Run run = run(dir, "grade", "--challenge", challenge.toString(), "--submission-id", "cli-1",
          "--redis", redis.url(), "--termination-log", termination.toString(),
          challenge.resolve("solutions/ACCEPTED/hooks.jsx").toString());

      assertThat(run.exit()).as(run.err()).isZero();
      Verdict printed = Json.mapper().readValue(run.out(), Verdict.class);
      assertThat(printed.status()).isEqualTo(VerdictStatus.ACCEPTED);
      assertThat(Json.mapper().readValue(Files.readString(termination), Verdict.class).status()).isEqualTo(VerdictStatus.ACCEPTED);

      RedisClient client = RedisClient.create(redis.url());
      try (StatefulRedisConnection<String, String> c = client.connect()) {
        List<GradingEvent> history = c.sync().lrange(RedisEventSink.historyKey("cli-1"), 0, -1).stream()
            .map(GradingEvent::fromJson).toList();
        assertThat(history).extracting(GradingEvent::seq).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L);
        assertThat(history).extracting(GradingEvent::type).containsExactly(EventType.QUEUED, EventType.STARTED,
            EventType.TEST_STARTED, EventType.TEST_PASSED, EventType.TEST_STARTED, EventType.TEST_PASSED, EventType.VERDICT);
        assertThat(history.get(6).verdict().status()).isEqualTo(VerdictStatus.ACCEPTED);
      } finally {
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      }
    }
  }

  @Test
  void verifyReportsEachSampleAndFailsOnAMismatch(@TempDir Path dir) throws Exception {
    Path copy = dir.resolve("click-changes-label");
    copyTree(CATALOGUE.resolve("click-changes-label"), copy);
    Run ok = run(dir, "verify", copy.toString());
    assertThat(ok.exit()).as(ok.out() + ok.err()).isZero();
    assertThat(ok.out()).contains("ACCEPTED/hooks.jsx").contains("(starter code)").contains(" 0 failed");

    Files.copy(copy.resolve("solutions/WRONG_ANSWER/never-changes.jsx"), copy.resolve("solutions/ACCEPTED/mislabelled.jsx"));
    Run mismatch = run(dir, "verify", copy.toString());
    assertThat(mismatch.exit()).isEqualTo(1);
    assertThat(mismatch.out()).containsPattern("FAIL .*ACCEPTED/mislabelled.jsx .*got WRONG_ANSWER");
  }

  @Test
  void badInputGetsAClearMessageAndExitTwo(@TempDir Path dir) throws Exception {
    Path broken = Files.writeString(dir.resolve("challenge.yaml"), "id: Bad Id\ntitle: x\nstatement: y\ntests: []\nsurprise: 1\n");
    Run run = run(dir, "grade", "--challenge", broken.toString(), broken.toString());
    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.err()).contains("invalid challenge").contains("surprise").doesNotContain("Exception");

    Run noArgs = run(dir, "grade");
    assertThat(noArgs.exit()).isEqualTo(2);
    assertThat(noArgs.err()).contains("usage:");

    Run missing = run(dir, "grade", "--challenge", CATALOGUE.resolve("click-changes-label").toString(), "/nonexistent.jsx");
    assertThat(missing.exit()).isEqualTo(2);
    assertThat(missing.err()).contains("cannot read /nonexistent.jsx");
  }

  private static void copyTree(Path from, Path to) throws Exception {
    try (var paths = Files.walk(from)) {
      for (Path p : paths.toList()) {
        Files.copy(p, to.resolve(from.relativize(p).toString()));
      }
    }
  }
}
