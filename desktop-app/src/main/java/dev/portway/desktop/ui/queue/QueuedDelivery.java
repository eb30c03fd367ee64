package dev.portway.desktop.ui.queue;

import dev.portway.desktop.engine.DeliveryEvent;
import dev.portway.desktop.engine.RequestEvent;

import java.time.Duration;
import java.time.Instant;

/**
 * A delivery from the client queue to the local app, as a row of the Requests list: each attempt is an exchange with
 * the app like a live request, marked as queued (its id is {@code queued:<delivery id>}) so the inspector can say so.
 */
public final class QueuedDelivery {
    static final String PREFIX = "queued:";

    private QueuedDelivery() {
    }

    /** The attempt as a finished request: the app's status (0 when it did not answer) and why it failed, if it did. */
    public static RequestEvent asRequest(DeliveryEvent e, Instant at) {
        return new RequestEvent(PREFIX + e.deliveryId(), e.tunnel(), e.method(), e.target(), e.status(), Duration.ZERO, 0, 0,
                null, e.delivered() ? null : e.error(), at);
    }

    /** Whether the Requests row is a queued delivery rather than a live visitor's request. */
    public static boolean is(RequestEvent e) {
        return e.id() != null && e.id().startsWith(PREFIX);
    }
}
