package dev.portway.desktop.ui.queue;

import dev.portway.desktop.engine.QueuedRequest;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/** One queued request as the table shows it. */
public record QueueRow(String deliveryId, String priority, String request, String attempts, String nextRetry, String lastError) {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

    static QueueRow of(QueuedRequest r, Instant now, ZoneId zone) {
        String next = r.nextAttempt() == null || !r.nextAttempt().isAfter(now) ? "now"
                : TIME.format(r.nextAttempt().atZone(zone));
        return new QueueRow(r.deliveryId(), r.priority(), r.method() + " " + r.target(), Integer.toString(r.attempts()),
                next, r.lastError() == null ? "—" : r.lastError());
    }
}
