package dev.portway.desktop.engine.local;

import dev.portway.shared.protocol.Header;

import java.util.List;

/**
 * A final response head from the local app, as it sent it.
 *
 * @param reason  the reason phrase as sent (may be empty)
 * @param headers every field in order, with its case and repeats (hop-by-hop ones included: the caller strips them)
 */
public record LocalResponse(int status, String reason, List<Header> headers) {
    public LocalResponse {
        headers = List.copyOf(headers);
    }
}
