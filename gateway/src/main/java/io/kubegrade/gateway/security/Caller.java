package io.kubegrade.gateway.security;

import java.security.Principal;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.ReactiveSecurityContextHolder;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;
import reactor.core.publisher.Mono;

/** Who is calling: the token's subject, and whether it may administer challenges. */
public record Caller(String user, boolean admin) {

  public static Mono<Caller> current() {
    return ReactiveSecurityContextHolder.getContext().map(c -> of(c.getAuthentication()));
  }

  public static Caller of(Principal principal) {
    Authentication auth = (Authentication) principal;
    String user = auth instanceof JwtAuthenticationToken jwt ? jwt.getToken().getSubject() : auth.getName();
    boolean admin = auth.getAuthorities().stream().anyMatch(a -> a.getAuthority().equals("ROLE_admin"));
    return new Caller(user, admin);
  }
}
