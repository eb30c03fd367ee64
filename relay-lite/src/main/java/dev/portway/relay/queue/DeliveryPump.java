package dev.portway.relay.queue;

import dev.portway.relay.store.Priorities;
import dev.portway.relay.store.QueuedRequest;
import dev.portway.relay.tunnel.RelayStream;
import dev.portway.relay.tunnel.Session;
import dev.portway.relay.tunnel.StreamListener;
import dev.portway.shared.protocol.ErrorCode;
import dev.portway.shared.protocol.Header;
import dev.portway.shared.protocol.OpenMessage;
import dev.portway.shared.protocol.Protocol;
import dev.portway.shared.protocol.ReplyMessage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Delivers one queued tunnel's stored requests to its connected owner (PROTOCOL.md §9.3): highest
 * priority first, then arrival order, at most {@link #MAX_IN_FLIGHT} at a time (fewer when bodies may be
 * large: about {@link #MAX_IN_FLIGHT_BYTES} of bodies). A delivery is an HTTP
 * stream (OPEN with {@code delivery_id}, the body as DATA under flow control, FIN); the client's REPLY
 * acknowledges it and the row is deleted. RST {@code queue_full}, or any other RST, keeps the row and
 * postpones it with a growing backoff; a session that ends leaves in-flight rows where they are, to be
 * delivered again on the next bind (at least once).
 *
 * <p>Threads: all state lives on the session's event loop; store results are handed back to it.
 * Memory: at most {@code maxInFlight} bodies of at most the tunnel's {@code queue_max_body} each.
 */
final class DeliveryPump {
    static final int MAX_IN_FLIGHT = 16;
    /** Bodies in flight per tunnel at most (roughly): fewer deliveries at once when bodies may be large. */
    static final long MAX_IN_FLIGHT_BYTES = 16L * 1024 * 1024;
    static final long FIRST_BACKOFF_MS = 500;
    static final long MAX_BACKOFF_MS = 30_000;
    private static final Logger log = LoggerFactory.getLogger(DeliveryPump.class);

    private final DurableQueue queue;
    private final String tunnel;
    private final Session session;
    private final EventLoop loop;
    private final int maxInFlight;

    // Session loop only.
    private final Map<String, Delivery> inFlight = new HashMap<>();
    private boolean fetching;
    private boolean fetchAgain;
    private boolean stopped;
    private int failures;
    private ScheduledFuture<?> retry;

    /** @param maxBody the tunnel's queue_max_body: bounds the memory of {@code maxInFlight} bodies */
    DeliveryPump(DurableQueue queue, String tunnel, Session session, long maxBody) {
        this.queue = queue;
        this.tunnel = tunnel;
        this.session = session;
        this.loop = session.eventLoop();
        this.maxInFlight = Math.clamp(MAX_IN_FLIGHT_BYTES / Math.max(1, maxBody), 1, MAX_IN_FLIGHT);
    }

    Session session() {
        return session;
    }

    void start() {
        execute(this::fill);
    }

    /** A new request was stored for the tunnel. Any thread. */
    void wake() {
        execute(this::fill);
    }

    /** The tunnel was unbound or bound again elsewhere. Any thread. */
    void stop() {
        execute(() -> {
            stopped = true;
            if (retry != null) {
                retry.cancel(false);
            }
        });
    }

    private boolean over() {
        if (!stopped && session.isClosed()) {
            stopped = true;
            if (retry != null) {
                retry.cancel(false);
            }
            queue.pumpEnded(tunnel, this);
        }
        return stopped;
    }

    private void fill() {
        if (over()) {
            return;
        }
        if (fetching) {
            fetchAgain = true;
            return;
        }
        int room = maxInFlight - inFlight.size();
        if (room <= 0) {
            return;
        }
        fetching = true;
        fetchAgain = false;
        queue.store().next(tunnel, room, inFlight.keySet(), System.currentTimeMillis())
                .whenComplete((rows, failure) -> execute(() -> {
                    fetching = false;
                    if (failure != null) {
                        retryLater();
                        return;
                    }
                    for (QueuedRequest q : rows) {
                        deliver(q);
                    }
                    if (fetchAgain) {
                        fill();
                    }
                }));
    }

    private void deliver(QueuedRequest q) {
        if (over() || inFlight.containsKey(q.deliveryId())) {
            return;
        }
        List<Header> headers = new ArrayList<>(q.headers());
        headers.removeIf(h -> h.name().equalsIgnoreCase(Protocol.DELIVERY_ID_HEADER));
        headers.add(new Header(Protocol.DELIVERY_ID_HEADER, q.deliveryId()));
        OpenMessage open = OpenMessage.delivery(tunnel, q.remote(), q.requestId(), q.method(), q.target(), headers,
                q.deliveryId(), Priorities.name(q.priority()));
        Delivery d = new Delivery(q);
        Session.Opened opened = session.sendOpen(open, loop, d);
        if (opened.stream() == null) {
            retryLater(); // too many streams, or the session is going away
            return;
        }
        d.stream = opened.stream();
        inFlight.put(q.deliveryId(), d);
        d.stream.sendData(Unpooled.wrappedBuffer(q.body())); // sent in frames of at most 64 KiB as credit allows
        d.stream.sendFin();
    }

    private void retryLater() {
        if (over() || (retry != null && !retry.isDone())) {
            return;
        }
        long delay = backoff();
        retry = loop.schedule(this::fill, delay + 20, TimeUnit.MILLISECONDS);
    }

    private long backoff() {
        return Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS << Math.min(failures, 10));
    }

    private void execute(Runnable task) {
        try {
            loop.execute(task);
        } catch (RejectedExecutionException e) {
            // the relay is stopping; what was not acknowledged stays stored
        }
    }

    /** One delivery's stream. Every callback runs on the session's loop. */
    private final class Delivery implements StreamListener {
        private final QueuedRequest request;
        RelayStream stream;

        Delivery(QueuedRequest request) {
            this.request = request;
        }

        @Override
        public void onReply(ReplyMessage reply) {
            // The client stored it durably: the acknowledgement. Stay in flight until the row is gone.
            String id = request.deliveryId();
            queue.store().delete(id).whenComplete((length, failure) -> execute(() -> {
                inFlight.remove(id);
                if (failure == null) {
                    failures = 0;
                    if (length >= 0) {
                        queue.release(tunnel, length);
                    }
                    fill();
                } else {
                    retryLater();
                }
            }));
        }

        @Override
        public void onData(ByteBuf data) {
            int n = data.readableBytes();
            data.release();
            stream.consumed(n);
        }

        @Override
        public void onFin() {
        }

        @Override
        public void onRst(ErrorCode code, String message) {
            String id = request.deliveryId();
            failures++;
            long notBefore = System.currentTimeMillis() + backoff();
            if (code == ErrorCode.QUEUE_FULL) {
                log.info("Tunnel {}: the client's queue is full; delivery {} waits {} ms", tunnel, id, backoff());
            } else {
                log.info("Tunnel {}: delivery {} was reset ({}); it stays queued", tunnel, id, code.wireName());
            }
            queue.store().postpone(id, notBefore).whenComplete((ok, failure) -> execute(() -> {
                inFlight.remove(id);
                retryLater();
            }));
        }

        @Override
        public void onSessionGone() {
            inFlight.remove(request.deliveryId()); // stays stored; delivered again on the next bind
            over(); // the session is closed: the pump ends (on a cluster node its claims go back)
        }

        @Override
        public void onWritable() {
        }
    }
}
