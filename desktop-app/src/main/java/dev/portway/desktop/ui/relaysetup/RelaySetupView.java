package dev.portway.desktop.ui.relaysetup;

import atlantafx.base.theme.Styles;
import dev.portway.desktop.relaysetup.SetupOptions;
import dev.portway.desktop.relaysetup.StepReport;
import dev.portway.desktop.ui.common.Icons;
import javafx.collections.ListChangeListener;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Label;
import javafx.scene.control.PasswordField;
import javafx.scene.control.RadioButton;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.TextArea;
import javafx.scene.control.TextField;
import javafx.scene.control.TitledPane;
import javafx.scene.control.ToggleGroup;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.stage.Modality;
import javafx.stage.Stage;
import javafx.stage.Window;
import org.kordamp.ikonli.feather.Feather;
import org.kordamp.ikonli.javafx.FontIcon;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;

/**
 * "Set up my own relay…": the server and key, Install / Upgrade / Remove, then one line per step (like Diagnostics)
 * whose server output opens on a click. A new host key and a key passphrase are asked inline, above the steps.
 */
public final class RelaySetupView extends VBox implements RelaySetupViewModel.Questions {
    private final RelaySetupViewModel vm;
    private final VBox steps = new VBox(2);
    private final VBox question = new VBox(6);

    public RelaySetupView(RelaySetupViewModel vm) {
        this.vm = vm;
        vm.setQuestions(this);
        getStyleClass().add("relay-setup-view");
        setSpacing(10);
        setPadding(new Insets(14));

        Label intro = new Label("Put relay-lite on your own Linux server (Debian or Ubuntu with Java 25) over SSH. "
                + "Every step is checked first; a failed step undoes what the setup changed.");
        intro.setWrapText(true);
        intro.getStyleClass().add(Styles.TEXT_MUTED);

        GridPane form = new GridPane(10, 6);
        row(form, 0, "Server (user@host)", field("setupServer", vm.serverProperty(), "root@203.0.113.7"),
                "SSH port", field("setupSshPort", vm.sshPortProperty(), "22"));
        row(form, 1, "Key file", field("setupKey", vm.keyFileProperty(), "empty: the SSH agent's keys"),
                "Relay port", field("setupRelayPort", vm.relayPortProperty(), "8443"));
        row(form, 2, "Domain", field("setupDomain", vm.domainProperty(), "empty: the server's name"),
                "Account", field("setupAccount", vm.accountProperty(), "me"));
        // The clients' endpoint always keeps the pinned self-signed certificate; ACME is for visitors of tunnel hosts.
        ToggleGroup certificates = new ToggleGroup();
        RadioButton selfSigned = radio("setupSelfSigned", "Self-signed, pinned", certificates);
        RadioButton letsEncrypt = radio("setupAcme", "Let's Encrypt (ACME)", certificates);
        selfSigned.setSelected(!vm.acmeProperty().get());
        letsEncrypt.setSelected(vm.acmeProperty().get());
        vm.acmeProperty().bind(letsEncrypt.selectedProperty());
        TextField email = field("setupAcmeEmail", vm.acmeEmailProperty(), "you@example.com");
        email.disableProperty().bind(letsEncrypt.selectedProperty().not());
        row(form, 3, "Certificates", new HBox(12, selfSigned, letsEncrypt), "E-mail", email);
        Label acmeNote = new Label("Let's Encrypt gives each tunnel <name>.<domain> its own certificate: the domain and "
                + "*.<domain> must point at the server in DNS, and port 80 must be open there for the CA's check.");
        acmeNote.setId("setupAcmeNote");
        acmeNote.setWrapText(true);
        acmeNote.getStyleClass().addAll(Styles.TEXT_SMALL, Styles.TEXT_MUTED);
        acmeNote.visibleProperty().bind(letsEncrypt.selectedProperty());
        acmeNote.managedProperty().bind(acmeNote.visibleProperty());
        form.add(acmeNote, 1, 4, 3, 1);

        GridPane advanced = new GridPane(10, 6);
        row(advanced, 0, "Relay archive", field("setupArchive", vm.archiveProperty(), "relay-lite-<version>.tar.gz"),
                "Install root", field("setupRoot", vm.installRootProperty(), "/"));
        CheckBox launcher = new CheckBox("Run with the relay's own launcher (no systemd)");
        launcher.setId("setupLauncher");
        launcher.selectedProperty().bindBidirectional(vm.launcherProperty());
        row(advanced, 1, "Run as root with", field("setupSudo", vm.privilegeProperty(), "sudo -n (\"-\": none)"),
                "", launcher);
        TextField acmeDirectory = field("setupAcmeDirectory", vm.acmeDirectoryProperty(), "empty: Let's Encrypt");
        TextField acmePort = field("setupAcmeHttpPort", vm.acmeHttpPortProperty(), "80");
        TextField acmeCa = field("setupAcmeCaFile", vm.acmeCaFileProperty(), "empty: the usual CAs");
        for (TextField f : List.of(acmeDirectory, acmePort, acmeCa)) {
            f.disableProperty().bind(letsEncrypt.selectedProperty().not());
        }
        row(advanced, 2, "ACME directory", acmeDirectory, "ACME HTTP port", acmePort);
        row(advanced, 3, "CA file on server", acmeCa, "", new Label());
        TitledPane more = new TitledPane("Advanced", advanced);
        more.setId("setupAdvanced");
        more.setExpanded(false);

        Button install = button("setupInstall", "Install", Feather.DOWNLOAD_CLOUD, SetupOptions.Mode.INSTALL);
        install.getStyleClass().add(Styles.ACCENT);
        install.setDefaultButton(true);
        Button upgrade = button("setupUpgrade", "Upgrade", Feather.REFRESH_CW, SetupOptions.Mode.UPGRADE);
        Button remove = button("setupRemove", "Remove", Feather.TRASH_2, SetupOptions.Mode.REMOVE);
        remove.getStyleClass().add(Styles.DANGER);
        CheckBox deleteData = new CheckBox("and delete its data");
        deleteData.setId("setupDeleteData");
        deleteData.selectedProperty().bindBidirectional(vm.deleteDataProperty());
        HBox bar = new HBox(10, install, upgrade, remove, deleteData);
        bar.setAlignment(Pos.CENTER_LEFT);

        Label summary = new Label();
        summary.setId("setupSummary");
        summary.setWrapText(true);
        summary.textProperty().bind(vm.summaryProperty());

        question.setId("setupQuestion");
        question.managedProperty().bind(question.visibleProperty());
        question.setVisible(false);

        vm.rows().addListener((ListChangeListener<RelaySetupViewModel.Row>) c -> render());
        ScrollPane scroll = new ScrollPane(steps);
        scroll.setFitToWidth(true);
        scroll.getStyleClass().add("edge-to-edge");
        VBox.setVgrow(scroll, Priority.ALWAYS);
        getChildren().addAll(intro, form, more, bar, question, summary, scroll);
    }

    /** Opens the dialog over {@code owner}. */
    public static Stage show(Window owner, RelaySetupView view, List<String> stylesheets) {
        Stage stage = new Stage();
        stage.initOwner(owner);
        stage.initModality(Modality.NONE);
        stage.setTitle("Set up my own relay");
        Scene scene = new Scene(view, 820, 720);
        scene.getStylesheets().addAll(stylesheets);
        stage.setScene(scene);
        stage.show();
        return stage;
    }

    private Button button(String id, String text, Feather icon, SetupOptions.Mode mode) {
        Button b = new Button(text, Icons.of(icon));
        b.setId(id);
        b.disableProperty().bind(vm.runningProperty());
        b.setOnAction(e -> vm.run(mode));
        return b;
    }

    private static RadioButton radio(String id, String text, ToggleGroup group) {
        RadioButton b = new RadioButton(text);
        b.setId(id);
        b.setToggleGroup(group);
        return b;
    }

    private static TextField field(String id, javafx.beans.property.StringProperty p, String prompt) {
        TextField f = new TextField();
        f.setId(id);
        f.setPromptText(prompt);
        f.textProperty().bindBidirectional(p);
        GridPane.setHgrow(f, Priority.ALWAYS);
        return f;
    }

    private static void row(GridPane g, int r, String l1, Node n1, String l2, Node n2) {
        g.add(label(l1), 0, r);
        g.add(n1, 1, r);
        g.add(label(l2), 2, r);
        g.add(n2, 3, r);
    }

    /** Never cut short: the fields give way instead. */
    private static Label label(String text) {
        Label l = new Label(text);
        l.setMinWidth(Label.USE_PREF_SIZE);
        return l;
    }

    private void render() {
        List<RelaySetupViewModel.Row> rows = vm.rows();
        steps.getChildren().setAll(java.util.stream.IntStream.range(0, rows.size()).mapToObj(i -> row(i, rows.get(i))).toList());
    }

    private static Node row(int i, RelaySetupViewModel.Row r) {
        StepReport rep = r.report();
        String state = r.running() ? "running" : rep == null ? "" : rep.outcome().name().toLowerCase(Locale.ROOT).replace('_', ' ');
        FontIcon icon = Icons.of(r.running() ? Feather.LOADER : rep == null ? Feather.CIRCLE : switch (rep.outcome()) {
            case OK -> Feather.CHECK_CIRCLE;
            case CHANGED -> Feather.CHECK_SQUARE;
            case WARNING -> Feather.ALERT_TRIANGLE;
            case FAILED, ROLLBACK_FAILED -> Feather.X_CIRCLE;
            case ROLLED_BACK -> Feather.ROTATE_CCW;
            case SKIPPED -> Feather.MINUS_CIRCLE;
        });
        Label title = new Label(r.title());
        title.getStyleClass().add(Styles.TEXT_BOLD);
        title.setMinWidth(Label.USE_PREF_SIZE);
        Label st = new Label(state);
        st.setId("setupState-" + i);
        st.setMinWidth(Label.USE_PREF_SIZE);
        st.getStyleClass().addAll(Styles.TEXT_SMALL, rep == null ? Styles.TEXT_MUTED : switch (rep.outcome()) {
            case OK, CHANGED -> Styles.SUCCESS;
            case WARNING, ROLLED_BACK -> Styles.WARNING;
            case FAILED, ROLLBACK_FAILED -> Styles.DANGER;
            case SKIPPED -> Styles.TEXT_MUTED;
        });
        Label detail = new Label(rep == null ? "" : rep.detail());
        detail.setId("setupDetail-" + i);
        detail.getStyleClass().add(Styles.TEXT_MUTED);
        detail.setMinWidth(0);
        HBox head = new HBox(8, icon, title, st, detail);
        head.setAlignment(Pos.CENTER_LEFT);
        VBox box = new VBox(2, head);
        box.setId("setupStep-" + i);
        if (rep != null && !rep.hint().isEmpty()) {
            Label hint = new Label(rep.hint(), Icons.of(Feather.INFO));
            hint.setWrapText(true);
            hint.getStyleClass().add(Styles.WARNING);
            hint.setPadding(new Insets(0, 0, 0, 24));
            box.getChildren().add(hint);
        }
        if (rep != null && !rep.serverOutput().isBlank()) {
            TextArea out = new TextArea(rep.serverOutput());
            out.setEditable(false);
            out.setPrefRowCount(6);
            out.getStyleClass().add("server-output");
            TitledPane p = new TitledPane("Server output", out);
            p.setId("setupOutput-" + i);
            p.setExpanded(false);
            p.setPadding(new Insets(0, 0, 0, 24));
            box.getChildren().add(p);
        }
        return box;
    }

    @Override
    public CompletableFuture<Boolean> trustHostKey(String hostPort, String keyType, String fingerprint) {
        CompletableFuture<Boolean> answer = new CompletableFuture<>();
        Label text = new Label("First connection to " + hostPort + ". Its " + keyType + " host key is\n" + fingerprint
                + "\nCompare it with the server's (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub on it). It is pinned once you trust it.");
        text.setId("setupHostKeyText");
        text.setWrapText(true);
        Button trust = new Button("Trust this key", Icons.of(Feather.SHIELD));
        trust.setId("setupTrustKey");
        trust.getStyleClass().add(Styles.ACCENT);
        Button cancel = new Button("Cancel");
        cancel.setId("setupRefuseKey");
        trust.setOnAction(e -> answer(answer, true));
        cancel.setOnAction(e -> answer(answer, false));
        ask(text, new HBox(10, trust, cancel));
        return answer;
    }

    @Override
    public CompletableFuture<char[]> passphrase(Path keyFile) {
        CompletableFuture<char[]> answer = new CompletableFuture<>();
        Label text = new Label("The key " + keyFile + " has a passphrase (used once, never stored):");
        PasswordField field = new PasswordField();
        field.setId("setupPassphrase");
        Button ok = new Button("Unlock");
        ok.setId("setupUnlock");
        ok.setOnAction(e -> answer(answer, field.getText().toCharArray()));
        Button cancel = new Button("Cancel");
        cancel.setOnAction(e -> answer(answer, null));
        ask(text, new HBox(10, field, ok, cancel));
        return answer;
    }

    private void ask(Node text, Node buttons) {
        question.getChildren().setAll(text, buttons);
        question.getStyleClass().setAll("setup-question");
        question.setVisible(true);
    }

    private <T> void answer(CompletableFuture<T> f, T value) {
        question.setVisible(false);
        question.getChildren().clear();
        f.complete(value);
    }
}
