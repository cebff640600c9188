package io.kubegrade.api.event;

/** Where the submission does not parse: 1-based line and column of the source as submitted. */
public record CompileError(String message, Integer line, Integer column) {}
