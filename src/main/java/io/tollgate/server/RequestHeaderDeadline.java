package io.tollgate.server;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import reactor.netty.NettyPipeline;

/**
 * Closes an HTTP/1.1 connection whose client has started a request but not finished its request line and headers
 * within the deadline: Reactor Netty's idle timeout is reset by nothing until a whole request head is decoded, so
 * it bounds this too, but it must stay long for keep-alive behind load balancers; this bound is the short one.
 * One instance per connection sits on both sides of the HTTP codec: before it, the first raw bytes of a request
 * start the clock; after it, the decoded head stops it. Everything runs on the connection's event loop.
 * HTTP/2 connections (negotiated by ALPN) are not watched here.
 */
@ChannelHandler.Sharable
final class RequestHeaderDeadline extends ChannelDuplexHandler {

	private final long timeoutNanos;

	/** Requests whose head was read and whose response has not been written completely. */
	private int open;

	private ScheduledFuture<?> deadline;

	private RequestHeaderDeadline(long timeoutNanos) {
		this.timeoutNanos = timeoutNanos;
	}

	/** Installs a deadline on a connection whose pipeline has the HTTP/1.1 codec; leaves others alone. */
	static void install(ChannelPipeline pipeline, long timeoutNanos) {
		if (pipeline.get(NettyPipeline.HttpCodec) == null) {
			return;
		}
		RequestHeaderDeadline handler = new RequestHeaderDeadline(timeoutNanos);
		pipeline.addBefore(NettyPipeline.HttpCodec, "tollgate.requestHeaderDeadline.bytes", handler);
		pipeline.addAfter(NettyPipeline.HttpCodec, "tollgate.requestHeaderDeadline.heads", handler);
	}

	@Override
	public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
		if (msg instanceof ByteBuf && this.open == 0 && this.deadline == null) {
			this.deadline = ctx.executor().schedule(() -> ctx.channel().close(), this.timeoutNanos, TimeUnit.NANOSECONDS);
		}
		else if (msg instanceof HttpRequest) {
			this.open++;
			cancel();
		}
		super.channelRead(ctx, msg);
	}

	@Override
	public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
		if (msg instanceof LastHttpContent) {
			promise = promise.unvoid();
			promise.addListener((ChannelFutureListener) (done) -> this.open = Math.max(0, this.open - 1));
		}
		super.write(ctx, msg, promise);
	}

	@Override
	public void channelInactive(ChannelHandlerContext ctx) throws Exception {
		cancel();
		super.channelInactive(ctx);
	}

	private void cancel() {
		if (this.deadline != null) {
			this.deadline.cancel(false);
			this.deadline = null;
		}
	}

}
