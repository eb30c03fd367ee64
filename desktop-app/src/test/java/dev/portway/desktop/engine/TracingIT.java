package dev.portway.desktop.engine;

import com.sun.net.httpserver.HttpServer;
import dev.portway.relay.Relay;
import dev.portway.relay.RelayConfig;
import dev.portway.relay.ingress.VisitorLimits;
import dev.portway.shared.tracing.Telemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * OpenTelemetry traces end to end (issue 16): a visitor request through a real relay on port 0, a real engine and a
 * real local app that records the {@code traceparent} it got; the spans in memory, and once to a real OTLP/HTTP
 * receiver.
 */
class TracingIT {
    private static final String VISITOR_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String VISITOR_SPAN = "00f067aa0ba902b7";
    private final OkHttpClient visitor = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(20)).build();
    private final InMemorySpanExporter relaySpans = InMemorySpanExporter.create();
    private final InMemorySpanExporter engineSpans = InMemorySpanExporter.create();
    private final List<String> appSaw = new CopyOnWriteArrayList<>();
    private final List<AutoCloseable> closeLast = new ArrayList<>();
    private HttpServer local;
    private HttpServer receiver;
    private Relay relay;
    private TunnelEngine engine;

    @AfterEach
    void stop() throws Exception {
        if (engine != null) {
            engine.close();
        }
        if (relay != null) {
            relay.close();
        }
        for (AutoCloseable c : closeLast) {
            c.close();
        }
        if (local != null) {
            local.stop(0);
        }
        if (receiver != null) {
            receiver.stop(0);
        }
    }

    private static Telemetry inMemory(InMemorySpanExporter exporter) {
        return Telemetry.of(OpenTelemetrySdk.builder()
                .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exporter)).build())
                .build());
    }

    /** Relay, local app (200 for /ok, 503 for /fail) and engine with tunnel {@code name}, each tracing to its own. */
    private void start(String name, boolean trustProxy, Telemetry relayTelemetry, Telemetry engineTelemetry) throws IOException {
        relay = Relay.start(RelayConfig.builder().bindHost("127.0.0.1").port(0).token("secret")
                .visitorLimits(VisitorLimits.DEFAULTS.withTrustProxy(trustProxy)).build(), null, null, relayTelemetry);
        local = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        local.createContext("/", ex -> {
            appSaw.add(String.valueOf(ex.getRequestHeaders().getFirst("traceparent")));
            byte[] body = "hello".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(ex.getRequestURI().getPath().equals("/fail") ? 503 : 200, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        });
        local.start();
        engine = new TunnelEngine(EngineConfig.of(URI.create(relay.connectUrl()), "secret",
                List.of(new TunnelSpec("http", name, "127.0.0.1", local.getAddress().getPort(), Map.of()))),
                Runnable::run, RelayTrust.system(), engineTelemetry);
        engine.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> !engine.tunnels().isEmpty());
    }

    private int visit(String name, String path, String traceparent) throws IOException {
        Request.Builder b = new Request.Builder().url("http://127.0.0.1:" + relay.port() + path).header("Host", name + ".localhost");
        if (traceparent != null) {
            b.header("traceparent", traceparent).header("tracestate", "visitor=1");
        }
        try (Response r = visitor.newCall(b.build()).execute()) {
            r.body().string();
            return r.code();
        }
    }

    /** The W3C traceparent naming this span (flags: sampled, and with OTel 1.68 "random trace id" on new traces). */
    private static String traceparent(SpanData span) {
        return "00-" + span.getTraceId() + "-" + span.getSpanId() + "-" + span.getSpanContext().getTraceFlags().asHex();
    }

    private static SpanData only(InMemorySpanExporter exporter) {
        await().atMost(Duration.ofSeconds(10)).until(() -> exporter.getFinishedSpanItems().size() == 1);
        return exporter.getFinishedSpanItems().getFirst();
    }

    @Test
    void oneRequestGivesARelaySpanAndAnEngineSpanOfOneTraceAndTheAppSeesTheEngineSpan() throws IOException {
        start("traced", false, inMemory(relaySpans), inMemory(engineSpans));

        assertThat(visit("traced", "/ok?token=hidden", null)).isEqualTo(200);

        SpanData relaySpan = only(relaySpans);
        SpanData engineSpan = only(engineSpans);
        assertThat(relaySpan.getKind()).isEqualTo(SpanKind.SERVER);
        assertThat(relaySpan.getParentSpanContext().isValid()).isFalse(); // a new trace
        assertThat(engineSpan.getKind()).isEqualTo(SpanKind.CLIENT);
        assertThat(engineSpan.getTraceId()).isEqualTo(relaySpan.getTraceId());
        assertThat(engineSpan.getParentSpanId()).isEqualTo(relaySpan.getSpanId());
        assertThat(appSaw).containsExactly(traceparent(engineSpan));

        assertThat(relaySpan.getName()).isEqualTo("GET");
        var r = relaySpan.getAttributes();
        assertThat(r.get(AttributeKey.stringKey("http.request.method"))).isEqualTo("GET");
        assertThat(r.get(AttributeKey.stringKey("url.path"))).isEqualTo("/ok");
        assertThat(r.get(AttributeKey.longKey("http.response.status_code"))).isEqualTo(200L);
        assertThat(r.get(AttributeKey.stringKey("portway.tunnel"))).isEqualTo("traced");
        assertThat(r.get(AttributeKey.stringKey("portway.user"))).isEqualTo("local");
        assertThat(r.get(AttributeKey.stringKey("portway.request_id"))).isNotBlank();
        assertThat(r.get(AttributeKey.stringKey("server.address"))).isEqualTo("traced.localhost");
        assertThat(relaySpan.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
        var e = engineSpan.getAttributes();
        assertThat(e.get(AttributeKey.stringKey("portway.tunnel"))).isEqualTo("traced");
        assertThat(e.get(AttributeKey.stringKey("portway.user"))).isEqualTo("local");
        assertThat(e.get(AttributeKey.stringKey("portway.request_id"))).isEqualTo(r.get(AttributeKey.stringKey("portway.request_id")));
        assertThat(e.get(AttributeKey.stringKey("url.path"))).isEqualTo("/ok");
        assertThat(e.get(AttributeKey.longKey("http.response.status_code"))).isEqualTo(200L);
        assertThat(e.get(AttributeKey.stringKey("server.address"))).isEqualTo("127.0.0.1");
        assertThat(e.get(AttributeKey.longKey("server.port"))).isEqualTo((long) local.getAddress().getPort());
    }

    @Test
    void anHttp2StreamIsTracedLikeAnHttp1Request() throws IOException {
        start("streamed", false, inMemory(relaySpans), inMemory(engineSpans));
        OkHttpClient h2c = visitor.newBuilder().protocols(List.of(okhttp3.Protocol.H2_PRIOR_KNOWLEDGE)).build();

        try (Response r = h2c.newCall(new Request.Builder().url("http://127.0.0.1:" + relay.port() + "/ok")
                .header("Host", "streamed.localhost").build()).execute()) {
            assertThat(r.protocol()).isEqualTo(okhttp3.Protocol.H2_PRIOR_KNOWLEDGE);
            assertThat(r.code()).isEqualTo(200);
            r.body().string();
        }

        SpanData relaySpan = only(relaySpans);
        SpanData engineSpan = only(engineSpans);
        assertThat(relaySpan.getAttributes().get(AttributeKey.longKey("http.response.status_code"))).isEqualTo(200L);
        assertThat(relaySpan.getAttributes().get(AttributeKey.stringKey("portway.tunnel"))).isEqualTo("streamed");
        assertThat(engineSpan.getParentSpanId()).isEqualTo(relaySpan.getSpanId());
        assertThat(appSaw).containsExactly(traceparent(engineSpan));
    }

    @Test
    void withoutTrustProxyTheVisitorsTraceparentIsReplacedNotFollowed() throws IOException {
        start("untrusted", false, inMemory(relaySpans), inMemory(engineSpans));

        assertThat(visit("untrusted", "/ok", "00-" + VISITOR_TRACE + "-" + VISITOR_SPAN + "-01")).isEqualTo(200);

        SpanData relaySpan = only(relaySpans);
        SpanData engineSpan = only(engineSpans);
        assertThat(relaySpan.getParentSpanContext().isValid()).isFalse();
        assertThat(relaySpan.getTraceId()).isNotEqualTo(VISITOR_TRACE);
        assertThat(relaySpan.getSpanContext().getTraceState().isEmpty()).isTrue();
        assertThat(engineSpan.getParentSpanId()).isEqualTo(relaySpan.getSpanId());
        assertThat(engineSpan.getTraceId()).isEqualTo(relaySpan.getTraceId());
        assertThat(appSaw).containsExactly(traceparent(engineSpan));
    }

    @Test
    void withTrustProxyTheVisitorsTraceparentIsTheRelaySpansParent() throws IOException {
        start("trusted", true, inMemory(relaySpans), inMemory(engineSpans));

        assertThat(visit("trusted", "/ok", "00-" + VISITOR_TRACE + "-" + VISITOR_SPAN + "-01")).isEqualTo(200);

        SpanData relaySpan = only(relaySpans);
        SpanData engineSpan = only(engineSpans);
        assertThat(relaySpan.getTraceId()).isEqualTo(VISITOR_TRACE);
        assertThat(relaySpan.getParentSpanId()).isEqualTo(VISITOR_SPAN);
        assertThat(relaySpan.getSpanContext().getTraceState().get("visitor")).isEqualTo("1");
        assertThat(engineSpan.getTraceId()).isEqualTo(VISITOR_TRACE);
        assertThat(engineSpan.getParentSpanId()).isEqualTo(relaySpan.getSpanId());
        assertThat(appSaw).containsExactly("00-" + VISITOR_TRACE + "-" + engineSpan.getSpanId() + "-01");
    }

    @Test
    void aFailingAppAndAMissingTunnelAreErrorSpans() throws IOException {
        start("failing", false, inMemory(relaySpans), inMemory(engineSpans));

        assertThat(visit("failing", "/fail", null)).isEqualTo(503);
        SpanData relaySpan = only(relaySpans);
        assertThat(relaySpan.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(only(engineSpans).getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);

        relaySpans.reset();
        assertThat(visit("nobody", "/", null)).isEqualTo(404); // the relay's own answer: no tunnel of that name
        SpanData notFound = only(relaySpans);
        assertThat(notFound.getAttributes().get(AttributeKey.longKey("http.response.status_code"))).isEqualTo(404L);
        assertThat(notFound.getAttributes().get(AttributeKey.stringKey("portway.tunnel"))).isEqualTo("nobody");
        assertThat(notFound.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);

        relaySpans.reset();
        engineSpans.reset();
        local.stop(0); // nothing listens on the local port now: the relay answers 502 itself
        local = null;
        assertThat(visit("failing", "/ok", null)).isEqualTo(502);
        SpanData badGateway = only(relaySpans);
        assertThat(badGateway.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(badGateway.getAttributes().get(AttributeKey.longKey("http.response.status_code"))).isEqualTo(502L);
        SpanData unreachable = only(engineSpans);
        assertThat(unreachable.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(unreachable.getAttributes().get(AttributeKey.stringKey("error.type"))).isNotBlank();
        assertThat(unreachable.getAttributes().get(AttributeKey.longKey("http.response.status_code"))).isNull();
    }

    @Test
    void withTracingOffTheVisitorsTraceparentPassesUnchangedAndNothingIsRecorded() throws IOException {
        start("off", false, Telemetry.configure("portway-relay", Map.of()), Telemetry.configure("portway-engine", Map.of()));
        String visitorParent = "00-" + VISITOR_TRACE + "-" + VISITOR_SPAN + "-01";

        assertThat(visit("off", "/ok", visitorParent)).isEqualTo(200);

        assertThat(appSaw).containsExactly(visitorParent);
    }

    @Test
    void bothSidesExportToARealOtlpHttpReceiver() throws IOException {
        List<byte[]> bodies = new CopyOnWriteArrayList<>();
        List<String> posts = new CopyOnWriteArrayList<>();
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/", ex -> {
            try (InputStream in = ex.getRequestBody()) {
                bodies.add(in.readAllBytes());
            }
            posts.add(ex.getRequestMethod() + " " + ex.getRequestURI().getPath() + " " + ex.getRequestHeaders().getFirst("Content-Type"));
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        receiver.start();
        Map<String, String> settings = Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:" + receiver.getAddress().getPort(),
                "OTEL_BSP_SCHEDULE_DELAY", "60000"); // exported by the flush below, not by the timer
        Telemetry relayTelemetry = Telemetry.configure(dev.portway.relay.ingress.RelayTracing.SERVICE, settings);
        Telemetry engineTelemetry = Telemetry.configure(EngineTracing.SERVICE, settings);
        closeLast.add(relayTelemetry);
        closeLast.add(engineTelemetry);
        start("exported-tunnel", false, relayTelemetry, engineTelemetry);

        assertThat(visit("exported-tunnel", "/ok", null)).isEqualTo(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> appSaw.size() == 1);
        engine.close(); // the engine's span has ended once its stream is over
        engine = null;
        relayTelemetry.flush(Duration.ofSeconds(10));
        engineTelemetry.flush(Duration.ofSeconds(10));

        assertThat(posts).isNotEmpty().allMatch(p -> p.equals("POST /v1/traces application/x-protobuf"));
        String all = bodies.stream().map(b -> new String(b, StandardCharsets.ISO_8859_1)).reduce("", String::concat);
        assertThat(all).contains("portway-relay", "portway-engine", "exported-tunnel", "portway.tunnel");
    }
}
