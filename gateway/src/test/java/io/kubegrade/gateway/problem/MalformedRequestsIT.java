package io.kubegrade.gateway.problem;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kubegrade.api.Json;
import io.kubegrade.gateway.testing.PlatformIT;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Requests the server's HTTP decoder refuses before any handler sees them - a request line or
 * headers over the limits, bytes that are not HTTP - sent over a raw socket, as a broken client or
 * a scanner would: each gets its status with a problem document, not an empty body, and the
 * server goes on serving.
 */
class MalformedRequestsIT extends PlatformIT {

  /** A response read to the end of the connection: status line, headers and body. */
  record Raw(int status, String headers, String body) {
    JsonNode problem() {
      try {
        return Json.mapper().readTree(body);
      } catch (IOException e) {
        throw new AssertionError("not a JSON body: '" + body + "'", e);
      }
    }
  }

  private Raw send(String request) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      socket.getOutputStream().flush();
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      in.transferTo(all); // the server closes the connection after answering
      String text = all.toString(StandardCharsets.UTF_8);
      int end = text.indexOf("\r\n\r\n");
      assertThat(end).as("a response: '" + text + "'").isPositive();
      String head = text.substring(0, end);
      return new Raw(Integer.parseInt(head.split(" ")[1]), head, text.substring(end + 4));
    }
  }

  private static void isProblem(Raw raw, int status, String title) {
    assertThat(raw.status()).isEqualTo(status);
    assertThat(raw.headers().toLowerCase()).contains("content-type: application/problem+json");
    JsonNode problem = raw.problem();
    assertThat(problem.path("status").asInt()).isEqualTo(status);
    assertThat(problem.path("title").asText()).isEqualTo(title);
    assertThat(problem.path("detail").asText()).isNotBlank().doesNotContain("Exception").doesNotContain("io.netty");
  }

  @Test
  void aRequestLineOverTheLimitIsA414Problem() throws IOException {
    Raw raw = send("GET /api/v1/submissions/" + "x".repeat(5000) + " HTTP/1.1\r\nHost: localhost\r\n\r\n");
    isProblem(raw, 414, "URI too long");
    assertThat(raw.problem().path("detail").asText()).contains("4096 bytes");
  }

  @Test
  void headersOverTheLimitAreA431Problem() throws IOException {
    Raw raw = send("GET /api/v1/challenges HTTP/1.1\r\nHost: localhost\r\nX-Padding: " + "y".repeat(10_000) + "\r\n\r\n");
    isProblem(raw, 431, "Request headers too large");
  }

  @Test
  void bytesThatAreNotHttpAreA400ProblemAndTheServerGoesOn() throws IOException {
    isProblem(send("GET /api/v1/challenges HTTP/9.Z\r\nHost: localhost\r\n\r\n"), 400, "Malformed request");
    Raw fine = send("GET /actuator/health/readiness HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    assertThat(fine.status()).isEqualTo(200);
  }
}
