package io.kubegrade.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.kubegrade.e2e.testing.Cluster;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The documentation's Kubernetes walk-through, run as written on the test node. */
class DocSnippetsE2E {

  @Test
  void tryItOnOneMachineRunsAsWritten() throws Exception {
    Cluster.get(); // skips (or fails, when required) without a node
    String doc = Files.readString(Cluster.root().resolve("docs/operations.md"));
    int section = doc.indexOf("## Try it on one machine");
    int start = doc.indexOf("```bash\n", section) + "```bash\n".length();
    String block = doc.substring(start, doc.indexOf("```", start));
    assertThat(block).contains("scripts/try-kubernetes.sh install", "scripts/cluster.sh down");
    // As root sudo is the command itself; the suite owns the node, so its `down` is left to the suite.
    String script = """
        set -euo pipefail
        sudo() { if [ "$*" = "scripts/cluster.sh down" ]; then echo "(the test suite stops the node)"; else "$@"; fi; }
        """ + block;
    String out = Cluster.run(List.of("bash", "-c", script), 1800);
    assertThat(out).containsPattern("counter\\s+Succeeded\\s+ACCEPTED\\s+3/3");
    assertThat(out).contains("uninstalled");
  }
}
