package dev.portway.desktop.ui.inspector;

import dev.portway.desktop.engine.CapturedBody;
import dev.portway.desktop.engine.CapturedExchange;
import dev.portway.desktop.engine.RequestEvent;
import dev.portway.shared.protocol.ErrorCode;
import dev.portway.shared.protocol.Header;
import okhttp3.Headers;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.BufferedSource;
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
 * <p>Low priority by construction: one platform thread at {@link Thread#MIN_PRIORITY}, its own OkHttp client
 * (own connection pool, so live traffic never waits for a replay's connection), and at most
 * {@value #MAX_WAITING} replays waiting — more are refused with a message rather than queued without bound.
 */
public final class Replayer implements AutoCloseable {
    public static final int MAX_WAITING = 8;
    private static final Set<String> BODY_REQUIRED = Set.of("POST", "PUT", "PATCH", "PROPPATCH", "REPORT");
    private static final Logger LOG = LoggerFactory.getLogger(Replayer.class);

    private final OkHttpClient http;
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
        this.http = new OkHttpClient.Builder()
                .followRedirects(false)
                .retryOnConnectionFailure(false)
                .connectTimeout(Duration.ofSeconds(5))
                .callTimeout(Duration.ofSeconds(60))
                .build();
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
        CompletableFuture<RequestEvent> result = new CompletableFuture<>();
        try {
            executor.execute(() -> result.complete(run(r, tunnel, host, port)));
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(new IllegalStateException(executor.isShutdown() ? "Portway is shutting down."
                    : MAX_WAITING + " replays are already waiting — let them finish first."));
        }
        return result;
    }

    private RequestEvent run(ReplayRequest r, String tunnel, String host, int port) {
        Instant started = Instant.now();
        long t0 = System.nanoTime();
        int captureLimit = this.captureLimit.getAsInt();
        String target = host + ":" + port;
        List<Header> sentHeaders = new ArrayList<>(r.headers());
        CapturedBody sentBody = new CapturedBody(Arrays.copyOf(r.body(), Math.min(r.body().length, captureLimit)), r.body().length);
        int status = 0;
        String reason = "";
        List<Header> responseHeaders = List.of();
        CapturedBody responseBody = CapturedBody.EMPTY;
        long bytesOut = 0;
        ErrorCode error = null;
        String message = null;
        try {
            Headers.Builder headers = new Headers.Builder();
            boolean acceptEncoding = false;
            for (Header h : r.headers()) {
                acceptEncoding |= h.name().equalsIgnoreCase("Accept-Encoding");
                headers.addUnsafeNonAscii(h.name(), h.value());
            }
            if (!acceptEncoding) {
                headers.add("Accept-Encoding", "identity"); // else OkHttp asks for gzip and unzips behind our back
            }
            RequestBody body = r.body().length > 0 || BODY_REQUIRED.contains(r.method()) ? RequestBody.create(r.body()) : null;
            Request request = new Request.Builder().url("http://" + target + r.path()).headers(headers.build())
                    .method(r.method(), body).build();
            try (Response response = http.newCall(request).execute()) {
                status = response.code();
                reason = response.message();
                List<Header> rh = new ArrayList<>(response.headers().size());
                for (int i = 0; i < response.headers().size(); i++) {
                    rh.add(new Header(response.headers().name(i), response.headers().value(i)));
                }
                responseHeaders = rh;
                byte[] kept = new byte[0];
                BufferedSource source = response.body().source();
                byte[] buf = new byte[8192];
                for (int n; (n = source.read(buf, 0, buf.length)) != -1; ) {
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
            error = ErrorCode.TARGET_ERROR;
            message = target + " broke the connection: " + e.getMessage();
        } catch (IllegalArgumentException e) {
            error = ErrorCode.TARGET_ERROR;
            message = "Cannot send this request: " + e.getMessage();
        }
        return new RequestEvent("replay-" + ids.incrementAndGet(), tunnel, r.method(), r.path(), status,
                Duration.ofNanos(System.nanoTime() - t0), r.body().length, bytesOut, error, message, started,
                new CapturedExchange(sentHeaders, sentBody, reason, responseHeaders, responseBody));
    }

    @Override
    public void close() {
        executor.shutdownNow();
        http.dispatcher().executorService().shutdown();
        http.connectionPool().evictAll();
    }
}
