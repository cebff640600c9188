package io.kubegrade.api.event;

/** One line of the browser console: level is the browser's (INFO, WARNING, SEVERE...). */
public record ConsoleEntry(String level, String text) {}
