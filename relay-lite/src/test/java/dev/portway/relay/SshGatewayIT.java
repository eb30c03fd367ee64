package dev.portway.relay;

import dev.portway.relay.testing.LocalSshd;
import com.sun.net.httpserver.HttpServer;
import dev.portway.relay.ssh.KeyFileDirectory;
import dev.portway.relay.ssh.SshConfig;
import dev.portway.shared.protocol.Protocol;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The SSH gateway with the real OpenSSH client ({@code /usr/bin/ssh}) and, as the local target of a private
 * tunnel, a real sshd: {@code ssh -R} tunnels reached with OkHttp and a socket, {@code ssh -J} through a
 * private engine-made tunnel, and every refusal a user can meet.
 */
class SshGatewayIT {
    private static final String TOKEN = "ssh-gateway-test-token";
    private final OkHttpClient http = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(10)).build();
    private final List<Process> processes = new ArrayList<>();
    @TempDir
    Path dir;
    private Relay relay;
    private Path alice;
    private Path bob;
    private Path mallory;
    private HttpServer app;

    @BeforeEach
    void start() throws Exception {
        alice = key("alice");
        bob = key("bob");
        mallory = key("mallory");
        Files.writeString(dir.resolve(KeyFileDirectory.FILE_NAME), "# users of the gateway\n"
                + "alice " + Files.readString(Path.of(alice + ".pub"))
                + "bob " + Files.readString(Path.of(bob + ".pub")));
        relay = Relay.start(RelayConfig.builder().port(0).bindHost("127.0.0.1").token(TOKEN).tcpPortFrom(0).tcpPortTo(0)
                        .dataDir(dir).build(),
                new SshConfig("127.0.0.1", 0, "localhost", false, 3, Duration.ofSeconds(1), 3, dir));
        app = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        app.createContext("/", ex -> {
            byte[] body = ("hello from the app behind ssh -R: " + ex.getRequestMethod() + " " + ex.getRequestURI()
                    + " body=" + new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("X-App", "yes");
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        app.start();
    }

    @AfterEach
    void stop() {
        for (Process p : processes) {
            p.destroyForcibly();
        }
        if (app != null) {
            app.stop(0);
        }
        if (relay != null) {
            relay.close();
        }
    }

    @Test
    void sshDashRMakesAnHttpTunnelThatVisitorsReachAtItsPublicUrl() throws Exception {
        Ssh ssh = ssh(alice, "-R", "myapp:80:127.0.0.1:" + app.getAddress().getPort());
        String line = ssh.awaitLine("is live at");
        assertThat(line).contains("http tunnel myapp").contains("http://myapp.localhost:" + relay.port() + "/");

        try (Response r = http.newCall(new Request.Builder().url("http://127.0.0.1:" + relay.port() + "/hello?x=1")
                .header("Host", "myapp.localhost:" + relay.port())
                .post(okhttp3.RequestBody.create("ping", okhttp3.MediaType.get("text/plain"))).build()).execute()) {
            assertThat(r.code()).isEqualTo(200);
            assertThat(r.header("X-App")).isEqualTo("yes");
            assertThat(r.body().string()).isEqualTo("hello from the app behind ssh -R: POST /hello?x=1 body=ping");
        }
        // a second request: one channel per request, the tunnel stays
        try (Response r = http.newCall(new Request.Builder().url("http://127.0.0.1:" + relay.port() + "/again")
                .header("Host", "myapp.localhost:" + relay.port()).build()).execute()) {
            assertThat(r.body().string()).isEqualTo("hello from the app behind ssh -R: GET /again body=");
        }
    }

    @Test
    void sshDashRZeroMakesATcpTunnelOnAnAssignedPort() throws Exception {
        try (ServerSocket echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().start(() -> {
                try (Socket s = echo.accept()) {
                    s.getInputStream().transferTo(s.getOutputStream());
                } catch (IOException ignored) {
                    // test over
                }
            });
            Ssh ssh = ssh(alice, "-R", "0:127.0.0.1:" + echo.getLocalPort());
            String line = ssh.awaitLine("is live at");
            Matcher m = Pattern.compile("tcp://localhost:(\\d+)").matcher(line);
            assertThat(m.find()).as(line).isTrue();
            int port = Integer.parseInt(m.group(1));
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                s.setSoTimeout(10_000);
                byte[] msg = "echo through ssh -R\n".getBytes(StandardCharsets.UTF_8);
                s.getOutputStream().write(msg);
                s.shutdownOutput();
                assertThat(new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("echo through ssh -R\n");
            }
        }
    }

    @Test
    void killingTheSshClientFreesTheName() throws Exception {
        Ssh first = ssh(alice, "-R", "freed:80:127.0.0.1:" + app.getAddress().getPort());
        assertThat(first.awaitLine("is live at")).contains("tunnel freed ");
        first.process.destroyForcibly();
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            try (Response r = http.newCall(new Request.Builder().url("http://127.0.0.1:" + relay.port() + "/")
                    .header("Host", "freed.localhost:" + relay.port()).build()).execute()) {
                assertThat(r.code()).isEqualTo(404);
            }
        });
        Ssh second = ssh(bob, "-R", "freed:80:127.0.0.1:" + app.getAddress().getPort());
        assertThat(second.awaitLine("is live at")).contains("tunnel freed ").doesNotContain("in use");
    }

    @Test
    void aFrozenSshClientIsDetectedByKeepAlivesAndItsTunnelFreed() throws Exception {
        Ssh ssh = ssh(alice, "-R", "frozen:80:127.0.0.1:" + app.getAddress().getPort());
        ssh.awaitLine("is live at");
        // SIGSTOP: the TCP connection stays open, the client answers nothing
        Process stop = new ProcessBuilder("sh", "-c", "kill -STOP " + ssh.process().pid()).start(); // the shell's own kill
        assertThat(stop.waitFor(10, TimeUnit.SECONDS)).isTrue();
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            try (Response r = http.newCall(new Request.Builder().url("http://127.0.0.1:" + relay.port() + "/")
                    .header("Host", "frozen.localhost:" + relay.port()).build()).execute()) {
                assertThat(r.code()).isEqualTo(404);
            }
        });
    }

    @Test
    void privateTunnelIsReachedWithDashJByItsOwnerAndSharedUsersOnly() throws Exception {
        try (LocalSshd sshd = new LocalSshd(Files.createDirectories(dir.resolve("sshd")));
             TcpTestEngine engine = new TcpTestEngine(relay, TOKEN, "laptop",
                     Map.of(Protocol.OPTION_PRIVATE, "true", Protocol.OPTION_SHARE, "alice"), sshd.port)) {
            assertThat(engine.bound.port()).isNull();
            assertThat(engine.bound.url()).isEqualTo("ssh://localhost:" + relay.sshPort() + "/laptop");
            // ssh -W as a ProxyCommand: the owner's real sshd runs a command
            String user = System.getProperty("user.name");
            List<String> cmd = new ArrayList<>(List.of("ssh", "-i", sshd.clientKey.toString(),
                    "-o", "ProxyCommand=ssh " + String.join(" ", sshOptions(alice)) + " -W %h:%p -p " + relay.sshPort()
                            + " alice@127.0.0.1",
                    "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes",
                    "-o", "LogLevel=ERROR", user + "@laptop", "echo", "hello-from-the-owners-sshd"));
            Result r = run(cmd);
            assertThat(r.output()).contains("hello-from-the-owners-sshd");
            assertThat(r.exitCode()).isZero();

            // -J itself, as a teammate types it
            // options for the jump host too: -J hands -F on to the ssh it starts
            Path config = dir.resolve("ssh_config");
            Files.writeString(config, "Host *\n  StrictHostKeyChecking no\n  UserKnownHostsFile /dev/null\n  BatchMode yes\n"
                    + "  LogLevel ERROR\n  IdentityFile " + alice + "\n  IdentityFile " + sshd.clientKey + "\n");
            Result j = run(List.of("ssh", "-F", config.toString(), "-J", "alice@127.0.0.1:" + relay.sshPort(),
                    user + "@laptop", "echo", "via-jump"));
            assertThat(j.output()).contains("via-jump");

            // bob is not in share=
            Result refused = run(List.of("ssh", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                    "-o", "BatchMode=yes", "-i", bob.toString(), "-p", String.valueOf(relay.sshPort()),
                    "-W", "laptop:22", "bob@127.0.0.1"));
            assertThat(refused.exitCode()).isNotZero();
            assertThat(refused.output()).contains("administratively prohibited")
                    .contains("no private tunnel \"laptop\" that bob may reach");
        }
    }

    @Test
    void aPublicTunnelOrUnknownNameIsNotReachableThroughTheGateway() throws Exception {
        Result r = run(List.of("ssh", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                "-o", "BatchMode=yes", "-i", alice.toString(), "-p", String.valueOf(relay.sshPort()),
                "-W", "127.0.0.1:" + relay.port(), "alice@127.0.0.1"));
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.output()).contains("no private tunnel \"127.0.0.1\"");
    }

    @Test
    void anUnregisteredKeyIsRefused() throws Exception {
        Result r = run(List.of("ssh", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                "-o", "BatchMode=yes", "-i", mallory.toString(), "-p", String.valueOf(relay.sshPort()),
                "-N", "-R", "evil:80:127.0.0.1:1", "mallory@127.0.0.1"));
        assertThat(r.exitCode()).isEqualTo(255);
        assertThat(r.output()).contains("Permission denied (publickey)");
    }

    @Test
    void shellExecAndSftpAreRefusedWithTheMessage() throws Exception {
        Result exec = run(List.of("ssh", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                "-o", "BatchMode=yes", "-i", alice.toString(), "-p", String.valueOf(relay.sshPort()), "alice@127.0.0.1", "id"));
        assertThat(exec.exitCode()).isEqualTo(1);
        assertThat(exec.output()).contains("Portway gateway: no shell, commands or SFTP here");

        Result shell = run(List.of("ssh", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                "-o", "BatchMode=yes", "-i", alice.toString(), "-p", String.valueOf(relay.sshPort()), "alice@127.0.0.1"));
        assertThat(shell.exitCode()).isEqualTo(1);
        assertThat(shell.output()).contains("use ssh -R to publish a tunnel or ssh -J to reach a private one");

        Result sftp = run(List.of("sftp", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                "-o", "BatchMode=yes", "-i", alice.toString(), "-P", String.valueOf(relay.sshPort()), "alice@127.0.0.1"));
        assertThat(sftp.exitCode()).isNotZero();
        assertThat(sftp.output()).contains("Portway gateway: no shell, commands or SFTP here");
    }

    @Test
    void theFourthConcurrentSessionOfAUserIsRefused() throws Exception {
        for (int i = 0; i < 3; i++) {
            Ssh s = ssh(alice, "-R", "s" + i + ":80:127.0.0.1:" + app.getAddress().getPort());
            s.awaitLine("is live at");
        }
        Result fourth = run(List.of("ssh", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                "-o", "BatchMode=yes", "-i", alice.toString(), "-p", String.valueOf(relay.sshPort()), "-N",
                "alice@127.0.0.1"));
        assertThat(fourth.exitCode()).isEqualTo(255);
        assertThat(fourth.output()).contains("alice already has 3 SSH sessions open");
        // another user is not affected
        Ssh other = ssh(bob, "-R", "bobs:80:127.0.0.1:" + app.getAddress().getPort());
        assertThat(other.awaitLine("is live at")).contains("bobs");
    }

    @Test
    void gatewayMetricsCountSshSessions() throws Exception {
        Ssh s = ssh(alice, "-R", "metered:80:127.0.0.1:" + app.getAddress().getPort());
        s.awaitLine("is live at");
        try (Response r = http.newCall(new Request.Builder().url("http://127.0.0.1:" + relay.port() + "/api/tunnel/metrics")
                .build()).execute()) {
            assertThat(r.body().string()).contains("tunnel_ssh_sessions 1.0");
        }
    }

    // ---- helpers

    private Path key(String name) throws IOException, InterruptedException {
        Path k = dir.resolve(name + "_ed25519");
        Process p = new ProcessBuilder("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", k.toString())
                .redirectErrorStream(true).start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        return k;
    }

    private List<String> sshOptions(Path key) {
        return List.of("-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes",
                "-o", "LogLevel=ERROR", "-i", key.toString());
    }

    /** A long-running {@code ssh -R ... host} (no -N, as the docs show), its output lines collected. */
    private Ssh ssh(Path key, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("ssh"));
        cmd.addAll(sshOptions(key));
        cmd.addAll(List.of("-o", "ExitOnForwardFailure=yes", "-p", String.valueOf(relay.sshPort())));
        cmd.addAll(List.of(args));
        cmd.add("user@127.0.0.1");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        processes.add(p);
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread.ofVirtual().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    lines.add(line);
                }
            } catch (IOException ignored) {
                // process ended
            }
        });
        return new Ssh(p, lines);
    }

    private record Ssh(Process process, BlockingQueue<String> lines) {
        String awaitLine(String containing) throws InterruptedException {
            List<String> seen = new ArrayList<>();
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (System.nanoTime() < end) {
                String l = lines.poll(200, TimeUnit.MILLISECONDS);
                if (l != null) {
                    seen.add(l);
                    if (l.contains(containing)) {
                        return l;
                    }
                }
            }
            throw new AssertionError("ssh printed no line with \"" + containing + "\" within 15 s; it printed " + seen
                    + (process.isAlive() ? "" : " and exited " + process.exitValue()));
        }
    }

    private record Result(int exitCode, String output) {
    }

    private Result run(List<String> cmd) throws IOException, InterruptedException {
        Path out = Files.createTempFile(dir, "ssh", ".out");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        p.getOutputStream().close();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(cmd + " did not finish within 30 s; it printed: " + Files.readString(out));
        }
        return new Result(p.exitValue(), Files.readString(out));
    }
}
