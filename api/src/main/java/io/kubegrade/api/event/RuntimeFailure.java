package io.kubegrade.api.event;

/** An exception the submission threw, with a bounded excerpt of its stack. */
public record RuntimeFailure(String message, String stack) {}
