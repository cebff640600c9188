package io.kubegrade.gateway.openapi;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.http.HttpStatus;

/**
 * What an API operation answers, for its entry in the OpenAPI document ({@link OpenApiConfiguration}):
 * its success status, the problems it answers with besides the ones every operation may (401 unless
 * {@link #open}, 403 for a page on an origin not allowed, 503 when a backing service does not
 * answer), and whether it needs a token. {@code OpenApiContractIT} calls every operation and fails
 * when what comes back is not what this says.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
public @interface ApiContract {
  HttpStatus success() default HttpStatus.OK;

  /** Other success statuses with the same body (PUT: created or replaced). */
  HttpStatus[] alsoSuccess() default {};

  HttpStatus[] problems() default {};

  /** Needs no token. */
  boolean open() default false;
}
