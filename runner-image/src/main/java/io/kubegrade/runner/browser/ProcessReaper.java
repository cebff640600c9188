package io.kubegrade.runner.browser;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds browser processes by the {@value #TAG} environment variable every browser we start carries.
 * Environment is inherited, so the tag reaches chromedriver, Chromium, its renderers and the crashpad
 * handlers that re-parent to PID 1 - which a parent/child walk would miss.
 */
public final class ProcessReaper {
  public static final String TAG = "KUBEGRADE_BROWSER";
  private static final Logger log = LoggerFactory.getLogger(ProcessReaper.class);
  private static final Path PROC = Path.of("/proc");
  private static final Pattern OWNER = Pattern.compile("/b-(\\d+)-\\d+$");

  private ProcessReaper() {}

  /** Processes whose tag equals {@code tag} or, when {@code prefix}, starts with it. */
  public static List<ProcessHandle> tagged(String tag, boolean prefix) {
    List<ProcessHandle> found = new ArrayList<>();
    if (!Files.isDirectory(PROC)) {
      return found;
    }
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(PROC, p -> p.getFileName().toString().matches("\\d+"))) {
      for (Path dir : dirs) {
        tagOf(dir).filter(t -> prefix ? t.startsWith(tag) : t.equals(tag))
            .flatMap(t -> ProcessHandle.of(Long.parseLong(dir.getFileName().toString())))
            .ifPresent(found::add);
      }
    } catch (IOException e) {
      log.warn("cannot list processes: {}", e.toString());
    }
    return found;
  }

  /** Running, as opposed to exited or exited-but-not-yet-reaped (a zombie holds nothing but a PID). */
  public static boolean isRunning(long pid) {
    try {
      String stat = Files.readString(PROC.resolve(pid + "/stat"));
      return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** Kills every process carrying {@code tag}; returns how many were alive. */
  public static int kill(String tag) {
    List<ProcessHandle> victims = tagged(tag, false);
    victims.forEach(ProcessHandle::destroyForcibly);
    return victims.size();
  }

  /**
   * Kills browsers left under {@code workRoot} by runner processes that no longer exist (a JVM
   * that crashed cannot clean up after itself).
   */
  public static int reapOrphans(Path workRoot) {
    int killed = 0;
    for (ProcessHandle p : tagged(workRoot.toString() + "/b-", true)) {
      Optional<String> tag = tagOf(PROC.resolve(String.valueOf(p.pid())));
      Matcher m = tag.map(OWNER::matcher).filter(Matcher::find).orElse(null);
      if (m != null && ProcessHandle.of(Long.parseLong(m.group(1))).map(ProcessHandle::isAlive).orElse(false)) {
        continue;
      }
      p.destroyForcibly();
      killed++;
    }
    if (killed > 0) {
      log.warn("killed {} browser processes left behind by an earlier runner under {}", killed, workRoot);
    }
    return killed;
  }

  private static Optional<String> tagOf(Path procDir) {
    byte[] env;
    try {
      env = Files.readAllBytes(procDir.resolve("environ"));
    } catch (IOException | SecurityException e) {
      return Optional.empty();
    }
    String prefix = TAG + "=";
    int start = 0;
    for (int i = 0; i <= env.length; i++) {
      if (i == env.length || env[i] == 0) {
        String entry = new String(env, start, i - start, StandardCharsets.UTF_8);
        if (entry.startsWith(prefix)) {
          return Optional.of(entry.substring(prefix.length()));
        }
        start = i + 1;
      }
    }
    return Optional.empty();
  }
}
