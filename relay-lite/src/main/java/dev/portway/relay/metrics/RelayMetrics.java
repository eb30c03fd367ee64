package dev.portway.relay.metrics;

import dev.portway.shared.protocol.ErrorCategory;
import dev.portway.shared.protocol.ErrorCode;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.datapoints.GaugeDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.Map;

/**
 * The relay's Prometheus metrics (documented in relay-lite/README.md). One instance per relay, with its own
 * registry. Thread-safe: the recording methods are called on event loops and cost a striped-counter add
 * (label children are resolved once, here); gauges are read from the relay's in-memory state at scrape time.
 * Every label value comes from a small enum: never a tunnel name, user or address.
 */
public final class RelayMetrics {
    /** {@code Content-Type} of {@link #scrape()}: the Prometheus text format 0.0.4. */
    public static final String CONTENT_TYPE = PrometheusTextFormatWriter.CONTENT_TYPE;

    /**
     * Latency buckets, 1 ms to 10 s: loopback hops are about 1 ms, a slow app takes seconds. In seconds, not the
     * {@code tunnel_request_latency_ms} of PRODUCT.md: {@code promtool check metrics} rejects abbreviated and
     * non-base units ({@code _ms}, {@code _milliseconds}).
     */
    private static final double[] LATENCY_BUCKETS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

    /** How a visitor reaches a tunnel. */
    public enum Kind {
        HTTP, TCP;

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** What became of one visitor request (HTTP) or connection (TCP), as the visitor saw it. */
    public enum Outcome {
        /** The app answered with a status below 400 (TCP: the client connected to the app). */
        OK,
        /** The app answered 4xx. */
        CLIENT_ERROR,
        /** The app answered 5xx. */
        SERVER_ERROR,
        /** The tunnel's client or app failed before answering: the relay answered 502/503/504 (TCP: closed). */
        TARGET_ERROR,
        /** The relay refused it without carrying it: unknown tunnel, busy, reconnecting, too large, queue full. */
        REJECTED,
        /** Stored in the tunnel's durable queue (202). */
        QUEUED,
        /** The visitor went away before an answer. */
        CANCELLED;

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Why the relay turned a visitor away before (or while) carrying its request: a limit or a tunnel's protection. */
    public enum Refusal {
        /** Over the per-visitor-IP request rate (429). */
        RATE,
        /** Request body larger than the relay accepts (413). */
        BODY_SIZE,
        /** Request head too large or too many header fields (431). */
        HEADER_SIZE,
        /** Request head not complete in time (408). */
        SLOW_HEADER,
        /** Request body arriving below the floor rate (408 or cut). */
        SLOW_BODY,
        /** Too many open connections, in total or from one address (503 or closed). */
        CONNECTIONS,
        /** The tunnel's IP allow/deny list (403 or closed). */
        IP_LIST,
        /** The tunnel's basic auth: missing or wrong credentials (401). */
        BASIC_AUTH;

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The relay state that gauges read at scrape time. Called on the scraping thread; must not block. */
    public interface Source {
        int sessions();

        int heldRequests();

        /** @return {count, bytes} stored in the durable queue, over all tunnels */
        long[] queued();

        /** The latest circuit-breaker state each client reported, by tunnel. */
        Map<String, String> breakerStates();
    }

    private static final String[] BREAKER_STATES = {"closed", "open", "half_open"};

    private final PrometheusRegistry registry = new PrometheusRegistry();
    /** Per-tunnel traffic for the console (not exported). */
    private final TunnelTraffic traffic = new TunnelTraffic();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.builder().build();
    private final CounterDataPoint[][] requests = new CounterDataPoint[Kind.values().length][Outcome.values().length];
    private final DistributionDataPoint[] latency = new DistributionDataPoint[Kind.values().length];
    private final GaugeDataPoint[] connections = new GaugeDataPoint[Kind.values().length];
    private final CounterDataPoint[] errors = new CounterDataPoint[ErrorCategory.values().length];
    private final CounterDataPoint[] rateLimitHits = new CounterDataPoint[Limit.values().length];
    private final CounterDataPoint[] refusals = new CounterDataPoint[Refusal.values().length];
    private final Gauge sshSessions;
    private final Counter pingsUnanswered;

    /** Which limit refused something: the {@code limit} label of {@code tunnel_rate_limit_hits_total}. */
    public enum Limit {
        /** A visitor request over the tunnel owner's requests per minute (429). */
        USER_REQUESTS,
        /** A bind over the user's tunnel limit. */
        USER_TUNNELS,
        /** A hello over the user's connection limit. */
        USER_CONNECTIONS,
        /** A visitor request over the relay's per-visitor-IP request rate (429). */
        VISITOR_IP,
        /** A login (hello or SSH) refused unchecked: a lockout after failed logins, or too many checks in flight. */
        AUTH_ATTEMPTS;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Visitor traffic per bound tunnel (the console's live page). */
    public TunnelTraffic traffic() {
        return traffic;
    }

    public RelayMetrics(Source source) {
        Counter requestCounter = Counter.builder().name("tunnel_requests_total")
                .help("Visitor requests (HTTP) and connections (TCP) to tunnels, by outcome")
                .labelNames("kind", "outcome").register(registry);
        Histogram latencyHistogram = Histogram.builder().name("tunnel_request_latency_seconds")
                .help("Time from a visitor's request head to the response head (TCP: to the client's connect)")
                .labelNames("kind").classicOnly().classicUpperBounds(LATENCY_BUCKETS).withoutExemplars()
                .register(registry);
        Gauge connectionGauge = Gauge.builder().name("tunnel_active_connections")
                .help("Open visitor connections").labelNames("kind").register(registry);
        for (Kind k : Kind.values()) {
            for (Outcome o : Outcome.values()) {
                requests[k.ordinal()][o.ordinal()] = requestCounter.labelValues(k.label(), o.label());
            }
            latency[k.ordinal()] = latencyHistogram.labelValues(k.label());
            connections[k.ordinal()] = connectionGauge.labelValues(k.label());
        }
        Counter errorCounter = Counter.builder().name("tunnel_errors_total")
                .help("Protocol errors by category: refused handshakes, bind refusals, stream resets either way")
                .labelNames("category").register(registry);
        for (ErrorCategory c : ErrorCategory.values()) {
            errors[c.ordinal()] = errorCounter.labelValues(c.wireName());
        }
        Counter limitCounter = Counter.builder().name("tunnel_rate_limit_hits_total")
                .help("Requests, binds and connections refused by a rate or per-user limit").labelNames("limit")
                .register(registry);
        for (Limit l : Limit.values()) {
            rateLimitHits[l.ordinal()] = limitCounter.labelValues(l.label());
        }
        Counter refusalCounter = Counter.builder().name("tunnel_visitor_refusals_total")
                .help("Visitor requests and connections refused by a relay limit or a tunnel's protection, by reason")
                .labelNames("reason").register(registry);
        for (Refusal r : Refusal.values()) {
            refusals[r.ordinal()] = refusalCounter.labelValues(r.label());
        }

        pingsUnanswered = Counter.builder().name("tunnel_pings_unanswered_total")
                .help("Pings (control or WebSocket) a client sent while it was not reading the relay's answers: dropped, "
                        + "so what the relay queues towards it stays bounded").register(registry);
        sshSessions = Gauge.builder().name("tunnel_ssh_sessions")
                .help("Authenticated connections to the SSH gateway").register(registry);
        GaugeWithCallback.builder().name("tunnel_sessions").help("Connected client sessions")
                .callback(cb -> cb.call(source.sessions())).register(registry);
        GaugeWithCallback.builder().name("tunnel_held_requests")
                .help("Visitor requests held while their tunnel's client reconnects")
                .callback(cb -> cb.call(source.heldRequests())).register(registry);
        GaugeWithCallback.builder().name("tunnel_queue_size").help("Requests stored in the durable queue")
                .callback(cb -> cb.call(source.queued()[0])).register(registry);
        GaugeWithCallback.builder().name("tunnel_queue_bytes").help("Bytes of request bodies stored in the durable queue")
                .callback(cb -> cb.call(source.queued()[1])).register(registry);
        GaugeWithCallback.builder().name("tunnel_circuit_breaker_state")
                .help("Tunnels whose client reported its circuit breaker in this state")
                .labelNames("state").callback(cb -> {
                    long[] counts = new long[BREAKER_STATES.length];
                    for (String state : source.breakerStates().values()) {
                        for (int i = 0; i < BREAKER_STATES.length; i++) {
                            if (BREAKER_STATES[i].equals(state)) {
                                counts[i]++;
                            }
                        }
                    }
                    for (int i = 0; i < BREAKER_STATES.length; i++) {
                        cb.call(counts[i], BREAKER_STATES[i]);
                    }
                }).register(registry);
    }

    /** Counts a request that got no response head from the app's side (rejected, queued, cancelled). */
    public void request(Kind kind, Outcome outcome) {
        requests[kind.ordinal()][outcome.ordinal()].inc();
    }

    /** Counts a request and its latency from {@code startNanos} ({@link System#nanoTime()} at the request head). */
    public void request(Kind kind, Outcome outcome, long startNanos) {
        requests[kind.ordinal()][outcome.ordinal()].inc();
        latency[kind.ordinal()].observe((System.nanoTime() - startNanos) / 1e9);
    }

    /** The outcome of an app's HTTP status. */
    public static Outcome outcomeOf(int status) {
        return status >= 500 ? Outcome.SERVER_ERROR : status >= 400 ? Outcome.CLIENT_ERROR : Outcome.OK;
    }

    public void error(ErrorCode code) {
        errors[code.category().ordinal()].inc();
    }

    public void connectionOpened(Kind kind) {
        connections[kind.ordinal()].inc();
    }

    public void connectionClosed(Kind kind) {
        connections[kind.ordinal()].dec();
    }

    /** A ping went unanswered: its client's channel was not writable (it does not read). */
    public void pongDropped() {
        pingsUnanswered.inc();
    }

    public void sshSessionOpened() {
        sshSessions.inc();
    }

    public void sshSessionClosed() {
        sshSessions.dec();
    }

    /** Something was refused by a limit. */
    public void rateLimitHit(Limit limit) {
        rateLimitHits[limit.ordinal()].inc();
    }

    /**
     * Counts a visitor refused by a limit or protection; a {@link Refusal#RATE} also counts as a rate-limit hit
     * with {@code limit="visitor_ip"}.
     */
    public void refused(Refusal reason) {
        refusals[reason.ordinal()].inc();
        if (reason == Refusal.RATE) {
            rateLimitHits[Limit.VISITOR_IP.ordinal()].inc();
        }
    }

    /** How many visitors were refused for {@code reason} so far (tests, logs). */
    public long refusals(Refusal reason) {
        return (long) refusals[reason.ordinal()].get();
    }

    /** The exposition in the Prometheus text format. Reads in-memory state only: fine on an event loop. */
    public byte[] scrape() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
        try {
            writer.write(out, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not throw
        }
        return out.toByteArray();
    }
}
