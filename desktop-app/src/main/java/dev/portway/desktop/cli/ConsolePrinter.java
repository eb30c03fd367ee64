package dev.portway.desktop.cli;

import dev.portway.desktop.engine.BoundTunnel;
import dev.portway.desktop.engine.DeliveryEvent;
import dev.portway.desktop.engine.EngineListener;
import dev.portway.desktop.engine.EngineState;
import dev.portway.desktop.engine.EngineStatus;
import dev.portway.desktop.engine.RelayQueueStatus;
import dev.portway.desktop.engine.RequestEvent;
import dev.portway.desktop.engine.TunnelSpec;
import dev.portway.shared.protocol.ErrorCode;
import dev.portway.shared.text.SafeText;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** Prints what the engine reports, one line per event (control characters escaped), on stdout. Called on one thread. */
final class ConsolePrinter implements EngineListener {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault());

    private final PrintWriter out;
    private final Runnable onFailed;
    private final boolean quiet;
    private EngineState lastState;
    private final Map<String, String> relayQueueLevel = new HashMap<>();
    private boolean queueReported;

    /** @param quiet no line per request (status and tunnels are still printed) */
    ConsolePrinter(PrintWriter out, Runnable onFailed, boolean quiet) {
        this.out = out;
        this.onFailed = onFailed;
        this.quiet = quiet;
    }

    /**
     * Prints one line, escaped: status messages, notices and refusals come from the relay, paths from visitors, so
     * none of their control characters (a newline, an escape sequence) may reach the terminal raw.
     */
    private void line(String text) {
        out.println(SafeText.escape(text));
    }

    @Override
    public void onStatus(EngineStatus s) {
        switch (s.state()) {
            case CONNECTING -> line(s.message());
            case CONNECTED -> line(s.message());
            case RECONNECTING -> line(s.attempt() > 0 && s.maxAttempts() != 0
                    ? s.message() + " (attempt " + s.attempt() + (s.maxAttempts() > 0 ? " of " + s.maxAttempts() : "") + ")"
                    : s.message());
            case FAILED -> {
                line("Failed: " + s.message());
                onFailed.run();
            }
            case DISCONNECTED -> {
                if (lastState != null && lastState != EngineState.DISCONNECTED) {
                    line(s.message());
                }
            }
        }
        lastState = s.state();
        out.flush();
    }

    @Override
    public void onTunnelBound(BoundTunnel t) {
        line("Forwarding " + t.url() + " -> " + t.localTarget());
        if (t.isPrivate()) {
            line("  private: a teammate it is shared with connects with");
            line("    " + t.teammateCommand("TEAMMATE", System.getProperty("user.name")));
        }
        if (t.notice() != null) {
            line("  note: " + t.notice());
        }
        out.flush();
    }

    @Override
    public void onTunnelRefused(TunnelSpec spec, ErrorCode code, String message) {
        line("Tunnel to " + spec.localTarget() + " refused: " + message);
        out.flush();
        onFailed.run(); // the CLI runs one tunnel: without it there is nothing left to do
    }

    @Override
    public void onRequest(RequestEvent e) {
        if (quiet) {
            return;
        }
        line(requestLine(e));
        out.flush();
    }

    @Override
    public void onQueueChanged(int size) {
        if (!queueReported && size > 0) {
            line(size + (size == 1 ? " queued request is" : " queued requests are") + " waiting to be delivered.");
            out.flush();
        }
        queueReported = true;
    }

    @Override
    public void onDelivery(DeliveryEvent e) {
        if (quiet) {
            return;
        }
        line(deliveryLine(e, Instant.now()));
        out.flush();
    }

    @Override
    public void onRelayQueue(RelayQueueStatus s) {
        String line = relayQueueLine(s, relayQueueLevel.put(s.tunnel(), s.level()));
        if (line != null) {
            line(line);
            out.flush();
        }
    }

    @Override
    public void onBreaker(String tunnel, String state) {
        line(switch (state) {
            case "open" -> "Circuit breaker for " + tunnel + " opened: its local app keeps failing, so new requests get 503"
                    + " and queued ones wait for a while.";
            case "half_open" -> "Circuit breaker for " + tunnel + ": trying the local app again.";
            default -> "Circuit breaker for " + tunnel + " closed: the local app answers again.";
        });
        out.flush();
    }

    /** {@code Queued request d-1 delivered to localhost:3000 (attempt 2)}, or why the attempt failed and when the next is. */
    static String deliveryLine(DeliveryEvent e, Instant now) {
        if (e.delivered()) {
            return "Queued request " + e.deliveryId() + " delivered to " + e.localTarget() + " (attempt " + e.attempt() + ")";
        }
        String next = e.nextAttempt() == null ? "" : " Next try in "
                + Math.max(1, Duration.between(now, e.nextAttempt()).toSeconds()) + " s.";
        return "Queued request " + e.deliveryId() + " not delivered to " + e.localTarget() + " (attempt " + e.attempt() + "): "
                + e.error() + next;
    }

    /** A line when a relay queue's level changed, or null when there is nothing to say. */
    static String relayQueueLine(RelayQueueStatus s, String previous) {
        String counts = " (" + s.count() + " of " + s.maxCount() + " requests, " + bytes(s.bytes()) + " of " + bytes(s.maxBytes()) + ")";
        return switch (s.level()) {
            case "pressure" -> "Warning: the relay's queue for " + s.tunnel() + " is over 80 % full" + counts + ".";
            case "full" -> "Warning: the relay's queue for " + s.tunnel() + " is full" + counts
                    + " — new requests get 503 until this client catches up.";
            default -> previous != null && !"ok".equals(previous) ? "The relay's queue for " + s.tunnel() + " is back to normal" + counts + "."
                    : s.count() > 0 ? "The relay holds " + s.count() + " queued requests for " + s.tunnel() + "; delivering them now."
                    : null;
        };
    }

    /** {@code 12:00:01  POST /hooks  200  12 ms  1.2 KiB in  340 B out}, or the error in words. */
    static String requestLine(RequestEvent e) {
        StringBuilder b = new StringBuilder();
        b.append(TIME.format(e.time())).append("  ").append(e.method()).append(' ').append(e.path()).append("  ");
        if (e.status() > 0) {
            b.append(e.status()).append("  ");
        }
        b.append(e.duration().toMillis()).append(" ms  ");
        b.append(bytes(e.bytesIn())).append(" in  ").append(bytes(e.bytesOut())).append(" out");
        if (e.error() != null) {
            b.append("  ").append(e.errorMessage() != null ? e.errorMessage() : e.error().wireName());
        }
        return b.toString();
    }

    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        if (n < 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f KiB", n / 1024.0);
        }
        if (n < 1024L * 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f MiB", n / (1024.0 * 1024));
        }
        return String.format(Locale.ROOT, "%.1f GiB", n / (1024.0 * 1024 * 1024));
    }
}
