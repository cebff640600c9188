package io.kubegrade.api.challenge;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;

/** A step is an action when it has a {@code do} key and an expectation when it has {@code expect}. */
final class StepDeserializer extends StdDeserializer<Step> {

  StepDeserializer() {
    super(Step.class);
  }

  @Override
  public Step deserialize(JsonParser parser, DeserializationContext context) throws IOException {
    JsonNode node = parser.readValueAsTree();
    if (!(node instanceof ObjectNode object)) {
      return context.reportInputMismatch(Step.class, "a step must be a mapping with 'do' or 'expect'");
    }
    boolean isAction = object.has("do");
    boolean isExpectation = object.has("expect");
    if (isAction == isExpectation) {
      return context.reportInputMismatch(Step.class,
          "a step needs exactly one of 'do' (an action) or 'expect' (an expectation)");
    }
    Class<? extends Step> type = isAction ? Action.class : Expectation.class;
    try (JsonParser sub = object.traverse(parser.getCodec())) {
      sub.nextToken();
      return context.readValue(sub, type);
    }
  }
}
