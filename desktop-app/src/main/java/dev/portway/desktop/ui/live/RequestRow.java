package dev.portway.desktop.ui.live;

import dev.portway.desktop.engine.RequestEvent;

import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** One line of the request inspector, already in words. */
public record RequestRow(String time, String method, String path, String status, String duration, String size, boolean failed) {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");

    public static RequestRow of(RequestEvent e, ZoneId zone) {
        String status = e.error() != null ? "error" : e.status() == 0 ? "—" : String.valueOf(e.status());
        double ms = e.duration() == null ? 0 : e.duration().toNanos() / 1e6;
        String duration = ms < 10 ? String.format(Locale.ROOT, "%.1f ms", ms) : String.format(Locale.ROOT, "%.0f ms", ms);
        return new RequestRow(TIME.format(e.time().atZone(zone)), e.method(), e.path(), status, duration,
                bytes(e.bytesOut()), e.error() != null || e.status() >= 500);
    }

    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        if (n < 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f KiB", n / 1024.0);
        }
        return String.format(Locale.ROOT, "%.1f MiB", n / (1024.0 * 1024));
    }

    /** Whether the row contains {@code text} (lower case) in its method, path or status. */
    boolean matches(String lowerText) {
        return method.toLowerCase(Locale.ROOT).contains(lowerText) || path.toLowerCase(Locale.ROOT).contains(lowerText)
                || status.contains(lowerText);
    }
}
