package io.kubegrade.api.challenge;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import java.util.List;

/**
 * One step of a test: an {@link Action} ({@code do: click}) or an {@link Expectation}
 * ({@code expect: text}). Steps run in order; a failing step ends its test.
 */
@JsonDeserialize(using = StepDeserializer.class)
public sealed interface Step permits Action, Expectation {

  /** Problems with this step, each prefixed with {@code where}. */
  List<String> problems(String where);

  /** A short human description, used in progress events and failure messages. */
  String describe();
}
