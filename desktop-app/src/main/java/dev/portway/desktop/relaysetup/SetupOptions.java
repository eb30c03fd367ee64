package dev.portway.desktop.relaysetup;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What to set up, and where.
 *
 * @param archive          the relay archive built by this project ({@code relay-lite-<version>.tar.gz})
 * @param relayPort        the relay's public port (HTTPS/WSS with a self-signed certificate, pinned by the profile)
 * @param domain           tunnels get {@code <name>.<domain>}; the server's host name when null
 * @param tcpPorts         the range handed to TCP tunnels, e.g. {@code 20000-20099}
 * @param installRoot      the server's file system root for every path the setup writes: {@code /} in production, a
 *                         temporary directory in tests
 * @param privilegeCommand what runs a command as root, e.g. {@code sudo -n}; empty when the login already is the
 *                         right user (root, or the owner of a test install root)
 * @param service          how the relay is run: systemd when the server has it and the root is {@code /}, else the
 *                         relay's own launcher in the background
 * @param account          the relay account created for this app (its token goes into the profile)
 * @param removeData       REMOVE only: also delete the relay's data directory and its system user
 * @param acme             certificates for tunnel hosts from an ACME CA (Let's Encrypt), or null for the self-signed
 *                         one only; either way the clients' endpoint keeps the pinned self-signed certificate
 */
public record SetupOptions(SshTarget target, Mode mode, Path archive, int relayPort, String domain, String tcpPorts,
                           String installRoot, String privilegeCommand, Service service, String account,
                           boolean removeData, Duration healthTimeout, Acme acme) {

    public enum Mode { INSTALL, UPGRADE, REMOVE }

    public enum Service { AUTO, SYSTEMD, LAUNCHER }

    /**
     * Certificates per tunnel host from an ACME CA, checked by HTTP-01 on {@code httpPort} (the relay's HTTP redirect
     * port; the CA asks on port 80, so anything else is for tests and private CAs).
     *
     * @param email          the CA account's contact (it writes there about expiring certificates)
     * @param directory      the CA's ACME directory; Let's Encrypt when null
     * @param caFileOnServer a PEM file on the server to trust for the CA's own HTTPS (a private CA), or null
     * @param httpPort       where the relay answers HTTP-01 (and redirects to HTTPS); 80 when 0
     */
    public record Acme(String email, URI directory, String caFileOnServer, int httpPort) {
        public static final URI LETS_ENCRYPT = URI.create("https://acme-v02.api.letsencrypt.org/directory");
        public static final int DEFAULT_HTTP_PORT = 80;
        private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+\\.[^@\\s]+");

        public Acme {
            email = email == null ? "" : email.strip();
            if (!EMAIL.matcher(email).matches()) {
                throw new IllegalArgumentException(email.isEmpty()
                        ? "Let's Encrypt needs an e-mail address (it writes there about expiring certificates) — e.g. ops@example.com."
                        : "\"" + email + "\" is not an e-mail address — e.g. ops@example.com (Let's Encrypt writes there about "
                        + "expiring certificates).");
            }
            directory = directory == null ? LETS_ENCRYPT : directory;
            if (!"https".equalsIgnoreCase(directory.getScheme()) || directory.getHost() == null) {
                throw new IllegalArgumentException("\"" + directory + "\" is not an ACME directory — give its https:// URL, e.g. "
                        + "https://acme-staging-v02.api.letsencrypt.org/directory for trials.");
            }
            caFileOnServer = caFileOnServer == null || caFileOnServer.isBlank() ? null : caFileOnServer.strip();
            if (caFileOnServer != null && (!caFileOnServer.startsWith("/") || caFileOnServer.contains("\n"))) {
                throw new IllegalArgumentException("The ACME CA file must be an absolute path on the server, e.g. "
                        + "/etc/portway/acme-ca.pem, not \"" + caFileOnServer + "\".");
            }
            httpPort = httpPort == 0 ? DEFAULT_HTTP_PORT : httpPort;
            if (httpPort < 1 || httpPort > 65535) {
                throw new IllegalArgumentException("ACME HTTP port " + httpPort + " is not a port — use 80 (where Let's Encrypt "
                        + "checks), or 1 to 65535 for a private CA.");
            }
        }

        /** Let's Encrypt, checked on port 80. */
        public static Acme letsEncrypt(String email) {
            return new Acme(email, null, null, 0);
        }

        /** Port 80 and the like: the hardened systemd unit must grant CAP_NET_BIND_SERVICE. */
        boolean privilegedPort() {
            return httpPort < 1024;
        }
    }

    private static final Pattern ACCOUNT = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");
    private static final Pattern PORTS = Pattern.compile("\\d{1,5}-\\d{1,5}");
    private static final Pattern DOMAIN = Pattern.compile("[A-Za-z0-9.-]{1,253}");

    public SetupOptions {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(mode, "mode");
        domain = domain == null || domain.isBlank() ? target.host() : domain.strip().toLowerCase(Locale.ROOT);
        tcpPorts = tcpPorts == null || tcpPorts.isBlank() ? "20000-20099" : tcpPorts.strip();
        installRoot = installRoot == null || installRoot.isBlank() ? "/" : installRoot.strip();
        privilegeCommand = privilegeCommand == null ? "" : privilegeCommand.strip();
        service = service == null ? Service.AUTO : service;
        account = account == null || account.isBlank() ? "me" : account.strip().toLowerCase(Locale.ROOT);
        healthTimeout = healthTimeout == null ? Duration.ofSeconds(60) : healthTimeout;
        if (mode != Mode.REMOVE) {
            if (archive == null || !Files.isRegularFile(archive)) {
                throw new IllegalArgumentException("No relay archive at " + archive + " — give the relay-lite-<version>.tar.gz "
                        + "built by this project (relay-lite/target after mvn package).");
            }
            if (Archive.version(archive) == null) {
                throw new IllegalArgumentException(archive.getFileName() + " is not named relay-lite-<version>.tar.gz (or relay-lite-<version>-linux-<arch>.tar.gz) — give "
                        + "the archive as the build made it.");
            }
        }
        if (relayPort < 1 || relayPort > 65535) {
            throw new IllegalArgumentException("Relay port " + relayPort + " is not a port — use 1024 to 65535, e.g. 8443.");
        }
        if (relayPort < 1024) {
            throw new IllegalArgumentException("Relay port " + relayPort + " needs extra rights in the hardened systemd unit — "
                    + "use a port from 1024 up (e.g. 8443), or see docs/self-hosting.md for port 443.");
        }
        if (!DOMAIN.matcher(domain).matches()) {
            throw new IllegalArgumentException("\"" + domain + "\" is not a domain name — e.g. tunnels.example.com.");
        }
        if (!PORTS.matcher(tcpPorts).matches()) {
            throw new IllegalArgumentException("\"" + tcpPorts + "\" is not a port range — e.g. 20000-20099.");
        }
        if (!ACCOUNT.matcher(account).matches()) {
            throw new IllegalArgumentException("\"" + account + "\" cannot be a relay account — use lower-case letters, "
                    + "digits, '.', '_' or '-' (e.g. alice).");
        }
        if (!installRoot.startsWith("/")) {
            throw new IllegalArgumentException("The install root must be an absolute path on the server (/ normally).");
        }
        if (acme != null && acme.httpPort() == relayPort) {
            throw new IllegalArgumentException("The ACME HTTP port and the relay port are both " + relayPort
                    + " — the HTTP port is for plain HTTP (80), the relay port for HTTPS (e.g. 8443).");
        }
        if (installRoot.length() > 1 && installRoot.endsWith("/")) {
            installRoot = installRoot.substring(0, installRoot.length() - 1);
        }
    }

    /** Without ACME: the self-signed certificate only (what the setup did before ACME). */
    public SetupOptions(SshTarget target, Mode mode, Path archive, int relayPort, String domain, String tcpPorts,
                        String installRoot, String privilegeCommand, Service service, String account,
                        boolean removeData, Duration healthTimeout) {
        this(target, mode, archive, relayPort, domain, tcpPorts, installRoot, privilegeCommand, service, account,
                removeData, healthTimeout, null);
    }

    /** Production defaults: port 8443, sudo when not root, systemd when present. */
    public static SetupOptions of(SshTarget target, Mode mode, Path archive) {
        return new SetupOptions(target, mode, archive, 8443, null, null, "/",
                "root".equals(target.user()) ? "" : "sudo -n", Service.AUTO, null, false, null, null);
    }

    public SetupOptions withMode(Mode m) {
        return new SetupOptions(target, m, archive, relayPort, domain, tcpPorts, installRoot, privilegeCommand, service,
                account, removeData, healthTimeout, acme);
    }

    public SetupOptions withArchive(Path a) {
        return new SetupOptions(target, mode, a, relayPort, domain, tcpPorts, installRoot, privilegeCommand, service,
                account, removeData, healthTimeout, acme);
    }

    public SetupOptions withTarget(SshTarget t) {
        return new SetupOptions(t, mode, archive, relayPort, domain, tcpPorts, installRoot, privilegeCommand, service,
                account, removeData, healthTimeout, acme);
    }

    public SetupOptions withRemoveData(boolean r) {
        return new SetupOptions(target, mode, archive, relayPort, domain, tcpPorts, installRoot, privilegeCommand, service,
                account, r, healthTimeout, acme);
    }

    /** {@code a} null: the self-signed certificate only. */
    public SetupOptions withAcme(Acme a) {
        return new SetupOptions(target, mode, archive, relayPort, domain, tcpPorts, installRoot, privilegeCommand, service,
                account, removeData, healthTimeout, a);
    }
}
