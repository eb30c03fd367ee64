package dev.portway.relay;

import dev.portway.relay.store.PostgresServer;
import dev.portway.shared.protocol.ControlMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A relay whose store is a real PostgreSQL (--db), administered with the command line's --db. */
class PostgresRelayIT {
    @RegisterExtension
    static final PostgresServer PG = new PostgresServer();
    @TempDir
    Path tmp;

    @Test
    void usersAndTokensLiveInPostgresAndTheRelayAuthenticatesWithThem() throws Exception {
        String url = PG.newDatabase();
        IdentityConfig identity = IdentityConfig.DEFAULTS.withDb(url, "postgres", null);
        try (Relay relay = Relay.start(RelayConfig.builder().port(0).bindHost("127.0.0.1").token("secret").tcpPortFrom(0)
                .tcpPortTo(0).dataDir(tmp).identity(identity).build())) {
            AdminCli.Result add = db(url, "users", "add", "alice", "--tier", "premium");
            assertThat(add.exit()).as(add.err()).isZero();
            AdminCli.Result token = db(url, "tokens", "create", "alice");
            String secret = AdminCli.secretIn(token.out());
            assertThat(db(url, "names", "reserve", "alice", "pgapp").exit()).isZero();
            // The running relay sees the reservation within its 2 s reload: "local" may no longer bind the name.
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> "alice".equals(relay.accounts().names().owner("pgapp")));
            try (ProtocolTestClient c = ProtocolTestClient.connect(relay, "secret", null)) {
                c.control(ControlMessage.Welcome.class);
                c.send(dev.portway.shared.protocol.Frame.control(new ControlMessage.Bind("1", "http", "pgapp", null,
                        java.util.Map.of("strict_name", "true"))));
                assertThat(c.control(ControlMessage.BindRefused.class).code()).isEqualTo("name_taken");
            }
            try (ProtocolTestClient c = ProtocolTestClient.connect(relay, secret, null)) {
                assertThat(c.control(ControlMessage.Welcome.class).user()).isEqualTo("alice");
                assertThat(c.bind("1", "http", "pgapp", java.util.Map.of("strict_name", "true")).name()).isEqualTo("pgapp");
            }
            assertThat(db(url, "audit", "--user", "alice").out()).contains("auth_success", "bind", "name_reserve");
            AdminCli.Result bad = db("jdbc:mysql://nope/x", "users", "list");
            assertThat(bad.exit()).isEqualTo(2);
            assertThat(bad.err()).contains("--db must be a jdbc:postgresql://");
        }
    }

    @Test
    void theRelayReconnectsToPostgresByItselfAfterAnOutage() throws Exception {
        String url = PG.newDatabase();
        IdentityConfig identity = IdentityConfig.DEFAULTS.withDb(url, "postgres", null);
        okhttp3.OkHttpClient http = new okhttp3.OkHttpClient.Builder().readTimeout(Duration.ofSeconds(20)).build();
        try (Relay relay = Relay.start(RelayConfig.builder().port(0).bindHost("127.0.0.1").token("secret").tcpPortFrom(0)
                .tcpPortTo(0).dataDir(tmp).identity(identity).build())) {
            okhttp3.Request health = new okhttp3.Request.Builder()
                    .url("http://127.0.0.1:" + relay.port() + "/api/tunnel/health").build();
            java.util.concurrent.Callable<Integer> status = () -> {
                try (okhttp3.Response r = http.newCall(health).execute()) {
                    return r.code();
                }
            };
            assertThat(status.call()).isEqualTo(200);
            PG.suspend();
            try {
                org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(status, s -> s == 503);
            } finally {
                PG.resume();
            }
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(40)).until(status, s -> s == 200);
            try (ProtocolTestClient c = ProtocolTestClient.connect(relay, "secret", null)) {
                assertThat(c.control(ControlMessage.Welcome.class).session()).isNotBlank();
            }
        }
    }

    AdminCli.Result db(String url, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--db", url, "--db-user", "postgres"));
        var cmd = RelayMain.commandLine();
        var out = new java.io.StringWriter();
        var err = new java.io.StringWriter();
        cmd.setOut(new java.io.PrintWriter(out, true));
        cmd.setErr(new java.io.PrintWriter(err, true));
        int exit = cmd.execute(all.toArray(String[]::new));
        return new AdminCli.Result(exit, out.toString(), err.toString());
    }
}
