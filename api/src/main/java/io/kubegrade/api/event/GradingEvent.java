package io.kubegrade.api.event;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import io.kubegrade.api.Json;
import java.time.Instant;

/**
 * One event in a submission's life. {@code seq} numbers a submission's events 1, 2, 3... with no
 * gaps, so a client can replay, de-duplicate and resume; exactly one {@link EventType#VERDICT} ends
 * the sequence. {@code v} is the schema version (docs/events.md).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record GradingEvent(
    int v,
    String submissionId,
    long seq,
    EventType type,
    Instant at,
    Integer testIndex,
    String test,
    String message,
    Long durationMs,
    Verdict verdict) {

  public static final int SCHEMA_VERSION = 1;

  @JsonIgnore
  public boolean isTerminal() {
    return type.isTerminal();
  }

  public String toJson() {
    try {
      return Json.mapper().writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("an event always serialises", e);
    }
  }

  public GradingEvent withVerdict(Verdict v) {
    return new GradingEvent(this.v, submissionId, seq, type, at, testIndex, test, message, durationMs, v);
  }

  /**
   * The event as JSON without {@code seq}: what writers hand the event log's script, which numbers
   * the event itself (RedisLayout.APPEND_EVENT); {@code seq} here is only the writer's own counter.
   */
  public String toJsonWithoutSeq() {
    com.fasterxml.jackson.databind.node.ObjectNode node = Json.mapper().valueToTree(this);
    node.remove("seq");
    return node.toString();
  }

  public static GradingEvent fromJson(String json) {
    try {
      return Json.mapper().readValue(json, GradingEvent.class);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not a grading event: " + e.getOriginalMessage(), e);
    }
  }
}
