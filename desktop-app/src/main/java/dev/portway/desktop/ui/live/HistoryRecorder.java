package dev.portway.desktop.ui.live;

import dev.portway.desktop.engine.EngineStatus;
import dev.portway.desktop.metrics.Bucket;
import dev.portway.desktop.metrics.HistoryStore;
import dev.portway.desktop.metrics.UptimeTimeline;
import dev.portway.desktop.ui.connect.TunnelService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * Keeps the traffic history: folds every profile's samples into one-minute {@link Bucket}s with the minute's
 * up and down time, and hands finished minutes to the {@link HistoryStore} in one batch on {@code io} — a
 * write at most every {@link #flushDue} call with a finished minute, never per sample. Prunes minutes older
 * than {@link #RETENTION} at start and every hour. Reads a profile's last day for the charts.
 *
 * <p>Events arrive on the FX thread (it is a {@link TunnelService.Listener}); it holds at most the current
 * minute and a few minutes of uptime periods per profile. Store failures are logged, never shown: the
 * charts keep working without a history.
 */
public final class HistoryRecorder implements TunnelService.Listener, HistorySource {
    private static final Logger LOG = LoggerFactory.getLogger(HistoryRecorder.class);
    public static final Duration RETENTION = Duration.ofDays(7);
    static final Duration SHOWN = Duration.ofHours(24);
    private static final Duration MINUTE = Duration.ofMinutes(1);
    private static final Duration PRUNE_EVERY = Duration.ofHours(1);

    private final HistoryStore store;
    private final Executor io;
    private final Executor fx;
    private final Clock clock;
    private final Map<String, Pending> pending = new HashMap<>();
    private Instant lastPrune = Instant.EPOCH;

    /** One profile's minute under way and its recent uptime periods. */
    private static final class Pending {
        final UptimeTimeline timeline = new UptimeTimeline(Duration.ofMinutes(10));
        Bucket minute;
    }

    public HistoryRecorder(HistoryStore store, Executor io, Executor fx, Clock clock) {
        this.store = store;
        this.io = io;
        this.fx = fx;
        this.clock = clock;
    }

    @Override
    public CompletionStage<List<Bucket>> minutes(String profileId) {
        Instant since = DashboardViewModel.floor(clock.instant().minus(SHOWN), MINUTE);
        CompletableFuture<List<Bucket>> result = new CompletableFuture<>();
        io.execute(() -> {
            List<Bucket> rows;
            try {
                rows = store.read(profileId, since);
            } catch (RuntimeException e) {
                LOG.warn("traffic history: {}", e.getMessage());
                rows = List.of();
            }
            List<Bucket> found = rows;
            fx.execute(() -> result.complete(found));
        });
        return result;
    }

    @Override
    public void onStatus(String profileId, EngineStatus status) {
        Instant now = clock.instant();
        pending.computeIfAbsent(profileId, id -> new Pending()).timeline.state(status.state(), now);
        flushDue(now);
    }

    @Override
    public void onSample(String profileId, MetricsSampler.Sample s) {
        Pending p = pending.computeIfAbsent(profileId, id -> new Pending());
        Instant slot = DashboardViewModel.floor(s.at(), MINUTE);
        Bucket part = new Bucket(slot, s.count(), s.errors().clone(), s.bytesIn(), s.bytesOut(),
                s.count() == 0 ? Double.NaN : s.p50Ms(), s.count() == 0 ? Double.NaN : s.p95Ms(),
                s.count() == 0 ? Double.NaN : s.p99Ms(), s.rttMs(), 0, 0, s.reconnects());
        List<HistoryStore.ProfileMinute> done = new ArrayList<>();
        if (p.minute != null && !p.minute.start().equals(slot)) {
            done.add(finish(profileId, p, p.minute.start().plus(MINUTE)));
        }
        p.minute = p.minute == null || !p.minute.start().equals(slot) ? part : p.minute.plus(part);
        write(done);
        flushDue(s.at());
    }

    /** Writes every minute that has ended by {@code now}, and prunes when due. FX thread; call it now and then. */
    public void flushDue(Instant now) {
        List<HistoryStore.ProfileMinute> done = new ArrayList<>();
        for (Map.Entry<String, Pending> e : pending.entrySet()) {
            Pending p = e.getValue();
            if (p.minute != null && !p.minute.start().plus(MINUTE).isAfter(now)) {
                done.add(finish(e.getKey(), p, p.minute.start().plus(MINUTE)));
            }
        }
        write(done);
        if (!now.isBefore(lastPrune.plus(PRUNE_EVERY))) {
            lastPrune = now;
            Instant before = now.minus(RETENTION);
            io.execute(() -> {
                try {
                    int n = store.prune(before);
                    if (n > 0) {
                        LOG.info("traffic history: pruned {} minutes before {}", n, before);
                    }
                } catch (RuntimeException ex) {
                    LOG.warn("traffic history: {}", ex.getMessage());
                }
            });
        }
    }

    /** Writes what every profile did up to now, the minutes under way included: the app is closing. FX thread. */
    public void flushAll() {
        Instant now = clock.instant();
        List<HistoryStore.ProfileMinute> done = new ArrayList<>();
        for (Map.Entry<String, Pending> e : pending.entrySet()) {
            Pending p = e.getValue();
            p.timeline.stop(now);
            if (p.minute != null) {
                Instant end = p.minute.start().plus(MINUTE);
                done.add(finish(e.getKey(), p, end.isBefore(now) ? end : now));
            }
        }
        write(done);
    }

    private HistoryStore.ProfileMinute finish(String profileId, Pending p, Instant end) {
        Bucket m = p.minute;
        UptimeTimeline.Uptime up = p.timeline.uptime(m.start(), end);
        p.minute = null;
        return new HistoryStore.ProfileMinute(profileId, m.withUptime(up.upMillis(), up.downMillis()));
    }

    private void write(List<HistoryStore.ProfileMinute> minutes) {
        if (minutes.isEmpty()) {
            return;
        }
        List<HistoryStore.ProfileMinute> batch = List.copyOf(minutes);
        io.execute(() -> {
            try {
                store.write(batch);
            } catch (RuntimeException e) {
                LOG.warn("traffic history: {}", e.getMessage());
            }
        });
    }
}
