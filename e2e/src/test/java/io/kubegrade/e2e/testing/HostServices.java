package io.kubegrade.e2e.testing;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import io.kubegrade.runner.testing.BackingServers;
import io.kubegrade.runner.testing.RunnerRedisUser;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Redis, a MongoDB-compatible server (FerretDB) and S3 (MinIO) as a platform team's managed
 * services would be to the chart: outside the cluster, reached by address. They run on this
 * machine, bound to the node's bridge address, which pods reach and nothing outside does. Redis
 * has a password for the gateway and operator and the runner's restricted ACL user
 * (docs/operator.md); the chart is pointed at them with {@link #chartValues()}.
 */
public final class HostServices implements AutoCloseable {
  public static final String REDIS_PASSWORD = "e2e-redis-admin-password";
  private static HostServices shared;

  private final BackingServers servers;
  private final RedisClient redisClient;
  private final StatefulRedisConnection<String, String> redis;
  private final MongoClient mongo;

  private HostServices(String host) {
    servers = BackingServers.on(host, REDIS_PASSWORD);
    redisClient = RedisClient.create(servers.redis.url());
    redis = redisClient.connect();
    RunnerRedisUser.create(redis);
    mongo = MongoClients.create(servers.mongoUri());
  }

  public static synchronized HostServices on(Cluster cluster) {
    if (shared == null) {
      shared = new HostServices(cluster.hostAddress());
      Runtime.getRuntime().addShutdownHook(new Thread(shared::close));
    }
    return shared;
  }

  /** Values a platform team would set for services outside the cluster (by address, NetworkPolicy by CIDR). */
  public Map<String, String> chartValues() {
    Map<String, String> v = new LinkedHashMap<>();
    String host = servers.host;
    v.put("redis.host", host);
    v.put("redis.port", String.valueOf(servers.redis.port()));
    v.put("redis.password", REDIS_PASSWORD);
    v.put("redis.runnerUsername", RunnerRedisUser.NAME);
    v.put("redis.runnerPassword", RunnerRedisUser.PASSWORD);
    v.put("redis.cidr", host + "/32");
    v.put("mongodb.uri", servers.mongoUri());
    v.put("s3.endpoint", servers.s3Endpoint().toString());
    v.put("s3.accessKey", BackingServers.S3_USER);
    v.put("s3.secretKey", BackingServers.S3_PASSWORD);
    v.put("s3.createBucket", "true");
    v.put("s3.cidr", host + "/32");
    v.put("s3.port", String.valueOf(servers.s3Port));
    return v;
  }

  public StatefulRedisConnection<String, String> redis() {
    return redis;
  }

  public MongoClient mongo() {
    return mongo;
  }

  public int redisPort() {
    return servers.redis.port();
  }

  public int s3Port() {
    return servers.s3Port;
  }

  public int mongoPort() {
    return servers.mongoPort;
  }

  @Override
  public void close() {
    mongo.close();
    redis.close();
    redisClient.shutdown();
    servers.close();
  }
}
