package dev.portway.desktop.cli;

import dev.portway.desktop.profiles.DataDirs;
import dev.portway.desktop.profiles.Profile;
import dev.portway.desktop.profiles.ProfileStore;
import dev.portway.desktop.relaysetup.BundledArchive;
import dev.portway.desktop.relaysetup.HostKeyPins;
import dev.portway.desktop.relaysetup.ReadyRelay;
import dev.portway.desktop.relaysetup.RelaySetup;
import dev.portway.desktop.relaysetup.SetupOptions;
import dev.portway.desktop.relaysetup.SetupPrompts;
import dev.portway.desktop.relaysetup.SshTarget;
import dev.portway.desktop.relaysetup.StepReport;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code portway relay install|upgrade|remove user@host}: sets up relay-lite on a server over SSH (see
 * {@link RelaySetup}), prints each step, and after an install saves a ready profile in the app's data directory.
 */
@Command(name = "relay", mixinStandardHelpOptions = true,
        description = "Set up your own relay on a Linux server over SSH: install, upgrade or remove relay-lite.")
final class RelayCommand implements Callable<Integer> {
    private final Map<String, String> env;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "ACTION", description = "install, upgrade or remove")
    String action;

    @Parameters(index = "1", paramLabel = "USER@HOST", description = "the server's SSH login, e.g. root@203.0.113.7")
    String server;

    @Option(names = "--ssh-port", defaultValue = "22", description = "the server's SSH port (default ${DEFAULT-VALUE})")
    int sshPort;

    @Option(names = "--key", paramLabel = "FILE", description = "private key file (default: the SSH agent, $SSH_AUTH_SOCK)")
    Path key;

    @Option(names = "--host-key", paramLabel = "SHA256:...",
            description = "the server's host key fingerprint, to accept it the first time without asking")
    String hostKey;

    @Option(names = "--port", defaultValue = "8443", description = "the relay's public HTTPS port (default ${DEFAULT-VALUE})")
    int port;

    @Option(names = "--domain", description = "tunnels get NAME.DOMAIN (default: the server's host name)")
    String domain;

    @Option(names = "--tcp-ports", defaultValue = "20000-20099", description = "ports for TCP tunnels (default ${DEFAULT-VALUE})")
    String tcpPorts;

    @Option(names = "--account", defaultValue = "me", description = "the relay account for you (default ${DEFAULT-VALUE})")
    String account;

    @Option(names = "--archive", paramLabel = "FILE",
            description = "relay-lite-<version>.tar.gz (default: the one next to portway.jar)")
    Path archive;

    @Option(names = "--install-root", defaultValue = "/", description = "where on the server to install (default ${DEFAULT-VALUE})")
    String installRoot;

    @Option(names = "--sudo", paramLabel = "COMMAND",
            description = "how to run commands as root (default: sudo -n, or nothing when logged in as root)")
    String sudo;

    @Option(names = "--launcher", description = "run the relay with its own launcher instead of systemd")
    boolean launcher;

    @Option(names = "--delete-data", description = "remove only: also delete the relay's data and its system user")
    boolean deleteData;

    @Option(names = "--acme-email", paramLabel = "ADDRESS", description = "certificates for tunnel hosts from Let's Encrypt "
            + "(ACME), which writes to ADDRESS about expiring ones; needs DNS for *.DOMAIN and port 80 open (default: self-signed only)")
    String acmeEmail;

    @Option(names = "--acme-directory", paramLabel = "URL", description = "another ACME CA's directory (default: Let's Encrypt)")
    URI acmeDirectory;

    @Option(names = "--acme-ca-file", paramLabel = "PATH-ON-SERVER",
            description = "a PEM file on the server to trust for the ACME CA's own HTTPS (a private CA)")
    String acmeCaFile;

    @Option(names = "--acme-http-port", paramLabel = "N", defaultValue = "80",
            description = "where the relay answers the CA's HTTP check (default ${DEFAULT-VALUE})")
    int acmeHttpPort;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "the app's data directory (pinned host keys, profiles)")
    Path dataDir;

    RelayCommand(Map<String, String> env) {
        this.env = env;
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        SetupOptions options;
        try {
            options = options();
        } catch (IllegalArgumentException e) {
            err.println("portway: " + e.getMessage());
            err.flush();
            return PortwayCli.EXIT_USAGE;
        }
        Path dir = dataDir != null ? dataDir : DataDirs.resolve(List.of());
        try (ProfileStore store = ProfileStore.open(dir)) {
            RelaySetup.Result result = RelaySetup.run(options, HostKeyPins.in(store), prompts(out), new RelaySetup.Listener() {
                @Override
                public void finished(int index, StepReport report) {
                    out.println(report.line());
                    out.flush();
                }
            });
            if (!result.ok()) {
                err.println("portway: the relay setup did not finish; what it changed is undone (see above).");
                err.flush();
                return PortwayCli.EXIT_FAILED;
            }
            ReadyRelay ready = result.ready();
            if (ready == null) {
                out.println("Removed the relay from " + options.target().host() + ".");
            } else if (ready.token() != null) {
                Profile p = ready.profile("My relay on " + options.target().host(), Profile.Kind.HTTP, 3000);
                store.save(p);
                out.println("Your relay: " + ready.relayUrl() + " (certificate " + ready.certificateFingerprint() + ")");
                if (options.acme() != null) {
                    out.println("Tunnel hosts (NAME." + options.domain() + ") get their certificates from " + options.acme().directory()
                            + " at their first visit: *." + options.domain() + " must point at the server in DNS, and port "
                            + options.acme().httpPort() + " must be open there.");
                }
                out.println("Saved the profile \"" + p.name() + "\" in the app. Or connect from here:");
                out.println("  portway connect --relay " + ready.relayUrl() + " --fingerprint " + ready.certificateFingerprint()
                        + " --token " + ready.token() + " http 3000");
            } else {
                out.println("Your relay: " + ready.relayUrl() + " — already set up; the profile made then still works.");
            }
            out.flush();
            return 0;
        }
    }

    private SetupOptions options() {
        SetupOptions.Mode mode = switch (action.toLowerCase(Locale.ROOT)) {
            case "install" -> SetupOptions.Mode.INSTALL;
            case "upgrade" -> SetupOptions.Mode.UPGRADE;
            case "remove" -> SetupOptions.Mode.REMOVE;
            default -> throw new IllegalArgumentException("\"" + action + "\" is not an action — use install, upgrade or remove.");
        };
        String sock = env.get("SSH_AUTH_SOCK");
        SshTarget target = SshTarget.parse(server, sshPort, key, key == null && sock != null && !sock.isBlank() ? Path.of(sock) : null);
        String priv = sudo != null ? sudo : "root".equals(target.user()) ? "" : "sudo -n";
        Path arch = mode == SetupOptions.Mode.REMOVE ? null : archive != null ? archive : bundledArchive();
        return new SetupOptions(target, mode, arch, port, domain, tcpPorts, installRoot, priv,
                launcher ? SetupOptions.Service.LAUNCHER : SetupOptions.Service.AUTO, account, deleteData, null, acme(mode));
    }

    private SetupOptions.Acme acme(SetupOptions.Mode mode) {
        boolean other = acmeDirectory != null || acmeCaFile != null || spec.commandLine().getParseResult().hasMatchedOption("--acme-http-port");
        if (acmeEmail == null) {
            if (other) {
                throw new IllegalArgumentException("--acme-directory, --acme-ca-file and --acme-http-port need --acme-email "
                        + "(the address the CA writes to about expiring certificates).");
            }
            return null;
        }
        if (mode == SetupOptions.Mode.UPGRADE) {
            throw new IllegalArgumentException("An upgrade keeps the relay's configuration, certificates included — leave out "
                    + "the --acme options (to switch to ACME: remove, which keeps the data, then install with --acme-email).");
        }
        return new SetupOptions.Acme(acmeEmail, acmeDirectory, acmeCaFile, acmeHttpPort);
    }

    private static Path bundledArchive() {
        return BundledArchive.find().orElseThrow(() -> new IllegalArgumentException("No relay-lite-<version>.tar.gz next to "
                + "portway.jar — give it with --archive (mvn package builds it in relay-lite/target)."));
    }

    /** Asks on the terminal; without one, only --host-key can accept a new key, and no passphrase can be given. */
    private SetupPrompts prompts(PrintWriter out) {
        return new SetupPrompts() {
            @Override
            public boolean trustNewHostKey(String hostPort, String keyType, String fingerprint) {
                if (hostKey != null) {
                    boolean same = hostKey.strip().equals(fingerprint);
                    if (!same) {
                        out.println("The host key of " + hostPort + " is " + fingerprint + ", not the --host-key " + hostKey + ".");
                    }
                    return same;
                }
                out.println("First connection to " + hostPort + ": its " + keyType + " host key is " + fingerprint + ".");
                out.print("Is that the server's key (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub on it)? [yes/no] ");
                out.flush();
                String answer = readLine();
                return answer != null && answer.strip().equalsIgnoreCase("yes");
            }

            @Override
            public char[] passphrase(Path keyFile) {
                Console c = System.console();
                return c == null ? null : c.readPassword("Passphrase for %s: ", keyFile);
            }
        };
    }

    private static String readLine() {
        Console c = System.console();
        if (c != null) {
            return c.readLine();
        }
        try {
            return new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        } catch (IOException e) {
            return null;
        }
    }
}
