package dev.portway.desktop.e2e;

import dev.portway.desktop.engine.BoundTunnel;
import dev.portway.desktop.engine.RequestEvent;
import dev.portway.desktop.engine.TunnelSpec;
import dev.portway.relay.Relay;
import dev.portway.relay.RelayConfig;
import dev.portway.shared.protocol.ErrorCode;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.BufferedSink;
import okio.BufferedSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static dev.portway.desktop.e2e.TunnelHarness.RecordingEngine;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * HTTP through the whole path: real visitor (OkHttp) → real relay (port 0) → real engine → real
 * local HTTP server. The JVM runs with a 64 MiB heap ({@code test.argLine} in desktop-app/pom.xml),
 * so the 50 MiB transfers also prove that no side holds a whole body in memory.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HttpTunnelIT {
    private static final long FIFTY_MIB = 50L * 1024 * 1024;

    private Relay relay;
    private LocalHttpApp app;
    private RecordingEngine engine;
    private BoundTunnel tunnel;
    private final OkHttpClient visitor = TunnelHarness.visitor();

    @BeforeAll
    void start() throws Exception {
        relay = Relay.start(RelayConfig.builder().bindHost("127.0.0.1").port(0).token(TunnelHarness.TOKEN).build());
        app = new LocalHttpApp();
        engine = RecordingEngine.connect(relay.connectUrl(), TunnelSpec.http("myapp", app.port()));
        tunnel = engine.awaitTunnel();
    }

    @AfterAll
    void stop() {
        engine.close();
        relay.close();
        app.close();
    }

    private String url(String path) {
        return "http://myapp.localhost:" + relay.port() + path;
    }

    @Test
    void tunnelGetsTheRequestedNameAndAUrlOnTheRelay() {
        assertThat(tunnel.name()).isEqualTo("myapp");
        assertThat(tunnel.url()).isEqualTo(relay.publicUrl("myapp")).isEqualTo("http://myapp.localhost:" + relay.port() + "/");
    }

    @Test
    void getReturnsTheLocalAppsResponseByHostAndByPath() throws IOException {
        try (Response r = visitor.newCall(new Request.Builder().url(url("/hello")).build()).execute()) {
            assertThat(r.code()).isEqualTo(200);
            assertThat(r.header("Content-Type")).isEqualTo("text/plain; charset=utf-8");
            assertThat(r.body().string()).isEqualTo("hello from the local app");
        }
        try (Response r = visitor.newCall(new Request.Builder().url("http://127.0.0.1:" + relay.port() + "/t/myapp/hello").build()).execute()) {
            assertThat(r.code()).isEqualTo(200);
            assertThat(r.body().string()).isEqualTo("hello from the local app");
        }
        assertThat(app.seen).anySatisfy(s -> assertThat(s.uri()).isEqualTo("/hello"));
    }

    @Test
    void localAppSeesForwardedHeadersAndTheOriginalHost() throws IOException {
        try (Response r = visitor.newCall(new Request.Builder().url(url("/hello?who=fwd")).build()).execute()) {
            assertThat(r.code()).isEqualTo(200);
        }
        LocalHttpApp.Seen seen = app.seen.stream().filter(s -> s.uri().equals("/hello?who=fwd")).findFirst().orElseThrow();
        assertThat(seen.header("X-Forwarded-For")).isEqualTo("127.0.0.1");
        assertThat(seen.header("X-Forwarded-Proto")).isEqualTo("http");
        assertThat(seen.header("X-Forwarded-Host")).isEqualTo("myapp.localhost:" + relay.port());
        assertThat(seen.header("Host")).isEqualTo("myapp.localhost:" + relay.port());
        assertThat(seen.header("Portway-Request-Id")).isNotBlank();
    }

    @Test
    void visitorsCorrelationIdReachesTheLocalAppAndComesBack() throws IOException {
        try (Response r = visitor.newCall(new Request.Builder().url(url("/hello?who=corr")).header("X-Request-Id", "e2e-4711")
                .build()).execute()) {
            assertThat(r.code()).isEqualTo(200);
            assertThat(r.header("X-Request-Id")).isEqualTo("e2e-4711");
        }
        LocalHttpApp.Seen seen = app.seen.stream().filter(s -> s.uri().equals("/hello?who=corr")).findFirst().orElseThrow();
        assertThat(seen.header("X-Request-Id")).isEqualTo("e2e-4711");
        assertThat(seen.header("Portway-Request-Id")).isNotBlank().isNotEqualTo("e2e-4711");
    }

    @Test
    void postBodyIsEchoedAndTheEngineReportsTheRequest() throws IOException {
        String body = "{\"hello\":\"tunnel\"}";
        try (Response r = visitor.newCall(new Request.Builder().url(url("/echo"))
                .post(RequestBody.create(body, MediaType.get("application/json"))).build()).execute()) {
            assertThat(r.code()).isEqualTo(200);
            assertThat(r.body().string()).isEqualTo(body);
        }
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(engine.requests)
                .anySatisfy(e -> {
                    assertThat(e.method()).isEqualTo("POST");
                    assertThat(e.path()).isEqualTo("/echo");
                    assertThat(e.status()).isEqualTo(200);
                    assertThat(e.tunnel()).isEqualTo("myapp");
                    assertThat(e.bytesIn()).isEqualTo(body.length());
                    assertThat(e.bytesOut()).isEqualTo(body.length());
                    assertThat(e.error()).isNull();
                }));
    }

    @Test
    void headNoContentAndNotModifiedHaveNoBody() throws IOException {
        try (Response r = visitor.newCall(new Request.Builder().url(url("/hello")).head().build()).execute()) {
            assertThat(r.code()).isEqualTo(200);
            assertThat(r.body().bytes()).isEmpty();
        }
        try (Response r = visitor.newCall(new Request.Builder().url(url("/status/204")).build()).execute()) {
            assertThat(r.code()).isEqualTo(204);
            assertThat(r.body().bytes()).isEmpty();
        }
        try (Response r = visitor.newCall(new Request.Builder().url(url("/status/304")).build()).execute()) {
            assertThat(r.code()).isEqualTo(304);
            assertThat(r.header("ETag")).isEqualTo("\"v1\"");
        }
        // The connection is still usable after bodiless responses.
        try (Response r = visitor.newCall(new Request.Builder().url(url("/hello")).build()).execute()) {
            assertThat(r.body().string()).isEqualTo("hello from the local app");
        }
    }

    @Test
    void fiftyMebibyteUploadStreamsThrough() throws IOException {
        MessageDigest sent = LocalHttpApp.sha256();
        RequestBody upload = new RequestBody() {
            @Override
            public MediaType contentType() {
                return MediaType.get("application/octet-stream");
            }

            @Override
            public long contentLength() {
                return -1; // unknown length: the visitor sends it chunked
            }

            @Override
            public void writeTo(BufferedSink sink) throws IOException {
                byte[] buf = new byte[64 * 1024];
                for (long off = 0; off < FIFTY_MIB; off += buf.length) {
                    LocalHttpApp.fill(buf, off, buf.length);
                    sent.update(buf);
                    sink.write(buf);
                }
            }
        };
        try (Response r = visitor.newCall(new Request.Builder().url(url("/digest")).post(upload).build()).execute()) {
            assertThat(r.code()).isEqualTo(200);
            assertThat(r.body().string()).isEqualTo(FIFTY_MIB + " " + HexFormat.of().formatHex(sent.digest()));
        }
    }

    @Test
    void fiftyMebibyteDownloadStreamsThrough() throws IOException {
        try (Response r = visitor.newCall(new Request.Builder().url(url("/download?size=" + FIFTY_MIB)).build()).execute()) {
            assertThat(r.code()).isEqualTo(200);
            assertThat(r.header("Content-Length")).isEqualTo(String.valueOf(FIFTY_MIB));
            MessageDigest got = LocalHttpApp.sha256();
            MessageDigest want = LocalHttpApp.sha256();
            byte[] buf = new byte[64 * 1024];
            byte[] expected = new byte[buf.length];
            long total = 0;
            try (InputStream in = r.body().byteStream()) {
                for (int n; (n = in.read(buf)) > 0; ) {
                    got.update(buf, 0, n);
                    LocalHttpApp.fill(expected, total, n);
                    want.update(expected, 0, n);
                    total += n;
                }
            }
            assertThat(total).isEqualTo(FIFTY_MIB);
            assertThat(got.digest()).isEqualTo(want.digest());
        }
    }

    @Test
    void serverSentEventsArriveAsSent() throws IOException {
        try (Response r = visitor.newCall(new Request.Builder().url(url("/sse")).build()).execute()) {
            assertThat(r.code()).isEqualTo(200);
            assertThat(r.header("Content-Type")).isEqualTo("text/event-stream");
            BufferedSource source = r.body().source();
            // The local app holds the second event back until we have read the first:
            // if anything on the path buffered the stream, this read would never return.
            assertThat(source.readUtf8LineStrict()).isEqualTo("data: first");
            assertThat(source.readUtf8LineStrict()).isEmpty();
            app.sseGo.countDown();
            assertThat(source.readUtf8LineStrict()).isEqualTo("data: second");
        }
    }

    @Test
    void hundredConcurrentRequestsAllGetTheirOwnAnswer() throws Exception {
        OkHttpClient many = visitor.newBuilder()
                .dispatcher(new okhttp3.Dispatcher(Executors.newVirtualThreadPerTaskExecutor()))
                .build();
        many.dispatcher().setMaxRequests(200);
        many.dispatcher().setMaxRequestsPerHost(200);
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<String>> answers = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                String payload = "request number " + i + " " + "x".repeat(i * 100);
                Callable<String> call = () -> {
                    try (Response r = many.newCall(new Request.Builder().url(url("/echo"))
                            .post(RequestBody.create(payload, MediaType.get("text/plain"))).build()).execute()) {
                        return r.code() + ":" + r.body().string();
                    }
                };
                answers.add(pool.submit(call));
            }
            for (int i = 0; i < 100; i++) {
                assertThat(answers.get(i).get()).isEqualTo("200:request number " + i + " " + "x".repeat(i * 100));
            }
        }
    }

    @Test
    void aVisitorThatStopsReadingDoesNotStallOtherRequests() throws Exception {
        try (Socket slow = new Socket(InetAddress.getLoopbackAddress(), relay.port())) {
            OutputStream out = slow.getOutputStream();
            out.write(("GET /download?size=" + FIFTY_MIB + " HTTP/1.1\r\nHost: myapp.localhost\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = slow.getInputStream();
            assertThat(in.read()).as("the download started").isEqualTo('H');
            // ...and this visitor now reads nothing more. Every other request must still flow.
            for (int i = 0; i < 20; i++) {
                try (Response r = visitor.newCall(new Request.Builder().url(url("/hello?during-slow=" + i)).build()).execute()) {
                    assertThat(r.body().string()).isEqualTo("hello from the local app");
                }
            }
            try (Response r = visitor.newCall(new Request.Builder().url(url("/download?size=" + (4 * 1024 * 1024))).build()).execute()) {
                assertThat(r.body().bytes()).hasSize(4 * 1024 * 1024);
            }
        }
    }

    @Test
    void unknownTunnelGetsA404PageThatNamesIt() throws IOException {
        try (Response r = visitor.newCall(new Request.Builder().url("http://nosuch.localhost:" + relay.port() + "/").build()).execute()) {
            assertThat(r.code()).isEqualTo(404);
            assertThat(r.header("Content-Type")).startsWith("text/html");
            assertThat(r.header("X-Content-Type-Options")).isEqualTo("nosniff");
            assertThat(r.body().string()).containsIgnoringCase("no tunnel named").contains("nosuch");
        }
    }

    @Test
    void localTargetDownGivesA502PageThatSaysWhatToDo() throws Exception {
        int deadPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            deadPort = s.getLocalPort(); // closed again: nothing listens there now
        }
        try (RecordingEngine down = RecordingEngine.connect(relay.connectUrl(), TunnelSpec.http("downapp", deadPort))) {
            down.awaitTunnel();
            try (Response r = visitor.newCall(new Request.Builder().url("http://downapp.localhost:" + relay.port() + "/x").build()).execute()) {
                assertThat(r.code()).isEqualTo(502);
                ResponseBody body = r.body();
                assertThat(body.string()).contains("Nothing is listening on localhost:" + deadPort).contains("is your app running?");
            }
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(down.requests)
                    .anySatisfy(e -> assertThat(e.error()).isEqualTo(ErrorCode.TARGET_UNREACHABLE)));
            RequestEvent failed = down.requests.peek();
            assertThat(failed.errorMessage()).contains("Nothing is listening");
        }
    }
}
