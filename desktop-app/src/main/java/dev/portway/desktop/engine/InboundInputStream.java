package dev.portway.desktop.engine;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;

/**
 * A stream's inbound DATA as an {@link InputStream}, ending at FIN. Credit is granted back as bytes
 * are read out, so the relay can send the next window while we write this one away. Holds at most one
 * DATA payload beyond what {@link StreamInbound} holds. One reader thread.
 */
final class InboundInputStream extends InputStream {
    private final Stream stream;
    private ByteBuffer chunk;
    private boolean done;

    InboundInputStream(Stream stream) {
        this.stream = stream;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        while (chunk == null || !chunk.hasRemaining()) {
            if (done) {
                return -1;
            }
            chunk = stream.inbound.take();
            if (chunk == null) {
                done = true;
                return -1;
            }
        }
        int n = Math.min(len, chunk.remaining());
        chunk.get(b, off, n);
        stream.consumed(n);
        return n;
    }
}
