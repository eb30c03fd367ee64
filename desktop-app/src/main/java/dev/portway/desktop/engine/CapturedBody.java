package dev.portway.desktop.engine;

import java.util.Arrays;

/**
 * The first bytes of one HTTP body, as they passed through the engine.
 *
 * @param bytes the captured prefix, at most the capture limit; binary bodies are kept as they are
 * @param size  the body's full length in bytes as it was sent, whether or not all of it was captured
 */
public record CapturedBody(byte[] bytes, long size) {
    public static final CapturedBody EMPTY = new CapturedBody(new byte[0], 0);

    public CapturedBody {
        if (size < bytes.length) {
            throw new IllegalArgumentException("size " + size + " is less than the " + bytes.length + " captured bytes");
        }
    }

    /** Whether some of the body was not captured (it was larger than the capture limit). */
    public boolean truncated() {
        return size > bytes.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CapturedBody b && size == b.size && Arrays.equals(bytes, b.bytes);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(bytes) + Long.hashCode(size);
    }

    @Override
    public String toString() {
        return "CapturedBody[" + bytes.length + " of " + size + " bytes]";
    }
}
