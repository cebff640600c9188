package io.kubegrade.runner.testing;

import io.kubegrade.api.redis.RedisLayout;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import java.util.List;

/**
 * The runners' restricted Redis users, created as docs/operator.md tells admins to: the one runner
 * pods log in as ({@link RedisLayout#RUNNER_ACL}) and the one warm queue workers log in as
 * ({@link RedisLayout#WORKER_ACL}).
 */
public final class RunnerRedisUser {
  public static final String NAME = "kubegrade-runner";
  public static final String PASSWORD = "runner-password-for-tests";
  public static final String WORKER_NAME = "kubegrade-worker";
  public static final String WORKER_PASSWORD = "worker-password-for-tests";

  private RunnerRedisUser() {}

  public static void create(StatefulRedisConnection<String, String> admin) {
    setUser(admin, NAME, RedisLayout.RUNNER_ACL, PASSWORD);
  }

  public static void createWorker(StatefulRedisConnection<String, String> admin) {
    setUser(admin, WORKER_NAME, RedisLayout.WORKER_ACL, WORKER_PASSWORD);
  }

  /** {@code redis://user:password@host:port} of {@code redis} for the runner pods' user. */
  public static String url(RedisServerProcess redis) {
    return "redis://" + NAME + ":" + PASSWORD + "@" + redis.host() + ":" + redis.port();
  }

  public static String workerUrl(RedisServerProcess redis) {
    return "redis://" + WORKER_NAME + ":" + WORKER_PASSWORD + "@" + redis.host() + ":" + redis.port();
  }

  private static void setUser(StatefulRedisConnection<String, String> admin, String name, String rules, String password) {
    admin.sync().dispatch(CommandType.ACL, new StatusOutput<>(StringCodec.UTF8), new CommandArgs<>(StringCodec.UTF8)
        .add("SETUSER").add(name).addValues(List.of((rules + " >" + password).split(" "))));
  }
}
