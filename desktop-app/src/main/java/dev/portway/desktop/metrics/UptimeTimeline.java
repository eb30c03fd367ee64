package dev.portway.desktop.metrics;

import dev.portway.desktop.engine.EngineState;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * When one profile was up (CONNECTED) or down (wanted but not connected: RECONNECTING or FAILED), as a list
 * of periods. Time in no period is "off": the person disconnected it, it was still connecting, or the app
 * was not running — off time counts neither for nor against uptime, so a restart is a gap, not an outage.
 *
 * <p>Bounded: periods that ended more than {@code keep} before the latest event are dropped, and
 * neighbouring periods of the same kind are merged. Not thread-safe: one thread (the FX thread) owns it.
 */
public final class UptimeTimeline {
    public enum Kind { UP, DOWN }

    /** {@code [from, to)}. */
    public record Period(Instant from, Instant to, Kind kind) {
        long millisWithin(Instant a, Instant b) {
            Instant s = from.isAfter(a) ? from : a;
            Instant e = to.isBefore(b) ? to : b;
            return e.isAfter(s) ? Duration.between(s, e).toMillis() : 0;
        }
    }

    /** Up and down time in a window; {@link #ratio()} is NaN when the profile was off all the time. */
    public record Uptime(long upMillis, long downMillis) {
        public double ratio() {
            return upMillis + downMillis == 0 ? Double.NaN : (double) upMillis / (upMillis + downMillis);
        }
    }

    private final Duration keep;
    private final List<Period> closed = new ArrayList<>();
    private static final int MAX_PERIODS = 10_000;
    private Kind openKind;
    private Instant openSince;
    private Instant liveSince;

    public UptimeTimeline(Duration keep) {
        this.keep = keep;
    }

    public static Kind kindOf(EngineState s) {
        return switch (s) {
            case CONNECTED -> Kind.UP;
            case RECONNECTING, FAILED -> Kind.DOWN;
            case CONNECTING, DISCONNECTED -> null;
        };
    }

    /** The profile is in state {@code s} from {@code at} on. Events must come in time order. */
    public void state(EngineState s, Instant at) {
        if (liveSince == null) {
            liveSince = at;
        }
        Kind k = kindOf(s);
        if (openKind == k && (k == null || !at.isBefore(openSince))) {
            return;
        }
        closeAt(at);
        openKind = k;
        openSince = k == null ? null : at;
        prune(at);
    }

    /** Ends the open period at {@code at} (the app shuts down); the profile counts as off from then on. */
    public void stop(Instant at) {
        closeAt(at);
        openKind = null;
        openSince = null;
    }

    /**
     * Adds a period known from the history. It is clipped so it never overlaps what this timeline already
     * holds from later times (live data wins), and kept in time order.
     */
    public void addHistory(Instant from, Instant to, Kind kind) {
        Instant limit = liveSince;
        if (limit != null && to.isAfter(limit)) {
            to = limit;
        }
        if (!to.isAfter(from)) {
            return;
        }
        int i = 0;
        while (i < closed.size() && !closed.get(i).from().isAfter(from)) {
            i++;
        }
        if (i > 0 && closed.get(i - 1).to().isAfter(from)) {
            from = closed.get(i - 1).to(); // overlaps an earlier history period: keep the first
            if (!to.isAfter(from)) {
                return;
            }
        }
        insert(i, new Period(from, to, kind));
    }

    /** The periods that touch {@code [from, to)}, clipped to it; the open one runs until {@code to}. */
    public List<Period> periods(Instant from, Instant to) {
        List<Period> out = new ArrayList<>();
        for (Period p : all(to)) {
            Instant s = p.from().isAfter(from) ? p.from() : from;
            Instant e = p.to().isBefore(to) ? p.to() : to;
            if (e.isAfter(s)) {
                out.add(new Period(s, e, p.kind()));
            }
        }
        return out;
    }

    public Uptime uptime(Instant from, Instant to) {
        long up = 0;
        long down = 0;
        for (Period p : all(to)) {
            long ms = p.millisWithin(from, to);
            if (p.kind() == Kind.UP) {
                up += ms;
            } else {
                down += ms;
            }
        }
        return new Uptime(up, down);
    }

    /** The number of periods held (for tests of the bound). */
    public int size() {
        return closed.size() + (openKind == null ? 0 : 1);
    }

    private List<Period> all(Instant now) {
        if (openKind == null || !now.isAfter(openSince)) {
            return closed;
        }
        List<Period> all = new ArrayList<>(closed);
        all.add(new Period(openSince, now, openKind));
        return all;
    }

    private void closeAt(Instant at) {
        if (openKind != null && at.isAfter(openSince)) {
            insert(closed.size(), new Period(openSince, at, openKind));
        }
    }

    /** Inserts at {@code i}, merging with a touching neighbour of the same kind. */
    private void insert(int i, Period p) {
        if (i > 0) {
            Period before = closed.get(i - 1);
            if (before.kind() == p.kind() && !before.to().isBefore(p.from())) {
                p = new Period(before.from(), p.to(), p.kind());
                closed.remove(--i);
            }
        }
        if (i < closed.size()) {
            Period after = closed.get(i);
            if (after.kind() == p.kind() && !p.to().isBefore(after.from())) {
                p = new Period(p.from(), after.to(), p.kind());
                closed.remove(i);
            }
        }
        closed.add(i, p);
    }

    private void prune(Instant now) {
        Instant horizon = now.minus(keep);
        int stale = 0;
        while (stale < closed.size() && !closed.get(stale).to().isAfter(horizon)) {
            stale++;
        }
        closed.subList(0, Math.max(stale, closed.size() - MAX_PERIODS)).clear();
    }
}
