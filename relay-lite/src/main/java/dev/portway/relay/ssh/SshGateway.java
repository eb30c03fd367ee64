package dev.portway.relay.ssh;

import org.apache.sshd.common.NamedFactory;
import org.apache.sshd.common.cipher.BuiltinCiphers;
import org.apache.sshd.common.compression.BuiltinCompressions;
import org.apache.sshd.common.kex.BuiltinDHFactories;
import org.apache.sshd.common.mac.BuiltinMacs;
import org.apache.sshd.common.signature.BuiltinSignatures;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.apache.sshd.core.CoreModuleProperties;
import org.apache.sshd.server.ServerBuilder;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.auth.UserAuthFactory;
import org.apache.sshd.server.auth.password.UserAuthPasswordFactory;
import org.apache.sshd.server.auth.pubkey.UserAuthPublicKeyFactory;
import org.apache.sshd.server.channel.ChannelSessionFactory;
import org.apache.sshd.server.forward.AgentForwardingFilter;
import org.apache.sshd.server.forward.ForwardingFilter;
import org.apache.sshd.server.forward.TcpForwardingFilter;
import org.apache.sshd.server.forward.X11ForwardingFilter;
import org.apache.sshd.server.keyprovider.SimpleGeneratorHostKeyProvider;
import org.apache.sshd.server.subsystem.SubsystemFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.BindException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The relay's SSH gateway (docs/ssh-gateway.md): an embedded SSH v2 server that accepts public keys of
 * registered users (and, if turned on, the API token as a password), turns {@code ssh -R} into tunnels and
 * answers {@code direct-tcpip} ({@code ssh -J}/{@code -W}) for private TCP tunnels. Nothing else: no shell,
 * exec, SFTP, agent or X11 forwarding. Only modern algorithms are offered.
 */
public final class SshGateway implements AutoCloseable {
    /** The host key's file in the data folder; generated on first start. */
    public static final String HOST_KEY_FILE = "ssh_host_ed25519_key";
    private static final Logger log = LoggerFactory.getLogger(SshGateway.class);

    /** Offered key exchanges, best first (those this JVM supports). */
    static final List<BuiltinDHFactories> KEX = List.of(BuiltinDHFactories.mlkem768x25519,
            BuiltinDHFactories.sntrup761x25519, BuiltinDHFactories.sntrup761x25519_openssh,
            BuiltinDHFactories.curve25519, BuiltinDHFactories.curve25519_libssh);
    static final List<BuiltinCiphers> CIPHERS = List.of(BuiltinCiphers.cc20p1305_openssh, BuiltinCiphers.aes256gcm,
            BuiltinCiphers.aes128gcm);
    /** Only negotiated with ciphers that have no built-in integrity, which are not offered; listed for peers that insist. */
    static final List<BuiltinMacs> MACS = List.of(BuiltinMacs.hmacsha512etm, BuiltinMacs.hmacsha256etm);
    /** Host key: ssh-ed25519 only. User keys: ssh-ed25519, and RSA with SHA-2 (never ssh-rsa/SHA-1). */
    static final List<BuiltinSignatures> SIGNATURES = List.of(BuiltinSignatures.ed25519, BuiltinSignatures.rsaSHA512,
            BuiltinSignatures.rsaSHA256);

    private final SshServer server;
    private final GatewaySessions sessions;

    private final java.util.concurrent.ScheduledExecutorService timer;

    private SshGateway(SshServer server, GatewaySessions sessions, java.util.concurrent.ScheduledExecutorService timer) {
        this.server = server;
        this.sessions = sessions;
        this.timer = timer;
    }

    /**
     * Starts listening.
     *
     * @throws IOException with a message saying what to do when the port cannot be bound
     */
    public static SshGateway start(GatewayContext ctx) throws IOException {
        SshConfig cfg = ctx.config();
        if (!SecurityUtils.isEDDSACurveSupported()) {
            throw new IOException("This Java runtime cannot do Ed25519 — the SSH gateway needs it (Bouncy Castle on the class path).");
        }
        SshServer sshd = ServerBuilder.builder()
                .keyExchangeFactories(NamedFactory.setUpTransformedFactories(false, supported(KEX), ServerBuilder.DH2KEX))
                .cipherFactories(new ArrayList<>(supported(CIPHERS)))
                .macFactories(new ArrayList<>(supported(MACS)))
                .signatureFactories(new ArrayList<>(supported(SIGNATURES)))
                .compressionFactories(List.of(BuiltinCompressions.none))
                .forwardingFilter(ForwardingFilter.asForwardingFilter(AgentForwardingFilter.of(false),
                        X11ForwardingFilter.of(false), new TcpForwardingFilter() {
                            @Override
                            public boolean canListen(org.apache.sshd.common.util.net.SshdSocketAddress address,
                                                     org.apache.sshd.common.session.Session session) {
                                return true; // GatewayForwarder decides and makes tunnels, never sockets
                            }

                            @Override
                            public boolean canConnect(Type type, org.apache.sshd.common.util.net.SshdSocketAddress address,
                                                      org.apache.sshd.common.session.Session session) {
                                return false; // direct-tcpip is PrivateAccessChannel's, with its own rules
                            }
                        }))
                .forwarderFactory(service -> new GatewayForwarder(service, ctx))
                .build();
        sshd.setHost(cfg.host());
        sshd.setPort(cfg.port());
        SimpleGeneratorHostKeyProvider hostKey = new SimpleGeneratorHostKeyProvider(cfg.dataDir().resolve(HOST_KEY_FILE));
        hostKey.setAlgorithm(SecurityUtils.EDDSA);
        hostKey.setKeySize(256); // Bouncy Castle's EdDSA generator: 256 selects Ed25519
        try {
            if (!hostKey.loadKeys(null).iterator().hasNext()) { // generate or read it now: a bad file stops the start
                throw new IOException("no key");
            }
        } catch (IOException | RuntimeException e) {
            throw new IOException("Cannot read or create the SSH host key " + cfg.dataDir().resolve(HOST_KEY_FILE) + " ("
                    + e.getMessage() + ") — delete it to have a new one generated, or fix its permissions.", e);
        }
        sshd.setKeyPairProvider(hostKey);
        java.util.concurrent.ScheduledExecutorService timer = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "ssh-gateway-timer");
            t.setDaemon(true);
            t.setUncaughtExceptionHandler((th, e) -> log.warn("SSH gateway timer task failed", e));
            return t;
        });
        // Logins are re-checked as often as a WebSocket client refreshes its JWT: revocation ends both within one lifetime.
        java.time.Duration recheck = ctx.relay().identity().jwtLifetime().multipliedBy(3).dividedBy(4);
        GatewaySessions sessions = new GatewaySessions(ctx.directory(), cfg.maxSessions(), ctx.metrics(), timer,
                cfg.keepAlive(), cfg.keepAliveMisses(), ctx.accounts().throttle(), ctx.accounts().audit(), recheck);
        List<UserAuthFactory> auth = new ArrayList<>();
        auth.add(UserAuthPublicKeyFactory.INSTANCE);
        sshd.setPublickeyAuthenticator(sessions);
        if (cfg.passwordAuth()) {
            auth.add(UserAuthPasswordFactory.INSTANCE);
            sshd.setPasswordAuthenticator(sessions);
        } else {
            sshd.setPasswordAuthenticator(null);
        }
        sshd.setUserAuthFactories(auth);
        sshd.setKeyboardInteractiveAuthenticator(null);
        sshd.setGSSAuthenticator(null);
        sshd.setHostBasedAuthenticator(null);
        sshd.addSessionListener(sessions);
        sshd.setServiceFactories(List.of(org.apache.sshd.server.session.ServerUserAuthServiceFactory.INSTANCE,
                GatewayConnectionService.FACTORY));
        sshd.setChannelFactories(List.of(ChannelSessionFactory.INSTANCE, PrivateAccessChannel.factory(ctx)));
        sshd.setShellFactory(channel -> new GatewayCommand(true));
        sshd.setCommandFactory((channel, command) -> new GatewayCommand(false));
        sshd.setSubsystemFactories(List.of(new SubsystemFactory() {
            @Override
            public String getName() {
                return "sftp";
            }

            @Override
            public org.apache.sshd.server.command.Command createSubsystem(org.apache.sshd.server.channel.ChannelSession channel) {
                return new GatewayCommand(false);
            }
        }));
        // Dead clients: GatewaySessions sends keep-alive requests (sshd's own server heartbeat expects no reply).
        CoreModuleProperties.SERVER_IDENTIFICATION.set(sshd, "Portway");
        CoreModuleProperties.AUTH_TIMEOUT.set(sshd, java.time.Duration.ofSeconds(30));
        try {
            sshd.start();
        } catch (BindException e) {
            timer.shutdownNow();
            throw new IOException("SSH port " + cfg.port() + " is already in use — choose another with --ssh-port", e);
        }
        log.info("SSH gateway listening on {}:{} (host key {})", cfg.host(), sshd.getPort(),
                cfg.dataDir().resolve(HOST_KEY_FILE));
        return new SshGateway(sshd, sessions, timer);
    }

    private static <T extends org.apache.sshd.common.OptionalFeature> List<T> supported(List<T> all) {
        return all.stream().filter(org.apache.sshd.common.OptionalFeature::isSupported).toList();
    }

    /** The bound SSH port. */
    public int port() {
        return server.getPort();
    }

    /** Where the host key lives in a data folder. */
    public static Path hostKeyFile(Path dataDir) {
        return dataDir.resolve(HOST_KEY_FILE);
    }

    /** Open SSH connections of a user. */
    public int sessions(String user) {
        return sessions.sessions(user);
    }

    /** Names of the algorithms offered, for docs and tests: kex, ciphers, signatures. */
    public static List<String> offered() {
        return Stream.of(supported(KEX), supported(CIPHERS), supported(SIGNATURES)).flatMap(List::stream)
                .map(org.apache.sshd.common.NamedResource::getName).toList();
    }

    @Override
    public void close() {
        try {
            server.stop(true);
        } catch (IOException e) {
            log.debug("SSH gateway stop: {}", e.toString());
        }
        timer.shutdownNow();
    }
}
