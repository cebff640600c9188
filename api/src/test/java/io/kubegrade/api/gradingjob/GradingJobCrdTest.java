package io.kubegrade.api.gradingjob;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubegrade.api.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The CRD generated from the classes at build time says what kubectl users rely on, and every
 * committed copy of it is current: the build fails otherwise. {@code scripts/update-crds.sh}
 * rewrites the copies (this test with {@code -Dkubegrade.updateCrds=true}).
 */
class GradingJobCrdTest {
  static final String GENERATED = "/META-INF/fabric8/" + GradingJob.CRD_NAME + "-v1.yml";
  static final String FILE = GradingJob.CRD_NAME + ".yaml";

  /** The generator's output with the printer columns in the order kubectl should show them. */
  static String crd() throws IOException {
    try (InputStream in = GradingJobCrdTest.class.getResourceAsStream(GENERATED)) {
      assertThat(in).as("the CRD generator's output on the classpath").isNotNull();
      ObjectNode crd = (ObjectNode) Json.yaml().readTree(in);
      for (JsonNode version : crd.get("spec").get("versions")) {
        ArrayNode columns = (ArrayNode) version.get("additionalPrinterColumns");
        List<JsonNode> ordered = new ArrayList<>();
        columns.forEach(ordered::add);
        ordered.sort(Comparator.comparingInt(c -> GradingJob.PRINTER_COLUMNS.indexOf(c.get("name").asText())));
        columns.removeAll();
        columns.addAll(ordered);
      }
      return "# Generated from io.kubegrade.api.gradingjob at build time; do not edit (scripts/update-crds.sh).\n"
          + Json.yaml().writeValueAsString(crd);
    }
  }

  @Test
  void theCrdHasTheNamesColumnsAndStatusSubresourceKubectlUsersExpect() throws IOException {
    JsonNode crd = Json.yaml().readTree(crd());
    assertThat(crd.get("metadata").get("name").asText()).isEqualTo("gradingjobs.kubegrade.io");
    JsonNode spec = crd.get("spec");
    assertThat(spec.get("group").asText()).isEqualTo("kubegrade.io");
    assertThat(spec.get("scope").asText()).isEqualTo("Namespaced");
    assertThat(spec.get("names").get("kind").asText()).isEqualTo("GradingJob");
    assertThat(spec.get("names").get("plural").asText()).isEqualTo("gradingjobs");
    assertThat(spec.get("names").get("shortNames")).extracting(JsonNode::asText).containsExactly("gj");
    assertThat(spec.get("names").get("categories")).extracting(JsonNode::asText).containsExactly("kubegrade");
    JsonNode version = spec.get("versions").get(0);
    assertThat(version.get("name").asText()).isEqualTo("v1alpha1");
    assertThat(version.get("served").asBoolean()).isTrue();
    assertThat(version.get("storage").asBoolean()).isTrue();
    assertThat(version.get("subresources").has("status")).isTrue();
    List<String> columns = new ArrayList<>();
    version.get("additionalPrinterColumns").forEach(c -> columns.add(c.get("name").asText() + "=" + c.get("jsonPath").asText()));
    assertThat(columns).containsExactly("Challenge=.spec.challenge.id", "Phase=.status.phase",
        "Verdict=.status.verdict.status", "Tests=.status.verdict.tests", "Duration=.status.verdict.duration",
        "Age=.metadata.creationTimestamp");
    JsonNode properties = version.get("schema").get("openAPIV3Schema").get("properties");
    assertThat(properties.get("spec").get("required")).extracting(JsonNode::asText)
        .contains("submissionId", "challenge", "source", "owner");
    JsonNode status = properties.get("status").get("properties");
    assertThat(status.get("phase").get("enum")).extracting(JsonNode::asText)
        .containsExactlyInAnyOrder("Queued", "Scheduled", "Running", "Succeeded", "Failed");
    assertThat(status.get("conditions").get("items").get("properties").fieldNames())
        .toIterable().contains("type", "status", "reason", "message", "lastTransitionTime", "observedGeneration");
    assertThat(status.has("observedGeneration")).isTrue();
  }

  @Test
  void everyCommittedCopyOfTheCrdIsCurrent() throws IOException {
    Path root = Path.of(System.getProperty("kubegrade.root", "..")).toAbsolutePath().normalize();
    String current = crd();
    boolean update = Boolean.getBoolean("kubegrade.updateCrds");
    for (Path copy : List.of(root.resolve("crds").resolve(FILE), root.resolve("helm/kubegrade/crds").resolve(FILE))) {
      if (update) {
        Files.createDirectories(copy.getParent());
        Files.writeString(copy, current);
      }
      assertThat(Files.exists(copy) ? Files.readString(copy) : "<missing>")
          .as("%s is stale or missing: run scripts/update-crds.sh and commit the result", copy)
          .isEqualTo(current);
    }
  }
}
