package dev.portway.relay;

import com.sun.net.httpserver.HttpServer;
import dev.portway.relay.auth.LoginThrottle;
import dev.portway.relay.ssh.SshConfig;
import dev.portway.relay.store.IdentityRecords;
import dev.portway.relay.store.IdentityStore;
import dev.portway.relay.store.Tier;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The SSH gateway with the real OpenSSH client: failed logins (password, key) are audited and throttled with the
 * same counters as WebSocket hellos, and revoking a token or disabling a user ends live {@code ssh -R} tunnels.
 */
class SshThrottleIT {
    private final OkHttpClient http = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(10)).build();
    private final List<Process> processes = new ArrayList<>();
    @TempDir
    Path dir;
    private Relay relay;
    private IdentityStore ids;
    private HttpServer app;

    void start(LoginThrottle.Policy policy, Duration jwtLifetime) throws Exception {
        relay = Relay.start(RelayConfig.builder().port(0).bindHost("127.0.0.1").token("ssh-throttle-secret").tcpPortFrom(0)
                        .tcpPortTo(0).dataDir(dir).identity(IdentityConfig.DEFAULTS.withThrottle(policy).withJwtLifetime(jwtLifetime))
                        .build(),
                new SshConfig("127.0.0.1", 0, "localhost", true, 3, Duration.ofSeconds(5), 3, dir));
        ids = relay.store().identity();
        ids.addUser("alice", Tier.FREE);
        app = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        app.createContext("/", ex -> {
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
        app.start();
    }

    @AfterEach
    void stop() {
        processes.forEach(Process::destroyForcibly);
        if (app != null) {
            app.stop(0);
        }
        if (relay != null) {
            relay.close();
        }
    }

    @Test
    void wrongPasswordsAreAuditedAndThrottledAndTheRightOneIsRefusedDuringTheLockout() throws Exception {
        start(new LoginThrottle.Policy(3, Duration.ofMinutes(1), Duration.ofSeconds(10), Duration.ofSeconds(10), 64),
                Duration.ofMinutes(15));
        String token = ids.createToken("alice", "ssh").secret();
        for (int i = 0; i < 3; i++) {
            Process wrong = passwordSsh("pw_wrong" + i, "-N");
            assertThat(wrong.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(wrong.exitValue()).isEqualTo(255);
        }
        // Locked out now: the right token as the password is refused without being checked.
        Process right = passwordSsh(token, "-N");
        assertThat(right.waitFor(30, TimeUnit.SECONDS)).as("refused, not logged in").isTrue();
        assertThat(right.exitValue()).isEqualTo(255);
        assertThat(output(right)).contains("Permission denied");

        await().atMost(Duration.ofSeconds(5)).until(() -> ids.audit(0, null, 100).stream()
                .filter(a -> a.event().equals("auth_failure")).count() == 3);
        List<IdentityRecords.AuditRow> audit = ids.audit(0, null, 100);
        assertThat(audit).filteredOn(a -> a.event().equals("auth_failure"))
                .allMatch(a -> a.fieldsJson().contains("\"via\":\"ssh\"") && a.fieldsJson().contains("\"method\":\"password\"")
                        && a.fieldsJson().contains("\"reason\":\"bad_token\""));
        assertThat(audit).filteredOn(a -> a.event().equals("limit") && a.fieldsJson().contains("auth_failures")).hasSize(1);
        assertThat(audit).noneMatch(a -> a.event().equals("auth_success"));
        assertThat(HelloThrottleIT.counter(relay.metricsText(), "tunnel_rate_limit_hits_total{limit=\"auth_attempts\"}"))
                .isPositive();
        // The same counters as hellos: a WebSocket hello from this address is locked out too.
        try (ProtocolTestClient c = ProtocolTestClient.connect(relay, token, null)) {
            assertThat(c.control(dev.portway.shared.protocol.ControlMessage.Refused.class).code()).isEqualTo("rate_limited");
        }
    }

    @Test
    void aLoginIsRefusedUncheckedWhileTheRelayIsCheckingAsManyAsItAllows() throws Exception {
        start(new LoginThrottle.Policy(5, Duration.ofMinutes(1), Duration.ofSeconds(10), Duration.ofSeconds(10), 1),
                Duration.ofMinutes(15));
        String token = ids.createToken("alice", "ssh").secret();
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        relay.store().async("hold the store thread", () -> {
            try {
                return release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                return false;
            }
        });
        // A WebSocket hello whose token check waits for the store holds the one permit this relay allows.
        ProtocolTestClient waiting = ProtocolTestClient.connect(relay, "ssh-throttle-secret", null);
        try {
            await().atMost(Duration.ofSeconds(5)).until(() -> relay.accounts().throttle().pendingChecks() == 1);
            Process busy = passwordSsh(token, "-N");
            assertThat(busy.waitFor(30, TimeUnit.SECONDS)).as("refused, not left waiting").isTrue();
            assertThat(busy.exitValue()).isEqualTo(255);
            assertThat(relay.accounts().throttle().pendingChecks()).as("the refused login took no permit").isEqualTo(1);
        } finally {
            release.countDown();
            waiting.close();
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> relay.accounts().throttle().pendingChecks() == 0);
        assertThat(ids.audit(0, null, 100)).as("busy is not a failed login").noneMatch(a -> a.event().equals("auth_failure"));
        // Not counted against alice or the address: the same token logs in at once afterwards.
        Process ok = passwordSsh(token, "-N", "-o", "ExitOnForwardFailure=yes",
                "-R", "afterbusy:80:127.0.0.1:" + app.getAddress().getPort());
        await().atMost(Duration.ofSeconds(20)).until(() -> visit("afterbusy") == 204);
        assertThat(relay.accounts().throttle().pendingChecks()).isZero();
        ok.destroy();
    }

    @Test
    void anUnregisteredKeyIsAuditedOncePerConnection() throws Exception {
        start(LoginThrottle.Policy.DEFAULTS, Duration.ofMinutes(15));
        Path mallory = key("mallory");
        Process p = track(new ProcessBuilder("ssh", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                "-o", "BatchMode=yes", "-i", mallory.toString(), "-p", String.valueOf(relay.sshPort()), "-N",
                "mallory@127.0.0.1").redirectErrorStream(true).start());
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(255);
        await().atMost(Duration.ofSeconds(5)).until(() -> ids.audit(0, null, 100).stream()
                .anyMatch(a -> a.event().equals("auth_failure")));
        assertThat(ids.audit(0, null, 100)).filteredOn(a -> a.event().equals("auth_failure")).singleElement()
                .satisfies(a -> assertThat(a.fieldsJson()).contains("\"reason\":\"unknown_key\"").contains("\"login\":\"mallory\"")
                        .contains("\"method\":\"key\"").contains("SHA256:"));
    }

    @Test
    void revokingTheTokenEndsTheLiveSshTunnel() throws Exception {
        start(LoginThrottle.Policy.DEFAULTS, Duration.ofSeconds(2));
        var token = ids.createToken("alice", "ssh");
        Process ssh = passwordSsh(token.secret(), "-N", "-o", "ExitOnForwardFailure=yes",
                "-R", "revoked:80:127.0.0.1:" + app.getAddress().getPort());
        await().atMost(Duration.ofSeconds(20)).until(() -> visit("revoked") == 204);
        ids.revokeToken(token.token().id());
        // Re-checked every ¾ JWT lifetime (1.5 s here): the connection and its tunnel end.
        assertThat(ssh.waitFor(10, TimeUnit.SECONDS)).as("the ssh client was disconnected").isTrue();
        await().atMost(Duration.ofSeconds(5)).until(() -> visit("revoked") != 204);
        assertThat(output(ssh)).contains("revoked this token");
        await().atMost(Duration.ofSeconds(5)).until(() -> ids.audit(0, "alice", 100).stream()
                .anyMatch(a -> a.event().equals("auth_failure") && a.fieldsJson().contains("\"at\":\"recheck\"")
                        && a.fieldsJson().contains("token_revoked")));
    }

    @Test
    void disablingTheUserEndsTheirLiveKeyLoginTunnel() throws Exception {
        start(LoginThrottle.Policy.DEFAULTS, Duration.ofSeconds(2));
        Path alice = key("alice");
        ids.addSshKey("alice", Files.readString(Path.of(alice + ".pub")).trim());
        Process ssh = track(new ProcessBuilder("ssh", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                "-o", "BatchMode=yes", "-i", alice.toString(), "-p", String.valueOf(relay.sshPort()), "-N",
                "-o", "ExitOnForwardFailure=yes", "-R", "disabled:80:127.0.0.1:" + app.getAddress().getPort(), "alice@127.0.0.1")
                .redirectErrorStream(true).start());
        await().atMost(Duration.ofSeconds(20)).until(() -> visit("disabled") == 204);
        ids.setDisabled("alice", true);
        assertThat(ssh.waitFor(10, TimeUnit.SECONDS)).as("the ssh client was disconnected").isTrue();
        await().atMost(Duration.ofSeconds(5)).until(() -> visit("disabled") != 204);
        assertThat(output(ssh)).contains("disabled the user alice");
    }

    // ---- helpers

    private int visit(String tunnel) {
        try (Response r = http.newCall(new Request.Builder().url("http://127.0.0.1:" + relay.port() + "/t/" + tunnel + "/").build())
                .execute()) {
            return r.code();
        } catch (IOException e) {
            return -1;
        }
    }

    private Process track(Process p) throws IOException {
        processes.add(p);
        p.getOutputStream().close();
        return p;
    }

    private static String output(Process p) throws IOException {
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    /** OpenSSH with the password from an askpass script (the real client asks no terminal here). */
    private Process passwordSsh(String password, String... args) throws IOException {
        Path askpass = dir.resolve("askpass.sh");
        if (!Files.exists(askpass)) {
            Files.writeString(askpass, "#!/bin/sh\nprintf '%s\\n' \"$PORTWAY_TEST_PASSWORD\"\n");
            Files.setPosixFilePermissions(askpass, PosixFilePermissions.fromString("rwx------"));
        }
        List<String> cmd = new ArrayList<>(List.of("ssh", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                "-o", "PreferredAuthentications=password", "-o", "PubkeyAuthentication=no", "-o", "NumberOfPasswordPrompts=1",
                "-p", String.valueOf(relay.sshPort())));
        cmd.addAll(List.of(args));
        cmd.add("alice@127.0.0.1");
        ProcessBuilder b = new ProcessBuilder(cmd).redirectErrorStream(true);
        b.environment().put("SSH_ASKPASS", askpass.toString());
        b.environment().put("SSH_ASKPASS_REQUIRE", "force");
        b.environment().put("DISPLAY", ":0");
        b.environment().put("PORTWAY_TEST_PASSWORD", password);
        return track(b.start());
    }

    private Path key(String name) throws IOException, InterruptedException {
        Path k = dir.resolve(name + "_ed25519");
        Process p = new ProcessBuilder("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", k.toString())
                .redirectErrorStream(true).start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return k;
    }
}
