package dev.portway.shared.protocol;

import java.util.Locale;

/**
 * permessage-deflate (RFC 7692) on the client↔relay WebSocket (PROTOCOL.md §1.1): the parameters both ends use and
 * the {@code on|off} setting of {@code relay-lite --ws-compression} and {@code portway connect --ws-compression}.
 * Stateless.
 */
public final class WsCompression {
    /** The extension token in {@code Sec-WebSocket-Extensions}. */
    public static final String EXTENSION = "permessage-deflate";
    /**
     * Messages shorter than this are sent uncompressed (RSV1 clear), as OkHttp does: a WINDOW_UPDATE or a short
     * CONTROL message would not shrink, and every compressed message costs a fresh zlib stream (no context takeover).
     */
    public static final int MIN_SIZE = 1024;
    /**
     * zlib level of both ends: 1 (fastest). On JSON-like bodies it keeps most of level 6's saving for a fraction
     * of its CPU, and incompressible bodies (JPEG, zip) cost the least (docs/benchmarks.md).
     */
    public static final int LEVEL = 1;
    /**
     * Where a receiver stops inflating one message: twice {@link FrameCodec#MAX_FRAME}, because zlib's decoder asks
     * for room beyond a full buffer while the last input bits of a legitimate 65,541-byte message are still
     * unread. A message that inflates past {@link FrameCodec#MAX_FRAME} is refused (close 1009) either way; this
     * only bounds the memory one hostile message can take (128 KiB, not its claimed size).
     */
    public static final int INFLATE_LIMIT = 2 * FrameCodec.MAX_FRAME;
    /**
     * The largest compressed message a receiver takes on the wire: deflate makes incompressible data (JPEG, zip)
     * a little larger — 5 bytes per 16 KiB stored block and a few more — so a 65,541-byte frame of it needs some
     * bytes over {@link FrameCodec#MAX_FRAME}; 1 KiB is ample. Inflated, it must still fit {@link FrameCodec#MAX_FRAME}.
     */
    public static final int MAX_COMPRESSED_FRAME = FrameCodec.MAX_FRAME + 1024;
    /**
     * The setting when nobody says: off. docs/benchmarks.md ("permessage-deflate") has the numbers: text crosses the
     * WebSocket at ~1/4.5 of its size, but relay and engine spend 2.5–4× the CPU per MiB, a JPEG gains nothing, and
     * on a fast link (loopback) transfers got slower; it pays only on a slow client link with text-heavy traffic.
     */
    public static final String DEFAULT = "off";
    /** {@link #DEFAULT} as a boolean. */
    public static final boolean DEFAULT_ENABLED = parse("default", DEFAULT);

    private WsCompression() {
    }

    /**
     * Parses {@code on} or {@code off} (any case).
     *
     * @param option the setting's name for the message, e.g. {@code --ws-compression}
     * @throws IllegalArgumentException with a message that says what to write instead
     */
    public static boolean parse(String option, String text) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        return switch (t) {
            case "on" -> true;
            case "off" -> false;
            default -> throw new IllegalArgumentException(option + " must be on or off, not \"" + text + "\".");
        };
    }
}
