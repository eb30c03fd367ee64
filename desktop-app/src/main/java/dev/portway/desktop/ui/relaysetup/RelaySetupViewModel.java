package dev.portway.desktop.ui.relaysetup;

import dev.portway.desktop.profiles.Profile;
import dev.portway.desktop.relaysetup.HostKeyPins;
import dev.portway.desktop.relaysetup.ReadyRelay;
import dev.portway.desktop.relaysetup.RelaySetup;
import dev.portway.desktop.relaysetup.SetupOptions;
import dev.portway.desktop.relaysetup.SetupPrompts;
import dev.portway.desktop.relaysetup.SshTarget;
import dev.portway.desktop.relaysetup.StepReport;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The "Set up my own relay" dialog's state: what the person typed, the steps of the current run and what they
 * found. Properties are read and written on the FX thread ({@code fx}); the run itself goes to {@code worker} (a
 * named thread, never the FX thread) and blocks there on the host-key and passphrase questions until the dialog answers.
 */
public final class RelaySetupViewModel {
    /** One row of the steps list. */
    public record Row(String title, StepReport report, boolean running) {
    }

    /** Asks the person on the FX thread; completes the future with the answer. */
    public interface Questions {
        CompletableFuture<Boolean> trustHostKey(String hostPort, String keyType, String fingerprint);

        CompletableFuture<char[]> passphrase(Path keyFile);
    }

    private final StringProperty server = new SimpleStringProperty("");
    private final StringProperty sshPort = new SimpleStringProperty("22");
    private final StringProperty keyFile = new SimpleStringProperty("");
    private final StringProperty relayPort = new SimpleStringProperty("8443");
    private final StringProperty domain = new SimpleStringProperty("");
    private final StringProperty account = new SimpleStringProperty("me");
    private final StringProperty archive = new SimpleStringProperty("");
    private final StringProperty installRoot = new SimpleStringProperty("/");
    private final StringProperty privilege = new SimpleStringProperty("");
    private final BooleanProperty launcher = new SimpleBooleanProperty(false);
    private final BooleanProperty deleteData = new SimpleBooleanProperty(false);
    /** "Let's Encrypt (ACME)" chosen rather than "Self-signed, pinned". */
    private final BooleanProperty acme = new SimpleBooleanProperty(false);
    private final StringProperty acmeEmail = new SimpleStringProperty("");
    private final StringProperty acmeDirectory = new SimpleStringProperty("");
    private final StringProperty acmeHttpPort = new SimpleStringProperty("80");
    private final StringProperty acmeCaFile = new SimpleStringProperty("");
    private final ReadOnlyBooleanWrapper running = new ReadOnlyBooleanWrapper(false);
    private final ReadOnlyStringWrapper summary = new ReadOnlyStringWrapper("");
    private final ObservableList<Row> rows = FXCollections.observableArrayList();

    private final HostKeyPins pins;
    private final Executor worker;
    private final Consumer<Runnable> fx;
    private final String agentSocket;
    private final Function<ReadyRelay, CompletableFuture<Profile>> saveProfile;
    private Questions questions;

    /**
     * @param saveProfile saves the profile made from a good install (returns it once saved)
     * @param agentSocket {@code SSH_AUTH_SOCK}, or null
     */
    public RelaySetupViewModel(HostKeyPins pins, Executor worker, Consumer<Runnable> fx, String agentSocket, Path defaultArchive,
                               Function<ReadyRelay, CompletableFuture<Profile>> saveProfile) {
        this.pins = pins;
        this.worker = worker;
        this.fx = fx;
        this.agentSocket = agentSocket;
        this.saveProfile = saveProfile;
        archive.set(defaultArchive == null ? "" : defaultArchive.toString());
    }

    public void setQuestions(Questions q) {
        questions = q;
    }

    /** Starts a run of {@code mode}; a bad field shows what to fix in the summary and starts nothing. */
    public void run(SetupOptions.Mode mode) {
        if (running.get()) {
            return;
        }
        SetupOptions options;
        try {
            options = options(mode);
        } catch (IllegalArgumentException e) {
            summary.set(e.getMessage());
            return;
        }
        List<String> titles = RelaySetup.plan(options).stream().map(s -> s.title()).toList();
        rows.setAll(titles.stream().map(t -> new Row(t, null, false)).toList());
        running.set(true);
        summary.set(switch (mode) {
            case INSTALL -> "Installing the relay on " + options.target().host() + "…";
            case UPGRADE -> "Upgrading the relay on " + options.target().host() + "…";
            case REMOVE -> "Removing the relay from " + options.target().host() + "…";
        });
        worker.execute(() -> {
            RelaySetup.Result result = RelaySetup.run(options, pins, prompts(), new RelaySetup.Listener() {
                @Override
                public void started(int index, String title) {
                    fx.accept(() -> rows.set(index, new Row(title, null, true)));
                }

                @Override
                public void finished(int index, StepReport report) {
                    fx.accept(() -> rows.set(index, new Row(report.title(), report, false)));
                }
            });
            finish(options, result);
        });
    }

    private void finish(SetupOptions options, RelaySetup.Result result) {
        ReadyRelay ready = result.ready();
        if (!result.ok()) {
            fx.accept(() -> {
                summary.set("The setup did not finish. What it changed on the server is undone; each step says what it found.");
                running.set(false);
            });
        } else if (ready == null) {
            fx.accept(() -> {
                summary.set("Removed the relay from " + options.target().host() + (options.removeData() ? ", with its data." : "; its data is kept."));
                running.set(false);
            });
        } else if (ready.token() == null) {
            fx.accept(() -> {
                summary.set("Your relay " + ready.relayUrl() + " is set up and running; the profile made by the first setup keeps working.");
                running.set(false);
            });
        } else {
            saveProfile.apply(ready).whenComplete((p, e) -> fx.accept(() -> {
                summary.set(e == null ? "Your relay " + ready.relayUrl() + " is ready: the profile \"" + p.name()
                        + "\" uses it (certificate " + ready.certificateFingerprint() + " pinned). Click Connect on it."
                        + (options.acme() == null ? "" : " Tunnel hosts get their certificates from the ACME CA at their first "
                        + "visit: *." + options.domain() + " must point at the server, and port " + options.acme().httpPort() + " be open.")
                        : "The relay is ready, but the profile could not be saved: " + e.getMessage());
                running.set(false);
            }));
        }
    }

    SetupOptions options(SetupOptions.Mode mode) {
        Path key = keyFile.get().isBlank() ? null : Path.of(keyFile.get().strip());
        Path agent = key == null && agentSocket != null && !agentSocket.isBlank() ? Path.of(agentSocket) : null;
        SshTarget target = SshTarget.parse(server.get().strip(), port(sshPort.get(), "SSH port"), key, agent);
        String priv = privilege.get().isBlank() ? ("root".equals(target.user()) ? "" : "sudo -n") : privilege.get().strip();
        if (privilege.get().strip().equals("-")) {
            priv = ""; // "-": none, the login may write the install root itself
        }
        Path arch = mode == SetupOptions.Mode.REMOVE || archive.get().isBlank() ? null : Path.of(archive.get().strip());
        return new SetupOptions(target, mode, arch, port(relayPort.get(), "Relay port"), domain.get(), null,
                installRoot.get(), priv, launcher.get() ? SetupOptions.Service.LAUNCHER : SetupOptions.Service.AUTO,
                account.get(), deleteData.get(), null, acme(mode));
    }

    /** The ACME choice for an install; null for self-signed, and for Remove (nothing to certify). */
    private SetupOptions.Acme acme(SetupOptions.Mode mode) {
        if (!acme.get() || mode == SetupOptions.Mode.REMOVE) {
            return null;
        }
        if (mode == SetupOptions.Mode.UPGRADE) {
            throw new IllegalArgumentException("An upgrade keeps the relay's configuration, certificates included — choose "
                    + "\"Self-signed, pinned\" to upgrade (to switch to Let's Encrypt: Remove, which keeps the data, then Install).");
        }
        String dir = acmeDirectory.get().strip();
        URI directory;
        try {
            directory = dir.isEmpty() ? null : new URI(dir);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("ACME directory \"" + dir + "\" is not a URL — leave it empty for Let's Encrypt, "
                    + "or give the https:// URL of another CA's directory.");
        }
        String httpPort = acmeHttpPort.get().isBlank() ? "80" : acmeHttpPort.get();
        return new SetupOptions.Acme(acmeEmail.get(), directory, acmeCaFile.get(), port(httpPort, "ACME HTTP port"));
    }

    private static int port(String text, String what) {
        try {
            return Integer.parseInt(text.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + " \"" + text + "\" is not a number — e.g. 22 or 8443.");
        }
    }

    /** Blocks the run's thread until the dialog answers on the FX thread. */
    private SetupPrompts prompts() {
        return new SetupPrompts() {
            @Override
            public boolean trustNewHostKey(String hostPort, String keyType, String fingerprint) {
                return Boolean.TRUE.equals(ask(q -> q.trustHostKey(hostPort, keyType, fingerprint)));
            }

            @Override
            public char[] passphrase(Path file) {
                return ask(q -> q.passphrase(file));
            }
        };
    }

    private <T> T ask(Function<Questions, CompletableFuture<T>> question) {
        CompletableFuture<T> answer = new CompletableFuture<>();
        fx.accept(() -> question.apply(questions).whenComplete((v, e) -> {
            if (e != null) {
                answer.completeExceptionally(e);
            } else {
                answer.complete(v);
            }
        }));
        try {
            return answer.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (ExecutionException e) {
            return null;
        }
    }

    public StringProperty serverProperty() {
        return server;
    }

    public StringProperty sshPortProperty() {
        return sshPort;
    }

    public StringProperty keyFileProperty() {
        return keyFile;
    }

    public StringProperty relayPortProperty() {
        return relayPort;
    }

    public StringProperty domainProperty() {
        return domain;
    }

    public StringProperty accountProperty() {
        return account;
    }

    public StringProperty archiveProperty() {
        return archive;
    }

    public StringProperty installRootProperty() {
        return installRoot;
    }

    public StringProperty privilegeProperty() {
        return privilege;
    }

    public BooleanProperty launcherProperty() {
        return launcher;
    }

    public BooleanProperty deleteDataProperty() {
        return deleteData;
    }

    public BooleanProperty acmeProperty() {
        return acme;
    }

    public StringProperty acmeEmailProperty() {
        return acmeEmail;
    }

    public StringProperty acmeDirectoryProperty() {
        return acmeDirectory;
    }

    public StringProperty acmeHttpPortProperty() {
        return acmeHttpPort;
    }

    public StringProperty acmeCaFileProperty() {
        return acmeCaFile;
    }

    public ReadOnlyBooleanProperty runningProperty() {
        return running.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty summaryProperty() {
        return summary.getReadOnlyProperty();
    }

    public ObservableList<Row> rows() {
        return rows;
    }
}
