package dev.portway.relay.ingress;

import dev.portway.shared.protocol.Header;
import io.netty.handler.codec.http.HttpHeaders;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Removes hop-by-hop header fields (RFC 9110 §7.6.1) before a request crosses the tunnel. Stateless. */
final class HopByHop {
    private static final Set<String> ALWAYS = Set.of("connection", "keep-alive", "proxy-connection", "te", "trailer",
            "transfer-encoding", "upgrade", "proxy-authorization", "proxy-authenticate");

    private HopByHop() {
    }

    /**
     * @return whether the request asks to switch protocols ({@code Connection: upgrade} and {@code Upgrade}) and has
     * no body. One with a body (a Content-Length above 0, or Transfer-Encoding) is an ordinary request: its body is
     * forwarded and {@code Upgrade} dropped as hop-by-hop (PROTOCOL.md §6.2), since the relay sends no FIN after an
     * upgrade request and the body would be lost.
     */
    static boolean isUpgrade(HttpHeaders headers) {
        return headers.contains("Upgrade") && connectionTokens(headers).contains("upgrade") && !hasBody(headers);
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
     * {@code Connection: upgrade} put back.
     */
    static List<Header> endToEnd(HttpHeaders headers, boolean upgrade) {
        Set<String> drop = new HashSet<>(ALWAYS);
        drop.addAll(connectionTokens(headers));
        List<Header> out = new ArrayList<>();
        for (Map.Entry<String, String> e : headers) {
            String lower = e.getKey().toLowerCase(Locale.ROOT);
            if (!drop.contains(lower) || (upgrade && lower.equals("upgrade"))) {
                out.add(new Header(e.getKey(), e.getValue()));
            }
        }
        if (upgrade) {
            out.add(new Header("Connection", "upgrade"));
        }
        return out;
    }

    private static Set<String> connectionTokens(HttpHeaders headers) {
        Set<String> tokens = new HashSet<>();
        for (String value : headers.getAll("Connection")) {
            for (String token : value.split(",")) {
                String t = token.trim().toLowerCase(Locale.ROOT);
                if (!t.isEmpty()) {
                    tokens.add(t);
                }
            }
        }
        return tokens;
    }
}
