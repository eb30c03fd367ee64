package dev.portway.relay;

import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Three relay-lite JVMs (nodes {@code lb-1}…{@code lb-3} on 127.0.0.1–3, one port, so all write the same tunnel URLs)
 * on a real PostgreSQL database behind a real HAProxy running installers/relay/haproxy.cfg (so the nodes run with
 * {@code --proxy-protocol}: a connection straight to a node sends a PROXY header first, {@link #proxyHeader}): the harness of
 * {@code HaproxyFrontIT} and the desktop app's {@code HaConnectionsIT}. Leases of 3 s, a grace of 1 s.
 */
public final class HaproxyCluster implements AutoCloseable {
    public static final String SECRET = "cluster-secret-of-the-tests-0123456789";
    /** Debian's haproxy lives in /usr/sbin, which a non-root PATH may lack. */
    public static final String HAPROXY = Files.isExecutable(Path.of("/usr/sbin/haproxy")) ? "/usr/sbin/haproxy" : "haproxy";

    /** The nodes' TCP tunnel ports ({@code --tcp-ports}), which HAProxy forwards from {@link #TCP_LB_HOST}. */
    public static final int TCP_PORTS = 5;
    /** Where HAProxy listens for TCP tunnels' visitors: another loopback address, the nodes use the same port numbers. */
    public static final String TCP_LB_HOST = "127.0.0.9";
    private final int tcpFrom;
    private final Map<String, RelayProcess> nodes = new LinkedHashMap<>();
    private Process haproxy;
    private final int port;
    private final String lb;

    /**
     * Starts the nodes and HAProxy and waits until HAProxy answers the health check.
     *
     * @param dbUrl    a fresh PostgreSQL database
     * @param relayJar relay-lite's runnable jar (relay-lite/target/relay-lite.jar)
     * @param cfg      installers/relay/haproxy.cfg
     */
    public HaproxyCluster(String dbUrl, String token, Path relayJar, Path cfg, Path tmp) throws Exception {
        port = freePort();
        int lbPort = freePort();
        tcpFrom = freeRange(TCP_PORTS);
        // Every visitor of the tests is 127.0.0.1, each request a new connection: lift the per-address rate.
        Map<String, String> lbEnv = new HashMap<>(Map.of("PORTWAY_LB_BIND", "127.0.0.1:" + lbPort,
                "PORTWAY_LB_CONN_RATE_PER_IP", "100000",
                "PORTWAY_LB_TCP_BIND", TCP_LB_HOST + ":" + tcpFrom + "-" + (tcpFrom + TCP_PORTS - 1)));
        try {
            for (int i = 1; i <= 3; i++) {
                String id = "lb-" + i;
                String host = "127.0.0." + i;
                Path data = Files.createDirectories(tmp.resolve(id));
                nodes.put(id, new RelayProcess(List.of(RelayProcess.java(), "-Xmx128m", "-XX:TieredStopAtLevel=1", "-jar",
                        relayJar.toString(), "--host", host, "--port", String.valueOf(port),
                        "--tcp-ports", tcpFrom + "-" + (tcpFrom + TCP_PORTS - 1),
                        "--data-dir", data.toString(), "--db", dbUrl, "--db-user", "postgres", "--node-id", id,
                        "--cluster-address", host + ":" + freePort(), "--cluster-lease", "3s", "--grace", "1s",
                        "--rate-limit", "0", "--max-connections-per-ip", "10000", "--proxy-protocol"),
                        Map.of("PORTWAY_TOKEN", token, "PORTWAY_CLUSTER_SECRET", SECRET), data));
                lbEnv.put("RELAY_" + (char) ('A' + i - 1), host + ":" + port);
                lbEnv.put("RELAY_" + (char) ('A' + i - 1) + "_HOST", host);
            }
            for (RelayProcess p : nodes.values()) {
                assertThat(p.port()).isEqualTo(port);
            }
            ProcessBuilder pb = new ProcessBuilder(HAPROXY, "-db", "-f", cfg.toString()).redirectErrorStream(true)
                    .redirectOutput(tmp.resolve("haproxy.log").toFile());
            pb.environment().putAll(lbEnv);
            haproxy = pb.start();
            lb = "127.0.0.1:" + lbPort;
            OkHttpClient http = new OkHttpClient.Builder().connectTimeout(Duration.ofSeconds(2))
                    .readTimeout(Duration.ofSeconds(10)).retryOnConnectionFailure(false).build();
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
                try (Response r = http.newCall(new Request.Builder().url("http://" + lb + "/api/tunnel/health").build()).execute()) {
                    return r.code() == 200;
                }
            });
        } catch (Exception | AssertionError e) {
            close();
            throw e;
        }
    }

    /** HAProxy's address, {@code 127.0.0.1:port}. */
    public String lb() {
        return lb;
    }

    /** A node's own address for visitors, {@code 127.0.0.N:port}. */
    public String direct(String node) {
        return "127.0.0." + node.substring(node.lastIndexOf('-') + 1) + ":" + port;
    }

    /**
     * A PROXY v1 header for a connection made straight to a node (its ports want one: haproxy.cfg sends every
     * connection with a PROXY v2 header, and the nodes run with {@code --proxy-protocol}), naming 127.0.0.1 as the
     * visitor.
     */
    public static byte[] proxyHeader(String host, int port) {
        return ("PROXY TCP4 127.0.0.1 " + host + " 40000 " + port + "\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    /**
     * A POST of {@code body} to {@code path} straight to {@code node} (not through HAProxy), a new connection with the
     * PROXY header the node expects; the whole raw answer, or the exception's text when the connection failed.
     */
    public String directPost(String node, String path, String body) {
        String hostPort = direct(node);
        String host = hostPort.substring(0, hostPort.indexOf(':'));
        byte[] b = body.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        try (java.net.Socket s = new java.net.Socket()) {
            s.connect(new java.net.InetSocketAddress(host, port), 2_000);
            s.setSoTimeout(10_000);
            java.io.OutputStream out = s.getOutputStream();
            out.write(proxyHeader(host, port));
            out.write(("POST " + path + " HTTP/1.1\r\nHost: " + hostPort + "\r\nConnection: close\r\n"
                    + "Content-Type: text/plain\r\nContent-Length: " + b.length + "\r\n\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            out.write(b);
            out.flush();
            return new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** The node ids, lb-1 to lb-3. */
    public List<String> nodeIds() {
        return List.copyOf(nodes.keySet());
    }

    /** {@code kill -9} of a node; returns once the process is gone. */
    public void kill(String node) throws InterruptedException {
        Process p = nodes.get(node).process;
        p.destroyForcibly();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).as("node " + node + " gone").isTrue();
    }

    /** The nodes' first TCP tunnel port (the range is {@link #TCP_PORTS} long). */
    public int tcpFrom() {
        return tcpFrom;
    }

    /**
     * The first of {@code n} ports free on every address the harness uses, below the ephemeral range (so no port
     * another test asks the OS for lands in it).
     */
    private static int freeRange(int n) {
        java.util.Random random = new java.util.Random();
        for (int attempt = 0; attempt < 200; attempt++) {
            int from = 20_000 + random.nextInt(10_000);
            if (java.util.stream.IntStream.range(from, from + n).allMatch(HaproxyCluster::freeEverywhere)) {
                return from;
            }
        }
        throw new IllegalStateException("no " + n + " free ports in a row between 20000 and 30000");
    }

    private static boolean freeEverywhere(int port) {
        for (String host : List.of("127.0.0.1", "127.0.0.2", "127.0.0.3", TCP_LB_HOST)) {
            try (ServerSocket s = new ServerSocket()) {
                s.bind(new java.net.InetSocketAddress(host, port));
            } catch (IOException e) {
                return false;
            }
        }
        return true;
    }

    public static int freePort() throws IOException {
        return dev.portway.relay.testing.FreePorts.unused(); // below the ephemeral range: no outgoing connection takes it meanwhile
    }

    @Override
    public void close() {
        if (haproxy != null) {
            haproxy.destroyForcibly();
        }
        nodes.values().forEach(RelayProcess::close);
    }
}
