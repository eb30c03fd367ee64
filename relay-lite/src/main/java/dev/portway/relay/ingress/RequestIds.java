package dev.portway.relay.ingress;

import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/** Request ids: a millisecond timestamp and 64 random bits, so they sort by time. Not secrets. */
final class RequestIds {
    /** The header a visitor may send to choose the correlation id, and which the app and the visitor get back. */
    static final String CORRELATION_HEADER = "X-Request-Id";
    static final int MAX_CORRELATION_LENGTH = 128;
    /** Letters, digits and a few punctuation marks: enough for UUIDs, ULIDs, base64 and W3C trace ids; nothing that needs escaping in a log. */
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9._:+=@/~-]{1," + MAX_CORRELATION_LENGTH + "}");

    private RequestIds() {
    }

    static String next() {
        return Long.toString(System.currentTimeMillis(), 36) + "-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
    }

    /** The visitor's {@code X-Request-Id} if it is usable (1–128 safe characters), else the relay's request id. */
    static String correlation(String given, String requestId) {
        return given != null && SAFE.matcher(given).matches() ? given : requestId;
    }
}
