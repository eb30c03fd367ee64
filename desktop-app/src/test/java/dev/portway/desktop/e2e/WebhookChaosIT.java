package dev.portway.desktop.e2e;

import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;

import static dev.portway.desktop.e2e.TunnelHarness.TOKEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The chaos scenario of the reliability issue: 1,000 webhooks arrive while the client is offline;
 * while they are delivered, the relay and the client are each killed ({@code kill -9}) and restarted
 * once, at random points. The local app must end up with every one of the 1,000 delivery ids.
 * {@code bench/webhook-chaos.sh} runs the same scenario for a person to watch.
 */
class WebhookChaosIT {
    static final int WEBHOOKS = Integer.getInteger("portway.chaos.webhooks", 1000);
    /** All webhooks come from one loopback address here, standing in for many senders: no per-IP rate limit. */
    static final String[] UNLIMITED = {"--rate-limit", "0"};

    @TempDir
    Path tmp;

    @Test
    void thousandWebhooksSurviveARelayAndAClientKilledAtRandomPoints() throws Exception {
        long seed = Long.getLong("portway.chaos.seed", System.nanoTime());
        Random random = new Random(seed);
        int relayKillAt = 50 + random.nextInt(WEBHOOKS / 2);
        int clientKillAt = 50 + random.nextInt(WEBHOOKS / 2);
        System.out.printf("chaos seed %d: relay killed after %d deliveries, client after %d%n", seed, relayKillAt, clientKillAt);

        int relayPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            relayPort = s.getLocalPort();
        }
        Path relayData = tmp.resolve("relay");
        Path clientData = tmp.resolve("client");
        Path relayLog = tmp.resolve("relay.log");
        Path clientLog = tmp.resolve("client.log");
        OkHttpClient visitor = TunnelHarness.visitor();

        try (WebhookSink sink = new WebhookSink()) {
            Set<String> accepted = new HashSet<>();
            String[] clientArgs = {"http", String.valueOf(sink.port()), "--name", "hooks", "--queue"};
            JvmProcess relay = JvmProcess.relay(relayPort, relayData, TOKEN, relayLog, UNLIMITED).start();
            JvmProcess client = JvmProcess.client(relayPort, TOKEN, clientData, clientLog, clientArgs);
            try {
                relay.awaitOutput("listening", Duration.ofSeconds(60));
                client.start().awaitOutput("Forwarding", Duration.ofSeconds(60));
                client.killHard(); // offline, name reserved

                for (int i = 0; i < WEBHOOKS; i++) {
                    Request post = new Request.Builder().url("http://hooks.localhost:" + relayPort + "/webhook")
                            .post(RequestBody.create("{\"n\":" + i + "}", MediaType.get("application/json"))).build();
                    try (Response r = visitor.newCall(post).execute()) {
                        assertThat(r.code()).as("webhook %d", i).isEqualTo(202);
                        accepted.add(r.header("Portway-Delivery-Id"));
                    }
                }
                assertThat(accepted).hasSize(WEBHOOKS);

                client = JvmProcess.client(relayPort, TOKEN, clientData, clientLog, clientArgs).start();
                boolean relayKilled = false;
                boolean clientKilled = false;
                while (!relayKilled || !clientKilled) {
                    int next = Math.min(relayKilled ? Integer.MAX_VALUE : relayKillAt, clientKilled ? Integer.MAX_VALUE : clientKillAt);
                    await().atMost(Duration.ofMinutes(3)).until(() -> sink.distinct() >= Math.min(next, WEBHOOKS));
                    if (!relayKilled && next == relayKillAt) {
                        relay.killHard();
                        relay = JvmProcess.relay(relayPort, relayData, TOKEN, relayLog, UNLIMITED).start();
                        relayKilled = true;
                    } else {
                        client.killHard();
                        client = JvmProcess.client(relayPort, TOKEN, clientData, clientLog, clientArgs).start();
                        clientKilled = true;
                    }
                }
                await().atMost(Duration.ofMinutes(5)).until(() -> sink.received.keySet().containsAll(accepted));
            } finally {
                client.close();
                relay.close();
            }
            Set<String> missing = new HashSet<>(accepted);
            missing.removeAll(sink.received.keySet());
            System.out.printf("%d/%d delivered, %d duplicates%n", WEBHOOKS - missing.size(), WEBHOOKS, sink.duplicates());
            assertThat(missing).as("webhooks never delivered").isEmpty();
        }
    }
}
