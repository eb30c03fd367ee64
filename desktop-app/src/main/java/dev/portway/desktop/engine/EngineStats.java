package dev.portway.desktop.engine;

import dev.portway.shared.protocol.ErrorCategory;
import dev.portway.shared.protocol.ErrorCode;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * Running totals of one engine for charts: requests, bytes, errors per {@link ErrorCategory}, reconnects,
 * the last heartbeat round trip and the current state with when it began. Add it with
 * {@link TunnelEngine#addListener}; read it with {@link #snapshot()} a few times a second.
 *
 * <p>Thread-safe and lock-free: the callbacks arrive on the engine's network threads and only bump
 * {@link LongAdder}s. Where errors come from:
 * <ul>
 *   <li>a request or TCP connection that did not complete: the category of {@link RequestEvent#error()}
 *       (a local app that is down is {@link ErrorCategory#TARGET}, a visitor that went away is NETWORK);</li>
 *   <li>a failed connect or a lost connection: the category of the {@link EngineStatus} that reports it
 *       (RECONNECTING or FAILED; refused credentials are AUTH) — one per failed attempt;</li>
 *   <li>a refused tunnel: the category of the refusal's {@link ErrorCode} (a taken name is CONFIG).</li>
 * </ul>
 * A reconnect is counted each time a CONNECTED engine leaves that state for RECONNECTING.
 */
public final class EngineStats implements EngineListener {

    /** Cumulative totals since the stats were made. {@code errors} is indexed by {@link ErrorCategory#ordinal()}. */
    public record Snapshot(long requests, long bytesIn, long bytesOut, long[] errors, long reconnects,
                           EngineState state, Instant stateSince, Duration lastRtt) {
        public long errors(ErrorCategory c) {
            return errors[c.ordinal()];
        }

        public long totalErrors() {
            long n = 0;
            for (long e : errors) {
                n += e;
            }
            return n;
        }
    }

    private final Clock clock;
    private final LongAdder requests = new LongAdder();
    private final LongAdder bytesIn = new LongAdder();
    private final LongAdder bytesOut = new LongAdder();
    private final LongAdder[] errors = new LongAdder[ErrorCategory.values().length];
    private final LongAdder reconnects = new LongAdder();
    private final AtomicReference<StateSince> state;
    private final AtomicLong rttNanos = new AtomicLong(-1);

    private record StateSince(EngineState state, Instant since) {
    }

    public EngineStats(Clock clock) {
        this.clock = clock;
        for (int i = 0; i < errors.length; i++) {
            errors[i] = new LongAdder();
        }
        state = new AtomicReference<>(new StateSince(EngineState.DISCONNECTED, clock.instant()));
    }

    @Override
    public void onStatus(EngineStatus status) {
        StateSince before = state.getAndUpdate(s -> s.state() == status.state() ? s : new StateSince(status.state(), clock.instant()));
        if (before.state() == EngineState.CONNECTED && status.state() == EngineState.RECONNECTING) {
            reconnects.increment();
        }
        if (status.category() != null && (status.state() == EngineState.RECONNECTING || status.state() == EngineState.FAILED)) {
            errors[status.category().ordinal()].increment();
        }
    }

    @Override
    public void onTunnelRefused(TunnelSpec spec, ErrorCode code, String message) {
        errors[code.category().ordinal()].increment();
    }

    @Override
    public void onRtt(Duration rtt) {
        rttNanos.set(rtt.toNanos());
    }

    @Override
    public void onRequest(RequestEvent e) {
        requests.increment();
        bytesIn.add(e.bytesIn());
        bytesOut.add(e.bytesOut());
        if (e.error() != null) {
            errors[e.error().category().ordinal()].increment();
        }
    }

    public Snapshot snapshot() {
        long[] byCategory = new long[errors.length];
        for (int i = 0; i < errors.length; i++) {
            byCategory[i] = errors[i].sum();
        }
        StateSince s = state.get();
        long rtt = rttNanos.get();
        return new Snapshot(requests.sum(), bytesIn.sum(), bytesOut.sum(), byCategory, reconnects.sum(), s.state(), s.since(),
                rtt < 0 ? null : Duration.ofNanos(rtt));
    }
}
