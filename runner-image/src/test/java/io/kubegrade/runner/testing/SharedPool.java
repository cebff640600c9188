package io.kubegrade.runner.testing;

import io.kubegrade.runner.pool.GradingPool;
import io.kubegrade.runner.pool.PoolSettings;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Injects one warm {@link GradingPool} shared by every test class in the JVM (starting Chromium is
 * the slow part), closed when the test run ends.
 */
public final class SharedPool implements ParameterResolver {
  private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(SharedPool.class);

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == GradingPool.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return context.getRoot().getStore(NS)
        .getOrComputeIfAbsent("pool", k -> new Holder(GradingPool.start(settings(2, "shared"))), Holder.class)
        .pool;
  }

  /** Test settings: Debian's Chromium, a work root of the test run's own. */
  public static PoolSettings settings(int size, String name) {
    Path root = Path.of(System.getProperty("java.io.tmpdir"), "kubegrade-test-" + ProcessHandle.current().pid() + "-" + name);
    return PoolSettings.fromEnvironment(Map.of("KUBEGRADE_WORK_DIR", root.toString())).withSize(size);
  }

  private record Holder(GradingPool pool) implements ExtensionContext.Store.CloseableResource, AutoCloseable {
    @Override
    public void close() {
      pool.close();
    }
  }
}
