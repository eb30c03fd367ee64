package dev.portway.relay;

import com.sun.net.httpserver.HttpServer;
import dev.portway.relay.cluster.ClusterConfig;
import dev.portway.relay.ssh.KeyFileDirectory;
import dev.portway.relay.ssh.SshConfig;
import dev.portway.relay.store.PostgresServer;
import dev.portway.shared.protocol.ControlMessage;
import dev.portway.shared.protocol.ErrorCode;
import dev.portway.shared.protocol.Frame;
import dev.portway.shared.protocol.Protocol;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
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

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code ssh -R} tunnels on a relay cluster, with the real OpenSSH client: their names are claimed in the cluster's
 * database like a WebSocket client's, so no other client takes them on another node (and they take no other client's),
 * and their visitors are served by any node.
 */
class ClusterSshIT {
    @RegisterExtension
    static final PostgresServer PG = new PostgresServer();
    private static final String SECRET = "cluster-secret-of-the-tests-0123456789";
    private final OkHttpClient http = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(20)).build();
    private final List<Process> processes = new ArrayList<>();
    @TempDir
    Path dir;
    private HttpServer app;
    private Path alice;

    @BeforeEach
    void start() throws Exception {
        app = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        app.createContext("/", ex -> {
            byte[] body = ("from the app behind ssh -R: " + ex.getRequestURI()).getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        app.start();
        alice = dir.resolve("alice_ed25519");
        Process p = new ProcessBuilder("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "alice", "-f", alice.toString())
                .redirectErrorStream(true).start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }

    @AfterEach
    void stop() {
        processes.forEach(Process::destroyForcibly);
        if (app != null) {
            app.stop(0);
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private Relay node(String url, String id, boolean gateway) throws Exception {
        return node(url, id, gateway, "127.0.0.1");
    }

    private Relay node(String url, String id, boolean gateway, String host) throws Exception {
        Path data = Files.createDirectories(dir.resolve(id));
        SshConfig ssh = null;
        if (gateway) {
            Files.writeString(data.resolve(KeyFileDirectory.FILE_NAME),
                    "alice " + Files.readString(Path.of(alice + ".pub")));
            ssh = new SshConfig(host, 0, "localhost", false, 3, Duration.ofSeconds(1), 3, data);
        }
        return Relay.start(RelayConfig.builder().port(0).bindHost(host).token("secret").tcpPortFrom(0).tcpPortTo(0)
                        .dataDir(data).identity(IdentityConfig.DEFAULTS.withDb(url, "postgres", null)).build(), ssh,
                new ClusterConfig(id, host + ":" + freePort(), SECRET, Duration.ofSeconds(10)));
    }

    @Test
    void anSshTunnelsNameIsTheClustersAndAnyNodeServesIt() throws Exception {
        String url = PG.newDatabase();
        try (Relay a = node(url, "sa", false); Relay b = node(url, "sb", true);
             ProtocolTestClient other = ProtocolTestClient.connect(a, "secret", null)) {
            other.control(ControlMessage.Welcome.class);

            Ssh ssh = ssh(b, "-R", "shop:80:127.0.0.1:" + app.getAddress().getPort());
            assertThat(ssh.awaitLine("is live at")).contains("http tunnel shop ");
            await().atMost(Duration.ofSeconds(10)).until(() -> a.cluster().servable("shop"));

            // Served by node A too, over the link to B's SSH connection.
            try (Response r = http.newCall(new Request.Builder().url("http://127.0.0.1:" + a.port() + "/via-a")
                    .header("Host", "shop.localhost:" + a.port()).build()).execute()) {
                assertThat(r.code()).isEqualTo(200);
                assertThat(r.body().string()).isEqualTo("from the app behind ssh -R: /via-a");
            }

            // Another client on node A does not get the name: a variant, or with strict naming a refusal.
            ControlMessage.Bound variant = other.bind("1", "http", "shop", Map.of());
            assertThat(variant.name()).startsWith("shop-").isNotEqualTo("shop");
            other.send(Frame.control(new ControlMessage.Bind("2", "http", "shop", null,
                    Map.of(Protocol.OPTION_STRICT_NAME, "true"))));
            ControlMessage.BindRefused refused = other.control(ControlMessage.BindRefused.class);
            assertThat(refused.code()).isEqualTo(ErrorCode.NAME_TAKEN.wireName());

            // And the other way round: a name another client holds on node A is not given to ssh -R on node B.
            Ssh second = ssh(b, "-R", variant.name() + ":80:127.0.0.1:" + app.getAddress().getPort());
            String line = second.awaitLine("is live at");
            assertThat(line).doesNotContain("tunnel " + variant.name() + " ")
                    .contains("the name " + variant.name() + " is in use by another client");

            // The SSH connection ends: its name is free in the whole cluster.
            ssh.process().destroyForcibly();
            await().atMost(Duration.ofSeconds(15)).until(() -> a.cluster().locate("shop") == null);
            assertThat(other.bind("3", "http", "shop", Map.of(Protocol.OPTION_STRICT_NAME, "true")).name()).isEqualTo("shop");
        }
    }

    @Test
    void anSshTcpForwardIsServedOnTheSamePortOfEveryNode() throws Exception {
        String url = PG.newDatabase();
        // Two hosts' worth of loopback: node A on 127.0.0.1, node B (with the gateway) on 127.0.0.2.
        try (Relay a = node(url, "ta", false); Relay b = node(url, "tb", true, "127.0.0.2")) {
            Ssh ssh = sshTo(b, "127.0.0.2", "-R", "0:127.0.0.1:" + app.getAddress().getPort());
            String line = ssh.awaitLine("is live at");
            assertThat(line).contains("tcp tunnel ");
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("tcp://[^:]+:(\\d+)").matcher(line);
            assertThat(m.find()).as(line).isTrue();
            int port = Integer.parseInt(m.group(1));
            String name = line.replaceFirst(".*tcp tunnel (\\S+) .*", "$1");
            await().atMost(Duration.ofSeconds(10)).until(() -> a.cluster().holders(name).containsKey("tb")
                    && a.cluster().holders(name).get("tb").port() == port);

            // A raw HTTP request to node A's port reaches the app behind B's SSH connection.
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                try (java.net.Socket v = new java.net.Socket("127.0.0.1", port)) {
                    v.setSoTimeout(10_000);
                    v.getOutputStream().write("GET /raw HTTP/1.0\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    assertThat(new String(v.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
                            .startsWith("HTTP/1.1 200").endsWith("from the app behind ssh -R: /raw");
                }
            });

            // The SSH connection ends: node A stops listening on the port.
            ssh.process().destroyForcibly();
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
                try (java.net.Socket v = new java.net.Socket()) {
                    v.connect(new InetSocketAddress("127.0.0.1", port), 1_000);
                    throw new AssertionError("node A still listens on " + port);
                } catch (java.net.ConnectException expected) {
                    // closed
                }
            });
        }
    }

    /** A long-running {@code ssh -R ... host} to {@code node}'s gateway, its output lines collected. */
    private Ssh ssh(Relay node, String... args) throws IOException {
        return sshTo(node, "127.0.0.1", args);
    }

    private Ssh sshTo(Relay node, String host, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("ssh", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                "-o", "BatchMode=yes", "-o", "LogLevel=ERROR", "-i", alice.toString(), "-o", "ExitOnForwardFailure=yes",
                "-p", String.valueOf(node.sshPort())));
        cmd.addAll(List.of(args));
        cmd.add("user@" + host);
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
}
