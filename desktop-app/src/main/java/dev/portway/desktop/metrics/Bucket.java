package dev.portway.desktop.metrics;

import dev.portway.shared.protocol.ErrorCategory;

import java.time.Instant;
import java.util.Arrays;

/**
 * What one profile did in one slot of time (10 s live, one minute in the history): requests, errors per
 * category, bytes, latency percentiles, heartbeat RTT, and how long it was connected (up) or wanted but not
 * connected (down). The slot's width is known from where the bucket lives; {@code start} is its left edge.
 *
 * <p>Merging ({@link #plus}) is exact for counts and durations and approximate for latencies: p50 is the
 * request-weighted mean of the parts' p50s, p95 and p99 the largest of the parts' (so a tail is never
 * hidden), RTT the largest. Latencies are NaN when the slot had no request (RTT: no heartbeat yet).
 *
 * @param errors indexed by {@link ErrorCategory#ordinal()}; never modified after construction
 */
public record Bucket(Instant start, long requests, long[] errors, long bytesIn, long bytesOut,
                     double p50Ms, double p95Ms, double p99Ms, double rttMs, long upMillis, long downMillis, long reconnects) {
    public static final int CATEGORIES = ErrorCategory.values().length;

    public Bucket {
        if (errors.length != CATEGORIES) {
            throw new IllegalArgumentException("errors needs one count per category, got " + errors.length);
        }
    }

    public static Bucket empty(Instant start) {
        return new Bucket(start, 0, new long[CATEGORIES], 0, 0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0, 0, 0);
    }

    /** This slot and {@code o} (a part of the same slot, or a smaller slot inside it) together; keeps this start. */
    public Bucket plus(Bucket o) {
        long[] e = new long[CATEGORIES];
        for (int i = 0; i < CATEGORIES; i++) {
            e[i] = errors[i] + o.errors[i];
        }
        double p50;
        if (Double.isNaN(p50Ms) || requests == 0) {
            p50 = o.p50Ms;
        } else if (Double.isNaN(o.p50Ms) || o.requests == 0) {
            p50 = p50Ms;
        } else {
            p50 = (p50Ms * requests + o.p50Ms * o.requests) / (requests + o.requests);
        }
        return new Bucket(start, requests + o.requests, e, bytesIn + o.bytesIn, bytesOut + o.bytesOut, p50,
                max(p95Ms, o.p95Ms), max(p99Ms, o.p99Ms), max(rttMs, o.rttMs), upMillis + o.upMillis,
                downMillis + o.downMillis, reconnects + o.reconnects);
    }

    public Bucket withStart(Instant s) {
        return new Bucket(s, requests, errors, bytesIn, bytesOut, p50Ms, p95Ms, p99Ms, rttMs, upMillis, downMillis, reconnects);
    }

    public Bucket withUptime(long up, long down) {
        return new Bucket(start, requests, errors, bytesIn, bytesOut, p50Ms, p95Ms, p99Ms, rttMs, up, down, reconnects);
    }

    public long errors(ErrorCategory c) {
        return errors[c.ordinal()];
    }

    public long totalErrors() {
        return Arrays.stream(errors).sum();
    }

    /** Nothing happened and nothing was observed: not worth storing. */
    public boolean isEmpty() {
        return requests == 0 && totalErrors() == 0 && upMillis == 0 && downMillis == 0 && reconnects == 0
                && bytesIn == 0 && bytesOut == 0;
    }

    private static double max(double a, double b) {
        return Double.isNaN(a) ? b : Double.isNaN(b) ? a : Math.max(a, b);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Bucket b && start.equals(b.start) && requests == b.requests && Arrays.equals(errors, b.errors)
                && bytesIn == b.bytesIn && bytesOut == b.bytesOut && Double.compare(p50Ms, b.p50Ms) == 0
                && Double.compare(p95Ms, b.p95Ms) == 0 && Double.compare(p99Ms, b.p99Ms) == 0
                && Double.compare(rttMs, b.rttMs) == 0 && upMillis == b.upMillis && downMillis == b.downMillis
                && reconnects == b.reconnects;
    }

    @Override
    public int hashCode() {
        return start.hashCode() * 31 + Long.hashCode(requests);
    }

    @Override
    public String toString() {
        return "Bucket[" + start + " requests=" + requests + " errors=" + Arrays.toString(errors) + " in=" + bytesIn
                + " out=" + bytesOut + " p50=" + p50Ms + " p95=" + p95Ms + " p99=" + p99Ms + " rtt=" + rttMs
                + " up=" + upMillis + " down=" + downMillis + " reconnects=" + reconnects + "]";
    }
}
