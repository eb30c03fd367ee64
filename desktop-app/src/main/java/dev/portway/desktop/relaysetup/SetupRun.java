package dev.portway.desktop.relaysetup;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The state of one setup run, shared by its steps: the connection, the options, what was found on the server and
 * what this run changed (so a rollback undoes only that). Used by one thread, the run's own.
 */
public final class SetupRun {
    static final Duration COMMAND_LIMIT = Duration.ofSeconds(120);
    final SetupOptions options;
    final ServerLayout layout;
    final SshConnection ssh;
    final Archive archive;
    private final List<String> secrets = new ArrayList<>();
    private StringBuilder output = new StringBuilder();

    // Found on the server.
    String home;
    boolean systemd;
    String installedVersion;
    String installedSha;
    boolean wasRunning;
    String certificateFingerprint;

    // Changed by this run (what rollbacks undo).
    boolean uploaded;
    boolean filesSwapped;
    boolean hadPreviousInstall;
    boolean userCreated;
    boolean configWritten;
    boolean hadConfig;
    boolean envCreated;
    boolean dataCreated;
    boolean unitInstalled;
    boolean hadUnit;
    boolean dropInChanged;
    boolean hadDropIn;
    boolean started;
    boolean stopped;
    boolean accountAdded;
    boolean accountEnabled;
    String tokenId;
    String token;

    SetupRun(SetupOptions options, SshConnection ssh, Archive archive) {
        this.options = options;
        this.layout = new ServerLayout(options.installRoot());
        this.ssh = ssh;
        this.archive = archive;
    }

    /** Runs a shell line as the login user; the line and its output go to the step's server output. */
    ExecResult sh(String command) throws IOException {
        return sh(command, null);
    }

    /** The same with stdin (which is never recorded: it may hold a secret). */
    ExecResult sh(String command, byte[] stdin) throws IOException {
        ExecResult r = ssh.exec(command, stdin, COMMAND_LIMIT);
        output.append("$ ").append(redact(command)).append('\n');
        String o = r.output();
        if (!o.isEmpty()) {
            output.append(redact(o)).append('\n');
        }
        if (!r.ok()) {
            output.append("(exit ").append(r.exitCode()).append(")\n");
        }
        return r;
    }

    /** Runs a shell line as root (through the privilege command, when there is one). */
    ExecResult root(String command) throws IOException {
        return root(command, null);
    }

    ExecResult root(String command, byte[] stdin) throws IOException {
        String priv = options.privilegeCommand();
        return sh(priv.isEmpty() ? command : priv + " sh -c " + Shell.q(command), stdin);
    }

    /** Runs as root and throws with {@code what} and the server's output when it fails. */
    ExecResult mustRoot(String command, String what, String hint) throws IOException, SetupException {
        ExecResult r = root(command);
        if (!r.ok()) {
            throw new SetupException(what + ": " + tail(redact(r.output())), hint);
        }
        return r;
    }

    ExecResult mustRoot(String command, String stdin, String what, String hint) throws IOException, SetupException {
        ExecResult r = root(command, stdin.getBytes(StandardCharsets.UTF_8));
        if (!r.ok()) {
            throw new SetupException(what + ": " + tail(redact(r.output())), hint);
        }
        return r;
    }

    /** A relay-lite admin command on the relay's store, as the user the relay runs as. */
    ExecResult admin(String args) throws IOException {
        return root(adminLine(args));
    }

    /** The same, with its output kept out of the step's server output (it holds a secret, e.g. a new token). */
    ExecResult adminSecret(String args) throws IOException {
        String line = adminLine(args);
        String priv = options.privilegeCommand();
        String cmd = priv.isEmpty() ? line : priv + " sh -c " + Shell.q(line);
        ExecResult r = ssh.exec(cmd, null, COMMAND_LIMIT);
        output.append("$ ").append(redact(cmd)).append("\n(output not shown: it holds a secret; exit ").append(r.exitCode()).append(")\n");
        return r;
    }

    private String adminLine(String args) {
        String cmd = Shell.q(layout.launcher()) + " " + args + " --data-dir " + Shell.q(layout.data());
        return systemd ? "runuser -u portway -- " + cmd : cmd;
    }

    /** From now on {@code secret} is shown as *** in server output and messages. */
    void secret(String secret) {
        secrets.add(secret);
    }

    String redact(String text) {
        String s = text;
        for (String secret : secrets) {
            s = s.replace(secret, "***");
        }
        return s;
    }

    /** The server output recorded since the last call. */
    String takeOutput() {
        String s = redact(output.toString());
        output = new StringBuilder();
        return s;
    }

    static String tail(String text) {
        String[] lines = text.strip().split("\n");
        StringBuilder b = new StringBuilder();
        for (int i = Math.max(0, lines.length - 6); i < lines.length; i++) {
            b.append(i > Math.max(0, lines.length - 6) ? " / " : "").append(lines[i].strip());
        }
        return b.isEmpty() ? "(no output)" : b.toString();
    }

    /** The relay's address for the profile. */
    String relayUrl() {
        String host = options.target().host();
        return "wss://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + options.relayPort();
    }
}
