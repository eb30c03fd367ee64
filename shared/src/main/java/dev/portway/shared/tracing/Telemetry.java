package dev.portway.shared.tracing;

import dev.portway.shared.protocol.Header;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.TracerProvider;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdkBuilder;
import io.opentelemetry.sdk.autoconfigure.spi.ConfigurationException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * OpenTelemetry traces of one Portway process, the relay's or the engine's (issue 16). Configured by the standard
 * {@code OTEL_*} variables (or their {@code otel.*} system properties), but <b>off unless asked for</b>: tracing is on
 * only when {@code OTEL_SDK_DISABLED} is not {@code true} and one of {@code OTEL_TRACES_EXPORTER} (not {@code none}),
 * {@code OTEL_EXPORTER_OTLP_ENDPOINT}, {@code OTEL_EXPORTER_OTLP_TRACES_ENDPOINT} is set, or {@code OTEL_SDK_DISABLED}
 * is set to {@code false}. Off, the tracer is OpenTelemetry's no-op one: no SDK, no thread, nothing exported.
 *
 * <p>On, the SDK comes from OpenTelemetry's autoconfigure, with these defaults that the variables override:
 * {@code OTEL_SERVICE_NAME} the process's ({@code portway-relay}, {@code portway-engine}),
 * {@code OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf} (the one protocol the bundled JDK-HttpClient sender speaks),
 * {@code OTEL_METRICS_EXPORTER=none} and {@code OTEL_LOGS_EXPORTER=none} (Portway exports traces only).
 * Trace context always travels as W3C {@code traceparent} / {@code tracestate}, whatever {@code OTEL_PROPAGATORS} says:
 * baggage from a visitor is never passed on.
 */
public final class Telemetry implements AutoCloseable {
    /** Tracing is off: the no-op tracer. */
    public static final Telemetry OFF = new Telemetry(OpenTelemetry.noop(), null);
    /** Any of these set (and the SDK not disabled) turns tracing on. */
    static final List<String> SWITCHES = List.of("OTEL_TRACES_EXPORTER", "OTEL_EXPORTER_OTLP_ENDPOINT",
            "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");
    public static final String TRACEPARENT = "traceparent";
    public static final String TRACESTATE = "tracestate";
    private static final Map<String, Telemetry> FROM_ENVIRONMENT = new ConcurrentHashMap<>();
    private static final TextMapPropagator W3C = W3CTraceContextPropagator.getInstance();

    private final OpenTelemetry otel;
    /** The SDK this instance built and owns, or null (off, or given from outside). */
    private final OpenTelemetrySdk owned;

    private Telemetry(OpenTelemetry otel, OpenTelemetrySdk owned) {
        this.otel = otel;
        this.owned = owned;
    }

    /** An instance over a ready OpenTelemetry (tests: an SDK with an in-memory exporter); the caller closes that. */
    public static Telemetry of(OpenTelemetry otel) {
        return new Telemetry(otel, null);
    }

    /**
     * The process's instance from its environment and system properties, built once per service name and flushed
     * at JVM exit (autoconfigure's shutdown hook).
     *
     * @throws IllegalArgumentException when tracing is asked for but the settings are not usable (the message says
     *                                  which and what to do)
     */
    public static Telemetry fromEnvironment(String defaultServiceName) {
        return FROM_ENVIRONMENT.computeIfAbsent(defaultServiceName, n -> build(n, environment(), true));
    }

    /**
     * An instance from these {@code OTEL_*} settings (named as the environment variables), not shared; the caller
     * closes it. {@link #OFF} when they do not turn tracing on.
     *
     * @throws IllegalArgumentException when tracing is asked for but the settings are not usable
     */
    public static Telemetry configure(String defaultServiceName, Map<String, String> settings) {
        return build(defaultServiceName, settings, false);
    }

    /** Whether these {@code OTEL_*} settings turn tracing on (the rule in the class comment). */
    public static boolean turnsOn(Map<String, String> settings) {
        String disabled = value(settings, "OTEL_SDK_DISABLED");
        if ("true".equalsIgnoreCase(disabled) || "none".equalsIgnoreCase(value(settings, "OTEL_TRACES_EXPORTER"))) {
            return false;
        }
        return "false".equalsIgnoreCase(disabled) || SWITCHES.stream().anyMatch(k -> value(settings, k) != null);
    }

    private static String value(Map<String, String> settings, String key) {
        String v = settings.get(key);
        return v == null || v.isBlank() ? null : v.trim();
    }

    /** The {@code OTEL_*} environment variables, overridden by {@code otel.*} system properties (as autoconfigure does). */
    static Map<String, String> environment() {
        Map<String, String> out = new HashMap<>();
        System.getenv().forEach((k, v) -> {
            if (k.startsWith("OTEL_")) {
                out.put(k, v);
            }
        });
        System.getProperties().forEach((k, v) -> {
            if (k instanceof String s && s.startsWith("otel.") && v instanceof String value) {
                out.put(s.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_'), value);
            }
        });
        return out;
    }

    private static Telemetry build(String serviceName, Map<String, String> settings, boolean shutdownHook) {
        if (!turnsOn(settings)) {
            return OFF;
        }
        Map<String, String> properties = new HashMap<>();
        settings.forEach((k, v) -> {
            if (k.startsWith("OTEL_")) {
                properties.put(k.toLowerCase(Locale.ROOT).replace('_', '.'), v);
            }
        });
        properties.put("otel.sdk.disabled", "false");
        String protocol = properties.getOrDefault("otel.exporter.otlp.traces.protocol",
                properties.getOrDefault("otel.exporter.otlp.protocol", "http/protobuf"));
        if (!protocol.equals("http/protobuf")) {
            throw new IllegalArgumentException("OTEL_EXPORTER_OTLP_PROTOCOL is " + protocol + ", but Portway exports OTLP "
                    + "over HTTP only: set it to http/protobuf (or unset it) and point OTEL_EXPORTER_OTLP_ENDPOINT at the "
                    + "collector's OTLP/HTTP port, usually 4318.");
        }
        AutoConfiguredOpenTelemetrySdkBuilder builder = AutoConfiguredOpenTelemetrySdk.builder()
                .addPropertiesSupplier(() -> Map.of("otel.service.name", serviceName,
                        "otel.exporter.otlp.protocol", "http/protobuf",
                        "otel.metrics.exporter", "none", "otel.logs.exporter", "none"))
                // the given settings win over the process's own (in fromEnvironment they are the same)
                .addPropertiesCustomizer(config -> properties);
        if (!shutdownHook) {
            builder.disableShutdownHook();
        }
        try {
            OpenTelemetrySdk sdk = builder.build().getOpenTelemetrySdk();
            return new Telemetry(sdk, sdk);
        } catch (ConfigurationException e) {
            throw new IllegalArgumentException("The OpenTelemetry settings (OTEL_*) cannot be used: " + e.getMessage()
                    + " Fix them, or unset OTEL_TRACES_EXPORTER and OTEL_EXPORTER_OTLP_*ENDPOINT to run without tracing.", e);
        }
    }

    /** Whether spans are recorded and exported (false: the no-op tracer). */
    public boolean enabled() {
        return otel.getTracerProvider() != TracerProvider.noop();
    }

    public Tracer tracer(String scope) {
        return otel.getTracer(scope);
    }

    /** The trace context these request headers carry ({@code traceparent}, {@code tracestate}), or the root context. */
    public static Context extract(List<Header> headers) {
        return W3C.extract(Context.root(), headers, HEADERS);
    }

    /**
     * These headers with their {@code traceparent} and {@code tracestate} replaced by the span context of
     * {@code context} (none when it has no valid span). Order of the others is kept; the new fields go last.
     */
    public static List<Header> propagate(List<Header> headers, Context context) {
        List<Header> out = new ArrayList<>(headers.size() + 2);
        for (Header h : headers) {
            if (!h.name().equalsIgnoreCase(TRACEPARENT) && !h.name().equalsIgnoreCase(TRACESTATE)) {
                out.add(h);
            }
        }
        W3C.inject(context, out, (list, name, value) -> list.add(new Header(name, value)));
        return out;
    }

    /** Exports what has ended so far; waits up to {@code timeout}. */
    public void flush(Duration timeout) {
        if (owned != null) {
            owned.getSdkTracerProvider().forceFlush().join(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } else if (otel instanceof OpenTelemetrySdk sdk) {
            sdk.getSdkTracerProvider().forceFlush().join(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** Flushes and stops an SDK this instance built ({@link #configure}); one from {@link #of} is the caller's. */
    @Override
    public void close() {
        if (owned != null) {
            owned.shutdown().join(10, TimeUnit.SECONDS);
        }
    }

    private static final TextMapGetter<List<Header>> HEADERS = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(List<Header> carrier) {
            return carrier.stream().map(Header::name).toList();
        }

        @Override
        public String get(List<Header> carrier, String key) {
            if (carrier == null) {
                return null;
            }
            for (Header h : carrier) {
                if (h.name().equalsIgnoreCase(key)) {
                    return h.value();
                }
            }
            return null;
        }
    };
}
