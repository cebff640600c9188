package io.kubegrade.gateway.problem;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import org.springframework.boot.web.embedded.netty.NettyServerCustomizer;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import reactor.netty.NettyPipeline;
import reactor.netty.http.server.HttpServer;

/**
 * A request the HTTP decoder cannot take - a request line or headers over the server's limits, or
 * not HTTP at all - gets a problem document too (400, 414 or 431), where Reactor Netty would answer
 * with an empty body: a handler ahead of Reactor Netty's own answers it and closes the connection,
 * as Reactor Netty does (what follows on that connection cannot be trusted to be framed).
 */
public final class MalformedRequestProblems implements NettyServerCustomizer {
  private final ProblemExceptionHandler problems;
  private final int maxInitialLineLength;
  private final long maxHeaderSize;

  public MalformedRequestProblems(ProblemExceptionHandler problems, int maxInitialLineLength, long maxHeaderSize) {
    this.problems = problems;
    this.maxInitialLineLength = maxInitialLineLength;
    this.maxHeaderSize = maxHeaderSize;
  }

  @Override
  public HttpServer apply(HttpServer server) {
    return server.doOnChannelInit((observer, channel, remote) -> {
      if (channel.pipeline().get(NettyPipeline.HttpTrafficHandler) != null) {
        channel.pipeline().addBefore(NettyPipeline.HttpTrafficHandler, "kubegrade.malformedRequestProblems", new Answer());
      }
    });
  }

  ProblemDetail problemFor(Throwable cause) {
    ProblemDetail p;
    if (cause instanceof TooLongHttpLineException) {
      p = ProblemDetail.forStatusAndDetail(HttpStatus.URI_TOO_LONG,
          "the request line (method, path and query) is longer than " + maxInitialLineLength + " bytes");
      p.setTitle("URI too long");
    } else if (cause instanceof TooLongHttpHeaderException) {
      p = ProblemDetail.forStatusAndDetail(HttpStatus.REQUEST_HEADER_FIELDS_TOO_LARGE,
          "the request's headers are larger than " + maxHeaderSize + " bytes");
      p.setTitle("Request headers too large");
    } else {
      p = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, "the request is not well-formed HTTP");
      p.setTitle("Malformed request");
    }
    return p;
  }

  /** One per connection: after a failure, whatever else the decoder passes on is dropped. */
  private final class Answer extends ChannelInboundHandlerAdapter {
    private boolean failed;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (failed && msg instanceof HttpObject) {
        ReferenceCountUtil.release(msg);
        return;
      }
      DecoderResult result = msg instanceof HttpRequest request ? request.decoderResult() : null;
      if (result == null || !result.isFailure()) {
        ctx.fireChannelRead(msg);
        return;
      }
      failed = true;
      ReferenceCountUtil.release(msg);
      ProblemDetail problem = problemFor(result.cause());
      byte[] body = problems.write(problem);
      FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
          HttpResponseStatus.valueOf(problem.getStatus()), Unpooled.wrappedBuffer(body));
      response.headers().set(HttpHeaderNames.CONTENT_TYPE, MediaType.APPLICATION_PROBLEM_JSON_VALUE)
          .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)
          .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }
  }
}
