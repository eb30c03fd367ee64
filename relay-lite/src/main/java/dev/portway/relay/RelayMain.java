package dev.portway.relay;

import dev.portway.relay.config.ConfigException;
import dev.portway.relay.config.ConfigSources;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Command line of relay-lite; the composition root. */
@Command(name = "relay-lite", mixinStandardHelpOptions = true, version = "relay-lite " + Relay.VERSION,
        description = "Portway relay: serves tunnels to visitors over HTTP, WebSocket and TCP.",
        subcommands = {AdminCommands.Users.class, AdminCommands.Tokens.class, AdminCommands.Names.class,
                AdminCommands.Keys.class, AdminCommands.SigningKey.class, AdminCommands.Audit.class, QueueCommands.class,
                dev.portway.relay.cluster.NodesCommand.class})
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
    @Option(names = "--proxy-protocol", description = "Every connection to the public port and the TCP tunnels' ports "
            + "starts with a PROXY protocol header (v1 or v2; HAProxy's send-proxy-v2): its source is the visitor's "
            + "address for limits, IP lists and X-Forwarded-For. Connections without one are closed.")
    boolean proxyProtocol;
    @Option(names = "--ws-compression", paramLabel = "on|off", description = "permessage-deflate on the clients' "
            + "WebSocket when a client offers it (default ${DEFAULT-VALUE}; docs/benchmarks.md has the numbers).",
            defaultValue = dev.portway.shared.protocol.WsCompression.DEFAULT)
    String wsCompression;
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
    @Option(names = "--acme-email", paramLabel = "ADDRESS", description = "Obtain a certificate per tunnel host from an ACME "
            + "CA (Let's Encrypt by default) at its first TLS handshake; ADDRESS is the account's contact. Needs "
            + "--http-redirect-port (80 on the internet) for the HTTP-01 check; implies --tls.")
    String acmeEmail;
    @Option(names = "--acme-directory", paramLabel = "URL", description = "The ACME directory (default Let's Encrypt; for "
            + "trials its staging: https://acme-staging-v02.api.letsencrypt.org/directory).")
    java.net.URI acmeDirectory;
    @Option(names = "--acme-ca-file", paramLabel = "PEM", description = "Trust only these CA certificates for the ACME "
            + "server's own HTTPS (a private CA).")
    Path acmeCaFile;
    // Read before parsing by ConfigSources; declared so that it shows in --help and parses anywhere.
    @Option(names = ConfigSources.CONFIG_OPTION, paramLabel = "FILE", scope = CommandLine.ScopeType.INHERIT,
            description = "Config file of key = value lines, keys being these options without dashes (or env PORTWAY_CONFIG; "
                    + "default /etc/portway/relay.properties when present). Precedence: flags, then PORTWAY_<OPTION> "
                    + "environment variables, then this file, then the defaults.")
    Path config;
    @Option(names = "--log-format", paramLabel = "text|json", description = "Log lines as text for people (default) or "
            + "as JSON objects for systemd, Docker and log shippers.")
    LogFormat logFormat;

    /** How the relay's log lines look. */
    enum LogFormat {
        TEXT, JSON;

        /** The runnable jar's JSON logging configuration (src/shade). */
        static final String JSON_CONFIG = "logback-json.xml";
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;
    /** Sources of option values besides the command line; set by {@link #commandLine}. */
    private ConfigSources sources;

    @Option(names = "--db", paramLabel = "JDBC_URL", description = "Keep users, tokens and queues in PostgreSQL "
            + "(jdbc:postgresql://host:5432/portway) instead of the H2 file in the data directory.")
    String db;
    @Option(names = "--db-user", description = "Database user for --db (or env PORTWAY_DB_USER).")
    String dbUser;
    @Option(names = "--db-password", description = "Database password for --db (or env PORTWAY_DB_PASSWORD).")
    String dbPassword;
    @Option(names = "--jwt-lifetime", description = "How long a session JWT is valid before the client refreshes it "
            + "(default ${DEFAULT-VALUE}).", defaultValue = "15m")
    String jwtLifetime;
    @Option(names = "--rate-free", description = "Visitor requests per minute to a free user's tunnels; 0 = no limit (default ${DEFAULT-VALUE}).",
            defaultValue = "100")
    int rateFree;
    @Option(names = "--rate-premium", description = "The same for premium users (default ${DEFAULT-VALUE}).", defaultValue = "1000")
    int ratePremium;
    @Option(names = "--rate-enterprise", description = "The same for enterprise users (default ${DEFAULT-VALUE}).",
            defaultValue = "10000")
    int rateEnterprise;
    @Option(names = "--max-tunnels-per-user", description = "Tunnels one user may have at once (default ${DEFAULT-VALUE}).",
            defaultValue = "32")
    int maxTunnelsPerUser;
    @Option(names = "--max-connections-per-user", description = "Client connections one user may have at once "
            + "(default ${DEFAULT-VALUE}).", defaultValue = "8")
    int maxConnectionsPerUser;
    @Option(names = "--auth-free-failures", description = "Failed logins (hellos, SSH) per address or user within "
            + "--auth-window before further ones are refused unchecked; 0 = no throttling (default ${DEFAULT-VALUE}).",
            defaultValue = "5")
    int authFreeFailures;
    @Option(names = "--auth-window", description = "How long a failed login counts (default ${DEFAULT-VALUE}).",
            defaultValue = "1m")
    String authWindow;
    @Option(names = "--auth-delay", description = "The first lockout; it doubles with each further failure "
            + "(default ${DEFAULT-VALUE}).", defaultValue = "1s")
    String authDelay;
    @Option(names = "--auth-max-delay", description = "The longest lockout (default ${DEFAULT-VALUE}).", defaultValue = "5m")
    String authMaxDelay;
    @Option(names = "--auth-max-pending", description = "Token checks waiting at once; more hellos are refused as busy "
            + "(default ${DEFAULT-VALUE}).", defaultValue = "64")
    int authMaxPending;

    @Option(names = "--ssh-port", description = "Turn the SSH gateway on at this port (ssh -R / ssh -J; off unless set). "
            + "Keys are read from <data-dir>/ssh-keys.")
    Integer sshPort;
    @Option(names = "--ssh-password-auth", description = "SSH gateway: also accept the token as a password (default: keys only).")
    boolean sshPasswordAuth;
    @Option(names = "--ssh-max-sessions", description = "SSH gateway: connections per user at most (default ${DEFAULT-VALUE}).",
            defaultValue = "3")
    int sshMaxSessions;
    @Option(names = "--ssh-keepalive", description = "SSH gateway: keep-alive interval; 3 unanswered end the connection "
            + "(default ${DEFAULT-VALUE}).", defaultValue = "15s")
    String sshKeepAlive;

    @Option(names = "--node-id", description = "Run as a node of a relay cluster with this id (e.g. relay-a); needs --db "
            + "jdbc:postgresql://… shared by every node (docs/cluster.md).")
    String nodeId;
    @Option(names = "--cluster-address", paramLabel = "HOST:PORT", description = "Where the other nodes reach this one "
            + "(e.g. 10.0.0.1:7443).")
    String clusterAddress;
    @Option(names = "--cluster-secret-file", paramLabel = "FILE", description = "File with the secret every node of the "
            + "cluster shares; at least 16 characters.")
    Path clusterSecretFile;
    @Option(names = "--cluster-secret", paramLabel = "SECRET", description = "The cluster's secret itself: better as env "
            + "PORTWAY_CLUSTER_SECRET or in the config file than on the command line, where ps shows it.")
    String clusterSecret;
    @Option(names = "--cluster-lease", description = "A node that has not renewed its lease for this long is dead to "
            + "the others (default ${DEFAULT-VALUE}).", defaultValue = "10s")
    String clusterLease;
    @Option(names = "--cluster-tls", description = "Encrypt the links between cluster nodes (TLS 1.3, bound to the "
            + "cluster secret's handshake; every node needs it). Default: plain TCP, for a private network.")
    boolean clusterTls;
    @Option(names = "--client-url", paramLabel = "URL", description = "The ws:// or wss:// address clients reach this "
            + "node at directly; told to clients on two nodes (docs/cluster.md). Without it they reconnect through the "
            + "shared address until they reach another node.")
    String clientUrl;

    /** The cluster options, checked; null for a single relay. */
    private dev.portway.relay.cluster.ClusterConfig clusterConfig() {
        return dev.portway.relay.cluster.ClusterConfig.of(nodeId, clusterAddress, clusterSecretFile,
                clusterSecret, parseDuration(named("--cluster-lease"), clusterLease), db, clusterTls, clientUrl);
    }
    @Option(names = "--console-port", paramLabel = "PORT", description = "Turn the web console on at this port (off unless set; "
            + "its own listener, never the visitors' port). See docs/console.md.")
    Integer consolePort;
    @Option(names = "--console-bind", paramLabel = "HOST", description = "Interface of the web console (default ${DEFAULT-VALUE}: "
            + "reach it through an SSH port-forward or a reverse proxy).", defaultValue = "127.0.0.1")
    String consoleBind;

    public static void main(String[] args) {
        System.exit(run(args, System.getenv(), System.err));
    }

    /** Reads the config file and environment, then runs the command; the exit code. */
    static int run(String[] args, Map<String, String> env, PrintStream err) {
        CommandLine cmd;
        try {
            cmd = commandLine(new RelayMain(), args, env, ConfigSources.DEFAULT_FILE, err);
        } catch (ConfigException e) {
            err.println("relay-lite: " + e.getMessage());
            return 2;
        }
        return cmd.execute(args);
    }

    /**
     * The command line for {@code app}, with values from the config file and {@code PORTWAY_*} variables as
     * defaults (ConfigSources); every such value has been checked.
     */
    static CommandLine commandLine(RelayMain app, String[] args, Map<String, String> env, Path defaultFile, PrintStream err)
            throws ConfigException {
        CommandLine cmd = configured(new CommandLine(app));
        app.sources = ConfigSources.load(cmd.getCommandSpec(), () -> configured(new CommandLine(new RelayMain())),
                List.of(args), env, defaultFile, warning -> err.println("relay-lite: " + warning));
        cmd.setDefaultValueProvider(app.sources);
        cmd.setErr(new java.io.PrintWriter(err, true));
        cmd.setParameterExceptionHandler((ex, a) -> {
            err.println("relay-lite: " + ex.getMessage() + " — run with --help to see the options.");
            return 2;
        });
        return cmd;
    }

    private static CommandLine configured(CommandLine cmd) {
        return cmd.setCaseInsensitiveEnumValuesAllowed(true);
    }

    /** The option's name, and where its value came from when that was the environment or the config file. */
    private String named(String option) {
        String origin = sources == null ? null : sources.origin(option);
        boolean onCommandLine = spec != null && spec.commandLine().getParseResult() != null
                && spec.commandLine().getParseResult().hasMatchedOption(option);
        return origin == null || onCommandLine ? option : option + " (from " + origin + ")";
    }

    /** The command line without a config file or environment (tests and the admin subcommands' fixtures). */
    static CommandLine commandLine() {
        CommandLine cmd = configured(new CommandLine(new RelayMain()));
        cmd.setParameterExceptionHandler((ex, a) -> {
            ex.getCommandLine().getErr().println("relay-lite: " + ex.getMessage() + " — run with --help to see the options.");
            return 2;
        });
        return cmd;
    }

    @Override
    public Integer call() throws InterruptedException {
        if (logFormat == LogFormat.JSON && System.getProperty("logback.configurationFile") == null) {
            // Before the first logger is made: logback reads its configuration once, at that moment.
            System.setProperty("logback.configurationFile", LogFormat.JSON_CONFIG);
        }
        RelayConfig.Builder b = RelayConfig.builder().port(port).bindHost(host).domain(domain);
        try {
            Matcher m = Pattern.compile("(\\d+)-(\\d+)").matcher(tcpPorts.trim());
            if (!m.matches()) {
                throw new IllegalArgumentException(named("--tcp-ports") + " must look like 20000-20999, not \"" + tcpPorts + "\".");
            }
            b.tcpPortFrom(Integer.parseInt(m.group(1))).tcpPortTo(Integer.parseInt(m.group(2)));
            b.grace(parseDuration(named("--grace"), grace));
            b.holdTime(parseDuration(named("--hold"), hold));
            b.queueMaxCount(queueMaxCount).queueMaxBytes(parseSize(named("--queue-max-bytes"), queueMaxBytes));
            b.visitorLimits(new dev.portway.relay.ingress.VisitorLimits(rateLimit, parseSize(named("--max-body"), maxBody),
                    (int) Math.min(Integer.MAX_VALUE, parseSize(named("--max-header-size"), maxHeaderSize)), maxHeaderCount,
                    parseDuration(named("--header-timeout"), headerTimeout), parseSize(named("--min-body-rate"), minBodyRate),
                    parseDuration(named("--idle-timeout"), idleTimeout), maxConnections, maxConnectionsPerIp, trustProxy, proxyProtocol));
            dev.portway.relay.acme.AcmeSettings acme = acmeEmail == null ? null
                    : dev.portway.relay.acme.AcmeSettings.of(acmeEmail, acmeDirectory, acmeCaFile);
            if (acme == null && (acmeDirectory != null || acmeCaFile != null)) {
                throw new IllegalArgumentException(named("--acme-directory") + " and " + named("--acme-ca-file")
                        + " need --acme-email (the account's contact address).");
            }
            b.wsCompression(dev.portway.shared.protocol.WsCompression.parse(named("--ws-compression"), wsCompression));
            b.tls(new dev.portway.relay.tls.TlsSettings(tlsOn, tlsCert, tlsKey, httpRedirectPort, acme));
            Path dir = dataDir != null ? dataDir : defaultDataDir();
            try {
                Files.createDirectories(dir);
            } catch (IOException | RuntimeException e) {
                throw new IllegalArgumentException("Cannot create the data directory " + dir + " (" + e.getClass().getSimpleName()
                        + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ") — choose another with " + named("--data-dir") + ".");
            }
            b.dataDir(dir);
            if (consolePort != null) {
                b.console(new dev.portway.relay.console.ConsoleSettings(consolePort, consoleBind));
            }
            b.identity(IdentityConfig.DEFAULTS
                    .withDb(db, AdminCommands.StoreOptions.orEnv(dbUser, "PORTWAY_DB_USER"),
                            AdminCommands.StoreOptions.orEnv(dbPassword, "PORTWAY_DB_PASSWORD"))
                    .withJwtLifetime(parseDuration(named("--jwt-lifetime"), jwtLifetime))
                    .withRates(rateFree, ratePremium, rateEnterprise)
                    .withUserLimits(maxTunnelsPerUser, maxConnectionsPerUser)
                    .withThrottle(new dev.portway.relay.auth.LoginThrottle.Policy(authFreeFailures,
                            parseDuration(named("--auth-window"), authWindow), parseDuration(named("--auth-delay"), authDelay),
                            parseDuration(named("--auth-max-delay"), authMaxDelay), authMaxPending)));
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println("relay-lite: " + e.getMessage());
            return 2;
        }
        String secret = token; // also from PORTWAY_TOKEN or the config file (ConfigSources)
        boolean generated = secret == null || secret.isBlank();
        if (generated) {
            byte[] bytes = new byte[18];
            new SecureRandom().nextBytes(bytes);
            secret = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        }
        RelayConfig config;
        Relay relay;
        dev.portway.relay.cluster.ClusterConfig cluster;
        try {
            cluster = clusterConfig();
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println("relay-lite: " + e.getMessage());
            return 2;
        }
        try {
            config = b.token(secret).build();
            dev.portway.relay.ssh.SshConfig ssh = sshPort == null ? null : new dev.portway.relay.ssh.SshConfig(host, sshPort,
                    config.domain(), sshPasswordAuth, sshMaxSessions, parseDuration("--ssh-keepalive", sshKeepAlive), 3,
                    config.dataDir());
            relay = Relay.start(config, ssh, cluster);
        } catch (IllegalArgumentException | IOException e) {
            spec.commandLine().getErr().println("relay-lite: " + e.getMessage());
            return 2;
        }
        if (generated) {
            announce("No token given (--token or PORTWAY_TOKEN), so this relay generated one: " + secret);
        }
        String hostPart = relay.port() == 80 ? "" : ":" + relay.port();
        announce("relay-lite listening on " + config.publicScheme() + "://*." + config.domain() + hostPart
                + "/ (clients connect to " + relay.connectUrl() + ")");
        if (relay.tlsFingerprint() != null) {
            announce("TLS certificate fingerprint: " + relay.tlsFingerprint()
                    + (relay.tlsSelfSigned() ? " (self-signed: clients connect with --fingerprint " + relay.tlsFingerprint() + ")" : ""));
        }
        if (relay.redirectPort() >= 0) {
            announce("Plain HTTP on port " + relay.redirectPort() + " redirects to https.");
        }
        if (relay.consolePort() >= 0) {
            announce("Web console on " + (relay.tlsFingerprint() != null ? "https" : "http") + "://" + config.console().bindHost() + ":"
                    + relay.consolePort() + "/ (sign in with a user of the store: relay-lite users passwd NAME, or an invite)");
        }
        if (relay.sshPort() > 0) {
            System.out.println("SSH gateway on port " + relay.sshPort() + ": ssh -p " + relay.sshPort() + " -R myapp:80:localhost:3000 "
                    + config.domain() + " (keys in " + config.dataDir().resolve(dev.portway.relay.ssh.KeyFileDirectory.FILE_NAME) + ")");
        }
        CountDownLatch done = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            relay.shutdown(config.shutdownDeadline());
            done.countDown();
        }, "relay-shutdown"));
        done.await();
        return 0;
    }

    /** For the person starting the relay: on stdout, or as a log line when stdout carries JSON lines. */
    private void announce(String message) {
        if (logFormat == LogFormat.JSON) {
            org.slf4j.LoggerFactory.getLogger(RelayMain.class).info(message);
        } else {
            System.out.println(message);
        }
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
