package dev.portway.desktop.engine;

import dev.portway.desktop.queue.ClientStore;
import dev.portway.desktop.queue.StoreException;
import dev.portway.desktop.queue.StoredRequest;
import dev.portway.shared.protocol.Header;
import okhttp3.Call;
import okhttp3.Headers;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.BufferedSink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Delivers the client queue to the local apps (PROTOCOL.md §9.3): due requests in priority, then arrival
 * order, at most {@link DeliveryPolicy#concurrency()} at once. An answer below 500 delivers the request
 * (it leaves the queue, its id is remembered); a refused connection, a timeout or a 5xx keeps it with one
 * more attempt counted and a later next attempt. Nothing leaves the queue otherwise, except by an
 * explicit discard. While a tunnel's breaker is open its requests wait without spending attempts.
 *
 * <p>Threads: one virtual "portway-delivery" thread picks due requests; each attempt runs on its own
 * virtual thread. All JDBC happens on those threads. {@link #wake()} may be called from any thread.
 */
final class DeliveryWorker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DeliveryWorker.class);
    /** Longest sleep between looks at the queue when nothing wakes the worker. */
    private static final Duration IDLE = Duration.ofSeconds(30);
    /** Requests whose tunnel is not configured are looked at again after this long. */
    private static final Duration NO_TUNNEL_WAIT = Duration.ofSeconds(60);
    private static final Set<String> NO_BODY = Set.of("GET", "HEAD", "OPTIONS", "TRACE");

    private final ClientStore store;
    private final OkHttpClient http;
    private final DeliveryPolicy policy;
    private final Breakers breakers;
    private final Function<String, TunnelSpec> specFor;
    private final Consumer<DeliveryEvent> report;
    private final Runnable queueChanged;
    private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
    private final Set<Call> calls = ConcurrentHashMap.newKeySet();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    /** Guarded by {@link #lock}. */
    private boolean signalled;
    private volatile boolean closed;
    private volatile Thread loop;

    /**
     * @param specFor      the tunnel spec (local target) for a tunnel name, or null when none is configured
     * @param report       receives each finished attempt
     * @param queueChanged called when a request left the queue
     */
    DeliveryWorker(ClientStore store, OkHttpClient http, DeliveryPolicy policy, Breakers breakers,
                   Function<String, TunnelSpec> specFor, Consumer<DeliveryEvent> report, Runnable queueChanged) {
        this.store = store;
        // OkHttp's own retry stays on: it resends on a fresh connection when a pooled one turns out closed by
        // the app (HTTP/1.0 servers close after every response). That is not a failed attempt; and a resend
        // is safe, as delivery is at-least-once with Portway-Delivery-Id for the app to drop duplicates.
        this.http = http.newBuilder().callTimeout(policy.callTimeout()).retryOnConnectionFailure(true).build();
        this.policy = policy;
        this.breakers = breakers;
        this.specFor = specFor;
        this.report = report;
        this.queueChanged = queueChanged;
    }

    void start() {
        loop = Thread.ofVirtual().name("portway-delivery").start(this::run);
    }

    /** Something changed (a request stored, retried, a breaker moved): look at the queue now. */
    void wake() {
        lock.lock();
        try {
            signalled = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        closed = true;
        calls.forEach(Call::cancel); // an attempt cut short by close is not counted (see attempt)
        Thread t = loop;
        if (t != null) {
            t.interrupt();
            try {
                t.join(Duration.ofSeconds(1));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void run() {
        while (!closed) {
            Instant wakeAt;
            try {
                wakeAt = startDue();
            } catch (StoreException e) {
                LOG.warn("cannot read the client queue: {}", e.getMessage());
                wakeAt = Instant.now().plusSeconds(5);
            }
            if (!await(wakeAt)) {
                return;
            }
        }
    }

    /** Starts attempts for due requests in free slots. @return when to look again at the latest */
    private Instant startDue() {
        Instant now = Instant.now();
        Instant wakeAt = now.plus(IDLE);
        int free = policy.concurrency() - inFlight.size();
        if (free > 0) {
            // Fetch more than the free slots: requests of a tunnel whose breaker is open are passed over.
            for (StoredRequest r : store.due(now, free + 64, Set.copyOf(inFlight))) {
                if (inFlight.size() >= policy.concurrency()) {
                    break;
                }
                TunnelSpec spec = specFor.apply(r.tunnel());
                if (spec == null) {
                    store.postpone(r.deliveryId(), now.plus(NO_TUNNEL_WAIT), "This app has no tunnel named " + r.tunnel()
                            + " configured — add it again, or discard the request.");
                    continue;
                }
                if (!breakers.tryAcquire(r.tunnel())) {
                    Instant trial = now.plus(breakers.remainingDelay(r.tunnel())).plusMillis(10);
                    wakeAt = trial.isBefore(wakeAt) ? trial : wakeAt;
                    continue;
                }
                inFlight.add(r.deliveryId());
                Thread.ofVirtual().name("portway-delivery-" + r.deliveryId()).start(() -> attempt(r, spec));
            }
        }
        Instant next = store.nextDue();
        if (next != null && next.isAfter(now) && next.isBefore(wakeAt)) {
            wakeAt = next;
        }
        return wakeAt;
    }

    /** Sleeps until {@code until} or a {@link #wake()}. @return false when closed */
    private boolean await(Instant until) {
        lock.lock();
        try {
            while (!signalled && !closed) {
                long nanos = Duration.between(Instant.now(), until).toNanos();
                if (nanos <= 0) {
                    break;
                }
                changed.awaitNanos(nanos);
            }
            signalled = false;
            return !closed;
        } catch (InterruptedException e) {
            return false;
        } finally {
            lock.unlock();
        }
    }

    private void attempt(StoredRequest r, TunnelSpec spec) {
        MDC.put("tunnel", r.tunnel());
        int attempt = r.attempts() + 1;
        int status = 0;
        String error = null;
        Call call = http.newCall(request(r, spec));
        calls.add(call);
        try (Response response = call.execute()) {
            status = response.code();
            if (status >= 500) {
                error = spec.localTarget() + " answered " + status + (response.message().isEmpty() ? "" : " " + response.message()) + ".";
            }
        } catch (IOException e) {
            error = describe(e, spec);
        } catch (RuntimeException e) {
            error = "Portway failed to send the request: " + e;
            LOG.warn("delivery {} failed", r.deliveryId(), e);
        } finally {
            calls.remove(call);
        }
        if (closed && call.isCanceled()) {
            inFlight.remove(r.deliveryId());
            return; // the engine is closing: the request stays queued as it was
        }
        boolean delivered = error == null;
        breakers.record(r.tunnel(), !delivered);
        Instant next = null;
        try {
            if (delivered) {
                store.delivered(r.deliveryId());
            } else {
                next = Instant.now().plus(policy.delay(attempt));
                store.failed(r.deliveryId(), next, error);
            }
        } catch (StoreException e) {
            LOG.warn("cannot record the outcome of delivery {}: {}", r.deliveryId(), e.getMessage());
        } finally {
            inFlight.remove(r.deliveryId());
            MDC.clear();
        }
        report.accept(new DeliveryEvent(r.deliveryId(), r.tunnel(), r.method(), r.target(), spec.localTarget(), attempt, status,
                delivered, error, next));
        if (delivered) {
            queueChanged.run();
        }
        wake();
    }

    private Request request(StoredRequest r, TunnelSpec spec) {
        Headers.Builder headers = new Headers.Builder();
        boolean acceptEncoding = false;
        for (Header h : HopByHop.strip(r.headers())) {
            String name = h.name();
            if (name.equalsIgnoreCase("Content-Length") || name.equalsIgnoreCase("Expect")) {
                continue; // OkHttp frames the body itself
            }
            acceptEncoding |= name.equalsIgnoreCase("Accept-Encoding");
            headers.addUnsafeNonAscii(name, h.value());
        }
        if (!acceptEncoding) {
            headers.add("Accept-Encoding", "identity");
        }
        RequestBody body = NO_BODY.contains(r.method()) && r.bodySize() == 0 ? null : new StoredBody(r);
        String url = "http://" + spec.localHost() + ":" + spec.localPort() + r.target();
        return new Request.Builder().url(url).headers(headers.build()).method(r.method(), body).build();
    }

    private String describe(IOException e, TunnelSpec spec) {
        if (e instanceof InterruptedIOException && "timeout".equals(e.getMessage())) {
            return spec.localTarget() + " did not answer within " + policy.callTimeout().toSeconds() + " s.";
        }
        return LocalErrors.of(e, spec.localTarget(), http.connectTimeoutMillis() > 0
                ? Duration.ofMillis(http.connectTimeoutMillis()) : Duration.ZERO).message();
    }

    /** A stored body, streamed from the store part by part; can be written again if OkHttp retries. */
    private final class StoredBody extends RequestBody {
        private final StoredRequest r;

        StoredBody(StoredRequest r) {
            this.r = r;
        }

        @Override
        public MediaType contentType() {
            return null; // the stored Content-Type header is sent as is
        }

        @Override
        public long contentLength() {
            return r.bodySize();
        }

        @Override
        public void writeTo(BufferedSink sink) throws IOException {
            store.copyBody(r.deliveryId(), sink.outputStream());
        }
    }

    /** For tests: requests being attempted now. */
    List<String> inFlight() {
        return List.copyOf(inFlight);
    }
}
