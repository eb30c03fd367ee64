package dev.portway.relay.cluster;

import dev.portway.shared.protocol.Frame;
import dev.portway.shared.protocol.FrameCodec;
import dev.portway.shared.protocol.FrameType;
import dev.portway.shared.protocol.Json;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.LengthFieldPrepender;

import java.util.Map;

/**
 * The bytes of a node-to-node link: each message is a 4-byte length and a body — first the handshake's JSON
 * objects ({@link LinkAuth}), then frames of PROTOCOL.md's codec exactly as on a client's WebSocket (one
 * frame per message, at most {@link FrameCodec#MAX_FRAME} bytes). Stateless.
 */
final class LinkWire {
    /** A message longer than this ends the link (a handshake object or a frame). */
    static final int MAX_MESSAGE = FrameCodec.MAX_FRAME;

    private LinkWire() {
    }

    /** A handshake message longer than this ends the link before any of it is buffered (they are a few hundred bytes). */
    static final int MAX_HANDSHAKE_MESSAGE = 4096;

    static void addCodec(ChannelPipeline p) {
        p.addLast("link-length", new Decoder());
        p.addLast("link-prepend", new LengthFieldPrepender(4));
    }

    /** The other node proved the secret: from now on a message may be a whole frame. On the link's loop. */
    static void authenticated(ChannelPipeline p) {
        ((Decoder) p.get("link-length")).limit = MAX_MESSAGE;
    }

    /**
     * Length-prefixed messages, at most {@link #MAX_HANDSHAKE_MESSAGE} bytes until {@link #authenticated}: a
     * connection to the link port that is not a node is refused on its first length, not after buffering a frame's
     * worth of bytes for each one of them until the handshake's timeout.
     */
    private static final class Decoder extends LengthFieldBasedFrameDecoder {
        private int limit = MAX_HANDSHAKE_MESSAGE;

        Decoder() {
            super(4 + MAX_MESSAGE, 0, 4, 0, 4); // the limit counts the length field
        }

        @Override
        protected Object decode(io.netty.channel.ChannelHandlerContext ctx, ByteBuf in) throws Exception {
            if (in.readableBytes() >= 4 && in.getUnsignedInt(in.readerIndex()) > limit) {
                throw new io.netty.handler.codec.TooLongFrameException("a link message of " + in.getUnsignedInt(in.readerIndex())
                        + " bytes (at most " + limit + " here)");
            }
            return super.decode(ctx, in);
        }
    }

    static void writeJson(Channel ch, Map<String, String> message) {
        ch.writeAndFlush(Unpooled.wrappedBuffer(Json.write(message)));
    }

    @SuppressWarnings("unchecked")
    static Map<String, String> readJson(ByteBuf msg) {
        byte[] b = new byte[msg.readableBytes()];
        msg.readBytes(b);
        try {
            return Json.read(java.nio.ByteBuffer.wrap(b), Map.class);
        } catch (Exception e) {
            return Map.of();
        }
    }

    /** Writes a frame (its bytes copied once). */
    static void write(Channel ch, Frame frame) {
        ch.writeAndFlush(Unpooled.wrappedBuffer(FrameCodec.encode(frame)));
    }

    /** Writes a DATA frame around {@code bytes} (at most {@link FrameCodec#MAX_PAYLOAD}); takes ownership of them. */
    static void writeData(Channel ch, int streamId, ByteBuf bytes) {
        ByteBuf header = ch.alloc().buffer(FrameCodec.HEADER_SIZE);
        header.writeByte(FrameType.DATA.code());
        header.writeInt(streamId);
        // A slice: the fixed composite reads each part from its index 0, and the bytes may start further in (what a
        // decoder passed on after a PROXY header, say). The slice shares the bytes' reference count.
        ch.writeAndFlush(Unpooled.wrappedUnmodifiableBuffer(header, bytes.readerIndex() == 0 ? bytes : bytes.slice()));
    }

    /** Writes {@code bytes} as as many DATA frames as needed; takes ownership. */
    static void writeAllData(Channel ch, int streamId, ByteBuf bytes) {
        if (!bytes.isReadable()) {
            bytes.release();
            return;
        }
        while (bytes.readableBytes() > FrameCodec.MAX_PAYLOAD) {
            writeData(ch, streamId, bytes.readRetainedSlice(FrameCodec.MAX_PAYLOAD));
        }
        writeData(ch, streamId, bytes);
    }
}
