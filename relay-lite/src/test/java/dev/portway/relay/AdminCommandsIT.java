package dev.portway.relay;

import dev.portway.relay.audit.AuditLog;
import dev.portway.shared.protocol.ControlMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** The admin command line (relay-lite users|tokens|names|keys|signing-key|audit) on a real H2 file. */
class AdminCommandsIT {
    @TempDir
    Path tmp;

    @Test
    void usersTokensNamesKeysAndAuditWhileTheRelayIsDown() throws Exception {
        Path data = Files.createDirectories(tmp.resolve("data"));
        AdminCli cli = new AdminCli(data);
        assertThat(cli.run("users", "add", "alice", "--tier", "premium").out()).contains("Added user alice (premium)");
        assertThat(cli.run("users", "add", "bob").exit()).isZero();
        AdminCli.Result list = cli.run("users", "list");
        assertThat(list.out()).containsPattern("alice\\s+premium\\s+active").containsPattern("bob\\s+free\\s+active");
        assertThat(cli.run("users", "disable", "bob").out()).contains("Disabled bob.");
        assertThat(cli.run("users", "list").out()).containsPattern("bob\\s+free\\s+disabled");
        assertThat(cli.run("users", "enable", "bob").out()).contains("Enabled bob.");

        AdminCli.Result created = cli.run("tokens", "create", "alice", "--label", "laptop");
        assertThat(created.exit()).isZero();
        String secret = AdminCli.secretIn(created.out());
        String id = AdminCli.tokenIdIn(created.out());
        AdminCli.Result tokens = cli.run("tokens", "list", "alice");
        assertThat(tokens.out()).contains(id).contains("laptop").contains("valid").doesNotContain(secret);
        assertThat(cli.run("tokens", "revoke", id).out()).contains("Revoked token " + id + " of alice");
        assertThat(cli.run("tokens", "list", "alice").out()).contains("revoked");
        assertThat(cli.run("tokens", "revoke", id).out()).contains("already revoked");

        assertThat(cli.run("names", "reserve", "alice", "MyApp").out()).contains("Reserved myapp for alice");
        assertThat(cli.run("names", "list").out()).containsPattern("myapp\\s+alice");
        assertThat(cli.run("names", "release", "myapp").out()).contains("was reserved for alice");

        Path key = tmp.resolve("k");
        Process p = new ProcessBuilder("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "alice@laptop", "-f", key.toString())
                .redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertThat(p.waitFor()).isZero();
        String line = Files.readString(tmp.resolve("k.pub")).strip();
        AdminCli.Result added = cli.run("keys", "add", "alice", line);
        assertThat(added.out()).contains("Added ssh-ed25519 key SHA256:");
        String fp = added.out().split(" ")[3];
        assertThat(cli.run("keys", "list", "alice").out()).contains(fp).contains("alice@laptop");
        assertThat(cli.run("keys", "remove", "alice", fp).out()).contains("Removed key " + fp);

        assertThat(cli.run("signing-key", "rotate").out()).contains("New signing key");

        AdminCli.Result audit = cli.run("audit", "--user", "alice");
        assertThat(audit.out()).contains("user_add", "token_create", "token_revoke", "name_reserve", "name_release",
                "key_add", "key_remove").doesNotContain("user_disable");
        assertThat(cli.run("audit", "--since", "1h").out()).contains("user_disable", "signing_key_rotate");
        assertThat(cli.run("audit", "--since", "2999-01-01T00:00:00Z").out()).isEmpty();
        // The same events as JSON lines in the data directory.
        String jsonl = Files.readString(data.resolve(AuditLog.FILE));
        assertThat(jsonl.lines()).anySatisfy(l -> assertThat(l).startsWith("{\"time\":\"").contains("\"event\":\"admin\"")
                .contains("\"user\":\"alice\"").contains("\"action\":\"token_create\""));
    }

    @Test
    void badInputSaysWhatToDoExitsWith2AndChangesNothing() throws Exception {
        Path data = Files.createDirectories(tmp.resolve("data"));
        AdminCli cli = new AdminCli(data);
        assertThat(cli.run("users", "add", "alice").exit()).isZero();
        String before = cli.run("audit").out();

        AdminCli.Result r = cli.run("users", "add", "alice", "--tier", "gold");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("Unknown tier \"gold\" — use free, premium or enterprise");
        assertThat(cli.run("users", "add", "alice").err()).contains("already exists");
        assertThat(cli.run("users", "add", "Not Valid").err()).contains("not a valid user name");
        assertThat(cli.run("tokens", "create", "nobody").err()).contains("No user nobody — add one with");
        assertThat(cli.run("tokens", "revoke", "nope").exit()).isEqualTo(2);
        assertThat(cli.run("names", "reserve", "alice", "bad_name!").exit()).isEqualTo(2);
        assertThat(cli.run("keys", "add", "alice", "not a key").err()).contains("not an SSH public key line");
        assertThat(cli.run("audit", "--since", "yesterday").err()).contains("--since must be");
        assertThat(cli.run("users", "frobnicate").exit()).isEqualTo(2);
        assertThat(cli.run("users").exit()).isEqualTo(2);
        for (String[] cmd : new String[][]{{"users", "add"}, {"tokens", "create"}}) {
            AdminCli.Result missing = cli.run(cmd);
            assertThat(missing.exit()).isEqualTo(2);
            assertThat(missing.err()).contains("Missing required parameter").doesNotContain("Exception");
        }
        assertThat(cli.run("users", "list").out().lines().count()).isEqualTo(2); // header + alice
        assertThat(cli.run("users", "list").out()).containsPattern("alice\\s+free");
        assertThat(cli.run("tokens", "list", "alice").out()).contains("no tokens");
        assertThat(cli.run("audit").out()).isEqualTo(before);

        AdminCli nowhere = new AdminCli(tmp.resolve("missing"));
        AdminCli.Result none = nowhere.run("users", "list");
        assertThat(none.exit()).isEqualTo(2);
        assertThat(none.err()).contains("No relay data directory").contains("--data-dir");
    }

    @Test
    void commandsWorkWhileARelayRunsOnTheSameDataDirectoryAndTakeEffectThere() throws Exception {
        Path data = Files.createDirectories(tmp.resolve("data"));
        RelayConfig config = RelayConfig.builder().port(0).bindHost("127.0.0.1").token("secret").tcpPortFrom(0).tcpPortTo(0)
                .dataDir(data).build();
        try (Relay relay = Relay.start(config)) {
            AdminCli cli = new AdminCli(data);
            String token = cli.userWithToken("alice", "free");
            try (ProtocolTestClient c = ProtocolTestClient.connect(relay, token, null)) {
                ControlMessage.Welcome w = c.control(ControlMessage.Welcome.class);
                assertThat(w.user()).isEqualTo("alice");
            }
            AdminCli.Result revoked = cli.run("tokens", "revoke", AdminCli.tokenIdIn(cli.run("tokens", "list", "alice").out()
                    .lines().skip(1).findFirst().orElseThrow().replaceAll("^(\\S+).*", "x $1")));
            assertThat(revoked.exit()).as(revoked.err()).isZero();
            try (ProtocolTestClient c = ProtocolTestClient.connect(relay, token, null)) {
                ControlMessage.Refused r = c.control(ControlMessage.Refused.class);
                assertThat(r.code()).isEqualTo("token_revoked");
            }
            assertThat(cli.run("audit", "--user", "alice").out()).contains("auth_success", "token_revoke", "auth_failure");
        }
        // And after the relay stopped, the file opens on its own again.
        assertThat(new AdminCli(data).run("users", "list").out()).contains("alice");
    }

    @Test
    void theRelaysOwnTokenIsTheLocalUser() throws Exception {
        Path data = Files.createDirectories(tmp.resolve("data"));
        RelayConfig config = RelayConfig.builder().port(0).bindHost("127.0.0.1").token("secret").tcpPortFrom(0).tcpPortTo(0)
                .dataDir(data).build();
        try (Relay relay = Relay.start(config)) {
            try (ProtocolTestClient c = ProtocolTestClient.connect(relay, "secret", null)) {
                ControlMessage.Welcome w = c.control(ControlMessage.Welcome.class);
                assertThat(w.user()).isEqualTo("local");
                assertThat(w.jwt()).startsWith("eyJ");
                assertThat(Duration.ofMillis(w.jwtTtlMs())).isEqualTo(IdentityConfig.DEFAULT_JWT_LIFETIME);
            }
            assertThat(new AdminCli(data).run("users", "list").out()).containsPattern("local\\s+enterprise\\s+active");
        }
    }
}
