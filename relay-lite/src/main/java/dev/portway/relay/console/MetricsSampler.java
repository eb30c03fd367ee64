package dev.portway.relay.console;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * The overview's charts: every {@link #PERIOD_MS} it reads the relay's own Prometheus exposition (the numbers
 * {@code /api/tunnel/metrics} serves) and keeps the last {@link #KEEP} samples (10 minutes): bounded memory.
 * Thread-safe: {@link #sample} runs on a relay event loop (a text parse, no I/O), readers copy under the lock.
 */
final class MetricsSampler {
    static final long PERIOD_MS = 2000;
    static final int KEEP = 300;

    /** One sample; {@code requestsPerSecond} is the rate since the sample before. */
    record Sample(long at, double sessions, int tunnels, double requestsPerSecond, double queued, double queuedBytes,
                  double sshSessions, double visitorConnections, Map<String, Double> errors) {
    }

    private final Supplier<String> exposition;
    private final IntSupplier tunnels;
    private final ArrayDeque<Sample> samples = new ArrayDeque<>();
    private double lastRequests = -1;
    private long lastAt;

    MetricsSampler(Supplier<String> exposition, IntSupplier tunnels) {
        this.exposition = exposition;
        this.tunnels = tunnels;
    }

    /** Takes one sample now. */
    void sample() {
        Map<String, Double> errors = new LinkedHashMap<>();
        double requests = 0;
        double sessions = 0;
        double queued = 0;
        double queuedBytes = 0;
        double ssh = 0;
        double visitors = 0;
        for (String line : exposition.get().split("\n")) {
            if (line.isEmpty() || line.charAt(0) == '#') {
                continue;
            }
            int sp = line.lastIndexOf(' ');
            if (sp < 0) {
                continue;
            }
            double v;
            try {
                v = Double.parseDouble(line.substring(sp + 1));
            } catch (NumberFormatException e) {
                continue;
            }
            String head = line.substring(0, sp);
            int brace = head.indexOf('{');
            String name = brace < 0 ? head : head.substring(0, brace);
            switch (name) {
                case "tunnel_requests_total" -> requests += v;
                case "tunnel_sessions" -> sessions = v;
                case "tunnel_queue_size" -> queued = v;
                case "tunnel_queue_bytes" -> queuedBytes = v;
                case "tunnel_ssh_sessions" -> ssh = v;
                case "tunnel_active_connections" -> visitors += v;
                case "tunnel_errors_total" -> errors.merge(label(head, "category"), v, Double::sum);
                default -> {
                }
            }
        }
        long now = System.currentTimeMillis();
        synchronized (this) {
            double rate = lastRequests < 0 || now <= lastAt ? 0 : Math.max(0, (requests - lastRequests) * 1000.0 / (now - lastAt));
            lastRequests = requests;
            lastAt = now;
            samples.addLast(new Sample(now, sessions, tunnels.getAsInt(), rate, queued, queuedBytes, ssh, visitors, errors));
            while (samples.size() > KEEP) {
                samples.removeFirst();
            }
        }
    }

    synchronized List<Sample> samples() {
        return new ArrayList<>(samples);
    }

    private static String label(String head, String label) {
        int i = head.indexOf(label + "=\"");
        if (i < 0) {
            return "other";
        }
        int from = i + label.length() + 2;
        int to = head.indexOf('"', from);
        return to < 0 ? "other" : head.substring(from, to);
    }
}
