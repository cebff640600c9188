package io.kubegrade.gateway.stream;

/** A client did not read its events fast enough and its bounded buffer filled. */
public class SlowClientException extends RuntimeException {
  public SlowClientException(int buffer) {
    super("the client fell more than " + buffer + " events behind and was disconnected");
  }
}
