package dev.portway.desktop.engine;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Keeps the first {@code limit} bytes of a body while it streams past and counts the rest. Grows its buffer
 * as bytes arrive (a small body costs a small array), never beyond the limit. One stream thread at a time.
 */
final class BodyCapture {
    private final int limit;
    private byte[] buf = new byte[0];
    private int kept;
    private long size;

    BodyCapture(int limit) {
        this.limit = limit;
    }

    void add(byte[] b, int off, int len) {
        size += len;
        int take = Math.min(len, limit - kept);
        if (take <= 0) {
            return;
        }
        ensure(kept + take);
        System.arraycopy(b, off, buf, kept, take);
        kept += take;
    }

    /** Copies from {@code chunk}'s position to its limit without moving the position. */
    void add(ByteBuffer chunk) {
        int len = chunk.remaining();
        size += len;
        int take = Math.min(len, limit - kept);
        if (take <= 0) {
            return;
        }
        ensure(kept + take);
        chunk.duplicate().get(buf, kept, take);
        kept += take;
    }

    private void ensure(int needed) {
        if (needed > buf.length) {
            buf = Arrays.copyOf(buf, Math.min(limit, Math.max(needed, Math.max(1024, buf.length * 2))));
        }
    }

    CapturedBody result() {
        return new CapturedBody(Arrays.copyOf(buf, kept), size);
    }
}
