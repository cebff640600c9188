package io.kubegrade.gateway.ops;

import com.mongodb.reactivestreams.client.MongoDatabase;
import io.kubegrade.gateway.storage.ObjectStore;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import org.bson.Document;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.ReactiveHealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import reactor.core.publisher.Mono;

/** Readiness reflects the three backing services (management.endpoint.health.group.readiness). */
@Configuration(proxyBeanMethods = false)
public class BackingServiceHealth {
  private static final Duration TIMEOUT = Duration.ofSeconds(3);

  @Bean
  ReactiveHealthIndicator redisHealthIndicator(StatefulRedisConnection<String, String> redis) {
    return () -> redis.reactive().ping().map(pong -> Health.up().build()).timeout(TIMEOUT)
        .onErrorResume(e -> Mono.just(Health.down().withDetail("error", e.toString()).build()));
  }

  @Bean
  ReactiveHealthIndicator mongoHealthIndicator(MongoDatabase database) {
    return () -> Mono.from(database.runCommand(new Document("ping", 1))).map(r -> Health.up().build()).timeout(TIMEOUT)
        .onErrorResume(e -> Mono.just(Health.down().withDetail("error", e.toString()).build()));
  }

  @Bean
  ReactiveHealthIndicator s3HealthIndicator(ObjectStore objects) {
    return () -> objects.ping().thenReturn(Health.up().build()).timeout(TIMEOUT)
        .onErrorResume(e -> Mono.just(Health.down().withDetail("error", e.toString()).build()));
  }
}
