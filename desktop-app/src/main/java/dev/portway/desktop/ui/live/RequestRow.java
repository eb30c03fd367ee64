package dev.portway.desktop.ui.live;

import dev.portway.desktop.engine.RequestEvent;

import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * One line of the request inspector, already in words.
 *
 * @param status what the visitor got: the local app's status, or for a request that failed before a response the
 *               relay's page (502, 503, 504); "—" for TCP connections and visitors who left first
 */
public record RequestRow(String time, String method, String path, String status, String duration, String size, boolean failed) {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");

    public static RequestRow of(RequestEvent e, ZoneId zone) {
        int visitor = visitorStatus(e);
        String status = visitor == 0 ? "—" : String.valueOf(visitor);
        double ms = e.duration() == null ? 0 : e.duration().toNanos() / 1e6;
        String duration = ms < 10 ? String.format(Locale.ROOT, "%.1f ms", ms) : String.format(Locale.ROOT, "%.0f ms", ms);
        return new RequestRow(TIME.format(e.time().atZone(zone)), e.method(), e.path(), status, duration,
                bytes(e.bytesOut()), e.error() != null || e.status() >= 500);
    }

    /**
     * The HTTP status the visitor got, 0 when none applies. A response the local app began keeps its status (the
     * relay cut it short); a request that failed before one got the relay's page, chosen as the relay's ingress
     * chooses it: 504 for a timeout, 503 while the breaker rests the target or the tunnel is busy, 502 otherwise.
     * A visitor who went away ({@code CANCEL}) and TCP connections got none.
     */
    public static int visitorStatus(RequestEvent e) {
        if (e.status() > 0 || e.error() == null || "TCP".equals(e.method())) {
            return e.status();
        }
        return switch (e.error()) {
            case CANCEL -> 0;
            case TARGET_TIMEOUT -> 504;
            case TARGET_FAILING, REFUSED_STREAM, SHUTTING_DOWN -> 503;
            default -> 502;
        };
    }

    /** The style class of a status for colouring: {@code status-2xx} … {@code status-5xx}, or {@code status-none}. */
    public static String statusClass(int status) {
        return status >= 100 && status < 600 ? "status-" + status / 100 + "xx" : "status-none";
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
