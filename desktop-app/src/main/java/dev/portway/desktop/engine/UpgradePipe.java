package dev.portway.desktop.engine;

import dev.portway.shared.protocol.ErrorCode;
import dev.portway.shared.protocol.FrameCodec;
import okio.Buffer;
import okio.Sink;
import okio.Socket;
import okio.Source;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * After a 101 from the local service: copies raw bytes both ways between the stream and the
 * upgraded connection (PROTOCOL.md §6.2). The caller's thread copies local → relay; a second
 * virtual thread copies relay → local.
 *
 * <p>OkHttp's upgraded socket cannot half-close: a FIN from the visitor closes our sink but the
 * local service sees the end only when both directions are done.
 */
final class UpgradePipe {
    private final Stream stream;
    private final Socket socket;
    private volatile long bytesIn;

    UpgradePipe(Stream stream, Socket socket) {
        this.stream = stream;
        this.socket = socket;
    }

    /** @return bytes {in, out} */
    long[] run() throws IOException {
        stream.onReset(socket::cancel);
        Thread up = Thread.ofVirtual().name("portway-stream-" + stream.id + "-up").start(this::relayToLocal);
        long out = 0;
        try {
            Source source = socket.getSource();
            Buffer buffer = new Buffer();
            byte[] bytes = new byte[FrameCodec.MAX_PAYLOAD];
            long n;
            while ((n = source.read(buffer, FrameCodec.MAX_PAYLOAD)) != -1) {
                int len = buffer.read(bytes, 0, (int) n);
                stream.write(bytes, 0, len);
                out += len;
            }
            stream.fin();
            up.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            if (!stream.isReset()) {
                stream.rst(ErrorCode.CANCEL, "the local connection closed: " + e.getMessage());
            }
        } finally {
            socket.cancel();
        }
        return new long[] {bytesIn, out};
    }

    private void relayToLocal() {
        Sink sink = socket.getSink();
        try {
            Buffer buffer = new Buffer();
            ByteBuffer chunk;
            while ((chunk = stream.inbound.take()) != null) {
                int n = chunk.remaining();
                buffer.write(chunk);
                sink.write(buffer, buffer.size());
                sink.flush();
                bytesIn += n;
                stream.consumed(n);
            }
            sink.close();
        } catch (IOException e) {
            if (!stream.isReset()) {
                stream.rst(ErrorCode.CANCEL, "the local connection closed: " + e.getMessage());
            }
        }
    }
}
