package dev.portway.relay;

import dev.portway.shared.protocol.ControlMessage;
import dev.portway.shared.protocol.Frame;
import dev.portway.shared.protocol.FrameType;
import dev.portway.shared.protocol.Json;
import dev.portway.shared.protocol.OpenMessage;
import dev.portway.shared.protocol.Protocol;
import dev.portway.shared.protocol.ReplyMessage;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The END flag (PROTOCOL.md §3.1) between the relay and a client that offers it, and its absence for one that does
 * not: a small exchange is OPEN+END, REPLY, DATA+END instead of OPEN, FIN, REPLY, DATA, FIN.
 */
class EndFlagIT {
    static final String TOKEN = "s3cret";
    final OkHttpClient http = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(10)).build();
    Relay relay;

    @BeforeEach
    void start() throws Exception {
        relay = Relay.start(RelayConfig.builder().port(0).bindHost("127.0.0.1").token(TOKEN).build());
    }

    @AfterEach
    void stop() {
        relay.shutdown(Duration.ofMillis(200));
    }

    /** One visitor at a time: the common pool that runs it may have a single thread on a small machine. */
    CompletableFuture<Response> visit(Request request) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                Response r = http.newCall(request).execute();
                r.peekBody(Long.MAX_VALUE);
                return r;
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
    }

    Request.Builder to(String path) {
        return new Request.Builder().url("http://127.0.0.1:" + relay.port() + path).header("Host", "app.localhost:" + relay.port());
    }

    static Frame data(int id, String s) {
        return Frame.data(id, s.getBytes(StandardCharsets.UTF_8), 0, s.length());
    }

    @Test
    void aClientThatOffersTheEndFlagGetsABodylessGetAsOneOpenAndMayEndItsAnswerWithTheLastData() throws Exception {
        try (ProtocolTestClient c = ProtocolTestClient.connectOffering(relay, TOKEN, List.of("later_feature", Protocol.FEATURE_END_FLAG))) {
            ControlMessage.Welcome w = c.control(ControlMessage.Welcome.class);
            assertThat(w.features()).containsExactly(Protocol.FEATURE_END_FLAG); // not the feature it does not know
            c.bind("1", "http", "app", null);
            for (int i = 0; i < 2; i++) { // the second request's OPEN comes next: no FIN was left in between
                var visitor = visit(to("/x" + i).build());
                Frame open = c.next();
                assertThat(open.type()).isEqualTo(FrameType.OPEN);
                assertThat(open.end()).as("OPEN of a GET ends the request").isTrue();
                assertThat(Json.read(open.payload(), OpenMessage.class).target()).isEqualTo("/x" + i);
                c.send(Frame.reply(open.streamId(), ReplyMessage.http(200, "OK", List.of())));
                c.send(data(open.streamId(), "hello "));
                c.send(data(open.streamId(), "world " + i).withEnd());
                Response r = visitor.get(10, TimeUnit.SECONDS);
                assertThat(r.code()).isEqualTo(200);
                assertThat(r.peekBody(1000).string()).isEqualTo("hello world " + i);
            }
        }
    }

    @Test
    void aSmallPostIsOpenThenDataWithEndAndAReplyWithEndIsAnAnswerWithoutABody() throws Exception {
        try (ProtocolTestClient c = ProtocolTestClient.connectOffering(relay, TOKEN, List.of(Protocol.FEATURE_END_FLAG))) {
            c.control(ControlMessage.Welcome.class);
            c.bind("1", "http", "app", null);
            var visitor = visit(to("/hook").post(RequestBody.create("{\"a\":1}", MediaType.get("application/json"))).build());
            Frame open = c.next();
            assertThat(open.type()).isEqualTo(FrameType.OPEN);
            assertThat(open.end()).isFalse();
            Frame body = c.expect(FrameType.DATA);
            assertThat(body.end()).as("the whole body in one DATA that ends the request").isTrue();
            assertThat(new String(body.payloadBytes(), StandardCharsets.UTF_8)).isEqualTo("{\"a\":1}");
            c.send(Frame.reply(open.streamId(), ReplyMessage.http(204, "No Content", List.of())).withEnd());
            Response r = visitor.get(10, TimeUnit.SECONDS);
            assertThat(r.code()).isEqualTo(204);
            // The stream is over on both sides: the next visitor gets the next stream, and nothing of this one is left.
            var next = visit(to("/after").build());
            Frame open2 = c.next();
            assertThat(open2.type()).isEqualTo(FrameType.OPEN);
            assertThat(open2.streamId()).isEqualTo(open.streamId() + 2);
            c.send(Frame.reply(open2.streamId(), ReplyMessage.http(204, "No Content", List.of())).withEnd());
            assertThat(next.get(10, TimeUnit.SECONDS).code()).isEqualTo(204);
        }
    }

    /** The old way: REPLY, DATA, FIN. */
    private static void answer(ProtocolTestClient c, Frame open) {
        c.send(Frame.reply(open.streamId(), ReplyMessage.http(200, "OK", List.of())));
        c.send(data(open.streamId(), "ok"));
        c.send(Frame.fin(open.streamId()));
    }

    @Test
    void aClientThatOffersNothingGetsNoFeaturesAndSeparateFins() throws Exception {
        try (ProtocolTestClient c = ProtocolTestClient.connect(relay, TOKEN, null)) {
            ControlMessage.Welcome w = c.control(ControlMessage.Welcome.class);
            assertThat(w.features()).isNull();
            c.bind("1", "http", "app", null);
            var visitor = visit(to("/old").build());
            Frame open = c.next();
            assertThat(open.type()).isEqualTo(FrameType.OPEN);
            assertThat(open.end()).isFalse();
            Frame fin = c.expect(FrameType.FIN);
            assertThat(fin.streamId()).isEqualTo(open.streamId());
            answer(c, open);
            assertThat(visitor.get(10, TimeUnit.SECONDS).peekBody(100).string()).isEqualTo("ok");
            var post = visit(to("/old-post").post(RequestBody.create("abc", MediaType.get("text/plain"))).build());
            Frame open2 = c.expect(FrameType.OPEN);
            assertThat(c.expect(FrameType.DATA).end()).isFalse();
            assertThat(c.expect(FrameType.FIN).streamId()).isEqualTo(open2.streamId());
            answer(c, open2);
            assertThat(post.get(10, TimeUnit.SECONDS).peekBody(100).string()).isEqualTo("ok");
        }
    }
}
