package dev.portway.desktop.history;

import dev.portway.desktop.engine.RequestEvent;

/**
 * One request kept in the inspector's history.
 *
 * @param replay whether Portway sent it itself (Replay) rather than a visitor through the relay
 */
public record HistoryEntry(RequestEvent event, boolean replay) {
    /** Captured body bytes this entry holds (what the history's byte bound counts). */
    public long bodyBytes() {
        return event.exchange() == null ? 0
                : event.exchange().requestBody().bytes().length + (long) event.exchange().responseBody().bytes().length;
    }
}
