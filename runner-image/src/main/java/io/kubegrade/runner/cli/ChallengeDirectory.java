package io.kubegrade.runner.cli;

import io.kubegrade.api.challenge.Challenge;
import io.kubegrade.api.challenge.ChallengeFormat;
import io.kubegrade.api.event.VerdictStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * A challenge as its author keeps it: {@code challenge.yaml} plus sample solutions under
 * {@code solutions/<EXPECTED_VERDICT>/*.jsx}, e.g. {@code solutions/ACCEPTED/hooks.jsx}.
 */
public record ChallengeDirectory(Path dir, Challenge challenge, List<Sample> samples) {

  public record Sample(Path file, VerdictStatus expected) {
    public String source() {
      try {
        return Files.readString(file);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  public static ChallengeDirectory load(Path given) {
    Path dirOrFile = given.toAbsolutePath().normalize();
    Path dir = Files.isDirectory(dirOrFile) ? dirOrFile : dirOrFile.getParent();
    Path yaml = Files.isDirectory(dirOrFile) ? dirOrFile.resolve("challenge.yaml") : dirOrFile;
    Challenge challenge = ChallengeFormat.read(yaml);
    List<Sample> samples = new ArrayList<>();
    Path solutions = dir.resolve("solutions");
    if (Files.isDirectory(solutions)) {
      try (Stream<Path> files = Files.walk(solutions, 2)) {
        for (Path f : files.filter(p -> p.toString().endsWith(".jsx") || p.toString().endsWith(".js")).sorted().toList()) {
          String status = f.getParent().getFileName().toString().toUpperCase(Locale.ROOT);
          try {
            samples.add(new Sample(f, VerdictStatus.valueOf(status)));
          } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(f + ": the folder name must be an expected verdict such as ACCEPTED or WRONG_ANSWER");
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return new ChallengeDirectory(dir, challenge, samples);
  }

  /** Every challenge directory directly under {@code root}, sorted by name. */
  public static List<ChallengeDirectory> loadAll(Path root) {
    try (Stream<Path> dirs = Files.list(root)) {
      return dirs.filter(d -> Files.isRegularFile(d.resolve("challenge.yaml"))).sorted()
          .map(ChallengeDirectory::load).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
