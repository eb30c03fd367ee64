package dev.portway.desktop.ui.inspector;

import dev.portway.desktop.engine.CapturedBody;
import dev.portway.desktop.engine.CapturedExchange;
import dev.portway.desktop.engine.RequestEvent;
import dev.portway.desktop.engine.local.LocalBody;
import dev.portway.desktop.engine.local.LocalCall;
import dev.portway.desktop.engine.local.LocalLeg;
import dev.portway.desktop.engine.local.LocalResponse;
import dev.portway.desktop.engine.local.RequestHead;
import dev.portway.shared.protocol.ErrorCode;
import dev.portway.shared.protocol.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sends {@link ReplayRequest}s straight to a profile's local target (not through the relay) and captures the
 * answer like the engine does. UI-free and thread-safe.
 *
 * <p>It goes through the same local leg as live traffic ({@link LocalLeg}: the request as given, header order kept, the
 * request's own Host unless the profile rewrites it), on its own instance (own connection pool and one event loop
 * thread, so live traffic never waits for a replay's connection).
 *
 * <p>Low priority by construction: one platform thread at {@link Thread#MIN_PRIORITY}, and at most
 * {@value #MAX_WAITING} replays waiting — more are refused with a message rather than queued without bound.
 */
public final class Replayer implements AutoCloseable {
    public static final int MAX_WAITING = 8;
    private static final Set<String> BODY_REQUIRED = Set.of("POST", "PUT", "PATCH", "PROPPATCH", "REPORT");
    private static final Logger LOG = LoggerFactory.getLogger(Replayer.class);

    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(60);

    private final LocalLeg leg;
    private final ThreadPoolExecutor executor;
    private final java.util.function.IntSupplier captureLimit;
    private final AtomicLong ids = new AtomicLong();

    /** @param captureLimit bytes of each body kept, as {@code EngineConfig.captureLimit} */
    public Replayer(int captureLimit) {
        this(() -> captureLimit);
    }

    /** @param captureLimit bytes of each body kept, read for every replay */
    public Replayer(java.util.function.IntSupplier captureLimit) {
        this.captureLimit = captureLimit;
        this.leg = new LocalLeg("portway-replay-local", 1, Duration.ofSeconds(5));
        this.executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(MAX_WAITING), r -> {
            Thread t = new Thread(r, "portway-replay");
            t.setDaemon(true);
            t.setPriority(Thread.MIN_PRIORITY);
            t.setUncaughtExceptionHandler((th, e) -> LOG.error("uncaught in {}", th.getName(), e));
            return t;
        });
    }

    /**
     * Sends {@code r} to {@code host:port} in the background. The future completes (on the replay thread) with the
     * exchange, which reports a failure to reach the target as an event with an error, like the engine would;
     * it fails only when too many replays are waiting.
     */
    public CompletableFuture<RequestEvent> send(ReplayRequest r, String tunnel, String host, int port) {
        return send(r, tunnel, host, port, false);
    }

    /**
     * As {@link #send(ReplayRequest, String, String, int)}; with {@code rewriteHost} (the profile's {@code host_header=rewrite})
     * the Host header names the local target, as the engine would send it; otherwise the request keeps its own Host.
     */
    public CompletableFuture<RequestEvent> send(ReplayRequest r, String tunnel, String host, int port, boolean rewriteHost) {
        CompletableFuture<RequestEvent> result = new CompletableFuture<>();
        try {
            executor.execute(() -> result.complete(run(r, tunnel, host, port, rewriteHost)));
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(new IllegalStateException(executor.isShutdown() ? "Portway is shutting down."
                    : MAX_WAITING + " replays are already waiting — let them finish first."));
        }
        return result;
    }

    /**
     * The head a replay sends: the request's headers in their order (its own Host kept, or set to the target with
     * {@code rewriteHost}; Host added only when the request has none), then Content-Length for a body.
     */
    static List<Header> headers(ReplayRequest r, String target, boolean rewriteHost) {
        List<Header> out = new ArrayList<>(r.headers().size() + 2);
        boolean host = false;
        for (Header h : r.headers()) {
            if (h.name().equalsIgnoreCase("Content-Length")) {
                continue; // set from the body below
            }
            if (h.name().equalsIgnoreCase("Host")) {
                if (host) {
                    continue;
                }
                host = true;
                out.add(rewriteHost ? new Header(h.name(), target) : h);
            } else {
                out.add(h);
            }
        }
        if (!host) {
            out.addFirst(new Header("Host", target));
        }
        if (hasBody(r)) {
            out.add(new Header("Content-Length", Integer.toString(r.body().length)));
        }
        return out;
    }

    private static boolean hasBody(ReplayRequest r) {
        return r.body().length > 0 || BODY_REQUIRED.contains(r.method());
    }

    private RequestEvent run(ReplayRequest r, String tunnel, String host, int port, boolean rewriteHost) {
        Instant started = Instant.now();
        long t0 = System.nanoTime();
        int captureLimit = this.captureLimit.getAsInt();
        String target = host + ":" + port;
        List<Header> sentHeaders = headers(r, target, rewriteHost);
        CapturedBody sentBody = new CapturedBody(Arrays.copyOf(r.body(), Math.min(r.body().length, captureLimit)), r.body().length);
        int status = 0;
        String reason = "";
        List<Header> responseHeaders = List.of();
        CapturedBody responseBody = CapturedBody.EMPTY;
        long bytesOut = 0;
        ErrorCode error = null;
        String message = null;
        RequestHead head = new RequestHead(r.method(), r.path(), sentHeaders);
        String problem = head.problem();
        if (problem != null) {
            error = ErrorCode.PROTOCOL_ERROR;
            message = "Cannot send this request: " + problem;
        } else {
            LocalCall call = leg.call(host, port);
            dev.portway.desktop.engine.local.CallDeadline deadline = dev.portway.desktop.engine.local.CallDeadline.start(call, CALL_TIMEOUT);
            boolean headSeen = false;
            try {
                LocalResponse response = call.send(head, hasBody(r) ? LocalCall.Framing.LENGTH : LocalCall.Framing.NONE,
                        LocalBody.of(r.body()));
                headSeen = true;
                status = response.status();
                reason = response.reason();
                responseHeaders = response.headers();
                if (status == 101) {
                    call.abort(); // nothing to speak the upgraded protocol with: the head is the answer
                } else {
                    byte[] kept = new byte[0];
                    byte[] buf = new byte[8192];
                    for (int n; (n = call.read(buf)) != -1; ) {
                        int take = (int) Math.min(n, captureLimit - kept.length);
                        if (take > 0) {
                            kept = Arrays.copyOf(kept, kept.length + take);
                            System.arraycopy(buf, 0, kept, kept.length - take, take);
                        }
                        bytesOut += n;
                    }
                    responseBody = new CapturedBody(kept, bytesOut);
                }
            } catch (ConnectException e) {
                error = ErrorCode.TARGET_UNREACHABLE;
                message = "Nothing is listening on " + target + " — is your app running?";
            } catch (SocketTimeoutException e) {
                error = ErrorCode.TARGET_TIMEOUT;
                message = target + " did not answer in time — is your app stuck?";
            } catch (IOException e) {
                boolean timedOut = deadline.expired();
                error = timedOut ? ErrorCode.TARGET_TIMEOUT : ErrorCode.TARGET_ERROR;
                message = timedOut ? target + " did not answer within " + CALL_TIMEOUT.toSeconds() + " s — is your app stuck?"
                        : target + " broke the connection" + (headSeen ? " during the response: " : ": ") + e.getMessage();
            } finally {
                deadline.close();
                call.close();
            }
        }
        return new RequestEvent("replay-" + ids.incrementAndGet(), tunnel, r.method(), r.path(), status,
                Duration.ofNanos(System.nanoTime() - t0), r.body().length, bytesOut, error, message, started,
                new CapturedExchange(sentHeaders, sentBody, reason, responseHeaders, responseBody));
    }

    @Override
    public void close() {
        executor.shutdownNow();
        leg.close();
    }
}
