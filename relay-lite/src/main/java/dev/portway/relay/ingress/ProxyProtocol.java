package dev.portway.relay.ingress;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The PROXY protocol (HAProxy's, v1 and v2) in front of the public port and the TCP tunnels' ports
 * ({@code --proxy-protocol}, docs/cluster.md "In front"): a load balancer in TCP mode tells each connection's real
 * source, so per-visitor limits, tunnels' IP lists, logs and {@code X-Forwarded-For} see the visitor instead of the
 * balancer. Netty's {@link HAProxyMessageDecoder} parses the header; this class waits for it (closing a connection
 * that sends none, or a malformed one, within the header timeout — with the option on, only the balancer may
 * connect), records the source on the channel ({@link #remote}), and only then admits the connection and builds the
 * rest of its pipeline. A {@code LOCAL} header (the balancer's own health check) keeps the socket's address.
 */
public final class ProxyProtocol {
    private static final Logger log = LoggerFactory.getLogger(ProxyProtocol.class);
    private static final AttributeKey<InetSocketAddress> SOURCE = AttributeKey.valueOf("portway.proxy-protocol.source");

    private ProxyProtocol() {
    }

    /**
     * The visitor's (or client's) address: the PROXY header's source on a connection that had one, else the socket's
     * peer. For an HTTP/2 stream, its connection's.
     */
    public static SocketAddress remote(Channel ch) {
        for (Channel c = ch; c != null; c = c.parent()) {
            InetSocketAddress s = c.hasAttr(SOURCE) ? c.attr(SOURCE).get() : null;
            if (s != null) {
                return s;
            }
            if (!(c instanceof io.netty.handler.codec.http2.Http2StreamChannel)) {
                break;
            }
        }
        return ch instanceof io.netty.handler.codec.http2.Http2StreamChannel && ch.parent() != null
                ? ch.parent().remoteAddress() : ch.remoteAddress();
    }

    /**
     * Makes {@code p} wait for a PROXY header first. Once it came, {@code admit} decides on the connection (with
     * {@link #remote} already the visitor's address; false: it refused and closed it) and builds the rest of the pipeline, which
     * then sees {@code channelActive} and every byte after the header.
     */
    public static void expect(ChannelPipeline p, Duration timeout, Predicate<Channel> admit) {
        p.addLast("proxy-protocol", new HAProxyMessageDecoder());
        p.addLast("proxy-protocol-source", new Source(timeout, admit));
    }

    private static final class Source extends ChannelInboundHandlerAdapter {
        private final Duration timeout;
        private final Predicate<Channel> admit;
        private ScheduledFuture<?> deadline;

        Source(Duration timeout, Predicate<Channel> admit) {
            this.timeout = timeout;
            this.admit = admit;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            // Not passed on: the handlers after this one see channelActive once the header came.
            deadline = ctx.executor().schedule(() -> {
                log.debug("{}: no PROXY protocol header within {} ms — closed", ctx.channel().remoteAddress(), timeout.toMillis());
                ctx.close();
            }, timeout.toMillis(), TimeUnit.MILLISECONDS);
            ctx.read(); // also where the channel does not read by itself (the TCP tunnels' ports)
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof HAProxyMessage m)) {
                ReferenceCountUtil.release(msg); // cannot happen: the decoder passes nothing before the header
                ctx.close();
                return;
            }
            try {
                if (deadline != null) {
                    deadline.cancel(false);
                }
                if (m.command() == HAProxyCommand.PROXY && (m.proxiedProtocol() == HAProxyProxiedProtocol.TCP4
                        || m.proxiedProtocol() == HAProxyProxiedProtocol.TCP6)) {
                    try {
                        // The header carries literals: no DNS lookup.
                        ctx.channel().attr(SOURCE).set(new InetSocketAddress(InetAddress.getByName(m.sourceAddress()),
                                m.sourcePort()));
                    } catch (UnknownHostException e) {
                        ctx.close();
                        return;
                    }
                }
            } finally {
                m.release();
            }
            Channel ch = ctx.channel();
            ChannelPipeline p = ctx.pipeline();
            p.remove(this);
            if (!admit.test(ch)) {
                return; // refused: admit answered and closed it
            }
            p.fireChannelActive();
            // The decoder takes itself out after this returns, passing on what it read past the header: the new
            // handlers get those bytes after channelActive, as on a connection without a header.
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            log.debug("{}: not a PROXY protocol header ({}) — closed", ctx.channel().remoteAddress(), cause.getMessage());
            ctx.close();
        }
    }
}
