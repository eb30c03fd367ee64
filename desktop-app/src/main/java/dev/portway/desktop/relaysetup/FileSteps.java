package dev.portway.desktop.relaysetup;

import dev.portway.desktop.relaysetup.SetupOptions.Mode;
import dev.portway.desktop.relaysetup.Step.Check;

import java.io.IOException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import static dev.portway.desktop.relaysetup.Shell.q;

/**
 * Install and upgrade, on disk: upload and verify the archive, swap in the relay's files (the previous ones kept
 * beside them), the system user, the configuration and the systemd unit. Data is never touched.
 */
final class FileSteps {
    private FileSteps() {
    }

    static List<Step> all() {
        return List.of(
                Step.change("Upload archive", FileSteps::uploadCheck, FileSteps::upload, FileSteps::removeUpload),
                Step.checkOnly("Verify SHA-256 on the server", FileSteps::verify),
                Step.change("Install relay files", FileSteps::filesCheck, FileSteps::installFiles, FileSteps::restoreFiles),
                Step.checkOnly("Java 25 runtime", FileSteps::java),
                Step.change("System user portway", FileSteps::userCheck, FileSteps::addUser, FileSteps::removeUser),
                Step.change("Configuration", FileSteps::configCheck, FileSteps::writeConfig, FileSteps::restoreConfig),
                Step.change("Service unit", FileSteps::unitCheck, FileSteps::installUnit, FileSteps::restoreUnit));
    }

    /** The last step of a good run: the uploaded archive is not needed any more. */
    static Step cleanUp() {
        return Step.change("Clean up", r -> r.sh("test -e " + q(uploadDir(r))).ok()
                ? Check.needed("uploaded archive still there") : Check.done("nothing left behind"),
                r -> r.sh("rm -rf " + q(uploadDir(r))), null);
    }

    private static String uploadDir(SetupRun run) {
        return run.layout.uploadDir(run.home);
    }

    private static String uploadFile(SetupRun run) {
        return uploadDir(run) + "/" + run.archive.fileName();
    }

    private static boolean installedIsArchive(SetupRun run) {
        return run.archive.sha256().equals(run.installedSha);
    }

    private static String remoteSha(SetupRun run) throws IOException {
        ExecResult r = run.sh("sha256sum " + q(uploadFile(run)) + " 2>/dev/null | cut -c1-64");
        return r.out().strip();
    }

    private static Check uploadCheck(SetupRun run) throws IOException {
        if (installedIsArchive(run)) {
            return Check.done("not needed: the installed relay came from this archive");
        }
        return remoteSha(run).equals(run.archive.sha256()) ? Check.done("already on the server")
                : Check.needed(run.archive.fileName());
    }

    private static void upload(SetupRun run) throws IOException {
        run.uploaded = true;
        run.sh("mkdir -p " + q(uploadDir(run)));
        run.ssh.upload(run.archive.file(), uploadDir(run), run.archive.fileName());
    }

    private static void removeUpload(SetupRun run) throws IOException {
        if (run.uploaded) {
            run.sh("rm -rf " + q(uploadDir(run)));
        }
    }

    private static Check verify(SetupRun run) throws IOException, SetupException {
        if (installedIsArchive(run)) {
            return Check.done("installed files are from " + run.archive.fileName() + " (sha256 " + run.archive.sha256().substring(0, 12) + "…)");
        }
        String sha = remoteSha(run);
        if (!sha.equals(run.archive.sha256())) {
            throw new SetupException("The uploaded archive's SHA-256 on the server is " + (sha.isEmpty() ? "missing" : sha)
                    + ", not " + run.archive.sha256() + " — it was damaged on the way.", "Run the setup again.");
        }
        return Check.done("sha256 " + sha.substring(0, 12) + "… matches");
    }

    private static Check filesCheck(SetupRun run) throws IOException {
        String marker = run.sh("cat " + q(run.layout.installedMarker()) + " 2>/dev/null; true").out().strip();
        return marker.equals(run.archive.version() + " " + run.archive.sha256())
                ? Check.done("relay-lite " + run.archive.version() + " in " + run.layout.install())
                : Check.needed("relay-lite " + run.archive.version());
    }

    private static void installFiles(SetupRun run) throws IOException, SetupException {
        ServerLayout l = run.layout;
        run.hadPreviousInstall = run.installedVersion != null;
        run.filesSwapped = true;
        run.mustRoot("set -e; rm -rf " + q(l.staging()) + "; mkdir -p " + q(l.staging()) + "; tar -xzf " + q(uploadFile(run))
                + " -C " + q(l.staging()) + " --strip-components=1 --no-same-owner; test -x " + q(l.staging() + "/bin/relay-lite")
                + "; printf '%s %s\\n' " + q(run.archive.version()) + " " + q(run.archive.sha256()) + " > " + q(l.staging() + "/.installed")
                + "; rm -rf " + q(l.previous()) + "; if [ -d " + q(l.install()) + " ]; then mv " + q(l.install()) + " " + q(l.previous())
                + "; fi; mv " + q(l.staging()) + " " + q(l.install()), "Could not unpack the relay",
                "Check the free disk space under " + l.path("/opt") + " on the server.");
    }

    private static void restoreFiles(SetupRun run) throws IOException, SetupException {
        if (!run.filesSwapped) {
            return;
        }
        ServerLayout l = run.layout;
        String restore = run.hadPreviousInstall
                ? "if [ -d " + q(l.previous()) + " ]; then rm -rf " + q(l.install()) + " && mv " + q(l.previous()) + " " + q(l.install()) + "; fi"
                : "rm -rf " + q(l.install());
        run.mustRoot("rm -rf " + q(l.staging()) + "; " + restore, "Could not put the previous relay files back",
                "On the server, move " + l.previous() + " back to " + l.install() + ".");
    }

    private static Check java(SetupRun run) throws IOException, SetupException {
        ExecResult r = run.sh(q(run.layout.launcher()) + " --version");
        if (!r.ok()) {
            throw new SetupException("The relay cannot start on the server: " + SetupRun.tail(r.output()),
                    "Install a Java 25 runtime on the server (openjdk-25-jre-headless, or Temurin 25 from adoptium.net), "
                            + "or use a relay-lite-<version>-linux-<arch>.tar.gz archive for the server's architecture, which "
                            + "brings its own (installers/relay/build-runtime-archive.sh builds one); then run the setup again.");
        }
        return Check.done(r.out().strip());
    }

    private static String prefix(SetupRun run) {
        return run.layout.realRoot() ? "" : " --prefix " + q(run.layout.root());
    }

    private static Check userCheck(SetupRun run) throws IOException {
        ExecResult r = run.layout.realRoot() ? run.sh("getent passwd portway")
                : run.sh("grep '^portway:' " + q(run.layout.path("/etc/passwd")));
        return r.ok() ? Check.done("exists") : Check.needed("portway");
    }

    private static void addUser(SetupRun run) throws IOException, SetupException {
        run.mustRoot("useradd --system --user-group --home-dir /var/lib/portway-relay --shell /usr/sbin/nologin"
                + prefix(run) + " portway", "Could not create the system user portway", "");
        run.userCreated = true;
    }

    private static void removeUser(SetupRun run) throws IOException, SetupException {
        if (run.userCreated) {
            // userdel removes the user's own group only where login.defs says so (not under a --prefix root).
            run.mustRoot("userdel" + prefix(run) + " portway && { groupdel" + prefix(run) + " portway 2>/dev/null; true; }",
                    "Could not remove the system user portway",
                    "Remove it on the server: userdel portway.");
        }
    }

    /** The settings this setup owns; an upgrade keeps the file as it is. */
    static String config(SetupRun run) {
        return config(run.options, run.layout, run.systemd);
    }

    static String config(SetupOptions o, ServerLayout layout, boolean systemd) {
        List<String> lines = new ArrayList<>(List.of(
                "# Written by Portway's relay setup (the desktop app). Upgrades keep this file; relay-lite --help lists every key.",
                "port = " + o.relayPort(),
                "host = 0.0.0.0",
                "domain = " + o.domain(),
                "tcp-ports = " + o.tcpPorts(),
                "# Self-signed certificate (kept in the data directory); the app pins its fingerprint.",
                "tls = true"));
        SetupOptions.Acme acme = o.acme();
        if (acme != null) {
            lines.add("# Tunnel hosts (<name>." + o.domain() + ") get certificates from an ACME CA; it checks them over plain "
                    + "HTTP on http-redirect-port.");
            lines.add("acme-email = " + acme.email());
            if (!acme.directory().equals(SetupOptions.Acme.LETS_ENCRYPT)) {
                lines.add("acme-directory = " + acme.directory());
            }
            if (acme.caFileOnServer() != null) {
                lines.add("acme-ca-file = " + acme.caFileOnServer());
            }
            lines.add("http-redirect-port = " + acme.httpPort());
        }
        lines.add("data-dir = " + layout.data());
        lines.add("log-format = " + (systemd ? "json" : "text"));
        lines.add("");
        return String.join("\n", lines);
    }

    /**
     * The systemd drop-in that lets the hardened unit (empty capability set) bind the ACME HTTP port below 1024, or
     * null when none is needed: just CAP_NET_BIND_SERVICE, nothing else.
     */
    static String capabilityDropIn(SetupOptions o) {
        if (o.acme() == null || !o.acme().privilegedPort()) {
            return null;
        }
        return String.join("\n",
                "# Written by Portway's relay setup: ACME checks certificates on port " + o.acme().httpPort() + ", below 1024.",
                "[Service]",
                "CapabilityBoundingSet=CAP_NET_BIND_SERVICE",
                "AmbientCapabilities=CAP_NET_BIND_SERVICE",
                "");
    }

    private static Check configCheck(SetupRun run) throws IOException {
        ServerLayout l = run.layout;
        ExecResult cur = run.root("cat " + q(l.config()) + " 2>/dev/null");
        boolean envOk = run.root("test -s " + q(l.env())).ok();
        boolean dataOk = run.root("test -d " + q(l.data())).ok();
        if (cur.ok() && envOk && dataOk && (run.options.mode() == Mode.UPGRADE || cur.out().equals(config(run)))) {
            return Check.done(run.options.mode() == Mode.UPGRADE ? "kept as it is: " + l.config() : l.config());
        }
        return Check.needed(l.config());
    }

    private static void writeConfig(SetupRun run) throws IOException, SetupException {
        ServerLayout l = run.layout;
        run.hadConfig = run.root("test -f " + q(l.config())).ok();
        run.dataCreated = !run.root("test -d " + q(l.data())).ok();
        run.envCreated = !run.root("test -s " + q(l.env())).ok();
        run.configWritten = true;
        run.mustRoot("set -e; umask 022; mkdir -p " + q(l.configDir()) + "; if [ -f " + q(l.config()) + " ]; then cp -p " + q(l.config())
                + " " + q(l.configBackup()) + "; fi; cat > " + q(l.config() + ".tmp") + "; mv " + q(l.config() + ".tmp") + " " + q(l.config()),
                config(run), "Could not write " + l.config(), "");
        if (run.envCreated) {
            String secret = HexFormat.of().formatHex(random());
            run.secret(secret);
            // Through stdin, never the command line: the relay's own secret, which no one needs to see.
            run.mustRoot("set -e; umask 077; cat > " + q(l.env()), "PORTWAY_TOKEN=" + secret + "\n",
                    "Could not write " + l.env(), "");
        }
        String owner = run.systemd ? "; chown portway:portway " + q(l.data()) : "";
        run.mustRoot("set -e; mkdir -p " + q(l.data()) + "; chmod 700 " + q(l.data()) + owner,
                "Could not create " + l.data(), "");
    }

    private static byte[] random() {
        byte[] b = new byte[24];
        new SecureRandom().nextBytes(b);
        return b;
    }

    private static void restoreConfig(SetupRun run) throws IOException, SetupException {
        if (!run.configWritten) {
            return;
        }
        ServerLayout l = run.layout;
        StringBuilder cmd = new StringBuilder(run.hadConfig
                ? "if [ -f " + q(l.configBackup()) + " ]; then mv " + q(l.configBackup()) + " " + q(l.config()) + "; fi"
                : "rm -f " + q(l.config()) + " " + q(l.config() + ".tmp"));
        if (run.envCreated) {
            cmd.append("; rm -f ").append(q(l.env()));
        }
        if (run.dataCreated) {
            // Created by this run a moment ago: it holds no one's data yet.
            cmd.append("; rm -rf ").append(q(l.data()));
        }
        if (!run.hadConfig) {
            cmd.append("; rmdir ").append(q(l.configDir())).append(" 2>/dev/null || true");
        }
        run.mustRoot(cmd.toString(), "Could not put the previous configuration back",
                "Check " + l.config() + " on the server.");
    }

    private static Check unitCheck(SetupRun run) throws IOException {
        if (!run.systemd) {
            return Check.done("not used: no systemd for this install, the relay runs with its own launcher");
        }
        ServerLayout l = run.layout;
        boolean same = run.root("cmp -s " + q(l.install() + "/systemd/portway-relay.service") + " " + q(l.unit())).ok();
        boolean enabled = run.root("systemctl is-enabled --quiet " + ServerLayout.UNIT_NAME).ok();
        String dropIn = capabilityDropIn(run.options);
        // An upgrade keeps the configuration, so it keeps the drop-in that goes with it too.
        boolean dropInOk = run.options.mode() == Mode.UPGRADE || (dropIn == null
                ? !run.root("test -e " + q(l.dropIn())).ok()
                : run.root("cat " + q(l.dropIn()) + " 2>/dev/null").out().equals(dropIn));
        if (same && enabled && dropInOk) {
            return Check.done(l.unit() + ", enabled" + (dropIn != null && run.options.mode() != Mode.UPGRADE
                    ? ", may bind port " + run.options.acme().httpPort() + " (" + l.dropIn() + ")" : ""));
        }
        return Check.needed(l.unit());
    }

    private static void installUnit(SetupRun run) throws IOException, SetupException {
        ServerLayout l = run.layout;
        run.hadUnit = run.root("test -f " + q(l.unit())).ok();
        run.unitInstalled = true;
        if (run.options.mode() != Mode.UPGRADE) {
            installDropIn(run);
        }
        run.mustRoot("set -e; if [ -f " + q(l.unit()) + " ]; then cp -p " + q(l.unit()) + " " + q(l.unitBackup()) + "; fi; cp "
                + q(l.install() + "/systemd/portway-relay.service") + " " + q(l.unit()) + "; systemctl daemon-reload; systemctl enable "
                + ServerLayout.UNIT_NAME, "Could not install the systemd unit", "");
    }

    /** Writes the drop-in when ACME needs it, else moves an earlier one aside; the previous one is kept for a rollback. */
    private static void installDropIn(SetupRun run) throws IOException, SetupException {
        ServerLayout l = run.layout;
        String dropIn = capabilityDropIn(run.options);
        run.hadDropIn = run.root("test -f " + q(l.dropIn())).ok();
        if (dropIn == null && !run.hadDropIn) {
            return;
        }
        run.dropInChanged = true;
        String keep = run.hadDropIn ? "cp -p " + q(l.dropIn()) + " " + q(l.dropInBackup()) + "; " : "";
        if (dropIn == null) {
            run.mustRoot("set -e; " + keep + "rm -f " + q(l.dropIn()), "Could not remove " + l.dropIn(), "");
        } else {
            run.mustRoot("set -e; umask 022; mkdir -p " + q(l.dropInDir()) + "; " + keep + "cat > " + q(l.dropIn()), dropIn,
                    "Could not write " + l.dropIn(), "");
        }
    }

    private static void restoreUnit(SetupRun run) throws IOException, SetupException {
        if (!run.unitInstalled) {
            return;
        }
        ServerLayout l = run.layout;
        String cmd = run.hadUnit
                ? "if [ -f " + q(l.unitBackup()) + " ]; then mv " + q(l.unitBackup()) + " " + q(l.unit()) + "; fi"
                : "systemctl disable " + ServerLayout.UNIT_NAME + " 2>/dev/null; rm -f " + q(l.unit());
        if (run.dropInChanged) {
            cmd += run.hadDropIn
                    ? "; if [ -f " + q(l.dropInBackup()) + " ]; then mv " + q(l.dropInBackup()) + " " + q(l.dropIn()) + "; fi"
                    : "; rm -f " + q(l.dropIn()) + "; rmdir " + q(l.dropInDir()) + " 2>/dev/null";
        }
        run.mustRoot(cmd + "; systemctl daemon-reload", "Could not put the previous systemd unit back",
                "Check " + l.unit() + (run.dropInChanged ? " and " + l.dropInDir() : "") + " on the server.");
    }
}
