package io.kubegrade.gateway.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.kubegrade.gateway.GatewayProperties;
import io.kubegrade.gateway.testing.PlatformIT;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * {@code kubegrade.s3.presign-ttl} against the real MinIO, waited out: a presigned URL reads the
 * object until the time it says it expires, and is refused by the storage server after it.
 */
class PresignedUrlIT extends PlatformIT {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @Autowired S3AsyncClient s3;
  @Autowired S3Presigner presigner;
  @Autowired GatewayProperties properties;

  private static HttpResponse<String> get(String url) throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  @Test
  void aPresignedUrlReadsTheObjectUntilItExpiresAndIsRefusedAfter() throws Exception {
    GatewayProperties.S3 base = properties.s3();
    Duration ttl = Duration.ofSeconds(2);
    ObjectStore store = new ObjectStore(s3, presigner, new GatewayProperties.S3(base.endpoint(), base.region(),
        base.bucket(), base.accessKey(), base.secretKey(), base.pathStyle(), base.createBucket(), ttl));
    String key = ObjectStore.sourceKey(newUser(), "counter", "s-expiry");
    store.put(key, "export default () => null;".getBytes(StandardCharsets.UTF_8), "text/plain").block(Duration.ofSeconds(20));

    Instant signed = Instant.now();
    ObjectStore.PresignedUrl url = store.presignGet(key);
    assertThat(url.expiresAt()).isBetween(signed.plus(ttl).minusSeconds(1), signed.plus(ttl).plusSeconds(1));
    HttpResponse<String> before = get(url.url());
    assertThat(before.statusCode()).isEqualTo(200);
    assertThat(before.body()).isEqualTo("export default () => null;");

    // Waited out (S3 signatures count whole seconds): the storage server itself refuses it.
    Thread.sleep(Math.max(0, Duration.between(Instant.now(), url.expiresAt()).toMillis()) + 1500);
    HttpResponse<String> after = get(url.url());
    assertThat(after.statusCode()).isEqualTo(403);
    assertThat(after.body()).contains("expired");
  }
}
