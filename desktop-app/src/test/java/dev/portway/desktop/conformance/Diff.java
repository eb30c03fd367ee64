package dev.portway.desktop.conformance;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Set;
import java.util.StringJoiner;
import java.nio.ByteBuffer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Compares what came through the tunnel with what the same request got directly from the local app. Ignored: only
 * the additions a proxy documents (shared/PROTOCOL.md §6.1) — {@code X-Forwarded-*}, {@code Portway-Request-Id},
 * {@code X-Request-Id} — plus {@code Date}, hop-by-hop fields (RFC 9110 §7.6.1, and any named in {@code Connection}),
 * and the HTTP version in the start line (a proxy sends its own version, RFC 9110 §6.2).
 */
final class Diff {
    private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-connection", "te", "trailer",
            "transfer-encoding", "upgrade", "proxy-authorization", "proxy-authenticate");
    private static final Set<String> PROXY_ADDED = Set.of("portway-request-id", "x-request-id", "date");
    /** Bodies up to this size are shown as text in a failure message; longer ones by length, hash and first bytes. */
    private static final int SHOWN_BODY = 2048;

    private Diff() {
    }

    /** Fails with both messages side by side unless they are the same but for the ignored parts. */
    static void assertSame(String what, HttpMessage direct, HttpMessage tunnel, String... alsoIgnore) {
        assertThat(view(tunnel, alsoIgnore))
                .as("%s: through the tunnel (actual) vs the same request direct to the local app (expected)", what)
                .isEqualTo(view(direct, alsoIgnore));
    }

    /**
     * For the recording app, whose body is the request it received: the responses must match (but for their
     * Content-Length, which is the echo's size) and so must the requests the app saw.
     */
    static void assertSameEcho(String what, HttpMessage direct, HttpMessage tunnel, String... alsoIgnore) {
        assertThat(view(withoutBody(tunnel), "content-length"))
                .as("%s: the app's response through the tunnel (actual) vs direct (expected)", what)
                .isEqualTo(view(withoutBody(direct), "content-length"));
        assertThat(view(HttpMessage.parse(tunnel.body()), alsoIgnore))
                .as("%s: the request the app received through the tunnel (actual) vs direct (expected)", what)
                .isEqualTo(view(HttpMessage.parse(direct.body()), alsoIgnore));
    }

    private static HttpMessage withoutBody(HttpMessage m) {
        return new HttpMessage(m.startLine(), m.headers(), new byte[0]);
    }

    /** The message as compared: start line without version, kept headers in order (names lower case), the body. */
    static String view(HttpMessage m, String... alsoIgnore) {
        Set<String> ignored = new HashSet<>(Arrays.asList(alsoIgnore));
        for (HttpMessage.Header h : m.headers()) {
            if (h.name().equalsIgnoreCase("Connection")) {
                for (String token : h.value().split(",")) {
                    ignored.add(token.strip().toLowerCase(Locale.ROOT));
                }
            }
        }
        StringJoiner out = new StringJoiner("\n");
        out.add(escape(withoutVersion(m.startLine())));
        for (HttpMessage.Header h : m.headers()) {
            String name = h.name().toLowerCase(Locale.ROOT);
            if (HOP_BY_HOP.contains(name) || PROXY_ADDED.contains(name) || name.startsWith("x-forwarded-")
                    || ignored.contains(name)) {
                continue;
            }
            out.add(name + ": " + escape(h.value()));
        }
        out.add("");
        out.add(body(m.body()));
        return out.toString();
    }

    private static String withoutVersion(String startLine) {
        String[] parts = startLine.split(" ", 3);
        if (parts[0].startsWith("HTTP/")) {
            return parts.length > 2 ? parts[1] + " " + parts[2] : parts[1];   // response: status and reason
        }
        return parts.length > 2 ? parts[0] + " " + parts[1] : startLine;     // request: method and target
    }

    /** Heads are read as ISO-8859-1 (one char per byte): bytes outside printable ASCII are shown as \\xNN, exactly. */
    static String escape(String latin1) {
        StringBuilder out = new StringBuilder(latin1.length());
        for (char c : latin1.toCharArray()) {
            if (c >= 0x20 && c < 0x7f) {
                out.append(c);
            } else {
                out.append(String.format("\\x%02X", (int) c));
            }
        }
        return out.toString();
    }

    static String body(byte[] body) {
        if (body.length <= SHOWN_BODY) {
            try {
                return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(body)).toString();
            } catch (CharacterCodingException binary) {
                // shown as hex below
            }
        }
        return "<" + body.length + " bytes, sha256 " + sha256(body) + ", starting "
                + HexFormat.of().formatHex(body, 0, Math.min(32, body.length)) + ">";
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
