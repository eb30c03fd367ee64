package dev.portway.desktop.ui.inspector;

import dev.portway.desktop.engine.CapturedBody;
import dev.portway.desktop.engine.CapturedExchange;
import dev.portway.desktop.engine.RequestEvent;
import dev.portway.desktop.ui.live.RequestRow;
import dev.portway.shared.protocol.Header;

import java.time.ZoneId;
import java.util.List;
import java.util.Locale;

/**
 * One request in the inspector: what the engine reported (live), what a replay got back, or what the history
 * kept from an earlier run.
 *
 * @param replay whether Portway sent it itself (Replay), straight to the local target rather than through the relay
 */
public record Exchange(RequestEvent event, boolean replay) {
    /** A webhook the client queue delivered (see {@code ui.queue.QueuedDelivery}), not a live visitor's request. */
    public boolean queued() {
        return dev.portway.desktop.ui.queue.QueuedDelivery.is(event);
    }

    /** The captured headers and bodies; an empty capture when nothing was captured (TCP, refused by the breaker). */
    public CapturedExchange capture() {
        CapturedExchange x = event.exchange();
        return x != null ? x : new CapturedExchange(List.of(), CapturedBody.EMPTY, "", List.of(), CapturedBody.EMPTY);
    }

    /** Whether the engine captured anything (HTTP requests do; TCP connections do not). */
    public boolean captured() {
        return event.exchange() != null;
    }

    /** Body bytes held in memory (the history and the table are bounded by this too). */
    public long capturedBytes() {
        CapturedExchange x = event.exchange();
        return x == null ? 0 : x.requestBody().bytes().length + x.responseBody().bytes().length;
    }

    public RequestRow row(ZoneId zone) {
        return RequestRow.of(event, zone);
    }

    /** Whether the row contains {@code lowerText} in its method, path or status, or is a replay and the text is "replay". */
    boolean matches(String lowerText) {
        return event.method().toLowerCase(Locale.ROOT).contains(lowerText) || event.path().toLowerCase(Locale.ROOT).contains(lowerText)
                || RequestRow.visitorStatus(event) > 0 && String.valueOf(RequestRow.visitorStatus(event)).contains(lowerText) || replay && "replay".contains(lowerText)
                || event.error() != null && "error".contains(lowerText);
    }

    static String header(List<Header> headers, String name) {
        return CapturedExchange.header(headers, name);
    }
}
