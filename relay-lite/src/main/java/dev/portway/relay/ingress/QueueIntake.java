package dev.portway.relay.ingress;

import dev.portway.relay.queue.DurableQueue;
import dev.portway.relay.store.Priorities;
import dev.portway.relay.store.QueuedRequest;
import dev.portway.relay.tunnel.Reservation;
import dev.portway.shared.protocol.Json;
import dev.portway.shared.protocol.OpenMessage;
import dev.portway.shared.protocol.Protocol;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads one visitor request for an offline queued tunnel whole, stores it and answers {@code 202} with its
 * delivery id — only once the store has committed it (PROTOCOL.md §9.3). A body beyond the tunnel's
 * {@code queue_max_body} (chunked bodies are counted as they come) gets 413; a full queue or a failed
 * write gets 503 with {@code Retry-After}.
 *
 * <p>Runs on the visitor's event loop; the store's answer is handed back to it. Memory: at most
 * {@code queue_max_body} bytes of body, copied out of Netty's buffers as they arrive.
 */
final class QueueIntake {
    private static final Logger log = LoggerFactory.getLogger(QueueIntake.class);

    private final HttpIngressHandler owner;
    private final ChannelHandlerContext ctx;
    private final DurableQueue queue;
    private final OpenMessage head;
    private final Reservation reservation;
    private final boolean keepAlive;
    private ByteArrayOutputStream body = new ByteArrayOutputStream();
    private boolean storing;

    QueueIntake(HttpIngressHandler owner, ChannelHandlerContext ctx, DurableQueue queue, OpenMessage head,
                Reservation reservation, boolean keepAlive) {
        this.owner = owner;
        this.ctx = ctx;
        this.queue = queue;
        this.head = head;
        this.reservation = reservation;
        this.keepAlive = keepAlive;
    }

    /** True from the end of the body until the store answered: nothing more is read meanwhile. */
    boolean storing() {
        return storing;
    }

    /**
     * A piece of the request body.
     *
     * @return true when taken (and released); false when the request was refused and the caller must discard it
     */
    boolean accept(HttpContent content) {
        if (body == null) {
            return false;
        }
        long limit = reservation.queue().maxBody();
        int n = content.content().readableBytes();
        if (body.size() + (long) n > limit) {
            body = null;
            owner.intakeRefused(this, HttpIngressHandler.tooLarge(limit), keepAlive, true);
            return false;
        }
        body.writeBytes(io.netty.buffer.ByteBufUtil.getBytes(content.content()));
        boolean last = content instanceof LastHttpContent;
        content.release();
        if (last) {
            complete();
        }
        return true;
    }

    private void complete() {
        byte[] bytes = body.toByteArray();
        body = null;
        String tunnel = head.tunnel();
        if (!queue.admit(tunnel, bytes.length)) {
            log.warn("Tunnel {} is offline and its queue is full: {} {} turned away with 503", tunnel, head.method(), head.target());
            owner.intakeRefused(this, HttpIngressHandler.queueFull(tunnel), keepAlive, false);
            return;
        }
        storing = true;
        ctx.channel().config().setAutoRead(false);
        String deliveryId = "dlv-" + RequestIds.next();
        QueuedRequest request = new QueuedRequest(deliveryId, tunnel, Priorities.rank(reservation.queue().priority()),
                head.requestId(), head.remote(), head.method(), head.target(), head.headers(), bytes,
                System.currentTimeMillis());
        queue.store(request).whenComplete((ok, failure) -> {
            try {
                ctx.executor().execute(() -> stored(deliveryId, failure));
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // the relay is stopping; the request is stored or not, the visitor's connection is gone either way
            }
        });
    }

    private void stored(String deliveryId, Throwable failure) {
        storing = false;
        if (!ctx.channel().isActive()) {
            owner.intakeDone(this);
            return;
        }
        FullHttpResponse response;
        owner.metrics().request(dev.portway.relay.metrics.RelayMetrics.Kind.HTTP, failure == null
                ? dev.portway.relay.metrics.RelayMetrics.Outcome.QUEUED : dev.portway.relay.metrics.RelayMetrics.Outcome.REJECTED);
        if (failure != null) {
            response = HttpIngressHandler.withRetry(Pages.page(HttpResponseStatus.SERVICE_UNAVAILABLE, "Not stored",
                    "The tunnel " + head.tunnel() + " is offline and the relay could not store this request: "
                            + reason(failure) + ".",
                    "Nothing was stored: send it again in a minute (the relay answers 202 once it is stored)."), 30);
        } else {
            Map<String, String> json = new LinkedHashMap<>();
            json.put("delivery_id", deliveryId);
            json.put("status", "queued");
            response = Pages.json(HttpResponseStatus.ACCEPTED, Json.write(json));
            response.headers().set(Protocol.DELIVERY_ID_HEADER, deliveryId);
            log.debug("Tunnel {} is offline: {} {} stored as {}", head.tunnel(), head.method(), head.target(), deliveryId);
        }
        owner.respond(response, keepAlive, false);
        owner.intakeDone(this);
    }

    /** The store's short reason, without paths (the relay's log has the details). */
    private static String reason(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof dev.portway.relay.store.StoreException e) {
                return e.publicReason();
            }
        }
        return "its database is unavailable";
    }

    void visitorGone() {
        body = null; // a write already under way completes; the visitor just never hears the 202
    }
}
