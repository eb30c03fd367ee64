package dev.portway.desktop.engine;

import dev.portway.shared.protocol.Header;

import java.util.List;

/**
 * What the inspector shows of one HTTP exchange: the headers both ways as they passed through the engine and
 * the first bytes of each body ({@link EngineConfig#captureLimit()}). An upgrade (WebSocket) keeps headers only.
 *
 * @param requestHeaders  the visitor's request headers as the relay sent them (hop-by-hop fields already removed,
 *                        {@code X-Forwarded-*} and {@code Portway-Request-Id} added)
 * @param reason          the local app's reason phrase; empty when there was no response
 * @param responseHeaders the local app's response headers; empty when there was no response
 */
public record CapturedExchange(List<Header> requestHeaders, CapturedBody requestBody, String reason,
                               List<Header> responseHeaders, CapturedBody responseBody) {
    public CapturedExchange {
        requestHeaders = List.copyOf(requestHeaders);
        responseHeaders = List.copyOf(responseHeaders);
        reason = reason == null ? "" : reason;
    }

    /** The first value of header {@code name} in {@code headers} (case-insensitive), or null. */
    public static String header(List<Header> headers, String name) {
        for (Header h : headers) {
            if (h.name().equalsIgnoreCase(name)) {
                return h.value();
            }
        }
        return null;
    }
}
