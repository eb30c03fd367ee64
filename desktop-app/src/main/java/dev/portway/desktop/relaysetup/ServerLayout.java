package dev.portway.desktop.relaysetup;

/**
 * Where the relay lives on the server, every path under the install root ({@code /} in production). The same layout
 * as the relay archive's README and systemd unit: {@code /opt/portway-relay}, {@code /etc/portway},
 * {@code /var/lib/portway-relay}.
 */
final class ServerLayout {
    static final String UNIT_NAME = "portway-relay";
    static final String UPLOAD_DIR = ".portway-relay-setup";
    static final String UPLOAD_DIR_IN_ROOT = "/tmp/portway-relay-setup";
    private final String root;

    ServerLayout(String root) {
        this.root = root.equals("/") ? "" : root;
    }

    boolean realRoot() {
        return root.isEmpty();
    }

    String root() {
        return root.isEmpty() ? "/" : root;
    }

    /**
     * Where the archive is uploaded: the login's home for a real install (the login may not be root), else under the
     * install root, so that runs on different roots of one server stay apart.
     */
    String uploadDir(String home) {
        return realRoot() ? home + "/" + UPLOAD_DIR : path(UPLOAD_DIR_IN_ROOT);
    }

    String path(String absolute) {
        return root + absolute;
    }

    String install() {
        return path("/opt/portway-relay");
    }

    String previous() {
        return path("/opt/portway-relay.previous");
    }

    String staging() {
        return path("/opt/portway-relay.new");
    }

    /** {@code <version> <sha256>} of the archive the installed files came from. */
    String installedMarker() {
        return install() + "/.installed";
    }

    String launcher() {
        return install() + "/bin/relay-lite";
    }

    String configDir() {
        return path("/etc/portway");
    }

    String config() {
        return path("/etc/portway/relay.properties");
    }

    String configBackup() {
        return path("/etc/portway/relay.properties.before-setup");
    }

    /** {@code PORTWAY_TOKEN=...}: the relay's own secret, mode 600, never shown. */
    String env() {
        return path("/etc/portway/relay.env");
    }

    String data() {
        return path("/var/lib/portway-relay");
    }

    String certificate() {
        return data() + "/tls/relay-cert.pem";
    }

    String unit() {
        return path("/etc/systemd/system/" + UNIT_NAME + ".service");
    }

    String unitBackup() {
        return path("/etc/systemd/system/" + UNIT_NAME + ".service.before-setup");
    }

    /** systemd drop-ins of the relay's unit (the setup writes only {@link #dropIn}). */
    String dropInDir() {
        return path("/etc/systemd/system/" + UNIT_NAME + ".service.d");
    }

    /** CAP_NET_BIND_SERVICE for ACME's HTTP port below 1024, when chosen. */
    String dropIn() {
        return dropInDir() + "/acme.conf";
    }

    /** Not a *.conf: systemd ignores it. */
    String dropInBackup() {
        return dropInDir() + "/acme.conf.before-setup";
    }

    /** What the running relay was started from (installed marker and config): a differing one means restart. */
    String startedMarker() {
        return path("/run/portway-relay.started");
    }

    /** Launcher mode only: the background relay's process id and its log. */
    String pidFile() {
        return path("/run/portway-relay.pid");
    }

    String log() {
        return path("/var/log/portway-relay.log");
    }
}
