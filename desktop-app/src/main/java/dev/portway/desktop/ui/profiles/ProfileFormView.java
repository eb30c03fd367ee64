package dev.portway.desktop.ui.profiles;

import atlantafx.base.theme.Styles;
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
import javafx.scene.layout.ColumnConstraints;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.util.StringConverter;

/** The profile form: each field with its message underneath, Save enabled only while the form is valid. */
public final class ProfileFormView extends ScrollPane {
    private final GridPane grid = new GridPane();
    private int row;

    public ProfileFormView(ProfileEditViewModel vm, Runnable save, Runnable cancel) {
        getStyleClass().add("profile-form");
        setFitToWidth(true);
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
        kind.getItems().setAll(Profile.Kind.values());
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
        GridPane.setMargin(buttons, new Insets(12, 0, 0, 0));
        grid.add(buttons, 1, row);

        VBox content = new VBox(20, title, grid);
        content.setPadding(new Insets(24, 28, 24, 28));
        setContent(content);
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
            under.textProperty().bind(javafx.beans.binding.Bindings.when(problem.isEmpty()).then(hint == null ? "" : hint).otherwise(problem));
            problem.addListener((o, was, now) -> mark(field, under, !now.isEmpty()));
            mark(field, under, !problem.get().isEmpty());
        }
        under.managedProperty().bind(under.textProperty().isNotEmpty());
        under.visibleProperty().bind(under.textProperty().isNotEmpty());
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
