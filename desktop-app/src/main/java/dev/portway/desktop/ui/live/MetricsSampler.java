package dev.portway.desktop.ui.live;

import dev.portway.desktop.engine.EngineListener;
import dev.portway.desktop.engine.EngineStats;
import dev.portway.desktop.engine.RequestEvent;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Collects one profile's {@link RequestEvent}s as they finish and turns them into a {@link Sample} a few
 * times a second, so the UI gets one update per tick however many requests there are.
 *
 * <p>Thread-safe. {@link #record} is called on the engine's network threads: it only takes a short lock
 * and never allocates more than the bounded buffers (a latency reservoir of {@value #RESERVOIR} per tick
 * and the last {@value #MAX_FRESH} events). {@link #sample} is called by one ticker thread.
 */
public final class MetricsSampler {
    static final int RESERVOIR = 2048;
    public static final int MAX_FRESH = 500;
    private static final Duration THROUGHPUT_WINDOW = Duration.ofSeconds(5);

    /**
     * What happened since the previous sample.
     *
     * @param count       requests finished since the previous sample
     * @param p50Ms       latency percentiles of those requests in milliseconds; NaN when count is 0
     * @param perSecond   requests per second over the last five seconds
     * @param newRequests the requests finished since the previous sample, oldest first, at most {@value #MAX_FRESH}
     * @param bytesIn     body bytes from visitors since the previous sample
     * @param bytesOut    body bytes to visitors since the previous sample
     * @param errors      errors since the previous sample, indexed by {@link dev.portway.shared.protocol.ErrorCategory#ordinal()}
     * @param reconnects  connections lost since the previous sample
     * @param rttMs       the last heartbeat round trip in milliseconds; NaN before the first
     */
    public record Sample(Instant at, int count, double p50Ms, double p95Ms, double p99Ms, double perSecond,
                         long total, long failed, List<RequestEvent> newRequests,
                         long bytesIn, long bytesOut, long[] errors, long reconnects, double rttMs) {

        /** A sample without traffic counters (bytes, errors, reconnects, RTT). */
        public Sample(Instant at, int count, double p50Ms, double p95Ms, double p99Ms, double perSecond,
                      long total, long failed, List<RequestEvent> newRequests) {
            this(at, count, p50Ms, p95Ms, p99Ms, perSecond, total, failed, newRequests, 0, 0,
                    new long[dev.portway.shared.protocol.ErrorCategory.values().length], 0, Double.NaN);
        }
    }

    private final long[] latencies = new long[RESERVOIR];
    private final ArrayDeque<RequestEvent> fresh = new ArrayDeque<>();
    private final ArrayDeque<long[]> recentCounts = new ArrayDeque<>(); // {epochMillis, count} per sample
    private final EngineStats stats = new EngineStats(Clock.systemUTC());
    private EngineStats.Snapshot previous = stats.snapshot(); // ticker thread only
    private int seen;
    private long total;
    private long failed;

    public void record(RequestEvent e) {
        long micros = e.duration() == null ? 0 : e.duration().toNanos() / 1_000;
        synchronized (this) {
            // Reservoir sampling: beyond RESERVOIR requests per tick the percentiles come from a uniform sample.
            if (seen < RESERVOIR) {
                latencies[seen] = micros;
            } else {
                int slot = ThreadLocalRandom.current().nextInt(seen + 1);
                if (slot < RESERVOIR) {
                    latencies[slot] = micros;
                }
            }
            seen++;
            total++;
            if (e.error() != null || e.status() >= 500) {
                failed++;
            }
            if (fresh.size() == MAX_FRESH) {
                fresh.pollFirst();
            }
            fresh.addLast(e);
        }
    }

    /**
     * Counts bytes, errors per category, reconnects and the heartbeat RTT: add it to each engine this sampler
     * serves (also a later engine of the same profile, so totals carry on).
     */
    public EngineListener stats() {
        return stats;
    }

    public Sample sample(Instant now) {
        long[] sorted;
        int count;
        List<RequestEvent> events;
        long totalNow;
        long failedNow;
        synchronized (this) {
            count = seen;
            sorted = Arrays.copyOf(latencies, Math.min(seen, RESERVOIR));
            seen = 0;
            events = new ArrayList<>(fresh);
            fresh.clear();
            totalNow = total;
            failedNow = failed;
        }
        Arrays.sort(sorted);
        long nowMs = now.toEpochMilli();
        recentCounts.addLast(new long[]{nowMs, count});
        while (!recentCounts.isEmpty() && recentCounts.peekFirst()[0] <= nowMs - THROUGHPUT_WINDOW.toMillis()) {
            recentCounts.pollFirst();
        }
        long inWindow = recentCounts.stream().mapToLong(c -> c[1]).sum();
        double perSecond = inWindow * 1000.0 / THROUGHPUT_WINDOW.toMillis();
        EngineStats.Snapshot traffic = stats.snapshot();
        long[] errors = new long[traffic.errors().length];
        for (int i = 0; i < errors.length; i++) {
            errors[i] = traffic.errors()[i] - previous.errors()[i];
        }
        EngineStats.Snapshot before = previous;
        previous = traffic;
        return new Sample(now, count, percentileMs(sorted, 50), percentileMs(sorted, 95), percentileMs(sorted, 99),
                perSecond, totalNow, failedNow, events, traffic.bytesIn() - before.bytesIn(), traffic.bytesOut() - before.bytesOut(),
                errors, traffic.reconnects() - before.reconnects(),
                traffic.lastRtt() == null ? Double.NaN : traffic.lastRtt().toNanos() / 1e6);
    }

    /** Nearest-rank percentile of sorted microsecond values, in milliseconds. */
    static double percentileMs(long[] sortedMicros, int percentile) {
        if (sortedMicros.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(percentile / 100.0 * sortedMicros.length);
        return sortedMicros[Math.max(0, rank - 1)] / 1000.0;
    }
}
