package dev.portway.desktop.selftest;

import dev.portway.desktop.engine.BoundTunnel;
import dev.portway.desktop.engine.EngineConfig;
import dev.portway.desktop.engine.EngineListener;
import dev.portway.desktop.engine.EngineState;
import dev.portway.desktop.engine.EngineStatus;
import dev.portway.desktop.engine.TunnelEngine;
import dev.portway.desktop.engine.TunnelSpec;
import dev.portway.desktop.profiles.Profile;
import dev.portway.desktop.ui.connect.EmbeddedRelayHost;
import dev.portway.shared.protocol.ErrorCode;
import okhttp3.Dns;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.Proxy;
import java.net.URI;
import java.net.UnknownHostException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code PortwayDesktop --self-test [--self-test-target URL] [--relay-port N]}: proves an installed Portway works
 * without a display. It starts the embedded relay, a small local web page (or uses {@code URL}), connects the
 * sample profile ({@link Profile#firstRun()}, pointed at that page) through the relay with the real engine, fetches
 * the public URL with OkHttp and checks that the visitor got what the local service serves. It reads and writes
 * none of the user's data (the engine's queue stays in memory).
 *
 * <p>Exit codes: 0 passed; 1 failed (the last line says why); 2 bad usage. Prints one line per step with its time.
 */
public final class SelfTest {
    public static final int PASSED = 0;
    public static final int FAILED = 1;
    public static final int BAD_USAGE = 2;
    static final Duration BIND_TIMEOUT = Duration.ofSeconds(20);

    private SelfTest() {
    }

    /** True when {@code args} ask for the self-test rather than the window. */
    public static boolean wanted(List<String> args) {
        return args.contains("--self-test");
    }

    public static int run(List<String> args, PrintWriter out, PrintWriter err) {
        try {
            return execute(args, out, err);
        } finally {
            out.flush();
            err.flush();
        }
    }

    private static int execute(List<String> args, PrintWriter out, PrintWriter err) {
        URI target = null;
        if (args.contains("--self-test-target")) {
            String v = value(args, "--self-test-target");
            target = v == null ? null : parseTarget(v);
            if (target == null) {
                return usage(err, v == null ? "give the URL after --self-test-target"
                        : "--self-test-target must be an http:// URL with a host, like http://localhost:3000/, not \"" + v + "\"");
            }
        }
        int relayPort = 0;
        if (args.contains("--relay-port")) {
            String v = value(args, "--relay-port");
            try {
                relayPort = Integer.parseInt(v == null ? "" : v);
            } catch (NumberFormatException e) {
                relayPort = -1;
            }
            if (relayPort < 0 || relayPort > 65535) {
                return usage(err, "--relay-port must be a port number from 0 to 65535");
            }
        }
        out.println("Portway self-test");
        long t0 = System.nanoTime();
        try (LocalPage page = target == null ? LocalPage.start() : null;
             EmbeddedRelayHost relay = new EmbeddedRelayHost(relayPort)) {
            URI local = page != null ? page.url() : target;
            step(out, "local service", local + (page != null ? " (built in)" : " (given)"), t0);

            long t1 = System.nanoTime();
            EmbeddedRelayHost.Endpoint endpoint = relay.endpoint();
            step(out, "embedded relay", endpoint.connectUrl().toString(), t1);

            long t2 = System.nanoTime();
            Profile sample = sampleFor(local);
            TunnelSpec spec = new TunnelSpec(sample.kind().wire(), sample.requestedName(), sample.localHost(), sample.localPort(),
                    sample.options());
            BoundTunnel tunnel;
            try (TunnelEngine engine = new TunnelEngine(EngineConfig.of(endpoint.connectUrl(), endpoint.token(), List.of(spec)),
                    Runnable::run)) {
                CompletableFuture<BoundTunnel> bound = new CompletableFuture<>();
                engine.addListener(new EngineListener() {
                    @Override
                    public void onTunnelBound(BoundTunnel t) {
                        bound.complete(t);
                    }

                    @Override
                    public void onTunnelRefused(TunnelSpec s, ErrorCode code, String message) {
                        bound.completeExceptionally(new SelfTestFailure("the relay refused the tunnel: " + message));
                    }

                    @Override
                    public void onStatus(EngineStatus s) {
                        if (s.state() == EngineState.FAILED || s.state() == EngineState.RECONNECTING) {
                            bound.completeExceptionally(new SelfTestFailure("the engine could not connect to the embedded relay: "
                                    + s.message()));
                        }
                    }
                });
                engine.start();
                tunnel = await(bound);
                step(out, "tunnel", "\"" + sample.name() + "\" " + tunnel.url() + " -> " + tunnel.localTarget(), t2);

                long t3 = System.nanoTime();
                OkHttpClient http = new OkHttpClient.Builder()
                        .proxy(Proxy.NO_PROXY)
                        .dns(new LocalhostDns())
                        .followRedirects(false)
                        .callTimeout(Duration.ofSeconds(15))
                        .build();
                try {
                    URI publicUrl = URI.create(stripSlash(tunnel.url()) + pathOf(local));
                    // A given target is asked first, so a service that is not running is named as such.
                    Page direct = page == null ? fetch(http, local, "directly") : null;
                    Page viaTunnel = fetch(http, publicUrl, "through the tunnel");
                    String verdict;
                    if (page != null) {
                        if (viaTunnel.status() != 200 || !viaTunnel.text().contains(page.marker())) {
                            throw new SelfTestFailure("the public URL answered " + viaTunnel.status() + " without the local page's content;"
                                    + " the tunnel does not reach the local service");
                        }
                        verdict = "the local page's content";
                    } else {
                        if (direct.status() != viaTunnel.status() || !direct.sha256().equals(viaTunnel.sha256())) {
                            throw new SelfTestFailure("the public URL answered " + viaTunnel.status() + " (" + viaTunnel.bytes()
                                    + " bytes) but " + local + " answers " + direct.status() + " (" + direct.bytes() + " bytes)");
                        }
                        verdict = "the same bytes as " + local;
                    }
                    step(out, "fetch", "GET " + publicUrl + " -> " + viaTunnel.status() + ", " + viaTunnel.bytes() + " bytes, "
                            + verdict, t3);
                } finally {
                    http.dispatcher().executorService().shutdown();
                    http.connectionPool().evictAll();
                }
            }
            out.println("Self-test passed in " + millis(t0) + " ms.");
            return PASSED;
        } catch (SelfTestFailure e) {
            return fail(out, err, e.getMessage());
        } catch (IOException e) {
            return fail(out, err, e.getMessage() == null ? e.toString() : e.getMessage());
        } catch (RuntimeException e) {
            // A person reads this: say what broke, no stack trace.
            return fail(out, err, e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        }
    }

    /** The first-run profile, pointed at {@code local} instead of localhost:3000. */
    static Profile sampleFor(URI local) {
        Profile p = Profile.firstRun();
        int port = local.getPort() != -1 ? local.getPort() : 80;
        return new Profile(p.id(), p.name(), p.kind(), local.getHost(), port, p.relayMode(), p.relayUrl(), p.token(),
                p.requestedName(), p.options(), false);
    }

    private static BoundTunnel await(CompletableFuture<BoundTunnel> bound) throws SelfTestFailure {
        try {
            return bound.get(BIND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof SelfTestFailure f ? f : new SelfTestFailure(String.valueOf(e.getCause()));
        } catch (TimeoutException e) {
            throw new SelfTestFailure("no tunnel within " + BIND_TIMEOUT.toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SelfTestFailure("interrupted");
        }
    }

    private record Page(int status, long bytes, String sha256, String text) {
    }

    private static Page fetch(OkHttpClient http, URI url, String how) throws SelfTestFailure {
        try (Response r = http.newCall(new Request.Builder().url(url.toString()).build()).execute()) {
            byte[] body = r.body().bytes(); // a self-test page: small, and OkHttp's call timeout bounds it
            if (body.length > 16 * 1024 * 1024) {
                throw new SelfTestFailure(url + " sent more than 16 MiB; point --self-test-target at a small page");
            }
            String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
            return new Page(r.code(), body.length, sha, new String(body, java.nio.charset.StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new SelfTestFailure("fetching " + url + " " + how + " failed: " + e.getMessage()
                    + ("directly".equals(how) ? " — is the service at --self-test-target running?" : ""));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** RFC 6761: every name under {@code localhost} is this machine, whatever the system resolver says. */
    private static final class LocalhostDns implements Dns {
        @Override
        public List<InetAddress> lookup(String host) throws UnknownHostException {
            String h = host.toLowerCase(Locale.ROOT);
            if (h.equals("localhost") || h.endsWith(".localhost")) {
                return List.of(InetAddress.getLoopbackAddress());
            }
            return Dns.SYSTEM.lookup(host);
        }
    }

    static URI parseTarget(String v) {
        try {
            URI u = new URI(v);
            if (!"http".equalsIgnoreCase(u.getScheme()) || u.getHost() == null || u.getPort() > 65535) {
                return null;
            }
            return u;
        } catch (java.net.URISyntaxException e) {
            return null;
        }
    }

    /** The path and query to ask the public URL for: the target's. */
    private static String pathOf(URI local) {
        String path = local.getRawPath() == null || local.getRawPath().isEmpty() ? "/" : local.getRawPath();
        return local.getRawQuery() == null ? path : path + "?" + local.getRawQuery();
    }

    private static String stripSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    private static void step(PrintWriter out, String what, String detail, long since) {
        out.println(String.format("  %-15s %s (%d ms)", what, detail, millis(since)));
        out.flush();
    }

    private static long millis(long since) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since);
    }

    private static int fail(PrintWriter out, PrintWriter err, String reason) {
        out.flush();
        err.println("Self-test failed: " + reason);
        return FAILED;
    }

    private static int usage(PrintWriter err, String problem) {
        err.println("PortwayDesktop: " + problem + ".");
        err.println("usage: PortwayDesktop --self-test [--self-test-target http://HOST:PORT/PATH] [--relay-port N]");
        return BAD_USAGE;
    }

    private static String value(List<String> args, String name) {
        int i = args.indexOf(name);
        return i >= 0 && i + 1 < args.size() && !args.get(i + 1).startsWith("--") ? args.get(i + 1) : null;
    }

    /** A step failed; the message completes "Self-test failed: …". */
    static final class SelfTestFailure extends IOException {
        SelfTestFailure(String message) {
            super(message);
        }
    }
}
