package io.kubegrade.api.redis;

import io.kubegrade.api.event.GradingEvent;
import io.kubegrade.api.job.Attempt;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a runner adds to {@link RedisLayout#INBOX_STREAM} for one event: the event (its seq is the
 * attempt's own counter, 1, 2, ...) and the attempt it claims to be, with that attempt's token. A
 * gateway relays it into the submission's log through {@link RedisLayout#APPEND_EVENT}, which
 * accepts it only if the token is the current attempt's.
 */
public record InboxEntry(Attempt attempt, GradingEvent event) {

  public Map<String, String> fields() {
    Map<String, String> f = new LinkedHashMap<>();
    f.put("submission", attempt.submissionId());
    f.put("attempt", String.valueOf(attempt.number()));
    f.put("token", attempt.token());
    f.put("event", event.toJson());
    return f;
  }

  /** The entry, or an IllegalArgumentException saying why these fields are not one. */
  public static InboxEntry parse(Map<String, String> fields) {
    String submission = fields.get("submission");
    String attempt = fields.get("attempt");
    String token = fields.get("token");
    String json = fields.get("event");
    if (submission == null || attempt == null || token == null || json == null) {
      throw new IllegalArgumentException("an inbox entry needs submission, attempt, token and event");
    }
    GradingEvent event = GradingEvent.fromJson(json);
    if (!submission.equals(event.submissionId())) {
      throw new IllegalArgumentException("the event is for " + event.submissionId() + ", the entry for " + submission);
    }
    try {
      return new InboxEntry(new Attempt(submission, Long.parseLong(attempt), token), event);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("attempt is not a number: " + attempt);
    }
  }
}
