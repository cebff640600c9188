package io.kubegrade.gateway.problem;

import org.springframework.boot.autoconfigure.web.ServerProperties;
import org.springframework.boot.web.embedded.netty.NettyServerCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Problem documents for what never reaches WebFlux: requests the HTTP decoder refuses. */
@Configuration(proxyBeanMethods = false)
public class ProblemConfiguration {

  @Bean
  NettyServerCustomizer malformedRequestProblems(ProblemExceptionHandler problems, ServerProperties server) {
    return new MalformedRequestProblems(problems, (int) server.getNetty().getMaxInitialLineLength().toBytes(),
        server.getMaxHttpRequestHeaderSize().toBytes());
  }
}
