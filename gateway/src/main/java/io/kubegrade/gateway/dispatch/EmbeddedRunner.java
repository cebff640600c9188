package io.kubegrade.gateway.dispatch;

import io.kubegrade.gateway.GatewayProperties;
import io.kubegrade.runner.pool.GradingPool;
import io.kubegrade.runner.pool.PoolSettings;
import io.kubegrade.runner.queue.QueueSettings;
import io.kubegrade.runner.queue.QueueWorker;
import io.lettuce.core.RedisClient;
import java.util.HashMap;
import java.util.Map;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * The local platform's grader: a warm runner pool inside the gateway, fed by the same Redis job
 * queue as standalone workers, so local mode exercises the production path.
 */
@Component
@ConditionalOnExpression("${kubegrade.runner.embedded-pool-size:0} > 0")
public class EmbeddedRunner implements SmartLifecycle {
  private final RedisClient redis;
  private final GatewayProperties properties;
  private GradingPool pool;
  private QueueWorker worker;

  public EmbeddedRunner(RedisClient redis, GatewayProperties properties) {
    this.redis = redis;
    this.properties = properties;
  }

  @Override
  public void start() {
    Map<String, String> env = new HashMap<>(System.getenv());
    env.put("KUBEGRADE_POOL_SIZE", String.valueOf(properties.runner().embeddedPoolSize()));
    if (properties.runner().workDir() != null) {
      env.put("KUBEGRADE_WORK_DIR", properties.runner().workDir().toString());
    }
    pool = GradingPool.start(PoolSettings.fromEnvironment(env));
    String id = "embedded-" + (properties.instanceId().isBlank() ? ProcessHandle.current().pid() : properties.instanceId());
    worker = QueueWorker.start(redis, pool, QueueSettings.defaults(id));
  }

  @Override
  public void stop() {
    if (worker != null) {
      worker.close();
      worker = null;
    }
    if (pool != null) {
      pool.close();
      pool = null;
    }
  }

  @Override
  public boolean isRunning() {
    return pool != null;
  }

  /** After the Redis client and before the web server stops taking requests. */
  @Override
  public int getPhase() {
    return Integer.MAX_VALUE - 4096;
  }
}
