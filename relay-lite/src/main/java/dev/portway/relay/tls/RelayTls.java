package dev.portway.relay.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * The relay's TLS: a Netty server context from PEM files, or from a self-signed certificate generated on first
 * start and kept in the data folder ({@code tls/relay-cert.pem}, {@code tls/relay-key.pem}). TLS 1.3 preferred,
 * 1.2 allowed. Handshake work the JDK delegates (key exchange, signing) runs on the executor given to
 * {@link #newHandler}, never on an event loop.
 */
public final class RelayTls {
    private static final Logger log = LoggerFactory.getLogger(RelayTls.class);
    public static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");
    /** ALPN: h2 preferred, http/1.1 (and clients without ALPN) otherwise; see {@code ingress.h2.AlpnSwitch}. */
    static final io.netty.handler.ssl.ApplicationProtocolConfig ALPN = new io.netty.handler.ssl.ApplicationProtocolConfig(
            io.netty.handler.ssl.ApplicationProtocolConfig.Protocol.ALPN,
            io.netty.handler.ssl.ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
            io.netty.handler.ssl.ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
            io.netty.handler.ssl.ApplicationProtocolNames.HTTP_2, io.netty.handler.ssl.ApplicationProtocolNames.HTTP_1_1);
    static final String CERT_FILE = "relay-cert.pem";
    static final String KEY_FILE = "relay-key.pem";

    private final SslContext context;
    private final X509Certificate certificate;
    private final boolean selfSigned;

    private RelayTls(SslContext context, X509Certificate certificate, boolean selfSigned) {
        this.context = context;
        this.certificate = certificate;
        this.selfSigned = selfSigned;
    }

    /**
     * @param domain  the relay's domain: the self-signed certificate is for it and {@code *.domain}
     * @param dataDir where a self-signed certificate is kept; null keeps a generated one in memory only
     * @throws IOException with a message for the operator when the files cannot be read or used
     */
    public static RelayTls load(TlsSettings settings, String domain, Path dataDir) throws IOException {
        byte[] certPem;
        byte[] keyPem;
        boolean selfSigned = settings.certFile() == null;
        if (!selfSigned) {
            certPem = read(settings.certFile(), "--tls-cert");
            keyPem = read(settings.keyFile(), "--tls-key");
        } else if (dataDir == null) {
            byte[][] pair = generate(domain);
            certPem = pair[0];
            keyPem = pair[1];
        } else {
            Path dir = dataDir.resolve("tls");
            Path cert = dir.resolve(CERT_FILE);
            Path key = dir.resolve(KEY_FILE);
            if (!Files.exists(cert) || !Files.exists(key)) {
                byte[][] pair = generate(domain);
                Files.createDirectories(dir);
                writeAtomically(key, pair[1], true);
                writeAtomically(cert, pair[0], false);
                log.info("Generated a self-signed TLS certificate for {} and *.{} in {}", domain, domain, dir);
            }
            certPem = read(cert, "the self-signed certificate");
            keyPem = read(key, "the self-signed key");
        }
        X509Certificate leaf;
        try (InputStream in = new ByteArrayInputStream(certPem)) {
            var all = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (all.isEmpty()) {
                throw new IOException("No certificate found in " + settings.certFile() + " — it must be a PEM file (-----BEGIN CERTIFICATE-----).");
            }
            leaf = (X509Certificate) all.iterator().next();
        } catch (GeneralSecurityException e) {
            throw new IOException("Cannot read the TLS certificate " + (selfSigned ? "" : settings.certFile() + " ")
                    + "(" + e.getMessage() + ") — it must be a PEM certificate chain.", e);
        }
        SslContext ctx;
        try (InputStream c = new ByteArrayInputStream(certPem); InputStream k = new ByteArrayInputStream(keyPem)) {
            ctx = SslContextBuilder.forServer(c, k).sslProvider(SslProvider.JDK)
                    .protocols(PROTOCOLS.toArray(String[]::new)).applicationProtocolConfig(ALPN).build();
        } catch (IllegalArgumentException | IOException e) {
            throw new IOException("Cannot use the TLS key " + (selfSigned ? "" : settings.keyFile() + " ") + "with its certificate ("
                    + e.getMessage() + ") — the key must be an unencrypted PKCS#8 PEM (-----BEGIN PRIVATE KEY-----) that "
                    + "matches the certificate.", e);
        }
        return new RelayTls(ctx, leaf, selfSigned);
    }

    private static byte[] read(Path file, String what) throws IOException {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IOException("Cannot read " + what + " " + file + " (" + e.getClass().getSimpleName() + ") — check the path "
                    + "and that the relay's user may read it.", e);
        }
    }

    private static void writeAtomically(Path target, byte[] bytes, boolean secret) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        Files.write(tmp, bytes);
        if (secret) {
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException ignored) {
                // not a POSIX file system: the data folder's own permissions apply
            }
        }
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** A P-256 key and a self-signed certificate for {@code domain} and {@code *.domain}, valid ten years; as PEM. */
    public static byte[][] generate(String domain) throws IOException {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
            KeyPair pair = g.generateKeyPair();
            X500Name name = new X500Name("CN=" + domain + ",O=Portway relay");
            Instant now = Instant.now();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, new BigInteger(64, new SecureRandom()),
                    Date.from(now.minus(Duration.ofDays(1))), Date.from(now.plus(Duration.ofDays(3650))), name, pair.getPublic());
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[]{
                    new GeneralName(GeneralName.dNSName, domain), new GeneralName(GeneralName.dNSName, "*." + domain),
                    new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
            var signer = new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate());
            X509Certificate cert = new JcaX509CertificateConverter().getCertificate(b.build(signer));
            return new byte[][]{pem("CERTIFICATE", cert.getEncoded()), pem("PRIVATE KEY", pair.getPrivate().getEncoded())};
        } catch (GeneralSecurityException | org.bouncycastle.operator.OperatorCreationException e) {
            throw new IOException("Cannot generate a self-signed TLS certificate: " + e.getMessage(), e);
        }
    }

    private static byte[] pem(String type, byte[] der) {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        return ("-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n").getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * A server context for a key and its chain (leaf first) with the relay's protocol versions: how ACME
     * certificates are served, the same way as the fallback.
     *
     * @throws IllegalArgumentException when the key does not fit the certificate
     */
    public static SslContext serverContext(java.security.PrivateKey key, List<X509Certificate> chain) {
        try {
            return SslContextBuilder.forServer(key, chain.toArray(X509Certificate[]::new)).sslProvider(SslProvider.JDK)
                    .protocols(PROTOCOLS.toArray(String[]::new)).applicationProtocolConfig(ALPN).build();
        } catch (javax.net.ssl.SSLException e) {
            throw new IllegalArgumentException("Cannot use this key with its certificate: " + e.getMessage(), e);
        }
    }

    /** The fallback context: the PEM or self-signed certificate, for connections without a better match. */
    public SslContext context() {
        return context;
    }

    /** A handler for one connection; delegated handshake tasks run on {@code handshakeExecutor}. */
    public SslHandler newHandler(ByteBufAllocator alloc, Executor handshakeExecutor) {
        return context.newHandler(alloc, handshakeExecutor);
    }

    public X509Certificate certificate() {
        return certificate;
    }

    public boolean selfSigned() {
        return selfSigned;
    }

    /** {@code sha256:<64 hex digits>} of the certificate (DER), as clients pin it with {@code --fingerprint}. */
    public String fingerprint() {
        return fingerprint(certificate);
    }

    public static String fingerprint(X509Certificate cert) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(cert.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
