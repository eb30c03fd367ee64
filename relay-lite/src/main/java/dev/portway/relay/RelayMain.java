package dev.portway.relay;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Command line of relay-lite; the composition root. */
@Command(name = "relay-lite", mixinStandardHelpOptions = true, version = "relay-lite " + Relay.VERSION,
        description = "Portway relay: serves tunnels to visitors over HTTP, WebSocket and TCP.")
public final class RelayMain implements Callable<Integer> {
    @Option(names = "--port", description = "HTTP port for visitors and clients (default ${DEFAULT-VALUE}).", defaultValue = "8080")
    int port;
    @Option(names = "--host", description = "Interface to listen on (default ${DEFAULT-VALUE}).", defaultValue = "0.0.0.0")
    String host;
    @Option(names = "--domain", description = "Tunnels are <name>.<domain> (default ${DEFAULT-VALUE}).", defaultValue = "localhost")
    String domain;
    @Option(names = "--token", description = "Secret clients must present (or env PORTWAY_TOKEN; generated when absent).")
    String token;
    @Option(names = "--tcp-ports", description = "Range of public ports for TCP tunnels (default ${DEFAULT-VALUE}).", defaultValue = "20000-20999")
    String tcpPorts;
    @Option(names = "--grace", description = "How long a dropped client's names are held, e.g. 30s, 2m (default ${DEFAULT-VALUE}).", defaultValue = "30s")
    String grace;
    @Option(names = "--data-dir", paramLabel = "DIR", description = "Where queued requests and reservations are kept "
            + "(default $XDG_DATA_HOME/portway-relay or ~/.local/share/portway-relay).")
    Path dataDir;
    @Option(names = "--hold", description = "How long a request to a reconnecting tunnel waits before it gets 503, "
            + "e.g. 10s; 0 turns holding off (default ${DEFAULT-VALUE}).", defaultValue = "10s")
    String hold;
    @Option(names = "--queue-max-count", description = "Requests stored per queued tunnel at most (default ${DEFAULT-VALUE}).",
            defaultValue = "10000")
    int queueMaxCount;
    @Option(names = "--queue-max-bytes", description = "Bytes stored per queued tunnel at most, e.g. 64MiB (default ${DEFAULT-VALUE}).",
            defaultValue = "64MiB")
    String queueMaxBytes;
    @Option(names = "--rate-limit", paramLabel = "N", description = "Requests per visitor IP (IPv6: per /64) and minute; "
            + "0 turns it off (default ${DEFAULT-VALUE}).", defaultValue = "600")
    int rateLimit;
    @Option(names = "--max-body", description = "Largest request body a visitor may send, e.g. 100MiB (default ${DEFAULT-VALUE}).",
            defaultValue = "100MiB")
    String maxBody;
    @Option(names = "--max-header-size", description = "Largest request header block, e.g. 16KiB (default ${DEFAULT-VALUE}).",
            defaultValue = "16KiB")
    String maxHeaderSize;
    @Option(names = "--max-header-count", description = "Most header fields in a request (default ${DEFAULT-VALUE}).",
            defaultValue = "100")
    int maxHeaderCount;
    @Option(names = "--header-timeout", description = "Time a visitor has to send a whole request head (default ${DEFAULT-VALUE}).",
            defaultValue = "10s")
    String headerTimeout;
    @Option(names = "--min-body-rate", description = "Slowest request body accepted, bytes per second over --header-timeout; "
            + "0 turns it off (default ${DEFAULT-VALUE}).", defaultValue = "1KiB")
    String minBodyRate;
    @Option(names = "--idle-timeout", description = "A kept-alive visitor connection with no request for this long is closed "
            + "(default ${DEFAULT-VALUE}).", defaultValue = "60s")
    String idleTimeout;
    @Option(names = "--max-connections", description = "Open visitor connections at most (default ${DEFAULT-VALUE}).",
            defaultValue = "10000")
    int maxConnections;
    @Option(names = "--max-connections-per-ip", description = "Open visitor connections per address at most (default ${DEFAULT-VALUE}).",
            defaultValue = "256")
    int maxConnectionsPerIp;
    @Option(names = "--trust-proxy", description = "Take the visitor's address from the last X-Forwarded-For entry (only "
            + "behind your own reverse proxy) for the rate limit and tunnels' IP lists.")
    boolean trustProxy;
    @Option(names = "--tls", description = "Serve HTTPS/WSS; without --tls-cert, with a self-signed certificate generated "
            + "on first start and kept in the data folder.")
    boolean tlsOn;
    @Option(names = "--tls-cert", paramLabel = "PEM", description = "Certificate chain (PEM), e.g. for *.<domain>; implies --tls.")
    Path tlsCert;
    @Option(names = "--tls-key", paramLabel = "PEM", description = "Private key (unencrypted PKCS#8 PEM) of --tls-cert.")
    Path tlsKey;
    @Option(names = "--http-redirect-port", paramLabel = "PORT", description = "Also listen for plain HTTP on PORT and "
            + "answer 308 to https (needs TLS).", defaultValue = "-1")
    int httpRedirectPort;

    public static void main(String[] args) {
        CommandLine cmd = new CommandLine(new RelayMain());
        cmd.setParameterExceptionHandler((ex, a) -> {
            System.err.println("relay-lite: " + ex.getMessage() + " — run with --help to see the options.");
            return 2;
        });
        System.exit(cmd.execute(args));
    }

    @Override
    public Integer call() throws InterruptedException {
        RelayConfig.Builder b = RelayConfig.builder().port(port).bindHost(host).domain(domain);
        try {
            Matcher m = Pattern.compile("(\\d+)-(\\d+)").matcher(tcpPorts.trim());
            if (!m.matches()) {
                throw new IllegalArgumentException("--tcp-ports must look like 20000-20999, not \"" + tcpPorts + "\".");
            }
            b.tcpPortFrom(Integer.parseInt(m.group(1))).tcpPortTo(Integer.parseInt(m.group(2)));
            b.grace(parseDuration("--grace", grace));
            b.holdTime(parseDuration("--hold", hold));
            b.queueMaxCount(queueMaxCount).queueMaxBytes(parseSize("--queue-max-bytes", queueMaxBytes));
            b.visitorLimits(new dev.portway.relay.ingress.VisitorLimits(rateLimit, parseSize("--max-body", maxBody),
                    (int) Math.min(Integer.MAX_VALUE, parseSize("--max-header-size", maxHeaderSize)), maxHeaderCount,
                    parseDuration("--header-timeout", headerTimeout), parseSize("--min-body-rate", minBodyRate),
                    parseDuration("--idle-timeout", idleTimeout), maxConnections, maxConnectionsPerIp, trustProxy));
            b.tls(new dev.portway.relay.tls.TlsSettings(tlsOn, tlsCert, tlsKey, httpRedirectPort));
            Path dir = dataDir != null ? dataDir : defaultDataDir();
            try {
                Files.createDirectories(dir);
            } catch (IOException | RuntimeException e) {
                throw new IllegalArgumentException("Cannot create the data directory " + dir + " (" + e.getClass().getSimpleName()
                        + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ") — choose another with --data-dir.");
            }
            b.dataDir(dir);
        } catch (IllegalArgumentException e) {
            System.err.println("relay-lite: " + e.getMessage());
            return 2;
        }
        String secret = token != null && !token.isBlank() ? token : System.getenv("PORTWAY_TOKEN");
        boolean generated = secret == null || secret.isBlank();
        if (generated) {
            byte[] bytes = new byte[18];
            new SecureRandom().nextBytes(bytes);
            secret = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        }
        RelayConfig config;
        Relay relay;
        try {
            config = b.token(secret).build();
            relay = Relay.start(config);
        } catch (IllegalArgumentException | IOException e) {
            System.err.println("relay-lite: " + e.getMessage());
            return 2;
        }
        if (generated) {
            System.out.println("No token given (--token or PORTWAY_TOKEN), so this relay generated one: " + secret);
        }
        String hostPart = relay.port() == 80 ? "" : ":" + relay.port();
        System.out.println("relay-lite listening on " + config.publicScheme() + "://*." + config.domain() + hostPart
                + "/ (clients connect to " + relay.connectUrl() + ")");
        if (relay.tlsFingerprint() != null) {
            System.out.println("TLS certificate fingerprint: " + relay.tlsFingerprint()
                    + (relay.tlsSelfSigned() ? " (self-signed: clients connect with --fingerprint " + relay.tlsFingerprint() + ")" : ""));
        }
        if (relay.redirectPort() >= 0) {
            System.out.println("Plain HTTP on port " + relay.redirectPort() + " redirects to https.");
        }
        CountDownLatch done = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            relay.shutdown(config.shutdownDeadline());
            done.countDown();
        }, "relay-shutdown"));
        done.await();
        return 0;
    }

    /** {@code $XDG_DATA_HOME/portway-relay}, or {@code ~/.local/share/portway-relay}. */
    static Path defaultDataDir() {
        String xdg = System.getenv("XDG_DATA_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".local", "share");
        return base.resolve("portway-relay");
    }

    /** Bytes, with an optional unit: {@code 1048576}, {@code 512KiB}, {@code 64MiB}, {@code 1GiB}. */
    static long parseSize(String option, String text) {
        Matcher m = Pattern.compile("(\\d+)\\s*(B|KiB|MiB|GiB)?").matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException(option + " must look like 1048576, 512KiB, 64MiB or 1GiB, not \"" + text + "\".");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "B" : m.group(2);
        return switch (unit) {
            case "KiB" -> n * 1024;
            case "MiB" -> n * 1024 * 1024;
            case "GiB" -> n * 1024 * 1024 * 1024;
            default -> n;
        };
    }

    static Duration parseDuration(String option, String text) {
        Matcher m = Pattern.compile("(\\d+)(ms|s|m|h)?").matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException(option + " must look like 30s, 500ms, 2m or 1h, not \"" + text + "\".");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        return switch (unit) {
            case "ms" -> Duration.ofMillis(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofSeconds(n);
        };
    }
}
