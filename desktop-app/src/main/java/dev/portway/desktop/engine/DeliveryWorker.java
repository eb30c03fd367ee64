package dev.portway.desktop.engine;

import dev.portway.desktop.queue.ClientStore;
import dev.portway.desktop.queue.StoreException;
import dev.portway.desktop.queue.StoredRequest;
import dev.portway.desktop.engine.local.LocalBody;
import dev.portway.desktop.engine.local.LocalCall;
import dev.portway.desktop.engine.local.LocalCall.Framing;
import dev.portway.desktop.engine.local.LocalLeg;
import dev.portway.desktop.engine.local.LocalResponse;
import dev.portway.desktop.engine.local.RequestHead;
import dev.portway.shared.protocol.ErrorCode;
import dev.portway.shared.protocol.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
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
 * (it leaves the queue, its id is remembered); a refused connection, a timeout, a reset or a 5xx keeps it with one
 * more attempt counted and a later next attempt. Nothing leaves the queue otherwise, except by an
 * explicit discard. While a tunnel's breaker is open its requests wait without spending attempts.
 *
 * <p>Each request goes to the tunnel's local host and port only, over the engine's {@link LocalLeg}, exactly as
 * stored — method, target bytes, headers in order, body — changed only as a live request is changed
 * ({@link HttpStreamHandler#forwardedHeaders}: hop-by-hop fields go; with host rewrite, Host names the local target).
 * A stored request that cannot be sent safely (a control character in its target or a header) fails for good: it
 * stays queued with the reason and is not tried again until a person retries or discards it. The breaker counts
 * only what says the app is unhealthy (PROTOCOL.md §9.4): refused, timed out, reset or closed before answering; a
 * 5xx is retried but is the app's own answer.
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
    /** When a request that can never be sent is tried again: only when a person asks (retry now). */
    static final Instant NEVER = Instant.ofEpochMilli(Long.MAX_VALUE);

    private final ClientStore store;
    private final LocalLeg local;
    private final DeliveryPolicy policy;
    private final Breakers breakers;
    private final Function<String, TunnelSpec> specFor;
    private final Consumer<DeliveryEvent> report;
    private final Runnable queueChanged;
    private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
    private final Set<LocalCall> calls = ConcurrentHashMap.newKeySet();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    /** Guarded by {@link #lock}. */
    private boolean signalled;
    private volatile boolean closed;
    private volatile Thread loop;

    /**
     * @param local        the engine's local leg (owned by the engine; not closed here)
     * @param specFor      the tunnel spec (local target) for a tunnel name, or null when none is configured
     * @param report       receives each finished attempt
     * @param queueChanged called after every recorded attempt: a request left the queue or its state changed
     */
    DeliveryWorker(ClientStore store, LocalLeg local, DeliveryPolicy policy, Breakers breakers,
                   Function<String, TunnelSpec> specFor, Consumer<DeliveryEvent> report, Runnable queueChanged) {
        this.store = store;
        // The leg resends once on a fresh connection when a pooled one turns out closed by the app (HTTP/1.0
        // servers close after every response): not a failed attempt; and safe, as delivery is at-least-once with
        // Portway-Delivery-Id for the app to drop duplicates.
        this.local = local;
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
        calls.forEach(LocalCall::abort); // an attempt cut short by close is not counted (see attempt)
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
        Outcome o;
        try {
            o = send(r, spec);
        } catch (RuntimeException e) {
            LOG.warn("delivery {} failed", r.deliveryId(), e);
            o = new Outcome(0, "Portway failed to send the request: " + e, false, false);
        }
        if (closed && o.status == 0 && !o.permanent) {
            inFlight.remove(r.deliveryId());
            MDC.clear();
            return; // the engine is closing: the request stays queued as it was
        }
        boolean delivered = o.error == null;
        breakers.record(r.tunnel(), o.appFailing);
        Instant next = null;
        try {
            if (delivered) {
                store.delivered(r.deliveryId());
            } else {
                next = o.permanent ? NEVER : Instant.now().plus(policy.delay(attempt));
                store.failed(r.deliveryId(), next, o.error);
            }
        } catch (StoreException e) {
            LOG.warn("cannot record the outcome of delivery {}: {}", r.deliveryId(), e.getMessage());
        } finally {
            inFlight.remove(r.deliveryId());
            MDC.clear();
        }
        report.accept(new DeliveryEvent(r.deliveryId(), r.tunnel(), r.method(), r.target(), spec.localTarget(), attempt, o.status,
                delivered, o.error, next));
        queueChanged.run(); // delivered, or its attempts, next attempt and last error changed: lists must refresh
        wake();
    }

    /**
     * One attempt's result.
     *
     * @param error      why it was not delivered, for a person; null when delivered
     * @param appFailing counts against the app's breaker (PROTOCOL.md §9.4)
     * @param permanent  can never succeed as stored: not tried again on its own
     */
    private record Outcome(int status, String error, boolean appFailing, boolean permanent) {
    }

    /** Sends {@code r} to the tunnel's local host and port and reads the answer to its end. Blocking. */
    private Outcome send(StoredRequest r, TunnelSpec spec) {
        List<Header> headers = HttpStreamHandler.forwardedHeaders(r.headers(), false, spec);
        Framing framing = framing(headers, r.bodySize());
        if (framing == Framing.CHUNKED) {
            headers.add(new Header("Transfer-Encoding", "chunked")); // as the live path: a body without a length
        }
        RequestHead head = new RequestHead(r.method(), r.target(), headers);
        String problem = head.problem();
        if (problem != null) {
            return new Outcome(0, "Portway will not send this request to " + spec.localTarget() + ": " + problem
                    + " It will not be tried again: discard it.", false, true);
        }
        LocalBody body;
        try {
            body = framing == Framing.NONE ? LocalBody.NONE : body(r);
        } catch (IOException e) {
            return new Outcome(0, "Portway cannot read the stored request: " + e.getMessage(), false, false);
        }
        LocalCall call = local.call(spec.localHost(), spec.localPort());
        calls.add(call);
        if (closed) {
            call.abort(); // close() may have run before this call was in the set
        }
        dev.portway.desktop.engine.local.CallDeadline deadline = dev.portway.desktop.engine.local.CallDeadline.start(call, policy.callTimeout());
        int status = 0;
        try {
            LocalResponse response = call.send(head, framing, body);
            status = response.status();
            byte[] buf = new byte[8192];
            while (call.read(buf) != -1) {
                // the answer's body is not kept; reading it to its end lets the connection be reused
            }
            if (status >= 500) {
                return new Outcome(status, spec.localTarget() + " answered " + status
                        + (response.reason().isEmpty() ? "" : " " + response.reason()) + ".", false, false);
            }
            return new Outcome(status, null, false, false);
        } catch (IOException e) {
            if (status != 0) {
                // The app answered: its status decides (PROTOCOL.md §9.3), a cut-short body is not the app failing.
                return status >= 500
                        ? new Outcome(status, spec.localTarget() + " answered " + status + ".", false, false)
                        : new Outcome(status, null, false, false);
            }
            if (deadline.expired() && !closed) {
                return new Outcome(0, spec.localTarget() + " did not answer within " + policy.callTimeout().toSeconds() + " s.",
                        Breakers.isFailure(ErrorCode.TARGET_TIMEOUT, 0), false);
            }
            LocalErrors err = LocalErrors.of(e, spec.localTarget(), local.connectTimeout());
            return new Outcome(0, err.message(), Breakers.isFailure(err.code(), 0), false);
        } finally {
            deadline.close();
            calls.remove(call);
            call.close();
        }
    }

    /** As the live path frames a body: with the stored Content-Length as sent; chunked when a body has none. */
    private static Framing framing(List<Header> headers, long bodySize) {
        for (Header h : headers) {
            if (h.name().equalsIgnoreCase("Content-Length")) {
                return Framing.LENGTH;
            }
        }
        return bodySize > 0 ? Framing.CHUNKED : Framing.NONE;
    }

    /**
     * The stored body in one chunk. Bounded: the relay queues only bodies of at most {@code queue_max_body} bytes
     * (PROTOCOL.md §9.3), and at most {@link DeliveryPolicy#concurrency()} attempts run at once.
     */
    private LocalBody body(StoredRequest r) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(r.bodySize(), 1 << 20));
        store.copyBody(r.deliveryId(), out);
        return LocalBody.of(out.toByteArray());
    }

    /** For tests: requests being attempted now. */
    List<String> inFlight() {
        return List.copyOf(inFlight);
    }
}
