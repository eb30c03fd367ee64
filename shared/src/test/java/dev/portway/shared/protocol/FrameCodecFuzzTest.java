package dev.portway.shared.protocol;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link FrameCodec#decode} on what a hostile or broken peer may send: any bytes give a {@link Frame} or a
 * {@link ProtocolException}, never another exception, and a decoded frame's accessors work. Valid frames survive an
 * encode/decode round trip byte for byte. Tries: {@code jqwik.tries.default} (200 in CI, see
 * {@code junit-platform.properties}; {@code bench/fuzz.sh} runs more).
 */
class FrameCodecFuzzTest {

    @Property
    void arbitraryBytesDecodeToAFrameOrAProtocolException(@ForAll("messages") byte[] message) {
        decodeOrRefuse(message);
    }

    @Property
    void mutatedValidFramesDecodeToAFrameOrAProtocolException(@ForAll("frames") Frame frame, @ForAll("mutations") Mutation mutation) {
        decodeOrRefuse(mutation.apply(bytes(FrameCodec.encode(frame))));
    }

    @Property
    void validFramesSurviveAnEncodeDecodeRoundTrip(@ForAll("frames") Frame frame) throws ProtocolException {
        byte[] wire = bytes(FrameCodec.encode(frame));
        Frame back = FrameCodec.decode(ByteBuffer.wrap(wire));
        assertThat(back.type()).isEqualTo(frame.type());
        assertThat(back.streamId()).isEqualTo(frame.streamId());
        assertThat(back.payloadBytes()).isEqualTo(frame.payloadBytes());
        assertThat(bytes(FrameCodec.encode(back))).isEqualTo(wire);
    }

    /** Decodes, and reads what a receiver reads of the frame; only ProtocolException may come out. */
    static void decodeOrRefuse(byte[] message) {
        Frame f;
        try {
            f = FrameCodec.decode(ByteBuffer.wrap(message));
        } catch (ProtocolException refused) {
            assertThat(refused.getMessage()).isNotBlank();
            return;
        } catch (RuntimeException e) {
            throw new AssertionError("decode threw " + e + " for " + describe(message), e);
        }
        assertThat(f.payloadLength()).isEqualTo(message.length - FrameCodec.HEADER_SIZE);
        switch (f.type()) {
            case WINDOW_UPDATE -> assertThat(f.windowIncrement()).isPositive();
            case RST -> {
                assertThat(f.rstCode()).isNotNull();
                assertThat(f.rstMessage()).isNotNull();
            }
            case CONTROL -> assertThat(f.streamId()).isZero();
            case OPEN, REPLY, FIN, DATA -> assertThat(f.streamId()).isPositive();
        }
    }

    @Provide
    Arbitrary<byte[]> messages() {
        Arbitrary<byte[]> small = Arbitraries.bytes().array(byte[].class).ofMaxSize(64);
        // A plausible header (a type near v1's, any stream id) and any payload.
        Arbitrary<byte[]> headed = Combinators.combine(Arbitraries.integers().between(0, 9), Arbitraries.integers(),
                        Arbitraries.bytes().array(byte[].class).ofMaxSize(1100))
                .as((type, stream, payload) -> ByteBuffer.allocate(5 + payload.length).put(type.byteValue()).putInt(stream).put(payload).array());
        // Around the size limit: MAX_FRAME - 1 .. MAX_FRAME + 2 bytes.
        Arbitrary<byte[]> large = Combinators.combine(Arbitraries.integers().between(FrameCodec.MAX_FRAME - 1, FrameCodec.MAX_FRAME + 2),
                        Arbitraries.integers().between(0, 6), Arbitraries.integers())
                .as((size, type, stream) -> {
                    byte[] b = new byte[size];
                    ByteBuffer.wrap(b).put(type.byteValue()).putInt(stream);
                    return b;
                });
        return Arbitraries.frequencyOf(Tuple.of(4, small), Tuple.of(5, headed), Tuple.of(1, large));
    }

    @Provide
    Arbitrary<Frame> frames() {
        Arbitrary<Integer> stream = Arbitraries.integers().between(1, Integer.MAX_VALUE);
        Arbitrary<byte[]> data = Arbitraries.bytes().array(byte[].class).ofMaxSize(2048);
        Arbitrary<Frame> control = Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(512)
                .map(p -> new Frame(FrameType.CONTROL, 0, ByteBuffer.wrap(p)));
        Arbitrary<Frame> open = Combinators.combine(stream, data.filter(p -> p.length > 0)).as((s, p) -> new Frame(FrameType.OPEN, s, ByteBuffer.wrap(p)));
        Arbitrary<Frame> reply = Combinators.combine(stream, data.filter(p -> p.length > 0)).as((s, p) -> new Frame(FrameType.REPLY, s, ByteBuffer.wrap(p)));
        Arbitrary<Frame> dataFrame = Combinators.combine(stream, data).as((s, p) -> Frame.data(s, ByteBuffer.wrap(p)));
        Arbitrary<Frame> window = Combinators.combine(Arbitraries.integers().between(0, Integer.MAX_VALUE), Arbitraries.integers().between(1, Integer.MAX_VALUE))
                .as(Frame::windowUpdate);
        Arbitrary<Frame> fin = stream.map(Frame::fin);
        Arbitrary<Frame> rst = Combinators.combine(stream, Arbitraries.of(ErrorCode.values()), Arbitraries.strings().ofMaxLength(1500))
                .as(Frame::rst);
        Arbitrary<Frame> full = stream.map(s -> Frame.data(s, ByteBuffer.allocate(FrameCodec.MAX_PAYLOAD)));
        return Arbitraries.oneOf(control, open, reply, dataFrame, window, fin, rst, full);
    }

    /** A change to a valid frame: what a bit flip, a cut or a buggy peer does to it. */
    interface Mutation {
        byte[] apply(byte[] wire);
    }

    @Provide
    Arbitrary<Mutation> mutations() {
        Arbitrary<Integer> at = Arbitraries.integers().between(0, Integer.MAX_VALUE);
        Arbitrary<Byte> any = Arbitraries.bytes();
        Arbitrary<Mutation> flip = Combinators.combine(at, any).as((i, b) -> w -> {
            byte[] c = w.clone();
            c[i % c.length] = b;
            return c;
        });
        Arbitrary<Mutation> cut = at.map(i -> w -> Arrays.copyOf(w, i % (w.length + 1)));
        Arbitrary<Mutation> extend = Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(16).map(extra -> w -> {
            byte[] c = Arrays.copyOf(w, w.length + extra.length);
            System.arraycopy(extra, 0, c, w.length, extra.length);
            return c;
        });
        Arbitrary<Mutation> type = Arbitraries.integers().between(0, 255).map(t -> w -> {
            byte[] c = w.clone();
            c[0] = t.byteValue();
            return c;
        });
        Arbitrary<Mutation> stream = Arbitraries.integers().map(s -> w -> {
            byte[] c = w.clone();
            ByteBuffer.wrap(c).putInt(1, s);
            return c;
        });
        return Arbitraries.oneOf(flip, cut, extend, type, stream);
    }

    static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    private static String describe(byte[] message) {
        return message.length + " bytes starting " + HexFormat.of().formatHex(message, 0, Math.min(16, message.length));
    }
}
