package dev.portway.desktop.cli;

import dev.portway.desktop.engine.EngineConfig;
import dev.portway.desktop.engine.TunnelEngine;
import dev.portway.desktop.engine.TunnelSpec;
import dev.portway.shared.protocol.RelayAddress;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** {@code portway connect [--relay URL --token T] http|tcp PORT|HOST:PORT [--name NAME]}. */
@Command(name = "connect", mixinStandardHelpOptions = true,
        description = "Open a tunnel to a local service. Without --relay, an embedded relay runs on this machine.")
final class ConnectCommand implements java.util.concurrent.Callable<Integer> {

    @Parameters(index = "0", paramLabel = "KIND", description = "http or tcp")
    String kind;

    @Parameters(index = "1", paramLabel = "TARGET", description = "the local service: PORT or HOST:PORT")
    String target;

    @Option(names = "--relay", paramLabel = "URL", description = "relay address, e.g. ws://relay.example.com:8080")
    String relay;

    @Option(names = "--token", paramLabel = "TOKEN", description = "relay token (default: $PORTWAY_TOKEN)")
    String token;

    @Option(names = "--name", paramLabel = "NAME", description = "public name to ask for (default: generated)")
    String name;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "8080",
            description = "port of the embedded relay when no --relay is given (default: ${DEFAULT-VALUE})")
    int port;

    @Option(names = {"-q", "--quiet"}, description = "no line per request")
    boolean quiet;

    @Option(names = "--queue", description = "queue requests on the relay while this client is away (webhooks), and"
            + " deliver them with retries when it is back")
    boolean queue;

    @Option(names = "--private", description = "tcp only: no public port; reachable only through the relay's SSH gateway"
            + " (ssh -J) by you and the users of --share")
    boolean privateTunnel;

    @Option(names = "--share", paramLabel = "USERS", description = "with --private: other relay users who may reach it, e.g. alice,bob")
    String share;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "where the client key and the client queue are kept (default: $XDG_DATA_HOME/portway or ~/.local/share/portway)")
    Path dataDir;

    @Option(names = "--basic-auth", paramLabel = "USER:PASSWORD",
            description = "visitors must sign in with this user and password (HTTP basic auth, checked by the relay)")
    String basicAuth;

    @Option(names = "--allow", paramLabel = "CIDR", split = ",",
            description = "only visitors from these addresses get in, e.g. 203.0.113.0/24 or 2001:db8::/32 (repeatable)")
    List<String> allow;

    @Option(names = "--deny", paramLabel = "CIDR", split = ",",
            description = "visitors from these addresses are refused; deny wins over --allow (repeatable)")
    List<String> deny;

    @Option(names = "--local-protocol", paramLabel = "PROTOCOL",
            description = "http only: how to speak to the local app, http1 (default) or h2c (HTTP/2 without TLS, for gRPC servers)")
    String localProtocol;

    @Option(names = "--fingerprint", paramLabel = "sha256:HEX",
            description = "trust exactly the relay certificate with this fingerprint (a self-signed wss:// relay prints it at start)")
    String fingerprint;

    @Option(names = "--ws-compression", paramLabel = "on|off", defaultValue = dev.portway.shared.protocol.WsCompression.DEFAULT,
            description = "offer permessage-deflate on the WebSocket to the relay (default: ${DEFAULT-VALUE})")
    String wsCompression;
    @Option(names = "--ha-connections", paramLabel = "N", defaultValue = "2",
            description = "on a relay cluster: keep sessions to N different nodes, so a node that dies costs no gap "
                    + "(1 to 4; 1 = one session; a single relay always gets one; default ${DEFAULT-VALUE})")
    int haConnections;

    @CommandLine.Mixin
    RewriteFlags rewrite = new RewriteFlags();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private final Map<String, String> env;

    ConnectCommand(Map<String, String> env) {
        this.env = env;
    }

    /** The validated request. */
    /**
     * @param fingerprint   the pinned relay certificate ({@code sha256:hex}), or null for the system's CAs
     * @param wsCompression offer permessage-deflate to the relay
     * @param haConnections sessions to different nodes of a relay cluster ({@code --ha-connections})
     */
    record Request(URI relay, String token, TunnelSpec tunnel, int embeddedPort, Path dataDir, String fingerprint,
                   boolean wsCompression, int haConnections) {
        Request(URI relay, String token, TunnelSpec tunnel, int embeddedPort, Path dataDir, String fingerprint) {
            this(relay, token, tunnel, embeddedPort, dataDir, fingerprint,
                    dev.portway.shared.protocol.WsCompression.DEFAULT_ENABLED, EngineConfig.DEFAULT_HA_CONNECTIONS);
        }
    }

    /** Checks the arguments; bad input becomes a {@link CommandLine.ParameterException} (exit 2). */
    Request validate() {
        if (haConnections < 1 || haConnections > EngineConfig.MAX_HA_CONNECTIONS) {
            throw bad("--ha-connections must be from 1 to " + EngineConfig.MAX_HA_CONNECTIONS + ", not " + haConnections
                    + " — e.g. 2 for sessions to two relay nodes, 1 for one.");
        }
        TunnelSpec tunnel;
        try {
            String k = kind.toLowerCase(Locale.ROOT);
            String host = "localhost";
            String portText = target;
            int colon = target.lastIndexOf(':');
            if (colon >= 0) {
                host = target.substring(0, colon);
                portText = target.substring(colon + 1);
                if (host.isEmpty()) {
                    throw bad("Target '" + target + "' has no host — write PORT or HOST:PORT, e.g. 3000 or localhost:3000.");
                }
            }
            int localPort;
            try {
                localPort = Integer.parseInt(portText);
            } catch (NumberFormatException e) {
                throw bad("Target '" + target + "' is not a port — write PORT or HOST:PORT, e.g. 3000 or localhost:3000.");
            }
            if (queue && !"http".equals(k)) {
                throw bad("--queue works for http tunnels only — webhooks are HTTP requests.");
            }
            if (privateTunnel && !"tcp".equals(k)) {
                throw bad("--private works for tcp tunnels only — e.g. portway connect tcp 22 --private.");
            }
            if (share != null && !privateTunnel) {
                throw bad("--share needs --private: a public tunnel is open to everyone already.");
            }
            Map<String, String> options = new java.util.LinkedHashMap<>();
            if (queue) {
                options.put("queue", "on");
            }
            if (privateTunnel) {
                options.put(dev.portway.shared.protocol.Protocol.OPTION_PRIVATE, "true");
                if (share != null) {
                    options.put(dev.portway.shared.protocol.Protocol.OPTION_SHARE, share);
                }
            }
            options.putAll(protectionOptions(k));
            options.putAll(rewrite.options(k));
            if (localProtocol != null) {
                options.put(TunnelSpec.OPTION_LOCAL_PROTOCOL, localProtocol.toLowerCase(Locale.ROOT));
            }
            tunnel = new TunnelSpec(k, name, host, localPort, Map.copyOf(options));
        } catch (IllegalArgumentException e) {
            throw bad(e.getMessage());
        }
        return request(tunnel);
    }

    /** The relay, token, data dir and pin for {@code tunnel}, checked (also for {@code portway share}). */
    Request request(TunnelSpec tunnel) {
        String t = token != null ? token : env.get("PORTWAY_TOKEN");
        Path data = checkedDataDir();
        boolean deflate;
        try {
            deflate = dev.portway.shared.protocol.WsCompression.parse("--ws-compression", wsCompression);
        } catch (IllegalArgumentException e) {
            throw bad(e.getMessage());
        }
        if (relay == null) {
            if (port < 1 || port > 65_535) {
                throw bad("--port " + port + " is out of range — use 1..65535.");
            }
            if (fingerprint != null) {
                throw bad("--fingerprint pins a remote relay's certificate — use it with --relay wss://….");
            }
            return new Request(null, t, tunnel, port, data, null, deflate, haConnections);
        }
        if (t == null || t.isBlank()) {
            throw bad("A relay needs a token — pass --token or set PORTWAY_TOKEN.");
        }
        URI uri = relayUri(relay);
        String pin = null;
        if (fingerprint != null) {
            if (!"wss".equalsIgnoreCase(uri.getScheme()) && !"https".equalsIgnoreCase(uri.getScheme())) {
                throw bad("--fingerprint is for a TLS relay: its address must start with wss://, not " + uri.getScheme() + "://.");
            }
            try {
                pin = dev.portway.desktop.engine.RelayTrust.normalize(fingerprint);
            } catch (IllegalArgumentException e) {
                throw bad("--fingerprint: " + e.getMessage());
            }
        }
        return new Request(uri, t, tunnel, port, data, pin, deflate, haConnections);
    }

    /** The bind options of --basic-auth, --allow and --deny (PROTOCOL.md §4.1), checked for shape here. */
    private Map<String, String> protectionOptions(String kind) {
        Map<String, String> o = new java.util.LinkedHashMap<>();
        if (basicAuth != null) {
            int colon = basicAuth.indexOf(':');
            if (colon < 1 || colon == basicAuth.length() - 1) {
                throw bad("--basic-auth must be USER:PASSWORD, e.g. --basic-auth alice:s3cret.");
            }
            if (!"http".equals(kind)) {
                throw bad("--basic-auth works for http tunnels only; protect a tcp tunnel with --allow or --deny.");
            }
            if (queue) {
                throw bad("--queue cannot be combined with --basic-auth, --allow or --deny yet — choose one.");
            }
            o.put("basic_auth", basicAuth);
        }
        for (var e : Map.of("--allow", allow == null ? List.<String>of() : allow,
                "--deny", deny == null ? List.<String>of() : deny).entrySet()) {
            for (String cidr : e.getValue()) {
                if (!cidr.trim().matches("[0-9a-fA-F:.]+(/\\d{1,3})?")) {
                    throw bad(e.getKey() + " '" + cidr + "' is not an IP address or CIDR block — e.g. 203.0.113.0/24 or 2001:db8::/32.");
                }
            }
            if (!e.getValue().isEmpty()) {
                if (queue) {
                    throw bad("--queue cannot be combined with --basic-auth, --allow or --deny yet — choose one.");
                }
                o.put(e.getKey().equals("--allow") ? "ip_allow" : "ip_deny",
                        String.join(",", e.getValue().stream().map(String::trim).toList()));
            }
        }
        return o;
    }

    /** The data dir to use; checks it can be used or created, without creating anything yet. */
    private Path checkedDataDir() {
        Path dir = dataDir;
        if (dir == null) {
            String xdg = env.get("XDG_DATA_HOME");
            String home = env.getOrDefault("HOME", System.getProperty("user.home"));
            dir = xdg != null && !xdg.isBlank() ? Path.of(xdg, "portway") : Path.of(home, ".local", "share", "portway");
        }
        dir = dir.toAbsolutePath();
        Path existing = dir;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null || !Files.isDirectory(existing)) {
            throw bad("Data directory " + dir + " cannot be created: " + existing + " is not a directory — pass another --data-dir.");
        }
        if (!Files.isWritable(existing)) {
            throw bad("Data directory " + (existing.equals(dir) ? dir : dir + " cannot be created: " + existing)
                    + " is not writable — pass another --data-dir.");
        }
        return dir;
    }

    private URI relayUri(String text) {
        return RelayAddress.parse(text).orElseThrow(() ->
                bad("Relay address '" + text + "' is not a URL like ws://relay.example.com:8080."));
    }

    private CommandLine.ParameterException bad(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }

    @Override
    public Integer call() throws Exception {
        return run(validate(), spec.commandLine().getOut(), quiet);
    }

    /** Runs the tunnel until Ctrl-C or the engine gives up; returns the exit code. */
    static int run(Request request, java.io.PrintWriter out, boolean quiet) throws Exception {
        EmbeddedRelay embedded = null;
        URI relayUrl = request.relay();
        String relayToken = request.token();
        if (relayUrl == null) {
            embedded = EmbeddedRelay.start(request.embeddedPort());
            relayUrl = embedded.connectUrl();
            relayToken = embedded.token();
            out.println("Started an embedded relay on port " + request.embeddedPort() + ".");
        }
        // Bounded: when the terminal cannot keep up, the engine thread reporting a request prints the line
        // itself (caller runs), which slows requests down instead of queueing lines without limit.
        ExecutorService printer = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(4096),
                Thread.ofPlatform().name("portway-cli-output").daemon(true)
                        .uncaughtExceptionHandler((th, e) -> LoggerFactory.getLogger(ConnectCommand.class).error("output failed", e)).factory(),
                new ThreadPoolExecutor.CallerRunsPolicy());
        CountDownLatch done = new CountDownLatch(1);
        AtomicInteger exit = new AtomicInteger(0);
        Files.createDirectories(request.dataDir());
        TunnelEngine engine = new TunnelEngine(EngineConfig.of(relayUrl, relayToken, List.of(request.tunnel()))
                .withDataDir(request.dataDir()).withWsCompression(request.wsCompression()).withHaConnections(request.haConnections()), printer, request.fingerprint() == null
                ? dev.portway.desktop.engine.RelayTrust.system()
                : dev.portway.desktop.engine.RelayTrust.pinned(request.fingerprint()));
        engine.addListener(new ConsolePrinter(out, () -> {
            exit.set(PortwayCli.EXIT_FAILED);
            done.countDown();
        }, quiet));
        EmbeddedRelay relayToClose = embedded;
        Thread hook = Thread.ofPlatform().name("portway-shutdown").unstarted(() -> {
            engine.close();
            if (relayToClose != null) {
                relayToClose.close();
            }
            done.countDown();
        });
        Runtime.getRuntime().addShutdownHook(hook);
        engine.start();
        done.await();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
            hook.run(); // gave up (not Ctrl-C): close here
        } catch (IllegalStateException shuttingDown) {
            // Ctrl-C: the hook closes everything
        }
        printer.shutdown();
        out.flush();
        return exit.get();
    }
}
