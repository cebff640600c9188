package io.kubegrade.gateway.challenge;

/** A challenge in a list. */
public record ChallengeSummary(String id, String title, String difficulty) {}
