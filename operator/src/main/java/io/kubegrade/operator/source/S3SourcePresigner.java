package io.kubegrade.operator.source;

import io.kubegrade.api.gradingjob.GradingJobSpec.SourceLocation;
import io.kubegrade.operator.OperatorSettings;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * Presigns GETs with the operator's S3 credentials, locally (no call to S3): the runner pod gets a
 * URL valid for {@code presignTtl} and never the credentials themselves.
 */
public final class S3SourcePresigner implements SourcePresigner, AutoCloseable {
  private final S3Presigner presigner;
  private final java.time.Duration ttl;

  public S3SourcePresigner(OperatorSettings.S3 s3) {
    S3Presigner.Builder builder = S3Presigner.builder()
        .region(Region.of(s3.region()))
        .endpointOverride(s3.endpoint())
        .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(s3.pathStyle()).build());
    builder.credentialsProvider(s3.accessKey().isBlank()
        ? DefaultCredentialsProvider.builder().build()
        : StaticCredentialsProvider.create(AwsBasicCredentials.create(s3.accessKey(), s3.secretKey())));
    this.presigner = builder.build();
    this.ttl = s3.presignTtl();
  }

  @Override
  public String presign(SourceLocation source) {
    return presigner.presignGetObject(r -> r.signatureDuration(ttl)
        .getObjectRequest(g -> g.bucket(source.bucket()).key(source.key()))).url().toString();
  }

  @Override
  public void close() {
    presigner.close();
  }
}
