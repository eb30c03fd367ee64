package dev.portway.desktop.e2e;

import dev.portway.desktop.engine.BoundTunnel;
import dev.portway.desktop.engine.TunnelSpec;
import dev.portway.desktop.ui.connect.EmbeddedRelayHost;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;

import java.util.TreeMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The relay inside the app serves one local user on loopback, where every visitor is 127.0.0.1: a developer's
 * own load test through it must not meet the per-IP (600/min) or per-user request limits that protect a public
 * relay. 800 requests in a burst all reach the local app.
 */
class EmbeddedRelayLimitsIT {
    @Test
    void theEmbeddedRelayDoesNotRateLimitItsOneLocalUser() throws Exception {
        try (EmbeddedRelayHost host = new EmbeddedRelayHost(0);
             LocalHttpApp app = new LocalHttpApp()) {
            EmbeddedRelayHost.Endpoint endpoint = host.endpoint();
            try (TunnelHarness.RecordingEngine engine = new TunnelHarness.RecordingEngine(TunnelHarness.RecordingEngine.config(
                    endpoint.connectUrl().toString(), endpoint.token(), TunnelSpec.http("burst", app.port())))) {
                BoundTunnel tunnel = engine.awaitTunnel();
                OkHttpClient visitor = TunnelHarness.visitor();
                Map<Integer, Integer> statuses = new TreeMap<>();
                for (int i = 0; i < 800; i++) {
                    try (Response r = visitor.newCall(new Request.Builder().url(tunnel.url() + "hello").build()).execute()) {
                        r.body().bytes();
                        statuses.merge(r.code(), 1, Integer::sum);
                    }
                }
                assertThat(statuses).containsExactly(Map.entry(200, 800));
            }
        }
    }
}
