package dev.portway.relay.console;

import dev.portway.relay.admin.AdminServices;
import dev.portway.relay.admin.QueueService;
import dev.portway.relay.auth.Passwords;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The relay's web console: its own listener ({@code --console-port}, loopback by default, TLS when the relay
 * has TLS) on the relay's event loops, with a named pool of {@link #THREADS} threads for the blocking work
 * (store, bcrypt) and a bounded queue ({@link #QUEUE}; past it callers get 503). See docs/console.md.
 */
public final class ConsoleServer implements AutoCloseable {
    static final int THREADS = 2;
    static final int QUEUE = 256;
    /** Largest request body (JSON): a sign-in, an SSH key line. */
    static final int MAX_BODY = 64 * 1024;
    private static final Logger log = LoggerFactory.getLogger(ConsoleServer.class);

    private final Channel channel;
    private final ThreadPoolExecutor blocking;
    private final Router router;
    private final List<ScheduledFuture<?>> timers;
    private final ConsoleSessions sessions;

    private ConsoleServer(Channel channel, ThreadPoolExecutor blocking, Router router, List<ScheduledFuture<?>> timers,
                          ConsoleSessions sessions) {
        this.channel = channel;
        this.blocking = blocking;
        this.router = router;
        this.timers = timers;
        this.sessions = sessions;
    }

    /**
     * Every route of the JSON API as {@code "METHOD /template"} (docs/console-openapi.yaml must list exactly these;
     * a test checks). Builds the handlers without a relay: none of them runs.
     */
    public static List<String> routeTable() {
        Router router = new Router();
        new ConsoleApi(null, null, null).addTo(router);
        new LiveApi(null, null, null, null, null).addTo(router);
        return router.routes().stream().map(r -> r.method() + " " + r.template()).toList();
    }

    /** Every route with who may call it ({@code PUBLIC}, {@code USER}, {@code ADMIN}), as {@code "METHOD /template ACCESS"}. */
    public static List<String> routeAccess() {
        Router router = new Router();
        new ConsoleApi(null, null, null).addTo(router);
        new LiveApi(null, null, null, null, null).addTo(router);
        return router.routes().stream().map(r -> r.method() + " " + r.template() + " " + r.access()).toList();
    }

    private static Router routes(ConsoleContext ctx, AdminServices services, LiveView live, ConsoleSessions sessions, MetricsSampler sampler) {
        Router router = new Router();
        new ConsoleApi(services, sessions, ctx.accounts().throttle()).addTo(router);
        new LiveApi(ctx, services, live, sampler, new QueueService(ctx.store(), services.audit(), ctx.queue(), live::owners, ctx.instance())).addTo(router);
        return router;
    }

    /**
     * Binds the console's port.
     *
     * @throws IOException when the port cannot be bound, saying what to do
     */
    public static ConsoleServer start(ConsoleContext ctx) throws IOException {
        var settings = ctx.config().console();
        LiveView live = new LiveView(ctx.sessions(), ctx.registry(), ctx.traffic());
        AdminServices services = AdminServices.of(ctx.store().identity(), ctx.accounts().audit(), "console", live, new Passwords());
        ConsoleSessions sessions = new ConsoleSessions(ctx.tls() != null);
        MetricsSampler sampler = new MetricsSampler(ctx.metrics(), ctx.registry()::tunnelCount);
        Router router = routes(ctx, services, live, sessions, sampler);
        StaticFiles files = new StaticFiles();
        ThreadPoolExecutor blocking = new ThreadPoolExecutor(THREADS, THREADS, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(QUEUE),
                new DefaultThreadFactory("relay-console", true), new ThreadPoolExecutor.AbortPolicy());
        blocking.allowCoreThreadTimeOut(true);
        boolean tls = ctx.tls() != null;
        ServerBootstrap b = new ServerBootstrap()
                .group(ctx.boss(), ctx.workers())
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (tls) {
                            ch.pipeline().addLast("tls", ctx.tls().newHandler(ch.alloc(), ctx.handshakes()));
                        }
                        ch.pipeline().addLast("http", new HttpServerCodec(4096, 16 * 1024, 8192));
                        ch.pipeline().addLast("idle", new ReadTimeoutHandler(120, TimeUnit.SECONDS));
                        ch.pipeline().addLast("aggregate", new HttpObjectAggregator(MAX_BODY));
                        ch.pipeline().addLast("console", new ConsoleHandler(router, sessions, ctx.store().identity(), files, blocking));
                    }
                });
        ChannelFuture f = b.bind(settings.bindHost(), settings.port()).awaitUninterruptibly();
        if (!f.isSuccess()) {
            blocking.shutdownNow();
            if (f.cause() instanceof BindException) {
                throw new IOException("The console port " + settings.port() + " is already in use — choose another with --console-port", f.cause());
            }
            throw new IOException("Cannot listen for the console on " + settings.bindHost() + ":" + settings.port() + ": "
                    + f.cause().getMessage() + " — check --console-bind", f.cause());
        }
        sampler.sample();
        List<ScheduledFuture<?>> timers = List.of(
                ctx.workers().scheduleAtFixedRate(sampler::sample, MetricsSampler.PERIOD_MS, MetricsSampler.PERIOD_MS, TimeUnit.MILLISECONDS),
                ctx.workers().scheduleAtFixedRate(sessions::sweep, 60, 60, TimeUnit.SECONDS));
        ConsoleServer server = new ConsoleServer(f.channel(), blocking, router, timers, sessions);
        log.info("Web console on {}://{}:{}/", tls ? "https" : "http", settings.bindHost(), server.port());
        return server;
    }

    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    Router router() {
        return router;
    }

    /** Signed-in console sessions now (tests). */
    int signedIn() {
        return sessions.size();
    }

    @Override
    public void close() {
        timers.forEach(t -> t.cancel(false));
        channel.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        blocking.shutdown();
        try {
            if (!blocking.awaitTermination(2, TimeUnit.SECONDS)) {
                blocking.shutdownNow();
            }
        } catch (InterruptedException e) {
            blocking.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
