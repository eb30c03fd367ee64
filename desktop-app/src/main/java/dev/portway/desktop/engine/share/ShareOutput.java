package dev.portway.desktop.engine.share;

import dev.portway.shared.protocol.ErrorCode;
import dev.portway.shared.protocol.ReplyMessage;

import java.io.IOException;

/** The engine's side of one stream, as the folder needs it (PROTOCOL.md §6.1). Called on the stream's thread. */
public interface ShareOutput {
    void sendReply(ReplyMessage reply) throws IOException;

    /** Sends body bytes, waiting for credit; {@code bytes} may be reused once it returns. */
    void sendData(byte[] bytes, int off, int len) throws IOException;

    void sendFin() throws IOException;

    void sendRst(ErrorCode code, String message);

    /** The request body is not read: its DATA is dropped and its credit granted back. */
    void discardInbound();
}
