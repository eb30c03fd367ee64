package dev.portway.desktop.startup;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * What the app did since it started, in order: each {@link #mark} logs {@code <event> after N ms (M ms CPU)} — N from
 * process start, M the CPU the process had used by then (which, unlike the wait, does not grow when other programs
 * compete for the cores; {@code bench/desktop.sh} reads the "window shown" line) — and keeps the event's name, so tests
 * can check what came before the first frame. Thread-safe. java.base only, so a jlinked runtime needs no extra module.
 */
public final class StartupTimeline {
    private static final Logger LOG = LoggerFactory.getLogger(StartupTimeline.class);
    public static final String WINDOW_SHOWN = "window shown";
    public static final String APP_DATABASE_READY = "app database ready";
    public static final String EMBEDDED_RELAY_STARTED = "embedded relay started";

    private final List<String> events = new CopyOnWriteArrayList<>();

    public void mark(String event) {
        ProcessHandle.Info self = ProcessHandle.current().info();
        events.add(event);
        LOG.info("{} after {} ms ({} ms CPU)", event,
                self.startInstant().map(t -> Duration.between(t, Instant.now()).toMillis()).orElse(-1L),
                self.totalCpuDuration().map(Duration::toMillis).orElse(-1L));
    }

    /** The events so far, oldest first. */
    public List<String> events() {
        return List.copyOf(events);
    }
}
