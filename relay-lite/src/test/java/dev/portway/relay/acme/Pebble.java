package dev.portway.relay.acme;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.io.IOException;
import java.math.BigInteger;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/**
 * Debian's {@code pebble} (an RFC 8555 test CA) and {@code pebble-challtestsrv} (its DNS: every name is 127.0.0.1),
 * started on free loopback ports for one test class. Pebble checks HTTP-01 challenges on {@code httpPort}. Its own
 * HTTPS uses a certificate made here ({@link #caFile}); the roots of what it issues come from its management port.
 * Public for desktop-app's relay setup test (through relay-lite's test-jar).
 */
public final class Pebble implements AutoCloseable {
    public final int port;
    final int managementPort;
    /** Pebble's own HTTPS certificate (PEM): what an ACME client must trust to talk to it. */
    public final Path caFile;
    private final Process dns;
    private final Process pebble;
    private final HttpClient http;

    private Pebble(int port, int managementPort, Path caFile, Process dns, Process pebble, HttpClient http) {
        this.port = port;
        this.managementPort = managementPort;
        this.caFile = caFile;
        this.dns = dns;
        this.pebble = pebble;
        this.http = http;
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** @param httpPort where pebble sends its HTTP-01 checks (the relay's redirect port) */
    public static Pebble start(Path dir, int port, int httpPort) throws Exception {
        Files.createDirectories(dir);
        byte[][] pair = selfSigned();
        Path cert = dir.resolve("pebble-cert.pem");
        Path key = dir.resolve("pebble-key.pem");
        Files.write(cert, pair[0]);
        Files.write(key, pair[1]);
        int mgmt = freePort();
        int dnsPort = freePort();
        int dnsMgmt = freePort();
        Path config = dir.resolve("pebble-config.json");
        Files.writeString(config, """
                {"pebble": {"listenAddress": "127.0.0.1:%d", "managementListenAddress": "127.0.0.1:%d",
                  "certificate": "%s", "privateKey": "%s", "httpPort": %d, "tlsPort": %d,
                  "ocspResponderURL": "", "externalAccountBindingRequired": false}}
                """.formatted(port, mgmt, cert, key, httpPort, freePort()));
        Process dns = new ProcessBuilder("pebble-challtestsrv", "-defaultIPv4", "127.0.0.1", "-defaultIPv6", "",
                "-dns01", "127.0.0.1:" + dnsPort, "-http01", "", "-https01", "", "-tlsalpn01", "",
                "-management", "127.0.0.1:" + dnsMgmt)
                .redirectErrorStream(true).redirectOutput(dir.resolve("challtestsrv.log").toFile()).start();
        ProcessBuilder pb = new ProcessBuilder("pebble", "-config", config.toString(), "-dnsserver", "127.0.0.1:" + dnsPort)
                .redirectErrorStream(true).redirectOutput(dir.resolve("pebble.log").toFile());
        pb.environment().put("PEBBLE_VA_NOSLEEP", "1");
        pb.environment().put("PEBBLE_WFE_NONCEREJECT", "0");
        pb.environment().put("PEBBLE_AUTHZREUSE", "0");
        Process pebble = pb.start();
        HttpClient http = HttpClient.newBuilder().sslContext(AcmeClient.sslContext(cert)).connectTimeout(Duration.ofSeconds(5)).build();
        Pebble p = new Pebble(port, mgmt, cert, dns, pebble, http);
        try {
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                    .until(() -> p.get(URI.create(p.directory() + "")).statusCode() == 200);
        } catch (RuntimeException e) {
            p.close();
            throw new IllegalStateException("pebble did not start: " + Files.readString(dir.resolve("pebble.log")), e);
        }
        return p;
    }

    public URI directory() {
        return URI.create("https://localhost:" + port + "/dir");
    }

    /** The root of the chains pebble issues (made anew at each pebble start). */
    public X509Certificate issuingRoot() throws Exception {
        String pem = get(URI.create("https://localhost:" + managementPort + "/roots/0")).body();
        return AcmeCertificates.readChain(pem).getFirst();
    }

    /** Pebble's view of a certificate it issued, e.g. {@code {"Status": "Revoked", ...}}. */
    String certStatus(BigInteger serial) throws Exception {
        return get(URI.create("https://localhost:" + managementPort + "/cert-status-by-serial/" + serial.toString(16))).body();
    }

    private HttpResponse<String> get(URI uri) throws Exception {
        return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() {
        for (Process p : List.of(pebble, dns)) {
            p.destroy();
            try {
                if (!p.waitFor(5, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** A P-256 key and a self-signed certificate for localhost and 127.0.0.1 (pebble's HTTPS listener), as PEM. */
    static byte[][] selfSigned() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
        KeyPair pair = g.generateKeyPair();
        X500Name name = new X500Name("CN=localhost");
        Instant now = Instant.now();
        var b = new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(now.toEpochMilli()), Date.from(now.minusSeconds(3600)),
                Date.from(now.plus(Duration.ofDays(2))), name, pair.getPublic());
        b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[]{
                new GeneralName(GeneralName.dNSName, "localhost"), new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        X509Certificate cert = new JcaX509CertificateConverter().getCertificate(
                b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())));
        return new byte[][]{pem("CERTIFICATE", cert.getEncoded()), pem("PRIVATE KEY", pair.getPrivate().getEncoded())};
    }

    private static byte[] pem(String type, byte[] der) {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        return ("-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n").getBytes(StandardCharsets.US_ASCII);
    }
}
