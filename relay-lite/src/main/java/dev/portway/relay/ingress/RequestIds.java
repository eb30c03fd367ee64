package dev.portway.relay.ingress;

import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/** Request ids: a millisecond timestamp and 64 random bits, so they sort by time. Not secrets. */
final class RequestIds {
    private RequestIds() {
    }

    static String next() {
        return Long.toString(System.currentTimeMillis(), 36) + "-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
    }
}
