package dev.portway.desktop.engine;

import dev.portway.desktop.engine.share.FolderServer;
import dev.portway.desktop.engine.share.FolderShare;
import dev.portway.desktop.engine.share.FolderStream;
import dev.portway.desktop.engine.share.ShareOutput;
import dev.portway.shared.protocol.ErrorCode;
import dev.portway.shared.protocol.ReplyMessage;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Gives a shared folder's stream to {@link FolderStream} through the stream's package-private calls, and keeps what
 * passed (the request's headers, the answer's head and first {@code captureLimit} body bytes) for the inspector, as
 * {@link HttpStreamHandler} does for a local app.
 */
final class ShareHook {
    private ShareHook() {
    }

    static RequestEvent serve(Stream stream, int captureLimit) {
        FolderShare share;
        try {
            share = FolderShare.of(stream.spec.options());
        } catch (IllegalArgumentException e) {
            stream.sendRst(ErrorCode.TARGET_UNREACHABLE, e.getMessage()); // e.g. the folder was removed
            return new RequestEvent("s" + stream.id, stream.open.tunnel(), stream.open.method(), stream.open.target(), 0,
                    Duration.ZERO, 0, 0, ErrorCode.TARGET_UNREACHABLE, e.getMessage(), Instant.now());
        }
        BodyCapture body = new BodyCapture(captureLimit);
        ReplyMessage[] head = {null};
        RequestEvent e = new FolderStream(new FolderServer(share), stream.open, new ShareOutput() {
            @Override
            public void sendReply(ReplyMessage reply) throws IOException {
                head[0] = reply;
                stream.sendReply(reply);
            }

            @Override
            public void sendData(byte[] bytes, int off, int len) throws IOException {
                body.add(bytes, off, len);
                stream.sendData(bytes, off, len);
            }

            @Override
            public void sendFin() throws IOException {
                stream.sendFin();
            }

            @Override
            public void sendRst(ErrorCode code, String message) {
                stream.sendRst(code, message);
            }

            @Override
            public void discardInbound() {
                stream.discardInbound();
            }
        }).run();
        ReplyMessage r = head[0];
        CapturedExchange x = new CapturedExchange(stream.open.headers(), CapturedBody.EMPTY, r == null ? "" : r.reason(),
                r == null || r.headers() == null ? List.of() : r.headers(), body.result());
        return new RequestEvent(e.id(), e.tunnel(), e.method(), e.path(), e.status(), e.duration(), e.bytesIn(), e.bytesOut(),
                e.error(), e.errorMessage(), e.time(), x);
    }
}
