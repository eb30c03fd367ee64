package dev.portway.desktop.engine;

import dev.portway.shared.protocol.ErrorCode;
import dev.portway.shared.protocol.FrameCodec;
import dev.portway.shared.protocol.ReplyMessage;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;

/**
 * One TCP stream (PROTOCOL.md §6.3): dials the local service before answering, then copies bytes
 * both ways with half-close. The stream's thread copies local → relay; a second virtual thread
 * copies relay → local.
 */
final class TcpStreamHandler {
    private final StreamHandlers ctx;
    private final Stream stream;
    private volatile long bytesIn;
    private long bytesOut;

    TcpStreamHandler(StreamHandlers ctx, Stream stream) {
        this.ctx = ctx;
        this.stream = stream;
    }

    void run() {
        Instant started = Instant.now();
        long t0 = System.nanoTime();
        ErrorCode error = null;
        String errorMessage = null;
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(stream.spec.localHost(), stream.spec.localPort()),
                    (int) ctx.connectTimeout().toMillis());
        } catch (IOException e) {
            LocalErrors local = LocalErrors.of(e, stream.localTarget(), ctx.connectTimeout());
            error = local.code();
            errorMessage = local.message();
            stream.sendRst(error, errorMessage);
            closeQuietly(socket);
        }
        if (error == null) {
            stream.onAbort(() -> closeQuietly(socket));
            try {
                stream.sendReply(ReplyMessage.tcpAccepted());
                Thread up = Thread.ofVirtual().name("portway-stream-" + stream.id + "-up").start(() -> relayToLocal(socket));
                copyLocalToRelay(socket.getInputStream());
                up.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (IOException e) {
                if (!stream.isAborted()) {
                    stream.sendRst(ErrorCode.CANCEL, "the local connection to " + stream.localTarget() + " broke: " + e.getMessage());
                }
            } finally {
                closeQuietly(socket);
            }
            if (stream.isAborted()) {
                error = stream.abortCode();
                errorMessage = "The connection was reset.";
            }
        }
        ctx.finished(new RequestEvent("s" + stream.id, stream.open.tunnel(), "TCP", stream.open.remote(), 0,
                Duration.ofNanos(System.nanoTime() - t0), bytesIn, bytesOut, error, errorMessage, started));
    }

    private void copyLocalToRelay(InputStream in) throws IOException {
        byte[] buf = new byte[FrameCodec.MAX_PAYLOAD];
        int n;
        while ((n = in.read(buf)) != -1) {
            stream.sendData(buf, 0, n);
            bytesOut += n;
        }
        stream.sendFin();
    }

    private void relayToLocal(Socket socket) {
        try {
            OutputStream out = socket.getOutputStream();
            byte[] buf = new byte[FrameCodec.MAX_PAYLOAD];
            ByteBuffer chunk;
            while ((chunk = stream.inbound.take()) != null) {
                int n = chunk.remaining();
                chunk.get(buf, 0, n); // frame payloads are read-only views: no array() access
                out.write(buf, 0, n);
                bytesIn += n;
                stream.consumed(n);
            }
            socket.shutdownOutput();
        } catch (IOException e) {
            if (!stream.isAborted()) {
                stream.sendRst(ErrorCode.CANCEL, "the local connection to " + stream.localTarget() + " broke: " + e.getMessage());
            }
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
