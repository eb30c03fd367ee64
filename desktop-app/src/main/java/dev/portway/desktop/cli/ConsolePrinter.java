package dev.portway.desktop.cli;

import dev.portway.desktop.engine.BoundTunnel;
import dev.portway.desktop.engine.EngineListener;
import dev.portway.desktop.engine.EngineState;
import dev.portway.desktop.engine.EngineStatus;
import dev.portway.desktop.engine.RequestEvent;
import dev.portway.desktop.engine.TunnelSpec;
import dev.portway.shared.protocol.ErrorCode;

import java.io.PrintWriter;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** Prints what the engine reports, one line per event, on stdout. Called on one thread. */
final class ConsolePrinter implements EngineListener {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault());

    private final PrintWriter out;
    private final Runnable onFailed;
    private final boolean quiet;
    private EngineState lastState;

    /** @param quiet no line per request (status and tunnels are still printed) */
    ConsolePrinter(PrintWriter out, Runnable onFailed, boolean quiet) {
        this.out = out;
        this.onFailed = onFailed;
        this.quiet = quiet;
    }

    @Override
    public void onStatus(EngineStatus s) {
        switch (s.state()) {
            case CONNECTING -> out.println(s.message());
            case CONNECTED -> out.println(s.message());
            case RECONNECTING -> out.println(s.attempt() > 0 && s.maxAttempts() != 0
                    ? s.message() + " (attempt " + s.attempt() + (s.maxAttempts() > 0 ? " of " + s.maxAttempts() : "") + ")"
                    : s.message());
            case FAILED -> {
                out.println("Failed: " + s.message());
                onFailed.run();
            }
            case DISCONNECTED -> {
                if (lastState != null && lastState != EngineState.DISCONNECTED) {
                    out.println(s.message());
                }
            }
        }
        lastState = s.state();
        out.flush();
    }

    @Override
    public void onTunnelBound(BoundTunnel t) {
        out.println("Forwarding " + t.url() + " -> " + t.localTarget());
        if (t.notice() != null) {
            out.println("  note: " + t.notice());
        }
        out.flush();
    }

    @Override
    public void onTunnelRefused(TunnelSpec spec, ErrorCode code, String message) {
        out.println("Tunnel to " + spec.localTarget() + " refused: " + message);
        out.flush();
        onFailed.run(); // the CLI runs one tunnel: without it there is nothing left to do
    }

    @Override
    public void onRequest(RequestEvent e) {
        if (quiet) {
            return;
        }
        out.println(requestLine(e));
        out.flush();
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
