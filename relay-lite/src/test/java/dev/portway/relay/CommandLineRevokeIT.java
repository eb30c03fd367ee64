package dev.portway.relay;

import dev.portway.relay.store.IdentityStore;
import dev.portway.relay.store.Tier;
import dev.portway.shared.protocol.ControlMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Admin changes made by the command line (another process on the relay's store; here its main in-process)
 * reach a running relay within seconds, not within a JWT lifetime: a revoked token's or a disabled or deleted
 * user's client sessions end, and a purge gives the queue's capacity back.
 */
class CommandLineRevokeIT {
    @TempDir
    Path tmp;
    Relay relay;
    IdentityStore ids;
    AdminCli cli;

    @BeforeEach
    void start() throws Exception {
        // A long JWT lifetime: nothing but the relay noticing the change may end the session in time.
        relay = Relay.start(RelayConfig.builder().port(0).bindHost("127.0.0.1").token("local-secret").tcpPortFrom(0).tcpPortTo(0)
                .grace(Duration.ofMillis(300)).dataDir(tmp).identity(IdentityConfig.DEFAULTS.withJwtLifetime(Duration.ofHours(1))).build());
        ids = relay.store().identity();
        ids.addUser("alice", Tier.FREE);
        ids.addUser("bob", Tier.FREE);
        cli = new AdminCli(tmp);
    }

    @AfterEach
    void stop() {
        relay.shutdown(Duration.ofMillis(200));
    }

    ProtocolTestClient connected(String secret) {
        ProtocolTestClient c = ProtocolTestClient.connect(relay, secret, null);
        c.control(ControlMessage.Welcome.class);
        return c;
    }

    @Test
    void tokensRevokeOnTheCommandLineEndsTheTokensSessionWithinSecondsAndOnlyThatOne() {
        var revoked = ids.createToken("alice", "laptop");
        var other = ids.createToken("alice", "phone");
        try (ProtocolTestClient laptop = connected(revoked.secret()); ProtocolTestClient phone = connected(other.secret())) {
            assertThat(cli.run("tokens", "revoke", revoked.token().id()).exit()).isZero();
            await().atMost(Duration.ofSeconds(5)).until(() -> laptop.closeCode.get() != -1);
            assertThat(laptop.closeReason).contains("revoked");
            assertThat(phone.closeCode.get()).as("the user's other token stays").isEqualTo(-1);
            assertThat(relay.sessionCount()).isEqualTo(1);
        }
    }

    @Test
    void usersDisableAndDeleteOnTheCommandLineEndTheUsersSessionsWithinSeconds() {
        try (ProtocolTestClient alice = connected(ids.createToken("alice", "a").secret());
             ProtocolTestClient bob = connected(ids.createToken("bob", "b").secret())) {
            assertThat(cli.run("users", "disable", "alice").exit()).isZero();
            assertThat(cli.run("users", "delete", "bob", "--yes").exit()).isZero();
            await().atMost(Duration.ofSeconds(5)).until(() -> alice.closeCode.get() != -1 && bob.closeCode.get() != -1);
            assertThat(alice.closeReason).contains("disabled");
            assertThat(bob.closeReason).contains("deleted");
        }
    }

    @Test
    void aQueuePurgedOnTheCommandLineCountsFreeInTheRunningRelayWithinSeconds() throws Exception {
        ids.reserveName("alice", "alice-hooks");
        try (ProtocolTestClient c = ProtocolTestClient.connect(relay, ids.createToken("alice", "hooks").secret(), null, ConsoleQueueIT.KEY)) {
            c.control(ControlMessage.Welcome.class);
            c.bind("1", "http", "alice-hooks", java.util.Map.of("queue", "on"));
            c.control(ControlMessage.QueueStatus.class);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> relay.sessionCount() == 0);
        okhttp3.OkHttpClient http = new okhttp3.OkHttpClient();
        for (String body : new String[]{"one", "two"}) {
            try (okhttp3.Response r = http.newCall(new okhttp3.Request.Builder().url("http://127.0.0.1:" + relay.port() + "/t/alice-hooks/h")
                    .post(okhttp3.RequestBody.create(body, okhttp3.MediaType.get("text/plain"))).build()).execute()) {
                assertThat(r.code()).isEqualTo(202);
            }
        }
        assertThat(relay.queueStatus("alice-hooks").count()).isEqualTo(2);
        assertThat(cli.run("queue", "purge", "alice-hooks", "--yes").exit()).isZero();
        await().atMost(Duration.ofSeconds(5)).until(() -> relay.queueStatus("alice-hooks").count() == 0);
        assertThat(relay.queueStatus("alice-hooks").bytes()).isZero();
    }
}
