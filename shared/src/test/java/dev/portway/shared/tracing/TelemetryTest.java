package dev.portway.shared.tracing;

import com.sun.net.httpserver.HttpServer;
import dev.portway.shared.protocol.Header;
import dev.portway.shared.protocol.OpenMessage;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The on/off rule, the no-op tracer when off, W3C header propagation, and a real export to an OTLP/HTTP receiver. */
class TelemetryTest {
    private static final String PARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    private HttpServer receiver;
    private final List<String> posts = new CopyOnWriteArrayList<>();
    private final List<byte[]> bodies = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        if (receiver != null) {
            receiver.stop(0);
        }
    }

    @Test
    void tracingIsOnOnlyWhenAnExporterOrEndpointIsNamedOrTheSdkIsEnabledOutright() {
        assertThat(Telemetry.turnsOn(Map.of())).isFalse();
        assertThat(Telemetry.turnsOn(Map.of("OTEL_SERVICE_NAME", "x", "OTEL_RESOURCE_ATTRIBUTES", "a=b"))).isFalse();
        assertThat(Telemetry.turnsOn(Map.of("OTEL_TRACES_EXPORTER", "otlp"))).isTrue();
        assertThat(Telemetry.turnsOn(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318"))).isTrue();
        assertThat(Telemetry.turnsOn(Map.of("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://c:4318/v1/traces"))).isTrue();
        assertThat(Telemetry.turnsOn(Map.of("OTEL_SDK_DISABLED", "false"))).isTrue();
        assertThat(Telemetry.turnsOn(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", " "))).isFalse();
        assertThat(Telemetry.turnsOn(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318", "OTEL_SDK_DISABLED", "true"))).isFalse();
        assertThat(Telemetry.turnsOn(Map.of("OTEL_TRACES_EXPORTER", "none", "OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318"))).isFalse();
    }

    @Test
    void offIsTheNoOpTracerWithoutAnySdkThreadAndHeadersPassUnchanged() {
        java.util.Set<Thread> before = Thread.getAllStackTraces().keySet();
        Telemetry off = Telemetry.configure("portway-test", Map.of("OTEL_SERVICE_NAME", "ignored"));

        assertThat(off).isSameAs(Telemetry.OFF);
        assertThat(off.enabled()).isFalse();
        RequestSpan span = RequestSpan.start(off, "test", SpanKind.SERVER, Context.root(), open(List.of()));
        assertThat(span).isSameAs(RequestSpan.NONE);
        assertThat(span.span().getSpanContext().isValid()).isFalse();
        List<Header> headers = List.of(new Header("traceparent", PARENT));
        assertThat(span.propagate(headers)).isSameAs(headers);
        span.status(503);
        span.end();
        assertThat(Thread.getAllStackTraces().keySet()).allMatch(before::contains); // no SDK worker, no exporter thread
        if (Telemetry.environment().isEmpty()) { // this JVM has no OTEL_* of its own: the process default is off too
            assertThat(Telemetry.fromEnvironment("portway-test")).isSameAs(Telemetry.OFF);
        }
    }

    @Test
    void propagateReplacesTheTraceFieldsAndKeepsTheOthersInOrder() {
        List<Header> in = List.of(new Header("A", "1"), new Header("TraceParent", PARENT), new Header("tracestate", "v=1"),
                new Header("B", "2"));
        Context ctx = Telemetry.extract(in);
        assertThat(io.opentelemetry.api.trace.Span.fromContext(ctx).getSpanContext().getSpanId()).isEqualTo("b7ad6b7169203331");

        List<Header> out = Telemetry.propagate(in, Context.root());
        assertThat(out).containsExactly(new Header("A", "1"), new Header("B", "2"));
        List<Header> again = Telemetry.propagate(in, ctx);
        assertThat(again).containsExactly(new Header("A", "1"), new Header("B", "2"), new Header("traceparent", PARENT),
                new Header("tracestate", "v=1"));
    }

    @Test
    void aSpanIsExportedAsOtlpHttpProtobufToTheConfiguredEndpoint() throws IOException {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/", ex -> {
            try (InputStream in = ex.getRequestBody()) {
                byte[] body = in.readAllBytes();
                posts.add(ex.getRequestMethod() + " " + ex.getRequestURI().getPath() + " "
                        + ex.getRequestHeaders().getFirst("Content-Type"));
                bodies.add(body);
            }
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        receiver.start();
        String endpoint = "http://127.0.0.1:" + receiver.getAddress().getPort();

        try (Telemetry on = Telemetry.configure("portway-test-service", Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint))) {
            assertThat(on.enabled()).isTrue();
            RequestSpan span = RequestSpan.start(on, "test", SpanKind.SERVER, Context.root(), open(List.of()));
            span.status(200);
            span.end();
            on.flush(Duration.ofSeconds(10));
        }

        assertThat(posts).isNotEmpty().allMatch(p -> p.equals("POST /v1/traces application/x-protobuf"));
        String all = new String(bodies.stream().reduce(new byte[0], TelemetryTest::concat), StandardCharsets.ISO_8859_1);
        assertThat(all).contains("portway-test-service", "otlp-tunnel", "portway.tunnel", "/hook", "req-42");
        assertThat(all).doesNotContain("secret=1");
    }

    @Test
    void anUnusableSettingIsRefusedWithWhatToDo() {
        assertThatThrownBy(() -> Telemetry.configure("x", Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4317",
                "OTEL_EXPORTER_OTLP_PROTOCOL", "grpc")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("http/protobuf");
        assertThatThrownBy(() -> Telemetry.configure("x", Map.of("OTEL_TRACES_EXPORTER", "zipkin")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("OTEL_")
                .hasMessageContaining("unset");
    }

    private static OpenMessage open(List<Header> headers) {
        return OpenMessage.http("otlp-tunnel", "127.0.0.1:5000", "req-42", "POST", "/hook?secret=1", headers);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
