package dev.portway.desktop.engine;

import dev.portway.desktop.queue.ClientStore;
import dev.portway.desktop.queue.QueueFullException;
import dev.portway.desktop.queue.StoreException;
import dev.portway.shared.protocol.ErrorCode;
import dev.portway.shared.protocol.OpenMessage;
import dev.portway.shared.protocol.ReplyMessage;

import java.io.IOException;
import java.time.Instant;
import java.util.List;

/**
 * Takes a delivery from the relay's durable queue (an OPEN with {@code delivery_id}, PROTOCOL.md §9.3):
 * stores the request in the client queue, committed, and only then acknowledges it with REPLY 202 + FIN,
 * upon which the relay deletes its copy. A redelivery of a known id is acknowledged without storing it
 * twice. When the request cannot be stored (queue full, body too large, store failure) the answer is
 * RST {@code queue_full}: the relay keeps it and tries again later.
 *
 * <p>Runs on the stream's virtual thread (blocking JDBC is fine there).
 */
final class DeliveryAcceptor {
    private static final ReplyMessage ACK = ReplyMessage.http(202, "Accepted", List.of());

    private final ClientStore store;
    private final Runnable stored;

    /** @param stored called after a new request was stored (wakes the delivery worker) */
    DeliveryAcceptor(ClientStore store, Runnable stored) {
        this.store = store;
        this.stored = stored;
    }

    void accept(Stream stream) {
        OpenMessage open = stream.open;
        String id = open.deliveryId();
        try {
            if (store.isKnown(id)) {
                stream.discardInbound();
                ack(stream);
                Session.LOG.debug("delivery {} is a redelivery, acknowledged again", id);
                return;
            }
            long declared = contentLength(open);
            if (declared > store.limits().maxBody()) {
                refuse(stream, "The request body (" + declared + " bytes) is larger than the client queue takes ("
                        + store.limits().maxBody() + " bytes).");
                return;
            }
            boolean isNew = store.store(id, open.tunnel(), open.priority(), open.method(), open.target(), open.headers(),
                    Instant.now(), new InboundInputStream(stream));
            if (isNew) {
                stored.run();
            }
            ack(stream);
        } catch (QueueFullException e) {
            refuse(stream, e.getMessage());
        } catch (StoreException e) {
            Session.LOG.warn("cannot store delivery {}: {}", id, e.getMessage());
            refuse(stream, "This client cannot store the request now: " + e.getMessage());
        } catch (IOException e) {
            // the stream was reset or the session lost while the body arrived: nothing stored, the relay delivers again
            Session.LOG.debug("delivery {} broke off: {}", id, e.getMessage());
        }
    }

    private static void ack(Stream stream) throws IOException {
        stream.sendReply(ACK);
        stream.sendFin();
    }

    private static void refuse(Stream stream, String message) {
        stream.sendRst(ErrorCode.QUEUE_FULL, message);
    }

    private static long contentLength(OpenMessage open) {
        String v = open.header("Content-Length");
        try {
            return v == null ? -1 : Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
