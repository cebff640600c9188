package io.kubegrade.gateway.submission;

import io.kubegrade.gateway.openapi.ApiContract;
import io.kubegrade.gateway.problem.ApiProblem;
import io.kubegrade.gateway.security.Caller;
import io.kubegrade.gateway.storage.ObjectStore;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.net.URI;
import java.security.Principal;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/** Submissions: a caller creates, reads and lists only their own. */
@RestController
@RequestMapping("/api/v1")
public class SubmissionController {
  private final SubmissionService service;
  private final SubmissionStore store;

  public SubmissionController(SubmissionService service, SubmissionStore store) {
    this.service = service;
    this.store = store;
  }

  public record NewSubmission(@NotBlank String challengeId, @NotNull String source) {}

  public record Accepted(String id, SubmissionStatus status, Map<String, String> links) {}

  public record Page(List<Submission> items, int page, int size) {}

  @ApiContract(success = HttpStatus.ACCEPTED, problems = {HttpStatus.BAD_REQUEST, HttpStatus.NOT_FOUND,
      HttpStatus.PAYLOAD_TOO_LARGE, HttpStatus.TOO_MANY_REQUESTS})
  @PostMapping("/submissions")
  public Mono<ResponseEntity<Accepted>> submit(@Valid @RequestBody NewSubmission body, Principal principal) {
    Caller caller = Caller.of(principal);
    return service.submit(caller.user(), body.challengeId(), body.source())
        .map(s -> ResponseEntity.status(HttpStatus.ACCEPTED).location(URI.create("/api/v1/submissions/" + s.id()))
            .body(new Accepted(s.id(), s.status(), links(s.id()))));
  }

  static Map<String, String> links(String id) {
    String self = "/api/v1/submissions/" + id;
    return Map.of("self", self, "events", self + "/events", "websocket", self + "/events/ws",
        "rsocket", "/rsocket (route submissions.events)", "source", self + "/source");
  }

  @ApiContract(problems = HttpStatus.NOT_FOUND)
  @GetMapping("/submissions/{id}")
  public Mono<Submission> get(@PathVariable String id, Principal principal) {
    return service.get(id, Caller.of(principal).user());
  }

  /** The caller's submissions, newest first ({@code mine} is implied and accepted for clarity). */
  @ApiContract(problems = HttpStatus.BAD_REQUEST)
  @GetMapping("/submissions")
  public Mono<Page> list(Principal principal, @RequestParam(required = false) String mine,
      @RequestParam(required = false) String challengeId, @RequestParam(required = false) String status,
      @RequestParam(defaultValue = "0") int page, @RequestParam(defaultValue = "20") int size) {
    if (page < 0 || size < 1 || size > 100) {
      return Mono.error(ApiProblem.badRequest("page must be >= 0 and size between 1 and 100"));
    }
    SubmissionStatus wanted;
    try {
      wanted = status == null ? null : SubmissionStatus.valueOf(status);
    } catch (IllegalArgumentException e) {
      return Mono.error(ApiProblem.badRequest("unknown status '" + status + "'"));
    }
    return store.page(Caller.of(principal).user(), challengeId, wanted, page, size).collectList()
        .map(items -> new Page(items, page, size));
  }

  @ApiContract(problems = HttpStatus.NOT_FOUND)
  @GetMapping("/submissions/{id}/source")
  public Mono<ObjectStore.PresignedUrl> source(@PathVariable String id, Principal principal) {
    return service.sourceUrl(id, Caller.of(principal).user());
  }

  @ApiContract(problems = HttpStatus.NOT_FOUND)
  @GetMapping("/submissions/{id}/screenshot")
  public Mono<ObjectStore.PresignedUrl> screenshot(@PathVariable String id, Principal principal) {
    return service.screenshotUrl(id, Caller.of(principal).user());
  }

  public record Solved(List<String> challengeIds) {}

  @ApiContract
  @GetMapping("/me/solved")
  public Mono<Solved> solved(Principal principal) {
    return store.solvedChallenges(Caller.of(principal).user()).collectList().map(Solved::new);
  }
}
