package dev.portway.desktop.ui.live;

import dev.portway.desktop.engine.EngineState;
import dev.portway.desktop.metrics.Bucket;
import dev.portway.desktop.metrics.UptimeTimeline;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.SimpleObjectProperty;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * One profile's Overview dashboard: latency, throughput, errors per category and uptime over a chosen
 * {@link Range}, from live samples and the persisted history.
 *
 * <p>Bounded: live samples are folded into 10-second buckets kept for an hour and one-minute buckets kept
 * for a day (history minutes join the latter); the uptime timeline keeps a day. The {@link View} is rebuilt
 * at most once per second (and when the range or the history changes), never per request.
 * FX thread only; no toolkit needed.
 */
public final class DashboardViewModel {
    static final Duration FINE = Duration.ofSeconds(10);
    static final Duration MINUTE = Duration.ofMinutes(1);
    static final Duration KEEP_FINE = Duration.ofHours(1);
    static final Duration KEEP_MINUTES = Duration.ofHours(24);
    /** Cells of the uptime strip: a period shorter than a cell still shows (down wins over up). */
    static final int STRIP_CELLS = 300;
    private static final Duration REBUILD_EVERY = Duration.ofSeconds(1);

    /** What the dashboard shows: how far back, in slots of which width, and where the x-axis ticks go. */
    public enum Range {
        /** The live view: a burst of a few seconds is a visible hump here, not a sliver. */
        MINUTES_5("5 min", Duration.ofMinutes(5), FINE, Duration.ofMinutes(1)),
        MINUTES_15("15 min", Duration.ofMinutes(15), FINE, Duration.ofMinutes(3)),
        HOUR_1("1 h", Duration.ofHours(1), MINUTE, Duration.ofMinutes(10)),
        HOURS_24("24 h", Duration.ofHours(24), Duration.ofMinutes(10), Duration.ofHours(4));

        private final String label;
        private final Duration span;
        private final Duration step;
        private final Duration tick;

        Range(String label, Duration span, Duration step, Duration tick) {
            this.label = label;
            this.span = span;
            this.step = step;
            this.tick = tick;
        }

        public String label() {
            return label;
        }

        public Duration span() {
            return span;
        }

        /** The width of one slot (one point on the charts). */
        public Duration step() {
            return step;
        }

        public Duration tick() {
            return tick;
        }
    }

    /**
     * One slot of the range.
     *
     * @param x       seconds from now to the slot's start (zero or negative)
     * @param errors  per {@link dev.portway.shared.protocol.ErrorCategory#ordinal()}, counts in the slot (for a
     *                slot filled from a stored minute: the minute's counts)
     * @param errorsPerMinute the same per category as a rate per minute: the Errors chart's one unit in every range
     * @param p50Ms   NaN when the slot had no request; {@code rttMs} NaN when no heartbeat answered
     */
    public record Point(double x, double requestsPerSecond, double bytesInPerSecond, double bytesOutPerSecond,
                        double p50Ms, double p95Ms, double p99Ms, double rttMs, long[] errors, double[] errorsPerMinute) {
    }

    /** A stretch of the uptime strip; {@code from} and {@code to} are fractions of its width, {@code kind} null = off. */
    public record Segment(double from, double to, UptimeTimeline.Kind kind) {
    }

    /**
     * Everything the dashboard draws for one range at one moment.
     *
     * @param uptime the share of the range's observed time the profile was connected; NaN when never observed
     */
    public record View(Range range, List<Point> points, List<Segment> strip, double uptime, String uptimeText,
                       long requests, long errors, long reconnects, String summary) {
    }

    private final Clock clock;
    private final NavigableMap<Instant, Bucket> fine = new TreeMap<>();
    private final NavigableMap<Instant, Bucket> minutes = new TreeMap<>();
    /**
     * The minutes loaded from the store (also in {@link #minutes}). The 10-second ranges have no finer data for
     * them, so they show each as an even rate over its six slots; without this the 15-minute view was empty after
     * a restart while the 1-hour view showed the same minutes.
     */
    private final NavigableMap<Instant, Bucket> stored = new TreeMap<>();
    private final UptimeTimeline timeline = new UptimeTimeline(KEEP_MINUTES.plus(MINUTE));
    private final ObjectProperty<Range> range = new SimpleObjectProperty<>(Range.MINUTES_15);
    private final ObjectProperty<View> view = new SimpleObjectProperty<>();
    private Instant lastRebuild = Instant.EPOCH;

    public DashboardViewModel(Clock clock) {
        this.clock = clock;
        range.addListener((o, was, now) -> rebuild(clock.instant()));
        rebuild(clock.instant());
    }

    public void onSample(MetricsSampler.Sample s) {
        Bucket part = new Bucket(s.at(), s.count(), s.errors().clone(), s.bytesIn(), s.bytesOut(),
                s.count() == 0 ? Double.NaN : s.p50Ms(), s.count() == 0 ? Double.NaN : s.p95Ms(),
                s.count() == 0 ? Double.NaN : s.p99Ms(), s.rttMs(), 0, 0, s.reconnects());
        add(fine, floor(s.at(), FINE), part);
        add(minutes, floor(s.at(), MINUTE), part);
        prune(s.at());
        if (!s.at().isBefore(lastRebuild.plus(REBUILD_EVERY))) {
            rebuild(s.at());
        }
    }

    public void onStatus(EngineState state, Instant at) {
        timeline.state(state, at);
        rebuild(at);
    }

    /**
     * Minute buckets from the store (any order). Counts join the minute charts; their up and down times
     * become periods of the uptime strip (up first, then down, within the minute).
     */
    public void loadHistory(List<Bucket> history) {
        List<Bucket> sorted = new ArrayList<>(history);
        sorted.sort(java.util.Comparator.comparing(Bucket::start));
        for (Bucket b : sorted) {
            add(minutes, floor(b.start(), MINUTE), b.withUptime(0, 0));
            add(stored, floor(b.start(), MINUTE), b.withUptime(0, 0));
            Instant upEnd = b.start().plusMillis(b.upMillis());
            if (b.upMillis() > 0) {
                timeline.addHistory(b.start(), upEnd, UptimeTimeline.Kind.UP);
            }
            if (b.downMillis() > 0) {
                timeline.addHistory(upEnd, upEnd.plusMillis(b.downMillis()), UptimeTimeline.Kind.DOWN);
            }
        }
        Instant now = clock.instant();
        prune(now);
        rebuild(now);
    }

    public ObjectProperty<Range> rangeProperty() {
        return range;
    }

    public ReadOnlyObjectProperty<View> viewProperty() {
        return view;
    }

    /** Held buckets (10 s, minute) — for tests of the bounds. */
    int[] sizes() {
        return new int[]{fine.size(), minutes.size()};
    }

    private static void add(NavigableMap<Instant, Bucket> map, Instant slot, Bucket part) {
        map.merge(slot, part.withStart(slot), Bucket::plus);
    }

    private void prune(Instant now) {
        fine.headMap(now.minus(KEEP_FINE).minus(FINE), false).clear();
        minutes.headMap(now.minus(KEEP_MINUTES).minus(MINUTE), false).clear();
        stored.headMap(now.minus(KEEP_FINE).minus(MINUTE), false).clear(); // only the 10-second ranges read it
    }

    static Instant floor(Instant t, Duration step) {
        long ms = step.toMillis();
        return Instant.ofEpochMilli(Math.floorDiv(t.toEpochMilli(), ms) * ms);
    }

    private void rebuild(Instant now) {
        lastRebuild = now;
        Range r = range.get();
        long stepMs = r.step().toMillis();
        int slots = (int) (r.span().toMillis() / stepMs);
        Instant last = floor(now, r.step());
        Instant first = last.minusMillis(stepMs * (slots - 1));
        Bucket[] merged = new Bucket[slots];
        NavigableMap<Instant, Bucket> source = r.step().compareTo(MINUTE) < 0 ? fine : minutes;
        for (Map.Entry<Instant, Bucket> e : source.tailMap(first, true).entrySet()) {
            int i = (int) ((e.getKey().toEpochMilli() - first.toEpochMilli()) / stepMs);
            if (i >= slots) {
                break;
            }
            merged[i] = merged[i] == null ? e.getValue() : merged[i].plus(e.getValue());
        }
        long requests = 0;
        long errors = 0;
        long reconnects = 0;
        Bucket[] spread = new Bucket[slots];
        if (source == fine) {
            for (Map.Entry<Instant, Bucket> e : stored.subMap(floor(first, MINUTE), true, last, true).entrySet()) {
                Instant m = e.getKey();
                if (!fine.subMap(m, true, m.plus(MINUTE), false).isEmpty()) {
                    continue; // live samples of that minute (a restart within it): they are finer
                }
                for (int i = 0; i < slots; i++) {
                    Instant start = first.plusMillis(stepMs * i);
                    if (merged[i] == null && !start.isBefore(m) && start.isBefore(m.plus(MINUTE))) {
                        spread[i] = e.getValue();
                    }
                }
                if (!m.isBefore(first)) {
                    requests += e.getValue().requests();
                    errors += e.getValue().totalErrors();
                    reconnects += e.getValue().reconnects();
                }
            }
        }
        List<Point> points = new ArrayList<>(slots);
        for (int i = 0; i < slots; i++) {
            Instant start = first.plusMillis(stepMs * i);
            double x = (start.toEpochMilli() - now.toEpochMilli()) / 1000.0;
            // The newest slot is still filling: rates over the part that has passed.
            double seconds = i == slots - 1 ? Math.max(1.0, (now.toEpochMilli() - start.toEpochMilli()) / 1000.0) : stepMs / 1000.0;
            Bucket b = merged[i] == null ? Bucket.empty(start) : merged[i];
            if (merged[i] == null && spread[i] != null) {
                b = spread[i];
                seconds = MINUTE.toSeconds(); // a stored minute: its rates over the whole minute
            } else {
                requests += b.requests();
                errors += b.totalErrors();
                reconnects += b.reconnects();
            }
            double[] perMinute = new double[b.errors().length];
            for (int c = 0; c < perMinute.length; c++) {
                perMinute[c] = b.errors()[c] * 60.0 / seconds;
            }
            points.add(new Point(x, b.requests() / seconds, b.bytesIn() / seconds, b.bytesOut() / seconds,
                    b.p50Ms(), b.p95Ms(), b.p99Ms(), b.rttMs(), b.errors().clone(), perMinute));
        }
        Instant from = now.minus(r.span());
        UptimeTimeline.Uptime up = timeline.uptime(from, now);
        double ratio = up.ratio();
        String uptimeText = Double.isNaN(ratio) ? "Not connected in the last " + r.label()
                : percent(ratio) + " up in the last " + r.label();
        String summary = count(requests, "request") + " · " + count(errors, "error") + " · " + count(reconnects, "reconnect");
        view.set(new View(r, List.copyOf(points), strip(from, now), ratio, uptimeText, requests, errors, reconnects, summary));
    }

    private List<Segment> strip(Instant from, Instant to) {
        long span = to.toEpochMilli() - from.toEpochMilli();
        int[] cells = new int[STRIP_CELLS]; // 0 off, 1 up, 2 down
        for (UptimeTimeline.Period p : timeline.periods(from, to)) {
            int a = (int) Math.min(STRIP_CELLS - 1, (p.from().toEpochMilli() - from.toEpochMilli()) * STRIP_CELLS / span);
            int b = (int) Math.min(STRIP_CELLS - 1, (p.to().toEpochMilli() - 1 - from.toEpochMilli()) * STRIP_CELLS / span);
            int mark = p.kind() == UptimeTimeline.Kind.UP ? 1 : 2;
            for (int c = a; c <= b; c++) {
                cells[c] = Math.max(cells[c], mark);
            }
        }
        List<Segment> out = new ArrayList<>();
        int start = 0;
        for (int c = 1; c <= STRIP_CELLS; c++) {
            if (c == STRIP_CELLS || cells[c] != cells[start]) {
                UptimeTimeline.Kind k = cells[start] == 0 ? null : cells[start] == 1 ? UptimeTimeline.Kind.UP : UptimeTimeline.Kind.DOWN;
                out.add(new Segment((double) start / STRIP_CELLS, (double) c / STRIP_CELLS, k));
                start = c;
            }
        }
        return List.copyOf(out);
    }

    static String percent(double ratio) {
        if (ratio >= 1.0) {
            return "100 %";
        }
        // Never round 99.96 % up to 100 %: a person reads 100 % as "no outage at all".
        return String.format(Locale.ROOT, "%.1f %%", Math.floor(ratio * 1000) / 10.0);
    }

    private static String count(long n, String noun) {
        return String.format(Locale.ROOT, "%,d %s%s", n, noun, n == 1 ? "" : "s");
    }
}
