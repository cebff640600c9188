package io.kubegrade.gateway.testing;

import io.kubegrade.runner.testing.BackingServers;
import io.kubegrade.gateway.GatewayApplication;
import io.kubegrade.runner.testing.RedisServerProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Gateways started and stopped by a test, as replicas of one deployment: they share a Redis of
 * their own (persistent, so it can be restarted), a MongoDB database and a bucket; no runner.
 */
public final class GatewayInstances implements AutoCloseable {
  public final RedisServerProcess redis;
  private final String name;
  private final Map<String, Object> overrides;
  private final List<ConfigurableApplicationContext> running = new ArrayList<>();

  public GatewayInstances(String name, Map<String, Object> overrides) {
    try {
      this.redis = RedisServerProcess.start(Files.createTempDirectory("kubegrade-redis-"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    this.name = name;
    this.overrides = overrides;
  }

  public ConfigurableApplicationContext start(String instanceId) {
    BackingServers servers = BackingServers.shared();
    Map<String, Object> p = new HashMap<>();
    p.put("server.port", "0");
    p.put("kubegrade.instance-id", instanceId);
    p.put("kubegrade.redis.url", redis.url());
    p.put("kubegrade.mongo.uri", servers.mongoUri());
    p.put("kubegrade.mongo.database", name);
    p.put("kubegrade.s3.endpoint", servers.s3Endpoint().toString());
    p.put("kubegrade.s3.access-key", BackingServers.S3_USER);
    p.put("kubegrade.s3.secret-key", BackingServers.S3_PASSWORD);
    p.put("kubegrade.s3.bucket", name);
    p.put("kubegrade.security.hmac-secret", PlatformIT.SECRET);
    p.put("kubegrade.security.local-tokens", "true");
    p.put("kubegrade.challenges.import-dirs", PlatformIT.challenges().toString());
    p.put("kubegrade.stream.claim-idle", "2s");
    p.put("kubegrade.stream.claim-every", "500ms");
    p.putAll(overrides);
    // As command-line arguments: they take precedence over application.yaml, default properties do not.
    String[] args = p.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue()).toArray(String[]::new);
    ConfigurableApplicationContext context = new SpringApplicationBuilder(GatewayApplication.class).run(args);
    running.add(context);
    return context;
  }

  public static int port(ConfigurableApplicationContext context) {
    return Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
  }

  public void stop(ConfigurableApplicationContext context) {
    running.remove(context);
    context.close();
  }

  @Override
  public void close() {
    new ArrayList<>(running).forEach(this::stop);
    redis.close();
  }
}
