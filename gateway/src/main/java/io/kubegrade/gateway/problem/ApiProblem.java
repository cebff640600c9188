package io.kubegrade.gateway.problem;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/** The gateway's own errors, each an RFC 9457 problem with a stable {@code type}. */
public final class ApiProblem extends ErrorResponseException {
  private static final String TYPES = "https://kubegrade.io/problems/";

  private ApiProblem(HttpStatus status, String type, String title, String detail, HttpHeaders headers) {
    super(status, problem(status, type, title, detail), null);
    if (headers != null) {
      getHeaders().putAll(headers);
    }
  }

  private static ProblemDetail problem(HttpStatus status, String type, String title, String detail) {
    ProblemDetail p = ProblemDetail.forStatusAndDetail(status, detail);
    p.setType(URI.create(TYPES + type));
    p.setTitle(title);
    return p;
  }

  public static ApiProblem notFound(String what, String id) {
    return new ApiProblem(HttpStatus.NOT_FOUND, "not-found", what + " not found", "no " + what + " '" + id + "'", null);
  }

  public static ApiProblem unknownChallenge(String id) {
    return new ApiProblem(HttpStatus.NOT_FOUND, "unknown-challenge", "Unknown challenge", "no challenge '" + id + "'", null);
  }

  public static ApiProblem sourceTooLarge(long size, long limit) {
    return new ApiProblem(HttpStatus.PAYLOAD_TOO_LARGE, "source-too-large", "Source too large",
        "the source is " + size + " bytes; the limit is " + limit, null);
  }

  public static ApiProblem rateLimited(int perMinute, Duration retryAfter) {
    HttpHeaders headers = new HttpHeaders();
    long seconds = Math.max(1, retryAfter.toSeconds());
    headers.set(HttpHeaders.RETRY_AFTER, String.valueOf(seconds));
    return new ApiProblem(HttpStatus.TOO_MANY_REQUESTS, "rate-limited", "Too many submissions",
        "at most " + perMinute + " submissions per minute; retry in " + seconds + " s", headers);
  }

  /** The submission was accepted but could not be handed to a grader; it is concluded (INTERNAL_ERROR). */
  public static ApiProblem dispatchFailed(String submissionId, Duration retryAfter) {
    HttpHeaders headers = new HttpHeaders();
    headers.set(HttpHeaders.RETRY_AFTER, String.valueOf(retryAfter.toSeconds()));
    ApiProblem p = new ApiProblem(HttpStatus.SERVICE_UNAVAILABLE, "dispatch-failed", "Grading unavailable",
        "the submission could not be handed to a grader; it was ended with INTERNAL_ERROR - submit again later", headers);
    p.getBody().setProperty("submissionId", submissionId);
    return p;
  }

  /**
   * A backing service did not answer in time (Redis, MongoDB or S3). Submitting is safe to retry:
   * a submission stored before the failure but never queued is ended by the sweeper.
   */
  public static ApiProblem unavailable(String service, Duration retryAfter) {
    HttpHeaders headers = new HttpHeaders();
    headers.set(HttpHeaders.RETRY_AFTER, String.valueOf(Math.max(1, retryAfter.toSeconds())));
    ApiProblem p = new ApiProblem(HttpStatus.SERVICE_UNAVAILABLE, "service-unavailable", "Service unavailable",
        service + " is not answering; retry in " + Math.max(1, retryAfter.toSeconds()) + " s", headers);
    p.getBody().setProperty("service", service);
    return p;
  }

  /** A browser page on an origin the gateway was not told to allow (kubegrade.cors.allowed-origins). */
  public static ApiProblem originNotAllowed(String origin) {
    return new ApiProblem(HttpStatus.FORBIDDEN, "origin-not-allowed", "Origin not allowed",
        "requests from pages at " + origin + " are not allowed here; the gateway's kubegrade.cors.allowed-origins lists the origins that are", null);
  }

  /** A preflight asking for a method or header the API does not take from other origins. */
  public static ApiProblem preflightRefused(String origin) {
    return new ApiProblem(HttpStatus.FORBIDDEN, "preflight-refused", "Request not allowed from another origin",
        "pages at " + origin + " may call this API, but not with the method or headers this preflight asks for", null);
  }

  /** This gateway is stopping: another replica (or this one, restarted) takes the request. */
  public static ApiProblem shuttingDown() {
    HttpHeaders headers = new HttpHeaders();
    headers.set(HttpHeaders.RETRY_AFTER, "1");
    return new ApiProblem(HttpStatus.SERVICE_UNAVAILABLE, "shutting-down", "Shutting down",
        "this gateway is shutting down; retry in 1 s", headers);
  }

  public static ApiProblem badRequest(String detail) {
    return new ApiProblem(HttpStatus.BAD_REQUEST, "bad-request", "Bad request", detail, null);
  }

  public static ApiProblem invalidChallenge(String source, List<String> errors) {
    ApiProblem p = new ApiProblem(HttpStatus.BAD_REQUEST, "invalid-challenge", "Invalid challenge",
        (source == null ? "the challenge" : source) + " has " + errors.size() + " problem(s)", null);
    p.getBody().setProperty("errors", errors);
    return p;
  }

  public static ApiProblem conflict(String detail) {
    return new ApiProblem(HttpStatus.CONFLICT, "conflict", "Conflict", detail, null);
  }
}
