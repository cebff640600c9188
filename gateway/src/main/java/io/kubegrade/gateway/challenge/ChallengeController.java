package io.kubegrade.gateway.challenge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import io.kubegrade.api.Json;
import io.kubegrade.api.challenge.Challenge;
import io.kubegrade.api.challenge.ChallengeFormat;
import io.kubegrade.api.challenge.InvalidChallengeException;
import io.kubegrade.gateway.openapi.ApiContract;
import io.kubegrade.gateway.problem.ApiProblem;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Challenges: everyone lists and reads; admins create, replace, delete and bulk-import documents
 * in the challenge YAML format (docs/challenge-format.md; JSON is accepted, being YAML).
 */
@RestController
@RequestMapping("/api/v1/challenges")
public class ChallengeController {
  private final ChallengeCatalog catalog;

  public ChallengeController(ChallengeCatalog catalog) {
    this.catalog = catalog;
  }

  @ApiContract(open = true)
  @GetMapping
  public Flux<ChallengeSummary> list() {
    return catalog.list();
  }

  @ApiContract(open = true, problems = HttpStatus.NOT_FOUND)
  @GetMapping("/{id}")
  public Mono<ChallengeView> get(@PathVariable String id) {
    return catalog.require(id).map(ChallengeView::of);
  }

  @ApiContract(problems = {HttpStatus.FORBIDDEN, HttpStatus.NOT_FOUND})
  @GetMapping(path = "/{id}/yaml", produces = "application/yaml")
  public Mono<String> yaml(@PathVariable String id) {
    return catalog.require(id).map(ChallengeFormat::write);
  }

  @ApiContract(success = HttpStatus.CREATED, problems = {HttpStatus.BAD_REQUEST, HttpStatus.FORBIDDEN,
      HttpStatus.CONFLICT, HttpStatus.PAYLOAD_TOO_LARGE})
  @PostMapping(consumes = {"application/yaml", "application/x-yaml", "text/yaml", "application/json", "text/plain"})
  public Mono<ResponseEntity<ChallengeView>> create(@RequestBody String document) {
    Challenge challenge = parse(document, "the document");
    return catalog.get(challenge.id()).hasElement().flatMap(exists -> exists
        ? Mono.error(ApiProblem.conflict("challenge '" + challenge.id() + "' exists; PUT replaces it"))
        : catalog.save(challenge).thenReturn(ResponseEntity.created(URI.create("/api/v1/challenges/" + challenge.id()))
            .body(ChallengeView.of(challenge))));
  }

  @ApiContract(alsoSuccess = HttpStatus.CREATED, problems = {HttpStatus.BAD_REQUEST, HttpStatus.FORBIDDEN,
      HttpStatus.PAYLOAD_TOO_LARGE})
  @PutMapping(path = "/{id}", consumes = {"application/yaml", "application/x-yaml", "text/yaml", "application/json", "text/plain"})
  public Mono<ResponseEntity<ChallengeView>> replace(@PathVariable String id, @RequestBody String document) {
    Challenge challenge = parse(document, "the document");
    if (!challenge.id().equals(id)) {
      return Mono.error(ApiProblem.badRequest("the document's id '" + challenge.id() + "' does not match '" + id + "'"));
    }
    return catalog.save(challenge).map(created -> ResponseEntity.status(created ? HttpStatus.CREATED : HttpStatus.OK)
        .body(ChallengeView.of(challenge)));
  }

  @ApiContract(success = HttpStatus.NO_CONTENT, problems = {HttpStatus.FORBIDDEN, HttpStatus.NOT_FOUND})
  @DeleteMapping("/{id}")
  public Mono<ResponseEntity<Void>> delete(@PathVariable String id) {
    return catalog.delete(id).flatMap(deleted -> deleted ? Mono.just(ResponseEntity.noContent().<Void>build())
        : Mono.error(ApiProblem.unknownChallenge(id)));
  }

  public record ImportResult(int imported, int created, List<String> ids) {}

  /**
   * Several documents at once: a multi-document YAML stream or a JSON array. All are validated
   * before any is saved; one invalid document rejects the import with every problem listed.
   */
  @ApiContract(problems = {HttpStatus.BAD_REQUEST, HttpStatus.FORBIDDEN, HttpStatus.PAYLOAD_TOO_LARGE})
  @PostMapping(path = "/import", consumes = {"application/yaml", "application/x-yaml", "text/yaml", "application/json", "text/plain"})
  public Mono<ImportResult> importAll(@RequestBody String documents) {
    List<Challenge> challenges = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    List<JsonNode> nodes = new ArrayList<>();
    try (MappingIterator<JsonNode> it = Json.yaml().readerFor(JsonNode.class).readValues(documents)) {
      while (it.hasNextValue()) {
        JsonNode node = it.nextValue();
        if (node.isArray()) {
          node.forEach(nodes::add);
        } else if (node != null && !node.isNull() && !node.isMissingNode()) {
          nodes.add(node);
        }
      }
    } catch (IOException | RuntimeException e) {
      return Mono.error(ApiProblem.badRequest("not valid YAML or JSON: " + e.getMessage().lines().findFirst().orElse("")));
    }
    for (int i = 0; i < nodes.size(); i++) {
      try {
        challenges.add(ChallengeFormat.parse(nodes.get(i).toString(), "document " + (i + 1)));
      } catch (InvalidChallengeException e) {
        e.problems().forEach(p -> problems.add(e.source() + ": " + p));
      }
    }
    if (!problems.isEmpty()) {
      return Mono.error(ApiProblem.invalidChallenge("the import", problems));
    }
    if (challenges.isEmpty()) {
      return Mono.error(ApiProblem.badRequest("no challenge documents in the body"));
    }
    return Flux.fromIterable(challenges).concatMap(catalog::save).filter(Boolean::booleanValue).count()
        .map(created -> new ImportResult(challenges.size(), created.intValue(), challenges.stream().map(Challenge::id).toList()));
  }

  private static Challenge parse(String document, String source) {
    try {
      return ChallengeFormat.parse(document, source);
    } catch (InvalidChallengeException e) {
      throw ApiProblem.invalidChallenge(source, e.problems());
    }
  }
}
