package dev.portway.shared.text;

import java.nio.charset.StandardCharsets;

/**
 * Cuts text to a limit counted in UTF-8 bytes, never in the middle of a character: what goes into an RST message
 * (at most 1,024 bytes, PROTOCOL.md §3) or a WebSocket close reason (at most 123 bytes, RFC 6455 §5.5 — a longer one
 * makes the close frame itself invalid). Counting chars instead lets non-ASCII text run past the limit. Stateless.
 */
public final class Utf8Limit {
    /** The most bytes a WebSocket close frame's reason may take (125 for the payload, 2 of them the status code). */
    public static final int CLOSE_REASON_BYTES = 123;
    private static final String ELLIPSIS = "…"; // 3 bytes in UTF-8

    private Utf8Limit() {
    }

    /** The UTF-8 bytes of {@code text}, cut to at most {@code maxBytes} at a character boundary. */
    public static byte[] bytes(String text, int maxBytes) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        if (b.length <= maxBytes) {
            return b;
        }
        byte[] out = new byte[boundary(b, maxBytes)];
        System.arraycopy(b, 0, out, 0, out.length);
        return out;
    }

    /**
     * {@code text} itself when its UTF-8 form fits in {@code maxBytes}; else cut at a character boundary and ended with
     * "…", the whole at most {@code maxBytes} bytes.
     */
    public static String cut(String text, int maxBytes) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        if (b.length <= maxBytes) {
            return text;
        }
        int room = maxBytes - ELLIPSIS.getBytes(StandardCharsets.UTF_8).length;
        if (room < 0) {
            return new String(b, 0, boundary(b, maxBytes), StandardCharsets.UTF_8);
        }
        return new String(b, 0, boundary(b, room), StandardCharsets.UTF_8) + ELLIPSIS;
    }

    /** A WebSocket close reason: {@link #cut} to {@link #CLOSE_REASON_BYTES}; null becomes "". */
    public static String closeReason(String reason) {
        return reason == null ? "" : cut(reason, CLOSE_REASON_BYTES);
    }

    /** The largest end ≤ {@code max} (and < b.length) that does not split a character: b[end] is no continuation byte. */
    private static int boundary(byte[] b, int max) {
        int end = max;
        while (end > 0 && (b[end] & 0xC0) == 0x80) {
            end--;
        }
        return end;
    }
}
