package dev.portway.desktop.engine.local;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A request body to send to the local app, one chunk at a time: a stream's inbound DATA, or a replay's bytes.
 * Called on the sending thread only.
 */
public interface LocalBody {
    /** The next chunk (its bytes must stay unchanged: it may be sent again on a retry), or null at the end. */
    ByteBuffer next() throws IOException;

    /** {@code n} bytes of the last chunk are on their way to the app: credit may be given back. */
    void sent(int n);

    /**
     * The body's trailer fields (PROTOCOL.md §3.2), asked once {@link #next} returned null; sent in the chunked trailer
     * section (a body with a Content-Length has no place for them). Already cut to what a proxy may pass on.
     */
    default java.util.List<dev.portway.shared.protocol.Header> trailers() {
        return java.util.List.of();
    }

    /** No body. */
    LocalBody NONE = new LocalBody() {
        @Override
        public ByteBuffer next() {
            return null;
        }

        @Override
        public void sent(int n) {
        }
    };

    /** {@code bytes} in one chunk. */
    static LocalBody of(byte[] bytes) {
        return new LocalBody() {
            private boolean done = bytes.length == 0;

            @Override
            public ByteBuffer next() {
                if (done) {
                    return null;
                }
                done = true;
                return ByteBuffer.wrap(bytes).asReadOnlyBuffer();
            }

            @Override
            public void sent(int n) {
            }
        };
    }
}
