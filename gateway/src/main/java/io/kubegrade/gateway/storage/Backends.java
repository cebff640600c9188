package io.kubegrade.gateway.storage;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import com.mongodb.reactivestreams.client.MongoDatabase;
import io.kubegrade.api.redis.RedisConnections;
import io.kubegrade.gateway.GatewayProperties;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.mongodb.MongoMetricsCommandListener;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.http.nio.netty.SdkEventLoopGroup;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3AsyncClientBuilder;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/** Clients for the three backing services; each is shared by the whole gateway. */
@Configuration(proxyBeanMethods = false)
public class Backends {

  @Bean(destroyMethod = "shutdown")
  RedisClient redisClient(GatewayProperties properties) {
    RedisClient client = RedisConnections.client(properties.redis().url(), "gateway");
    // Commands issued while Redis is away wait for the reconnect instead of failing at once.
    client.setOptions(ClientOptions.builder().autoReconnect(true)
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.ACCEPT_COMMANDS).build());
    client.setDefaultTimeout(Duration.ofSeconds(10));
    return client;
  }

  /** Commands that never block the connection (no BLPOP/XREAD BLOCK here). */
  @Bean(destroyMethod = "close")
  StatefulRedisConnection<String, String> redisConnection(RedisClient client) {
    return client.connect();
  }

  @Bean(destroyMethod = "close")
  MongoClient mongoClient(GatewayProperties properties, MeterRegistry meters) {
    ConnectionString uri = new ConnectionString(properties.mongo().uri());
    // mongodb.driver.commands: every command's time, by command and outcome.
    MongoClientSettings.Builder settings = MongoClientSettings.builder().applyConnectionString(uri)
        .addCommandListener(new MongoMetricsCommandListener(meters));
    if (uri.getServerSelectionTimeout() == null) {
      long ms = properties.mongo().serverSelectionTimeout().toMillis();
      settings.applyToClusterSettings(c -> c.serverSelectionTimeout(ms, TimeUnit.MILLISECONDS));
    }
    return MongoClients.create(settings.build());
  }

  @Bean
  MongoDatabase mongoDatabase(MongoClient client, GatewayProperties properties) {
    return client.getDatabase(properties.mongo().database());
  }

  /**
   * The S3 client's event loops, shut down by us after the client: the SDK's own shutdown waits out
   * Netty's 2 s quiet period, when by then nothing is in flight.
   */
  record S3EventLoops(SdkEventLoopGroup group) implements DisposableBean {
    @Override
    public void destroy() throws InterruptedException {
      group.eventLoopGroup().shutdownGracefully(0, 2, TimeUnit.SECONDS).await(3, TimeUnit.SECONDS);
    }
  }

  @Bean
  S3EventLoops s3EventLoops() {
    return new S3EventLoops(SdkEventLoopGroup.builder().build());
  }

  @Bean(destroyMethod = "close")
  S3AsyncClient s3Client(GatewayProperties properties, S3EventLoops loops) {
    GatewayProperties.S3 s3 = properties.s3();
    S3AsyncClientBuilder builder = S3AsyncClient.builder()
        .region(Region.of(s3.region()))
        .credentialsProvider(credentials(s3))
        .httpClientBuilder(NettyNioAsyncHttpClient.builder().maxConcurrency(64).eventLoopGroup(loops.group()))
        .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(s3.pathStyle()).build());
    if (s3.endpoint() != null) {
      builder.endpointOverride(s3.endpoint());
    }
    return builder.build();
  }

  @Bean(destroyMethod = "close")
  S3Presigner s3Presigner(GatewayProperties properties) {
    GatewayProperties.S3 s3 = properties.s3();
    S3Presigner.Builder builder = S3Presigner.builder()
        .region(Region.of(s3.region()))
        .credentialsProvider(credentials(s3))
        .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(s3.pathStyle()).build());
    if (s3.endpoint() != null) {
      builder.endpointOverride(s3.endpoint());
    }
    return builder.build();
  }

  private static AwsCredentialsProvider credentials(GatewayProperties.S3 s3) {
    return s3.accessKey() == null || s3.accessKey().isBlank()
        ? DefaultCredentialsProvider.builder().build()
        : StaticCredentialsProvider.create(AwsBasicCredentials.create(s3.accessKey(), s3.secretKey()));
  }
}
