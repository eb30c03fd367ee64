package dev.portway.relay;

import dev.portway.shared.protocol.ControlMessage;
import dev.portway.shared.protocol.ErrorCode;
import dev.portway.shared.protocol.Frame;
import dev.portway.shared.protocol.FrameType;
import dev.portway.shared.protocol.Header;
import dev.portway.shared.protocol.Json;
import dev.portway.shared.protocol.OpenMessage;
import dev.portway.shared.protocol.ReplyMessage;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The correlation id: a visitor's X-Request-Id reaches the app and comes back; without a usable one the relay's id does. */
class CorrelationIdIT {
    static final String TOKEN = "s3cret";
    final OkHttpClient http = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(10)).build();
    Relay relay;
    ProtocolTestClient client;

    @BeforeEach
    void start() throws Exception {
        relay = Relay.start(RelayConfig.builder().port(0).bindHost("127.0.0.1").token(TOKEN).tcpPortFrom(0).tcpPortTo(0).build());
        client = ProtocolTestClient.connect(relay, TOKEN, null);
        client.control(ControlMessage.Welcome.class);
        client.bind("1", "http", "app", null);
    }

    @AfterEach
    void stop() {
        client.close();
        relay.shutdown(Duration.ofMillis(200));
    }

    CompletableFuture<Response> visit(String requestId) {
        Request.Builder b = new Request.Builder().url("http://127.0.0.1:" + relay.port() + "/t/app/hello");
        if (requestId != null) {
            b.header("X-Request-Id", requestId);
        }
        return CompletableFuture.supplyAsync(() -> {
            try (Response r = http.newCall(b.build()).execute()) {
                r.body().string();
                return r;
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
    }

    /** The next OPEN the app's side receives. */
    Frame open() {
        while (true) {
            Frame f = client.next();
            if (f.type() == FrameType.OPEN) {
                return f;
            }
        }
    }

    static OpenMessage message(Frame f) throws Exception {
        return Json.read(f.payload(), OpenMessage.class);
    }

    static List<String> header(OpenMessage open, String name) {
        return open.headers().stream().filter(h -> h.name().equalsIgnoreCase(name)).map(Header::value).toList();
    }

    void answer(Frame f, List<Header> headers) {
        client.send(Frame.reply(f.streamId(), ReplyMessage.http(200, "OK", headers)));
        client.send(Frame.fin(f.streamId()));
    }

    @Test
    void visitorsRequestIdReachesTheAppAndComesBack() throws Exception {
        var response = visit("trace-01HZX4:abc/def+1=");
        Frame f = open();
        OpenMessage open = message(f);
        assertThat(header(open, "X-Request-Id")).containsExactly("trace-01HZX4:abc/def+1=");
        assertThat(header(open, "Portway-Request-Id")).as("the relay's own id stays unique").containsExactly(open.requestId());
        assertThat(open.requestId()).isNotEqualTo("trace-01HZX4:abc/def+1=");
        answer(f, List.of());
        Response r = response.get(10, TimeUnit.SECONDS);
        assertThat(r.code()).isEqualTo(200);
        assertThat(r.headers("X-Request-Id")).containsExactly("trace-01HZX4:abc/def+1=");
    }

    @Test
    void withoutOneTheRelaysRequestIdIsTheCorrelationId() throws Exception {
        var response = visit(null);
        Frame f = open();
        OpenMessage open = message(f);
        assertThat(header(open, "X-Request-Id")).containsExactly(open.requestId());
        answer(f, List.of());
        assertThat(response.get(10, TimeUnit.SECONDS).header("X-Request-Id")).isEqualTo(open.requestId());
    }

    @Test
    void unusableIdsAreReplacedByTheRelays() throws Exception {
        for (String bad : List.of("x".repeat(129), "has space", "quote\"d", "<script>", "semi;colon")) {
            var response = visit(bad);
            Frame f = open();
            OpenMessage open = message(f);
            assertThat(header(open, "X-Request-Id")).as(bad).containsExactly(open.requestId());
            answer(f, List.of());
            assertThat(response.get(10, TimeUnit.SECONDS).header("X-Request-Id")).as(bad).isEqualTo(open.requestId());
        }
        var response = visit("y".repeat(128));
        Frame f = open();
        assertThat(header(message(f), "X-Request-Id")).as("128 characters are fine").containsExactly("y".repeat(128));
        answer(f, List.of());
        response.get(10, TimeUnit.SECONDS);
    }

    @Test
    void anIdTheAppSetsItselfIsPassedThrough() throws Exception {
        var response = visit("from-visitor");
        Frame f = open();
        answer(f, List.of(new Header("X-Request-Id", "from-app")));
        assertThat(response.get(10, TimeUnit.SECONDS).headers("X-Request-Id")).containsExactly("from-app");
    }

    @Test
    void theRelaysOwnErrorPagesCarryIt() throws Exception {
        var response = visit("oops-42");
        Frame f = open();
        client.send(Frame.rst(f.streamId(), ErrorCode.TARGET_UNREACHABLE, "Nothing is listening on localhost:3000"));
        Response r = response.get(10, TimeUnit.SECONDS);
        assertThat(r.code()).isEqualTo(502);
        assertThat(r.header("X-Request-Id")).isEqualTo("oops-42");

        Request unknown = new Request.Builder().url("http://127.0.0.1:" + relay.port() + "/t/nosuch/").header("X-Request-Id", "lost-7")
                .build();
        try (Response r2 = http.newCall(unknown).execute()) {
            assertThat(r2.code()).isEqualTo(404);
            assertThat(r2.header("X-Request-Id")).isEqualTo("lost-7");
        }
    }
}
