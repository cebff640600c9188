package io.kubegrade.gateway.security;

import io.kubegrade.gateway.GatewayProperties;
import io.kubegrade.gateway.problem.ProblemExceptionHandler;
import org.springframework.boot.autoconfigure.rsocket.RSocketProperties;
import org.springframework.boot.web.embedded.netty.NettyRouteProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.server.WebFilter;

/** The {@link CrossOriginPolicy} of kubegrade.cors, applied to every transport the gateway serves. */
@Configuration(proxyBeanMethods = false)
public class CrossOriginConfiguration {

  @Bean
  CrossOriginPolicy crossOriginPolicy(GatewayProperties properties) {
    return new CrossOriginPolicy(properties.cors());
  }

  @Bean
  WebFilter crossOriginFilter(CrossOriginPolicy policy, ProblemExceptionHandler problems) {
    return new CrossOriginFilter(policy, problems);
  }

  @Bean
  NettyRouteProvider crossOriginRSocketRoute(CrossOriginPolicy policy, ProblemExceptionHandler problems,
      RSocketProperties rsocket) {
    String path = rsocket.getServer().getMappingPath();
    return new CrossOriginRSocketRoute(policy, problems, path == null ? "/rsocket" : path);
  }
}
