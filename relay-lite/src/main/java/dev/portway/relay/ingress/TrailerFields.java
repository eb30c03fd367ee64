package dev.portway.relay.ingress;

import dev.portway.shared.protocol.Header;
import io.netty.handler.codec.http.LastHttpContent;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Trailer fields at the relay (PROTOCOL.md §3.2): a visitor's chunked-request trailer section (or h2 trailing HEADERS,
 * which Netty's conversion hands over the same way) as the FIN's trailer block, and the check on a client's response
 * trailer values before they are written. Only fields a proxy may pass on in trailers go (RFC 9110 §6.5.1). Stateless.
 */
final class TrailerFields {
    private TrailerFields() {
    }

    /** The trailer fields of a request's last content that may go on, in order; empty when there are none. */
    static List<Header> of(LastHttpContent last) {
        if (last.trailingHeaders().isEmpty()) {
            return List.of();
        }
        List<Header> fields = new ArrayList<>(last.trailingHeaders().size());
        for (Map.Entry<String, String> e : last.trailingHeaders()) {
            fields.add(new Header(e.getKey(), e.getValue()));
        }
        return dev.portway.shared.stream.HopByHop.trailers(fields, List.of());
    }

    /**
     * @return {@code value}, when it has no CR, LF, NUL or other control character (tab aside)
     * @throws IllegalArgumentException when it has one: written, it would split the response
     */
    static String checkedValue(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 && c != '\t' || c == 0x7f || c > 0xff) {
                throw new IllegalArgumentException("a trailer value has a control character");
            }
        }
        return value;
    }
}
