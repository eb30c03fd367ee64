package dev.portway.relay.ingress;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The visitor codec on an embedded channel: what it refuses beyond Netty, and that it frames HEAD answers. */
class VisitorCodecTest {
    static EmbeddedChannel channel() {
        EmbeddedChannel ch = new EmbeddedChannel();
        VisitorCodec.addTo(ch.pipeline(), VisitorLimits.DEFAULTS);
        return ch;
    }

    /** Feeds the parts as separate reads; returns "GET /a", "content 3", "bad: <cause class>" per decoded object. */
    static List<String> decode(String... parts) {
        EmbeddedChannel ch = channel();
        List<String> seen = new ArrayList<>();
        for (String p : parts) {
            ch.writeInbound(Unpooled.copiedBuffer(p, StandardCharsets.ISO_8859_1));
            Object o;
            while ((o = ch.readInbound()) != null) {
                if (o instanceof HttpRequest r) {
                    seen.add(r.decoderResult().isFailure() ? "bad: " + r.decoderResult().cause().getClass().getSimpleName()
                            : r.method() + " " + r.uri());
                } else if (o instanceof HttpContent c && c.content().isReadable()) {
                    seen.add("content " + c.content().readableBytes());
                }
                ReferenceCountUtil.release(o);
            }
        }
        ch.finishAndReleaseAll();
        return seen;
    }

    @Test
    void obsFoldIsRefused() {
        assertThat(decode("GET /a HTTP/1.1\r\nHost: x\r\nX-A: b\r\n c\r\n\r\n")).containsExactly("bad: ObsFoldException");
        assertThat(decode("GET /a HTTP/1.1\r\nHost: x\r\nX-A: b\r\n\tc\r\n\r\n")).containsExactly("bad: ObsFoldException");
    }

    @Test
    void obsFoldRightAfterTheRequestLineIsRefused() {
        assertThat(decode("GET /a HTTP/1.1\r\n Host: x\r\n\r\n")).containsExactly("bad: ObsFoldException");
    }

    @Test
    void obsFoldInALaterReadIsRefused() {
        assertThat(decode("GET /a HTTP/1.1\r\nHost: x\r\nX-A: b\r\n", " c\r\n\r\n")).containsExactly("bad: ObsFoldException");
        assertThat(decode("GET /a HTTP/1.1\r\n", " Host: x\r\n\r\n")).containsExactly("bad: ObsFoldException");
    }

    @Test
    void bodyBytesThatLookLikeAFoldAreABody() {
        assertThat(decode("POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nx\r\n b", "GET /b HTTP/1.1\r\nHost: x\r\n\r\n"))
                .containsExactly("POST /a", "content 5", "GET /b");
        assertThat(decode("POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\n", "\r\n b", "GET /b HTTP/1.1\r\nHost: x\r\n\r\n"))
                .containsExactly("POST /a", "content 4", "GET /b");
    }

    @Test
    void blankLinesBeforeARequestAreSkippedAsNettyDoes() {
        assertThat(decode("\r\n", "GET /a HTTP/1.1\r\nHost: x\r\n\r\n")).containsExactly("GET /a");
    }

    @Test
    void nothingIsReadAfterARefusal() {
        assertThat(decode("GET /a HTTP/1.1\r\nX: b\r\n c\r\n\r\n", "GET /b HTTP/1.1\r\nHost: x\r\n\r\n"))
                .containsExactly("bad: ObsFoldException");
    }

    @Test
    void aResponseToHeadHasItsLengthButNoBody() {
        EmbeddedChannel ch = channel();
        ch.writeInbound(Unpooled.copiedBuffer("HEAD /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n",
                StandardCharsets.ISO_8859_1));
        for (int i = 0; i < 2; i++) {
            var r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    Unpooled.copiedBuffer("hello", StandardCharsets.US_ASCII));
            r.headers().set("Content-Length", 5);
            ch.writeOutbound(r);
        }
        StringBuilder out = new StringBuilder();
        ByteBuf b;
        while ((b = ch.readOutbound()) != null) {
            out.append(b.toString(StandardCharsets.ISO_8859_1));
            b.release();
        }
        ch.finishAndReleaseAll();
        assertThat(out.toString()).isEqualTo("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello");
    }
}
