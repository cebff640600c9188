package io.kubegrade.gateway;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.scheduling.annotation.EnableScheduling;

@SpringBootApplication
@ConfigurationPropertiesScan
@EnableScheduling
public class GatewayApplication {
  public static void main(String[] args) {
    if (args.length > 0 && args[0].equals("smoke")) {
      System.exit(io.kubegrade.gateway.smoke.SmokeCheck.run(System.getenv(), System.out));
    }
    SpringApplication.run(GatewayApplication.class, args);
  }
}
