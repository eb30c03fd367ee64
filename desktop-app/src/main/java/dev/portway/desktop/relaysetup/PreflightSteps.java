package dev.portway.desktop.relaysetup;

import dev.portway.desktop.relaysetup.SetupOptions.Mode;
import dev.portway.desktop.relaysetup.SetupOptions.Service;
import dev.portway.desktop.relaysetup.Step.Check;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

import static dev.portway.desktop.relaysetup.Shell.q;

/** The checks before any change: SSH, host key, log-in, OS, rights, an existing relay, free ports. */
final class PreflightSteps {
    private PreflightSteps() {
    }

    static List<Step> all(Mode mode) {
        List<Step> steps = new java.util.ArrayList<>(List.of(
                Step.checkOnly("SSH reachable", PreflightSteps::reachable),
                Step.checkOnly("Host key", PreflightSteps::hostKey),
                Step.checkOnly("Log in", PreflightSteps::login),
                Step.checkOnly("Operating system", PreflightSteps::system),
                Step.checkOnly("Administrator rights", PreflightSteps::rights),
                Step.checkOnly("Existing relay", PreflightSteps::existing, PreflightSteps::restartPrevious)));
        if (mode != Mode.REMOVE) {
            steps.add(Step.checkOnly("Free ports", PreflightSteps::ports));
        }
        return steps;
    }

    private static Check reachable(SetupRun run) throws SetupException {
        return Check.done(SshConnection.banner(run.options.target(), Duration.ofSeconds(10)));
    }

    private static Check hostKey(SetupRun run) throws SetupException {
        run.ssh.handshake();
        return Check.done(run.ssh.keyType() + " " + run.ssh.fingerprint()
                + (run.ssh.newlyPinned() ? " — confirmed by you and pinned" : " — matches the pinned key"));
    }

    private static Check login(SetupRun run) throws SetupException, IOException {
        run.ssh.login();
        ExecResult home = run.sh("pwd");
        if (!home.ok() || !home.out().strip().startsWith("/")) {
            throw new SetupException("Logged in, but the server runs no POSIX shell for " + run.options.target().user()
                    + " (" + home.output() + ").", "Use a login with a normal shell (sh, bash).");
        }
        run.home = home.out().strip();
        SshTarget t = run.options.target();
        return Check.done("as " + t.user() + " with " + (t.keyFile() != null ? "the key " + t.keyFile() : "the SSH agent's keys"));
    }

    private static Check system(SetupRun run) throws SetupException, IOException {
        ExecResult r = run.sh("uname -s; uname -m; (. /etc/os-release 2>/dev/null && echo \"$PRETTY_NAME\") || echo unknown; "
                + "if [ -d /run/systemd/system ]; then echo systemd; else echo none; fi");
        String[] lines = r.out().strip().split("\n");
        if (!r.ok() || lines.length < 4) {
            throw new SetupException("Cannot tell the server's operating system (" + r.output() + ").", "");
        }
        if (!lines[0].strip().equals("Linux")) {
            throw new SetupException("The server runs " + lines[0].strip() + "; the relay setup supports Linux only.",
                    "Use a Linux server (Debian or Ubuntu), or install relay-lite by hand (docs/self-hosting.md).");
        }
        boolean hasSystemd = lines[3].strip().equals("systemd");
        Service s = run.options.service();
        if (s == Service.SYSTEMD && !hasSystemd) {
            throw new SetupException("The server has no running systemd.", "Choose the relay's own launcher instead.");
        }
        if (s == Service.SYSTEMD && !run.layout.realRoot()) {
            throw new SetupException("systemd can only run a relay installed at /, not under " + run.layout.root() + ".",
                    "Install at / or choose the relay's own launcher.");
        }
        run.systemd = s == Service.SYSTEMD || (s == Service.AUTO && hasSystemd && run.layout.realRoot());
        return Check.done(lines[2].strip() + ", " + lines[1].strip() + "; " + (run.systemd ? "runs the relay with systemd"
                : "no systemd" + (hasSystemd ? " for this install root" : "") + ": runs the relay with its own launcher")
                + runtimeNote(run.archive, lines[1]));
    }

    /** What the archive's own Java runtime means for this server (nothing for a plain archive). */
    static String runtimeNote(Archive archive, String unameMachine) {
        if (archive == null || archive.runtimeArch() == null) {
            return "";
        }
        return archive.runtimeArch().equals(Archive.archOf(unameMachine)) ? "; the archive brings its own Java runtime"
                : "; the archive's Java runtime is for " + archive.runtimeArch() + ", so this " + unameMachine.strip()
                + " server needs a Java 25 of its own";
    }

    private static Check rights(SetupRun run) throws SetupException, IOException {
        String priv = run.options.privilegeCommand();
        if (priv.isEmpty()) {
            ExecResult id = run.sh("id -u; id -un");
            String[] l = id.out().strip().split("\n");
            boolean root = l[0].strip().equals("0");
            if (!root && run.layout.realRoot()) {
                throw new SetupException("The login " + l[l.length - 1].strip() + " is not root, and no privilege command "
                        + "(sudo) is set.", "Log in as root, or use sudo (it must work without a password: sudo -n true).");
            }
            // The nearest existing folder on the way to /opt must be writable (checked without creating anything).
            ExecResult w = run.sh("d=" + q(run.layout.path("/opt")) + "; while [ ! -e \"$d\" ]; do d=$(dirname \"$d\"); done; test -w \"$d\"");
            if (!w.ok()) {
                throw new SetupException(l[l.length - 1].strip() + " cannot write under " + run.layout.root() + ".",
                        "Log in as root, or set a privilege command such as sudo -n.");
            }
            return Check.done(root ? "logged in as root" : "as " + l[l.length - 1].strip() + ", who owns the install root "
                    + run.layout.root() + " (no privilege command)");
        }
        ExecResult r = run.sh(priv + " true");
        if (!r.ok()) {
            throw new SetupException("\"" + priv + " true\" failed on the server: " + SetupRun.tail(r.output()),
                    "Allow this user sudo without a password (a line in /etc/sudoers.d), or log in as root.");
        }
        return Check.done("\"" + priv + "\" works without a password");
    }

    private static Check existing(SetupRun run) throws SetupException, IOException {
        ExecResult r = run.sh("cat " + q(run.layout.installedMarker()) + " 2>/dev/null; true");
        String[] parts = r.out().strip().split("\\s+");
        if (parts.length == 2) {
            run.installedVersion = parts[0];
            run.installedSha = parts[1];
        }
        run.wasRunning = running(run);
        Mode mode = run.options.mode();
        String newVersion = run.archive == null ? null : run.archive.version();
        if (run.installedVersion == null) {
            if (mode == Mode.UPGRADE) {
                throw new SetupException("No Portway relay is installed on this server.", "Choose Install.");
            }
            return Check.done(mode == Mode.REMOVE ? "none installed — nothing to remove" : "none — a new install");
        }
        String state = run.wasRunning ? ", running" : ", not running";
        if (mode == Mode.REMOVE) {
            return Check.done("relay-lite " + run.installedVersion + state);
        }
        boolean same = run.installedSha.equals(run.archive.sha256());
        if (mode == Mode.INSTALL && !same) {
            throw new SetupException("relay-lite " + run.installedVersion + " is already installed here" + state + ".",
                    "Choose Upgrade to replace it with " + newVersion + " (its data, settings and accounts are kept).");
        }
        return Check.done(same ? "relay-lite " + run.installedVersion + " from this very archive" + state
                : "relay-lite " + run.installedVersion + state + " → upgrade to " + newVersion);
    }

    /** Rollback of the whole run, last of all: a relay that ran before the run runs again. */
    private static void restartPrevious(SetupRun run) throws SetupException, IOException {
        if (run.wasRunning && !running(run)) {
            ServiceControl.start(run);
        }
    }

    private static Check ports(SetupRun run) throws SetupException, IOException {
        String relay = port(run, run.options.relayPort(), "Choose another relay port, or stop that program.");
        SetupOptions.Acme acme = run.options.acme();
        if (acme == null) {
            return Check.done(relay);
        }
        return Check.done(relay + "; " + port(run, acme.httpPort(), "ACME's check needs port " + acme.httpPort()
                + " for the relay: stop that program (often a web server), or choose self-signed certificates.")
                + " (ACME's HTTP check)");
    }

    private static String port(SetupRun run, int port, String hint) throws SetupException, IOException {
        ExecResult r = run.sh("if command -v bash >/dev/null; then bash -c 'exec 3<>/dev/tcp/127.0.0.1/" + port
                + "' 2>/dev/null && echo busy || echo free; else echo unknown; fi");
        String state = r.out().strip();
        if (state.equals("busy")) {
            if (run.wasRunning) {
                return "port " + port + ": used by the installed relay";
            }
            throw new SetupException("Port " + port + " is already in use on the server by another program.", hint);
        }
        return "port " + port + (state.equals("free") ? " is free" : ": could not check (no bash on the server)");
    }

    static boolean running(SetupRun run) throws IOException {
        return ServiceControl.running(run);
    }
}
