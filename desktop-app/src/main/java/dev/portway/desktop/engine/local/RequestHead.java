package dev.portway.desktop.engine.local;

import dev.portway.shared.protocol.Header;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The request line and header block sent to the local app, byte for byte as the visitor sent them (PROTOCOL.md §6.1):
 * the method, the target's exact characters, header names in their order, case and repeats. Nothing is normalised,
 * decoded or added here; the caller has already removed hop-by-hop fields.
 *
 * <p>Characters: the relay reads a visitor's bytes as ISO-8859-1 (one char per byte), so chars up to U+00FF are written
 * back as the one byte they came from. A char above U+00FF can only come from a person (an edited replay) and is
 * written as UTF-8.
 *
 * @param method  the method, a token
 * @param target  the request target as received
 * @param headers the fields to send, in order
 */
public record RequestHead(String method, String target, List<Header> headers) {
    private static final String TCHAR = "!#$%&'*+-.^_`|~";

    public RequestHead {
        headers = List.copyOf(headers);
    }

    /**
     * Why this head cannot be sent safely, or null when it can. A target or value with CR, LF, NUL, a space or another
     * control character could split the request or smuggle a second one; the local app must never see it.
     */
    public String problem() {
        if (method.isEmpty() || !isToken(method)) {
            return "The method \"" + printable(method) + "\" is not a valid HTTP method.";
        }
        if (target.isEmpty()) {
            return "The request has no target.";
        }
        for (int i = 0; i < target.length(); i++) {
            char c = target.charAt(i);
            if (c <= 0x20 || c == 0x7f) {
                return "The request target \"" + printable(target) + "\" contains a space or control character.";
            }
        }
        for (Header h : headers) {
            if (h.name().isEmpty() || !isToken(h.name())) {
                return "The header name \"" + printable(h.name()) + "\" is not valid.";
            }
            for (int i = 0; i < h.value().length(); i++) {
                char c = h.value().charAt(i);
                if (c < 0x20 && c != '\t' || c == 0x7f) {
                    return "The value of header " + h.name() + " contains a control character.";
                }
            }
        }
        return null;
    }

    /** The head as it goes on the wire: {@code METHOD SP target SP HTTP/1.1 CRLF (name: value CRLF)* CRLF}. */
    public byte[] encode() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256 + headers.size() * 48);
        write(out, method);
        out.write(' ');
        write(out, target);
        write(out, " HTTP/1.1\r\n");
        for (Header h : headers) {
            write(out, h.name());
            out.write(':');
            out.write(' ');
            write(out, h.value());
            out.write('\r');
            out.write('\n');
        }
        out.write('\r');
        out.write('\n');
        return out.toByteArray();
    }

    private static void write(ByteArrayOutputStream out, String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c <= 0xff) {
                out.write(c);
            } else {
                int end = i + 1;
                if (Character.isHighSurrogate(c) && end < s.length() && Character.isLowSurrogate(s.charAt(end))) {
                    end++;
                }
                out.writeBytes(s.substring(i, end).getBytes(StandardCharsets.UTF_8));
                i = end - 1;
            }
        }
    }

    private static boolean isToken(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || TCHAR.indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** {@code s} with control characters shown as \xNN, for a message. */
    private static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < Math.min(s.length(), 80); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                b.append(String.format("\\x%02x", (int) c));
            } else {
                b.append(c);
            }
        }
        return s.length() > 80 ? b + "…" : b.toString();
    }
}
