package io.kubegrade.operator.testing;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.kubegrade.api.Json;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** The Helm chart under helm/kubegrade, rendered and linted offline with helm-java. */
public final class Chart {
  public static final Map<String, Object> REQUIRED = Map.of(
      "redis.runnerPassword", "runner-password",
      "mongodb.uri", "mongodb://mongo:27017",
      "auth.hmacSecret", "a-test-hmac-secret-of-at-least-32-bytes");

  private Chart() {}

  public static Path path() {
    return Jobs.root().resolve("helm/kubegrade");
  }

  /** The rendered manifests, as fabric8 objects. */
  public static List<HasMetadata> template(String namespace, Map<String, Object> values) {
    return parse(render(namespace, values));
  }

  private static List<HasMetadata> parse(String yaml) {
    List<HasMetadata> objects = new ArrayList<>();
    for (String doc : yaml.split("(?m)^---\\s*$")) {
      if (doc.lines().anyMatch(l -> l.startsWith("kind:"))) {
        objects.add(Serialization.unmarshal(new ByteArrayInputStream(doc.getBytes(StandardCharsets.UTF_8)), HasMetadata.class));
      }
    }
    return objects;
  }

  public static String render(String namespace, Map<String, Object> values) {
    return render(path(), namespace, values);
  }

  /**
   * Renders with the test hooks as plain manifests (helm-java's template leaves hooks out): a
   * copy of the chart whose hook annotation is renamed to {@code kubegrade.io/helm-hook}.
   */
  public static List<HasMetadata> templateWithTestHooks(String namespace, Map<String, Object> values) {
    Path copy = copy();
    try (Stream<Path> files = Files.list(copy.resolve("templates/tests"))) {
      for (Path f : (Iterable<Path>) files::iterator) {
        Files.writeString(f, Files.readString(f).replace("helm.sh/hook:", "kubegrade.io/helm-hook:"));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return parse(render(copy, namespace, values));
  }

  private static String render(Path chart, String namespace, Map<String, Object> values) {
    TemplateCommand template = new Helm(chart).template().withName("kg").withNamespace(namespace).withKubeVersion("1.31.4");
    Map<String, Object> all = new java.util.LinkedHashMap<>(REQUIRED);
    all.putAll(values);
    all.forEach(template::set);
    return template.call();
  }

  private static Path copy() {
    try {
      Path copy = Files.createTempDirectory("kubegrade-chart-");
      try (Stream<Path> files = Files.walk(path())) {
        for (Path p : (Iterable<Path>) files::iterator) {
          Path target = copy.resolve(path().relativize(p).toString());
          if (Files.isDirectory(p)) {
            Files.createDirectories(target);
          } else {
            Files.copy(p, target);
          }
        }
      }
      return copy;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** helm lint --strict with {@code values} on top of the chart's defaults (lint itself takes no values). */
  public static LintResult lint(Map<String, Object> values) {
    try {
      Path copy = copy();
      ObjectNode defaults = (ObjectNode) Json.yaml().readTree(path().resolve("values.yaml").toFile());
      Map<String, Object> all = new java.util.LinkedHashMap<>(REQUIRED);
      all.putAll(values);
      all.forEach((key, value) -> {
        String[] parts = key.split("\\.");
        ObjectNode node = defaults;
        for (int i = 0; i < parts.length - 1; i++) {
          node = (ObjectNode) node.get(parts[i]);
        }
        node.set(parts[parts.length - 1], Json.mapper().valueToTree(value));
      });
      Files.writeString(copy.resolve("values.yaml"), new com.fasterxml.jackson.dataformat.yaml.YAMLMapper().writeValueAsString(defaults));
      return new Helm(copy).lint().strict().call();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

}
