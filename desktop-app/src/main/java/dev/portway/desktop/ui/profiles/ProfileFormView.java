package dev.portway.desktop.ui.profiles;

import atlantafx.base.theme.Styles;
import dev.portway.desktop.profiles.OptionsDraft;
import dev.portway.desktop.profiles.Profile;
import dev.portway.desktop.profiles.ProfileDraft.Field;
import javafx.geometry.HPos;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.PasswordField;
import javafx.scene.control.RadioButton;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.TextField;
import javafx.scene.control.ToggleGroup;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.ColumnConstraints;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import javafx.util.StringConverter;

import java.util.List;

/**
 * The profile form: each field with its message underneath, an Options section, and Save / Cancel in a footer that
 * does not scroll away; Save is enabled only while the form is valid.
 */
public final class ProfileFormView extends BorderPane {
    /** The local protocol choices (profile option {@code local_protocol}). */
    static final String LOCAL_HTTP1 = "HTTP/1.1";
    static final String LOCAL_H2C = "HTTP/2 (h2c, for gRPC)";

    private final GridPane grid = new GridPane();
    private int row;

    /** The text of a validated field's message line while it has no message: keeps the line's height. */
    static final String RESERVED = "\u00a0";

    public ProfileFormView(ProfileEditViewModel vm, Runnable save, Runnable cancel) {
        getStyleClass().add("profile-form");
        Label title = new Label(vm.title());
        title.getStyleClass().add(Styles.TITLE_3);

        grid.setHgap(16);
        grid.setVgap(4);
        ColumnConstraints labels = new ColumnConstraints(130);
        labels.setHalignment(HPos.RIGHT);
        ColumnConstraints fields = new ColumnConstraints(200, 380, 480);
        fields.setHgrow(Priority.SOMETIMES);
        grid.getColumnConstraints().addAll(labels, fields);

        TextField name = text("nameField", vm.nameProperty(), "e.g. My app");
        add("Name", name, vm, Field.NAME, null);

        ComboBox<Profile.Kind> kind = new ComboBox<>();
        kind.getItems().setAll(Profile.Kind.HTTP, Profile.Kind.TCP); // a folder has its own dialog (ui.folder)
        kind.valueProperty().bindBidirectional(vm.kindProperty());
        kind.setConverter(new StringConverter<>() {
            @Override
            public String toString(Profile.Kind k) {
                return k == null ? "" : k == Profile.Kind.HTTP ? "HTTP — a web app or API" : "TCP — any other service";
            }

            @Override
            public Profile.Kind fromString(String s) {
                return null;
            }
        });
        kind.setMaxWidth(Double.MAX_VALUE);
        add("Type", kind, vm, null, null);

        add("Local host", text("localHostField", vm.localHostProperty(), "localhost"), vm, Field.LOCAL_HOST, null);
        TextField port = text("localPortField", vm.localPortProperty(), "3000");
        port.setMaxWidth(120);
        add("Local port", port, vm, Field.LOCAL_PORT, null);
        add("Public name", text("requestedNameField", vm.requestedNameProperty(), "leave empty for a generated one"), vm,
                Field.REQUESTED_NAME, "The first part of the public address, e.g. my-app.");

        ToggleGroup relay = new ToggleGroup();
        RadioButton embedded = new RadioButton("Built into Portway (reachable from this computer)");
        RadioButton remote = new RadioButton("A relay on the internet");
        embedded.setToggleGroup(relay);
        remote.setToggleGroup(relay);
        (vm.relayModeProperty().get() == Profile.RelayMode.REMOTE ? remote : embedded).setSelected(true);
        relay.selectedToggleProperty().addListener((o, was, now) ->
                vm.relayModeProperty().set(now == remote ? Profile.RelayMode.REMOTE : Profile.RelayMode.EMBEDDED));
        add("Relay", new VBox(6, embedded, remote), vm, null, null);

        Node[] url = add("Relay address", text("relayUrlField", vm.relayUrlProperty(), "wss://relay.example.com"), vm, Field.RELAY_URL, null);
        PasswordField token = new PasswordField();
        token.setId("tokenField");
        token.textProperty().bindBidirectional(vm.tokenProperty());
        Node[] tok = add("Token", token, vm, Field.TOKEN, null);
        for (Node n : concat(url, tok)) {
            n.visibleProperty().bind(vm.remoteBinding());
            n.managedProperty().bind(vm.remoteBinding());
        }
        Node[] pin = add("Relay fingerprint", text("relayFingerprintField", vm.relayFingerprintProperty(),
                        "leave empty unless the relay is self-signed"), vm, Field.RELAY_FINGERPRINT,
                "Trust exactly this certificate (sha256:…, printed by the relay at start).");
        for (Node n : pin) {
            n.visibleProperty().bind(vm.remoteBinding());
            n.managedProperty().bind(vm.remoteBinding());
        }

        CheckBox auto = new CheckBox("Connect when Portway starts");
        auto.selectedProperty().bindBidirectional(vm.autoConnectProperty());
        add("", auto, vm, null, null);

        addOptions(vm);

        Button saveButton = new Button(vm.isNew() ? "Create" : "Save");
        saveButton.setId("saveButton");
        saveButton.getStyleClass().add(Styles.ACCENT);
        saveButton.setDefaultButton(true);
        saveButton.disableProperty().bind(vm.validBinding().not());
        saveButton.setOnAction(e -> save.run());
        Button cancelButton = new Button("Cancel");
        cancelButton.setId("cancelButton");
        cancelButton.setCancelButton(true);
        cancelButton.setOnAction(e -> cancel.run());
        HBox buttons = new HBox(8, saveButton, cancelButton);
        buttons.setAlignment(Pos.CENTER_LEFT);
        // Below the scrolling fields, so Save stays in reach however long the form gets.
        buttons.getStyleClass().add("form-footer");
        buttons.setPadding(new Insets(12, 28, 12, 28 + 130 + 16));

        VBox content = new VBox(20, title, grid);
        content.setPadding(new Insets(24, 28, 24, 28));
        ScrollPane scroll = new ScrollPane(content);
        scroll.setFitToWidth(true);
        scroll.getStyleClass().add("profile-form-fields");
        setCenter(scroll);
        setBottom(buttons);
    }

    /** The Options section: queue, visitor login, allowed IPs, Host rewriting — each checked as it is typed. */
    private void addOptions(ProfileEditViewModel vm) {
        Label heading = new Label("Options");
        heading.getStyleClass().add(Styles.TITLE_4);
        GridPane.setMargin(heading, new Insets(14, 0, 6, 0));
        GridPane.setHalignment(heading, HPos.LEFT);
        grid.add(heading, 0, row++, 2, 1);

        CheckBox queue = new CheckBox("Hold requests while offline");
        queue.setId("queueField");
        queue.selectedProperty().bindBidirectional(vm.queueProperty());
        ComboBox<String> priority = new ComboBox<>();
        priority.setId("queuePriorityField");
        priority.getItems().setAll(OptionsDraft.PRIORITIES);
        priority.valueProperty().bindBidirectional(vm.queuePriorityProperty());
        priority.disableProperty().bind(vm.queueProperty().not());
        priority.setMinWidth(Region.USE_PREF_SIZE);
        priority.setPrefWidth(110);
        priority.setTooltip(new javafx.scene.control.Tooltip("Which queued requests go first when the relay holds several tunnels'"));
        Label priorityLabel = new Label("priority");
        priorityLabel.getStyleClass().add(Styles.TEXT_MUTED);
        HBox queueRow = new HBox(10, queue, priorityLabel, priority);
        queueRow.setAlignment(Pos.CENTER_LEFT);
        Node[] queueNodes = addOption("Webhook queue", queueRow, null,
                "For webhooks: the relay answers 202 and stores POST, PUT, PATCH and DELETE requests until you are back.");

        TextField user = text("authUserField", vm.authUserProperty(), "user");
        PasswordField password = new PasswordField();
        password.setId("authPasswordField");
        password.setPromptText("password");
        password.textProperty().bindBidirectional(vm.authPasswordProperty());
        HBox.setHgrow(user, Priority.ALWAYS);
        HBox.setHgrow(password, Priority.ALWAYS);
        HBox login = new HBox(8, user, password);
        login.setId("basicAuthField");
        Node[] loginNodes = addOption("Visitor login", login, vm.problemProperty(OptionsDraft.Field.BASIC_AUTH),
                "Visitors must log in with this user and password (HTTP basic auth). Empty: no login.");

        addOption("Allowed IPs", text("ipAllowField", vm.ipAllowProperty(), "e.g. 203.0.113.7, 10.0.0.0/8"),
                vm.problemProperty(OptionsDraft.Field.IP_ALLOW), "Only visitors from these addresses get in. Empty: everyone.");

        CheckBox rewrite = new CheckBox();
        rewrite.setId("rewriteHostField");
        rewrite.selectedProperty().bindBidirectional(vm.rewriteHostProperty());
        rewrite.textProperty().bind(javafx.beans.binding.Bindings.concat("Send Host: ", vm.localHostProperty(), ":",
                vm.localPortProperty(), " instead of the public name"));
        Node[] hostNodes = addOption("Host header", rewrite, null,
                "For apps that answer only to their own name (dev servers, virtual hosts).");

        javafx.scene.control.ChoiceBox<String> protocol = new javafx.scene.control.ChoiceBox<>(
                javafx.collections.FXCollections.observableArrayList(LOCAL_HTTP1, LOCAL_H2C));
        protocol.setId("localProtocolField");
        protocol.setValue(vm.localH2cProperty().get() ? LOCAL_H2C : LOCAL_HTTP1);
        protocol.valueProperty().addListener((obs, was, now) -> vm.localH2cProperty().set(LOCAL_H2C.equals(now)));
        vm.localH2cProperty().addListener((obs, was, now) -> protocol.setValue(now ? LOCAL_H2C : LOCAL_HTTP1));
        Node[] protocolNodes = addOption("Local protocol", protocol, null,
                "How Portway talks to your app. HTTP/2 (h2c) for apps that speak only HTTP/2, such as gRPC servers.");

        for (Node[] nodes : List.of(queueNodes, loginNodes, hostNodes, protocolNodes)) {
            for (Node n : nodes) {
                n.visibleProperty().bind(vm.httpBinding());
                n.managedProperty().bind(vm.httpBinding());
            }
        }
        addRewriteSection(vm);

        CheckBox privateTcp = new CheckBox("Private: no public port, only through the relay's SSH gateway (ssh -J)");
        privateTcp.setId("privateField");
        privateTcp.selectedProperty().bindBidirectional(vm.privateTcpProperty());
        Node[] privateNodes = addOption("Private", privateTcp, null,
                "For your own sshd or a database: teammates reach it with the ssh -J command the connection card shows.");
        TextField share = text("shareField", vm.shareWithProperty(), "relay user names, e.g. alice, bob");
        share.disableProperty().bind(vm.privateTcpProperty().not());
        Node[] shareNodes = addOption("Share with", share, vm.problemProperty(OptionsDraft.Field.SHARE),
                "Other users of the relay who may reach it. Empty: only you.");
        for (Node[] nodes : List.of(privateNodes, shareNodes)) {
            for (Node n : nodes) {
                n.visibleProperty().bind(vm.httpBinding().not());
                n.managedProperty().bind(vm.httpBinding().not());
            }
        }
    }

    /** Response rewriting by the relay (PROTOCOL.md §4.1), http only. */
    private void addRewriteSection(ProfileEditViewModel vm) {
        CheckBox redirects = new CheckBox("Redirects (Location)");
        redirects.setId("rewriteRedirectsField");
        redirects.selectedProperty().bindBidirectional(vm.rewrite().redirectsProperty());
        CheckBox cookies = new CheckBox("Cookies (Path, Domain)");
        cookies.setId("rewriteCookiesField");
        cookies.selectedProperty().bindBidirectional(vm.rewrite().cookiesProperty());
        CheckBox hide = new CheckBox("Hide Server, X-Powered-By");
        hide.setId("hideServerField");
        hide.selectedProperty().bindBidirectional(vm.rewrite().hideServerProperty());
        VBox boxes = new VBox(4, redirects, cookies, hide);
        Node[] nodes = addOption("Rewrite responses", boxes, null,
                "Redirects and cookies that point at your local app or at / are made to point at the public address "
                        + "(needed for the /t/name/ form). Page bodies are not changed.");
        for (Node n : nodes) {
            n.visibleProperty().bind(vm.httpBinding());
            n.managedProperty().bind(vm.httpBinding());
        }
    }

    /** Adds a labelled option with its problem (or hint) underneath; returns the nodes of the row. */
    private Node[] addOption(String label, Node field, javafx.beans.property.ReadOnlyStringProperty problem, String hint) {
        Label l = new Label(label);
        l.setMinWidth(Label.USE_PREF_SIZE);
        GridPane.setValignment(l, javafx.geometry.VPos.TOP);
        GridPane.setMargin(l, new Insets(6, 0, 0, 0));
        Label under = new Label(hint);
        under.getStyleClass().addAll(Styles.TEXT_SMALL, Styles.TEXT_MUTED);
        under.setWrapText(true);
        if (problem != null) {
            under.setId(idOf(field) + "Problem");
            under.textProperty().bind(javafx.beans.binding.Bindings.when(problem.isEmpty()).then(hint).otherwise(problem));
            problem.addListener((o, was, now) -> mark(field, under, !now.isEmpty()));
            mark(field, under, !problem.get().isEmpty());
        }
        VBox box = new VBox(4, field, under);
        grid.add(l, 0, row);
        grid.add(box, 1, row);
        GridPane.setMargin(box, new Insets(0, 0, 8, 0));
        row++;
        return new Node[]{l, box};
    }

    private static TextField text(String id, javafx.beans.property.StringProperty value, String prompt) {
        TextField f = new TextField();
        f.setId(id);
        f.setPromptText(prompt);
        f.setMaxWidth(Double.MAX_VALUE);
        f.textProperty().bindBidirectional(value);
        return f;
    }

    /** Adds a labelled field with its problem (or a hint) underneath; returns the nodes of the row. */
    private Node[] add(String label, Node field, ProfileEditViewModel vm, Field problemOf, String hint) {
        Label l = new Label(label);
        l.setMinWidth(Label.USE_PREF_SIZE);
        GridPane.setValignment(l, javafx.geometry.VPos.TOP);
        GridPane.setMargin(l, new Insets(6, 0, 0, 0));
        VBox box = new VBox(4, field);
        Label under = new Label(hint == null ? "" : hint);
        under.getStyleClass().addAll(Styles.TEXT_SMALL, Styles.TEXT_MUTED);
        under.setWrapText(true);
        if (problemOf != null) {
            var problem = vm.problemProperty(problemOf);
            under.setId(idOf(field) + "Problem");
            // A validated field keeps a line for its message even while there is none (a no-break space), so the
            // fields below never move while the person types (a click aimed at one would land on another).
            under.textProperty().bind(javafx.beans.binding.Bindings.when(problem.isEmpty()).then(hint == null ? RESERVED : hint).otherwise(problem));
            problem.addListener((o, was, now) -> mark(field, under, !now.isEmpty()));
            mark(field, under, !problem.get().isEmpty());
        } else {
            under.managedProperty().bind(under.textProperty().isNotEmpty());
        }
        under.visibleProperty().bind(under.textProperty().isNotEmpty().and(under.textProperty().isNotEqualTo(RESERVED)));
        box.getChildren().add(under);
        grid.add(l, 0, row);
        grid.add(box, 1, row);
        GridPane.setMargin(box, new Insets(0, 0, 8, 0));
        row++;
        return new Node[]{l, box};
    }

    private static void mark(Node field, Label under, boolean bad) {
        field.pseudoClassStateChanged(Styles.STATE_DANGER, bad);
        under.getStyleClass().removeAll(Styles.DANGER, Styles.TEXT_MUTED);
        under.getStyleClass().add(bad ? Styles.DANGER : Styles.TEXT_MUTED);
    }

    private static String idOf(Node n) {
        return n.getId() == null ? "field" : n.getId().replace("Field", "");
    }

    private static Node[] concat(Node[] a, Node[] b) {
        Node[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
