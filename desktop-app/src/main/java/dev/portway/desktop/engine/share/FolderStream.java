package dev.portway.desktop.engine.share;

import dev.portway.desktop.engine.RequestEvent;
import dev.portway.shared.protocol.ErrorCode;
import dev.portway.shared.protocol.FrameCodec;
import dev.portway.shared.protocol.OpenMessage;
import dev.portway.shared.protocol.ReplyMessage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;

/**
 * One visitor request to a shared folder: the {@link FolderServer}'s answer as REPLY, then the body in DATA frames
 * read from the file one frame at a time (never the whole file), then FIN. A file that shrinks while it is sent
 * ends the stream with RST {@code target_error}, so the visitor never takes a short body for a whole one. Runs on
 * the stream's virtual thread.
 */
public final class FolderStream {
    private final FolderServer server;
    private final OpenMessage open;
    private final ShareOutput out;

    public FolderStream(FolderServer server, OpenMessage open, ShareOutput out) {
        this.server = server;
        this.open = open;
        this.out = out;
    }

    /** Answers the request; returns what happened, for the request log and the inspector. */
    public RequestEvent run() {
        Instant started = Instant.now();
        long t0 = System.nanoTime();
        out.discardInbound();
        Answer a = server.answer(open.method(), open.target(), open.headers());
        long sent = 0;
        ErrorCode error = null;
        String message = null;
        try {
            out.sendReply(ReplyMessage.http(a.status(), a.reason(), a.headers()));
            boolean body = !open.method().equals("HEAD") && a.status() != 304;
            if (body && a.bytes() != null) {
                out.sendData(a.bytes(), 0, a.bytes().length);
                sent = a.bytes().length;
            } else if (body && a.file() != null) {
                sent = copy(a);
            }
            if (sent < a.bodyLength() && body) {
                error = ErrorCode.TARGET_ERROR;
                message = "The file " + a.file().getFileName() + " got shorter while it was being sent.";
                out.sendRst(error, message);
            } else {
                out.sendFin();
            }
        } catch (IOException e) {
            error = ErrorCode.CANCEL;
            message = "The visitor or the relay went away before the response was complete.";
            out.sendRst(ErrorCode.CANCEL, message);
        }
        return new RequestEvent(open.requestId() != null ? open.requestId() : "folder", open.tunnel(), open.method(),
                open.target(), a.status(), Duration.ofNanos(System.nanoTime() - t0), 0, sent, error, message, started);
    }

    /** Streams the range; returns the bytes sent (fewer than asked when the file shrank). */
    private long copy(Answer a) throws IOException {
        byte[] buf = new byte[FrameCodec.MAX_PAYLOAD];
        ByteBuffer bb = ByteBuffer.wrap(buf);
        long left = a.range().length();
        long pos = a.range().start();
        long sent = 0;
        try (FileChannel ch = FileChannel.open(a.file(), StandardOpenOption.READ)) {
            while (left > 0) {
                bb.clear().limit((int) Math.min(buf.length, left));
                int n = ch.read(bb, pos);
                if (n <= 0) {
                    break;
                }
                out.sendData(buf, 0, n);
                pos += n;
                left -= n;
                sent += n;
            }
        }
        return sent;
    }
}
