package io.kubegrade.runner.browser;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
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

  /**
   * What the watcher of {@link #watchOver} runs once this JVM is gone: kills what carries the tag
   * prefix ($1), twice (a zygote may fork while the first round is under way), then deletes the
   * browsers' directories ($2...) and the short temp directories they link to. It ignores the
   * signals a terminal sends the whole foreground group: on Ctrl-C the JVM closes its browsers
   * itself, and the watcher then finds nothing left.
   */
  private static final String WATCHER = """
      trap '' INT TERM HUP QUIT
      read -r _
      for round in 1 2; do
        pids=$(grep -lsFz -- "$1" /proc/[0-9]*/environ | sed 's#^/proc/\\([0-9]*\\)/environ$#\\1#')
        [ -z "$pids" ] || kill -9 $pids 2>/dev/null
        sleep 0.2
      done
      for d in "$2"*; do
        [ -d "$d" ] || continue
        t=$(readlink "$d/tmp") && rm -rf -- "$t"
        rm -rf -- "$d"
      done
      """;
  private static final Map<Path, Process> WATCHERS = new ConcurrentHashMap<>();

  private ProcessReaper() {}

  /**
   * Makes sure the browsers this JVM starts under {@code workRoot} do not outlive it, however it
   * ends: a kill -9, a crash, a test fork halted while its shutdown hooks still ran. Starts (once per
   * work root) a small shell process that waits on a pipe only this JVM holds - the kernel closes it
   * when the JVM goes - and then kills every process tagged {@code <workRoot>/b-<this pid>-} and
   * deletes their directories. The next runner's {@link #reapOrphans} still covers a watcher that
   * was killed with the JVM (a whole process group killed at once). Without /proc or /bin/sh there
   * is no watcher, and reapOrphans is all there is.
   */
  public static void watchOver(Path workRoot) {
    Path sh = Path.of("/bin/sh");
    if (!Files.isDirectory(PROC) || !Files.isExecutable(sh)) {
      return;
    }
    WATCHERS.computeIfAbsent(workRoot, root -> {
      String prefix = ownPrefix(root);
      ProcessBuilder builder = new ProcessBuilder(sh.toString(), "-c", WATCHER, "kubegrade-browser-watcher",
          TAG + "=" + prefix, prefix)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD);
      builder.environment().remove(TAG);
      try {
        return builder.start(); // kept: its stdin is the pipe that must stay open while this JVM lives
      } catch (IOException e) {
        log.warn("cannot start the watcher that kills this runner's browsers should it die: {}", e.toString());
        return null;
      }
    });
  }

  /**
   * What every browser directory (and so tag) this JVM starts under {@code workRoot} begins with:
   * {@code <workRoot>/b-<pid>-}, then the browser's number; {@link #reapOrphans} reads the pid back.
   */
  public static String ownPrefix(Path workRoot) {
    return workRoot.resolve("b-" + ProcessHandle.current().pid() + "-").toString();
  }

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
