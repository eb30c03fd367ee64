package dev.portway.relay.ingress;

import dev.portway.relay.RelayConfig;
import dev.portway.relay.metrics.RelayMetrics;
import dev.portway.relay.tunnel.SessionContext;
import dev.portway.relay.tunnel.Tunnel;
import dev.portway.relay.tunnel.TunnelRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;

import java.util.concurrent.CompletableFuture;

/**
 * Opens the public ports of TCP tunnels: the requested port, or the first free one in the configured
 * range. Ports are reserved in the registry first so two binds never race for one. Asynchronous; never
 * blocks an event loop.
 */
public final class TcpListeners implements SessionContext.TcpBinder {
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final RelayConfig config;
    private final TunnelRegistry<?> registry;
    private final RelayMetrics metrics;
    private final VisitorGate gate;

    public TcpListeners(EventLoopGroup boss, EventLoopGroup workers, RelayConfig config, TunnelRegistry<?> registry,
                        RelayMetrics metrics, VisitorGate gate) {
        this.gate = gate;
        this.boss = boss;
        this.workers = workers;
        this.config = config;
        this.registry = registry;
        this.metrics = metrics;
    }

    @Override
    public CompletableFuture<Integer> bind(Tunnel<?> tunnel, int requested) {
        CompletableFuture<Integer> result = new CompletableFuture<>();
        if (requested == 0 && config.anyTcpPort()) {
            bindAnyPort(tunnel, result);
        } else if (requested != 0) {
            tryFrom(tunnel, requested, requested, result);
        } else {
            tryFrom(tunnel, config.tcpPortFrom(), config.tcpPortTo(), result);
        }
        return result;
    }

    /** Range 0-0: let the OS pick the port, then record it in the registry like any other. */
    private void bindAnyPort(Tunnel<?> tunnel, CompletableFuture<Integer> result) {
        bootstrap(tunnel).bind(config.bindHost(), 0).addListener(f -> {
            if (!f.isSuccess()) {
                result.completeExceptionally(f.cause());
                return;
            }
            Channel listener = ((io.netty.channel.ChannelFuture) f).channel();
            int p = ((java.net.InetSocketAddress) listener.localAddress()).getPort();
            if (!registry.reservePort(p)) { // a held port the OS handed out again: cannot happen while its listener lives
                listener.close();
                result.completeExceptionally(new IllegalStateException("port " + p + " is still reserved"));
                return;
            }
            tunnel.listening(p, listener::close);
            result.complete(p);
        });
    }

    private ServerBootstrap bootstrap(Tunnel<?> tunnel) {
        return new ServerBootstrap()
                .group(boss, workers)
                .channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.ALLOCATOR, dev.portway.relay.Relay.ALLOCATOR)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childOption(ChannelOption.AUTO_READ, false)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (config.visitorLimits().proxyProtocol()) { // the balancer's PROXY header first
                            ProxyProtocol.expect(ch.pipeline(), config.visitorLimits().headerTimeout(),
                                    c -> visitorPipeline(c, tunnel));
                        } else {
                            visitorPipeline(ch, tunnel);
                        }
                    }
                });
    }

    /** A TCP visitor's pipeline. @return false when the relay's connection limits (total or per address) refused it */
    private boolean visitorPipeline(io.netty.channel.Channel ch, Tunnel<?> tunnel) {
        if (!gate.admit(ch)) {
            ch.close();
            return false;
        }
        // one flush per event-loop turn, not one per DATA frame from the client
        ch.pipeline().addLast("flush", new io.netty.handler.flush.FlushConsolidationHandler(
                io.netty.handler.flush.FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES, true));
        ch.pipeline().addLast(new TcpVisitorHandler(tunnel.name(), registry, metrics));
        return true;
    }

    private void tryFrom(Tunnel<?> tunnel, int from, int last, CompletableFuture<Integer> result) {
        int port = from;
        while (port <= last && !registry.reservePort(port)) {
            port++;
        }
        if (port > last) {
            result.completeExceptionally(new IllegalStateException("no free port"));
            return;
        }
        int p = port;
        bootstrap(tunnel).bind(config.bindHost(), p).addListener(f -> {
            if (f.isSuccess()) {
                Channel listener = ((io.netty.channel.ChannelFuture) f).channel();
                tunnel.listening(p, listener::close);
                result.complete(p);
            } else {
                registry.releasePort(p);
                if (p < last) {
                    tryFrom(tunnel, p + 1, last, result);
                } else {
                    result.completeExceptionally(f.cause());
                }
            }
        });
    }
}
