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

/** Gives a shared folder's stream to {@link FolderStream} through the stream's package-private calls. */
final class ShareHook {
    private ShareHook() {
    }

    static RequestEvent serve(Stream stream) {
        FolderShare share;
        try {
            share = FolderShare.of(stream.spec.options());
        } catch (IllegalArgumentException e) {
            stream.sendRst(ErrorCode.TARGET_UNREACHABLE, e.getMessage()); // e.g. the folder was removed
            return new RequestEvent("s" + stream.id, stream.open.tunnel(), stream.open.method(), stream.open.target(), 0,
                    Duration.ZERO, 0, 0, ErrorCode.TARGET_UNREACHABLE, e.getMessage(), Instant.now());
        }
        return new FolderStream(new FolderServer(share), stream.open, new ShareOutput() {
            @Override
            public void sendReply(ReplyMessage reply) throws IOException {
                stream.sendReply(reply);
            }

            @Override
            public void sendData(byte[] bytes, int off, int len) throws IOException {
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
    }
}
