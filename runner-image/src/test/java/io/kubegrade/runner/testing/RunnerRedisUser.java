package io.kubegrade.runner.testing;

import io.kubegrade.api.redis.RedisLayout;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import java.util.List;

/** The runner's restricted Redis user, created as docs/operator.md tells admins to. */
public final class RunnerRedisUser {
  public static final String NAME = "kubegrade-runner";
  public static final String PASSWORD = "runner-password-for-tests";

  private RunnerRedisUser() {}

  public static void create(StatefulRedisConnection<String, String> admin) {
    admin.sync().dispatch(CommandType.ACL, new StatusOutput<>(StringCodec.UTF8), new CommandArgs<>(StringCodec.UTF8)
        .add("SETUSER").add(NAME).addValues(List.of((RedisLayout.RUNNER_ACL + " >" + PASSWORD).split(" "))));
  }
}
