package dev.portway.relay.ingress;

import dev.portway.shared.protocol.Protocol;

import java.util.Locale;

/**
 * Where a visitor request goes. Host first: {@code <name>.<domain>} always means the tunnel (even
 * for {@code /api/tunnel/health} and {@code /api/tunnel/metrics}); any other host gets the relay's own endpoints, then path routing
 * {@code /t/<name>/...}. Stateless.
 */
final class Router {
    sealed interface Route {
        /** @param target the request target the local app should see */
        record ToTunnel(String name, String target) implements Route {
        }

        record Connect() implements Route {
        }

        record Health() implements Route {
        }

        record Metrics() implements Route {
        }

        record Landing() implements Route {
        }

        record NotFound() implements Route {
        }
    }

    /** The relay's Prometheus endpoint (like health, only on the relay's own host). */
    static final String METRICS_PATH = "/api/tunnel/metrics";

    private Router() {
    }

    static Route route(String hostHeader, String uri, String domain) {
        String host = hostName(hostHeader);
        String suffix = "." + domain;
        if (host != null && host.endsWith(suffix) && host.length() > suffix.length()) {
            return new Route.ToTunnel(host.substring(0, host.length() - suffix.length()), uri);
        }
        int q = uri.indexOf('?');
        String path = q < 0 ? uri : uri.substring(0, q);
        String query = q < 0 ? "" : uri.substring(q);
        if (path.equals(Protocol.CONNECT_PATH)) {
            return new Route.Connect();
        }
        if (path.equals(Protocol.HEALTH_PATH)) {
            return new Route.Health();
        }
        if (path.equals(METRICS_PATH)) {
            return new Route.Metrics();
        }
        if (path.startsWith("/t/")) {
            int slash = path.indexOf('/', 3);
            String name = slash < 0 ? path.substring(3) : path.substring(3, slash);
            String rest = slash < 0 ? "/" : path.substring(slash);
            if (!name.isEmpty()) {
                return new Route.ToTunnel(name.toLowerCase(Locale.ROOT), rest + query);
            }
        }
        return path.equals("/") ? new Route.Landing() : new Route.NotFound();
    }

    /** The host without port, lower-case, without a trailing dot; null when absent. */
    static String hostName(String hostHeader) {
        if (hostHeader == null || hostHeader.isBlank()) {
            return null;
        }
        String h = hostHeader.trim().toLowerCase(Locale.ROOT);
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            return end < 0 ? h : h.substring(0, end + 1);
        }
        int colon = h.lastIndexOf(':');
        if (colon >= 0) {
            h = h.substring(0, colon);
        }
        return h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
    }
}
