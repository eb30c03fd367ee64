package dev.portway.desktop.ui.connect;

import dev.portway.desktop.engine.EngineStatus;

import java.time.Duration;
import java.util.Locale;

/** An engine status in words for the status line: short headline first, the engine's reason after. */
public final class StatusText {
    private StatusText() {
    }

    /**
     * @param retryIn RECONNECTING: time left until the next attempt (counts down); otherwise ignored
     */
    public static String of(EngineStatus s, Duration retryIn) {
        return switch (s.state()) {
            case DISCONNECTED -> "Disconnected";
            case CONNECTING -> "Connecting…";
            // On a relay cluster with sessions to several nodes (PROTOCOL.md §3.3): which ones.
            case CONNECTED -> s.nodes().isEmpty() ? "Connected" : "Connected to " + String.join(", ", s.nodes());
            case RECONNECTING -> reconnecting(s, retryIn);
            case FAILED -> "Failed: " + s.message();
        };
    }

    private static String reconnecting(EngineStatus s, Duration retryIn) {
        String attempt = s.maxAttempts() < 0 ? " (attempt " + s.attempt() + ")"
                : " (attempt " + s.attempt() + " of " + s.maxAttempts() + ")";
        if (retryIn == null || retryIn.isZero() || retryIn.isNegative()) {
            return "Reconnecting now" + attempt;
        }
        long tenths = (retryIn.toMillis() + 99) / 100;
        String secs = tenths >= 100 ? String.valueOf((tenths + 9) / 10) : String.format(Locale.ROOT, "%.1f", tenths / 10.0);
        return "Reconnecting in " + secs + " s" + attempt;
    }

    /** The engine's own explanation, shown under the headline; empty when the headline says it all. */
    public static String detail(EngineStatus s) {
        return switch (s.state()) {
            case RECONNECTING, CONNECTING -> s.message();
            default -> "";
        };
    }
}
