package dev.portway.relay.ingress;

import dev.portway.relay.metrics.RelayMetrics;
import dev.portway.shared.protocol.Json;
import dev.portway.shared.protocol.Protocol;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The answers of the relay's own endpoints on its own host (relay-lite/README.md, "Health and readiness",
 * "Metrics"): the landing page, health, metrics, {@code OPTIONS *} and not-found. Builds responses only; the
 * handler writes them. Stateless.
 */
final class RelayEndpoints {
    private RelayEndpoints() {
    }

    static FullHttpResponse landing(String domain) {
        return Pages.page(HttpResponseStatus.OK, "Portway relay",
                "This relay is running. Tunnels are reached at http://<name>." + domain + "/ or /t/<name>/.",
                "Clients connect to " + Protocol.CONNECT_PATH + ".");
    }

    static FullHttpResponse notFound(String uri, String domain) {
        return Pages.page(HttpResponseStatus.NOT_FOUND, "Not found", "There is nothing at " + uri + " on this relay.",
                "Tunnels are reached at http://<name>." + domain + "/ or /t/<name>/.");
    }

    static FullHttpResponse metrics(RelayMetrics metrics) {
        return Pages.text(metrics.scrape(), RelayMetrics.CONTENT_TYPE);
    }

    /** {@code OPTIONS *} is about the server in general (RFC 9110 §9.3.7): the relay answers it, no app is asked. */
    static FullHttpResponse serverOptions() {
        FullHttpResponse options = Pages.text(new byte[0], "text/plain; charset=utf-8");
        options.headers().set("Allow", "OPTIONS, GET, HEAD, POST, PUT, PATCH, DELETE");
        return options;
    }

    /**
     * Liveness (any answer) and readiness: 503 with {@code "ready":false} when the store does not answer, or on a
     * cluster node when it may not take new bindings (its lease ran out); {@code "cluster"} then says why.
     */
    static FullHttpResponse health(IngressContext ictx, boolean storeOk) {
        Map<String, Object> body = new LinkedHashMap<>();
        var shared = ictx.sessions().registry().shared();
        Map<String, Object> cluster = shared.status();
        boolean ready = storeOk && shared.accepting();
        body.put("status", "ok");
        body.put("ready", ready);
        body.put("store", storeOk ? "ok" : "unavailable");
        body.put("sessions", ictx.sessions().sessions().size());
        body.put("tunnels", ictx.sessions().registry().tunnelCount());
        body.put("version", ictx.sessions().version());
        if (cluster != null) {
            body.put("cluster", cluster);
        }
        return Pages.json(ready ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE, Json.write(body));
    }
}
