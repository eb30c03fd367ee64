package dev.portway.relay.ingress;

import dev.portway.shared.protocol.Header;
import io.netty.handler.codec.http.HttpHeaders;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The shared hop-by-hop rules ({@link dev.portway.shared.stream.HopByHop}, RFC 9110 §7.6.1) on a visitor's request as
 * Netty parsed it, before it crosses the tunnel. Stateless.
 */
final class HopByHop {
    private HopByHop() {
    }

    /**
     * @return whether the request asks to switch protocols ({@code Connection: upgrade} and an {@code Upgrade} that
     * names a protocol) and has no body. One with a body (a Content-Length above 0, or Transfer-Encoding) is an
     * ordinary request: its body is forwarded and {@code Upgrade} dropped as hop-by-hop (PROTOCOL.md §6.2), since the
     * relay sends no FIN after an upgrade request and the body would be lost. Nor is one whose Upgrade names only
     * {@code h2c}: HTTP/2 is the relay's own business (served by {@code h2.H2cUpgrade} on a plain port, ignored on a
     * TLS one, RFC 9113 §3.1), so such a request is an ordinary HTTP/1.1 one for the app.
     */
    static boolean isUpgrade(HttpHeaders headers) {
        return dev.portway.shared.stream.HopByHop.isUpgrade(fields(headers)) && !hasBody(headers) && !onlyH2c(headers);
    }

    private static boolean onlyH2c(HttpHeaders headers) {
        for (String value : headers.getAll("Upgrade")) {
            for (String token : value.split(",")) {
                if (!token.isBlank() && !token.trim().equalsIgnoreCase("h2c")) {
                    return false;
                }
            }
        }
        return true;
    }

    private static boolean hasBody(HttpHeaders headers) {
        if (headers.contains("Transfer-Encoding")) {
            return true;
        }
        String length = headers.get("Content-Length");
        return length != null && !length.trim().equals("0");
    }

    /**
     * The end-to-end fields in order, repeats kept. For an upgrade request {@code Upgrade} is kept and
     * {@code Connection} too, in its place, with only its {@code upgrade} token.
     */
    static List<Header> endToEnd(HttpHeaders headers, boolean upgrade) {
        return endToEnd(headers, upgrade, false);
    }

    /**
     * As {@link #endToEnd(HttpHeaders, boolean)}; with {@code keepTeTrailers} a {@code TE} naming {@code trailers}
     * goes on as {@code TE: trailers} (PROTOCOL.md §3.2: the visitor accepts trailers, and gRPC servers insist on it).
     */
    static List<Header> endToEnd(HttpHeaders headers, boolean upgrade, boolean keepTeTrailers) {
        return dev.portway.shared.stream.HopByHop.strip(fields(headers), upgrade, keepTeTrailers);
    }

    private static List<Header> fields(HttpHeaders headers) {
        List<Header> out = new ArrayList<>(headers.size());
        for (Map.Entry<String, String> e : headers) {
            out.add(new Header(e.getKey(), e.getValue()));
        }
        return out;
    }
}
