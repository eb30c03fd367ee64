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
