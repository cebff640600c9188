package io.kubegrade.api.event;

/** One test's outcome; {@code message} says what was expected and what was found. */
public record TestResult(String name, TestOutcome outcome, long durationMs, String message) {}
