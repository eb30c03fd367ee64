package dev.portway.desktop.engine;

import dev.portway.desktop.engine.local.LocalCall;
import dev.portway.shared.protocol.ErrorCode;
import dev.portway.shared.protocol.FrameCodec;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * After a 101 from the local service: copies raw bytes both ways between the stream and the upgraded connection
 * (PROTOCOL.md §6.2), with backpressure both ways (a chunk is taken from one side only when the other took the last
 * one). The caller's thread copies local → relay; a second virtual thread copies relay → local. FIN half-closes:
 * the visitor's FIN shuts down our output to the app, the app's end of output sends FIN.
 */
final class UpgradePipe {
    private final Stream stream;
    private final LocalCall call;
    private volatile long bytesIn;

    UpgradePipe(Stream stream, LocalCall call) {
        this.stream = stream;
        this.call = call;
    }

    /** @return bytes {in, out} */
    long[] run() throws IOException {
        Thread up = Thread.ofVirtual().name("portway-stream-" + stream.id + "-up").start(this::relayToLocal);
        long out = 0;
        try {
            byte[] bytes = new byte[FrameCodec.MAX_PAYLOAD];
            int n;
            while ((n = call.readRaw(bytes)) != -1) {
                stream.sendData(bytes, 0, n);
                out += n;
            }
            stream.sendFin();
            up.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            if (!stream.isAborted()) {
                stream.sendRst(ErrorCode.CANCEL, "the local connection closed: " + e.getMessage());
            }
        } finally {
            call.abort();
        }
        return new long[] {bytesIn, out};
    }

    private void relayToLocal() {
        try {
            ByteBuffer chunk;
            while ((chunk = stream.inbound.take()) != null) {
                int n = chunk.remaining();
                call.writeRaw(chunk);
                bytesIn += n;
                stream.consumed(n);
            }
            call.shutdownOutput();
        } catch (IOException e) {
            if (!stream.isAborted()) {
                stream.sendRst(ErrorCode.CANCEL, "the local connection closed: " + e.getMessage());
            }
        }
    }
}
