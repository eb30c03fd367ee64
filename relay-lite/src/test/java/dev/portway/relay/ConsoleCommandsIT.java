package dev.portway.relay;

import dev.portway.relay.auth.Passwords;
import dev.portway.relay.console.ConsoleSettings;
import dev.portway.relay.store.RelayStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The console's admin commands (users role|passwd|invite|delete) and the one service layer: what the command
 * line changes shows in the console of a relay running on the same data directory, and the other way round.
 */
class ConsoleCommandsIT {
    @TempDir
    Path tmp;

    AdminCli.Result passwd(AdminCli cli, String user, String password) {
        InputStream before = System.in;
        System.setIn(new ByteArrayInputStream((password + "\n").getBytes(StandardCharsets.UTF_8)));
        try {
            return cli.run("users", "passwd", user, "--password-stdin");
        } finally {
            System.setIn(before);
        }
    }

    @Test
    void rolesPasswordsInvitesAndDeleteFromTheCommandLine() throws Exception {
        Path data = Files.createDirectories(tmp.resolve("data"));
        AdminCli cli = new AdminCli(data);
        assertThat(cli.run("users", "add", "root", "--role", "admin").out()).contains("Added user root (free, admin)");
        assertThat(cli.run("users", "add", "alice", "--role", "owner").err()).contains("Unknown role \"owner\" — use user or admin.");
        assertThat(passwd(cli, "root", "short").err()).contains("at least 10 characters");
        assertThat(passwd(cli, "root", "a long root password").out()).contains("Set the console password of root.");
        try (RelayStore store = RelayStore.open(data)) {
            String hash = store.identity().passwordHash("root").orElseThrow();
            assertThat(hash).startsWith("$2y$").doesNotContain("a long root password");
            assertThat(new Passwords(4).matches(hash, "a long root password")).isTrue();
        }
        assertThat(cli.run("users", "add", "alice").exit()).isZero();
        assertThat(cli.run("users", "role", "alice", "admin").out()).contains("alice is now an admin.");
        assertThat(cli.run("users", "list").out()).containsPattern("root\\s+free\\s+active\\s+admin\\s+set")
                .containsPattern("alice\\s+free\\s+active\\s+admin\\s+-");
        AdminCli.Result invite = cli.run("users", "invite", "alice", "--valid", "2h");
        assertThat(invite.out()).contains("Invite for alice, valid once until").containsPattern("/invite/[A-Za-z0-9_-]{32}");
        assertThat(cli.run("users", "invite", "alice", "--valid", "soon").err()).contains("--valid must look like 30m, 24h or 7d");
        assertThat(cli.run("users", "invite", "alice", "--valid", "90d").err()).contains("1 minute to 30 days");
        assertThat(cli.run("users", "delete", "alice").err()).contains("add --yes to confirm");
        assertThat(cli.run("users", "delete", "alice", "--yes").out()).contains("Deleted user alice.");
        assertThat(cli.run("users", "list").out()).doesNotContain("alice");
        AdminCli.Result audit = cli.run("audit", "--user", "alice");
        assertThat(audit.out()).contains("user_role", "invite_create", "user_delete", "\"via\":\"cli\"");
    }

    @Test
    void aChangeMadeOnTheCommandLineShowsInTheConsoleAndTheOtherWayRound() throws Exception {
        Path data = Files.createDirectories(tmp.resolve("data"));
        try (Relay relay = Relay.start(RelayConfig.builder().port(0).bindHost("127.0.0.1").token("t").tcpPortFrom(0).tcpPortTo(0)
                .dataDir(data).console(new ConsoleSettings(0, "127.0.0.1")).build())) {
            AdminCli cli = new AdminCli(data);
            assertThat(cli.run("users", "add", "root", "--role", "admin").exit()).isZero();
            assertThat(passwd(cli, "root", "a long root password").exit()).isZero();
            ConsoleClient console = new ConsoleClient(relay.consolePort());
            assertThat(console.signIn("root", "a long root password").status()).isEqualTo(200);
            assertThat(console.post("/api/users", "{\"name\":\"bob\"}").status()).isEqualTo(201);
            String id = console.post("/api/users/bob/tokens", "{\"label\":\"made in the console\"}").body().get("id").asText();
            assertThat(cli.run("tokens", "list", "bob").out()).contains(id, "made in the console");
            assertThat(cli.run("tokens", "revoke", id).exit()).isZero();
            assertThat(console.get("/api/users/bob/tokens").body().get(0).get("revokedAt").isNull()).isFalse();
            relay.shutdown(Duration.ofMillis(100));
        }
    }
}
