package dev.portway.desktop.ui.transfer;

import atlantafx.base.theme.Styles;
import dev.portway.desktop.profiles.ImportReview;
import dev.portway.desktop.profiles.ProfileTransfer;
import dev.portway.shared.text.SafeText;
import dev.portway.desktop.ui.common.Icons;
import dev.portway.desktop.ui.common.Toast;
import javafx.scene.Node;
import javafx.scene.control.Alert;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.MenuButton;
import javafx.scene.control.MenuItem;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.TextArea;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.VBox;
import javafx.stage.Window;
import org.kordamp.ikonli.feather.Feather;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The window's export/import controls: a ⋯ menu for the title bar, a toast for what was done, and the dialogs
 * (include secrets?, name clashes, problems). No logic beyond asking; {@link TransferViewModel} does the work.
 */
public final class TransferView implements TransferViewModel.Prompts {
    private final TransferViewModel vm;
    private final FilePicker files;
    private final MenuButton menu = new MenuButton(null, Icons.of(Feather.MORE_HORIZONTAL));
    /** The node whose window owns the dialogs: the ⋯ menu, or the menu that took its items. */
    private Node anchor = menu;

    public TransferView(TransferViewModel vm, FilePicker files) {
        this.vm = vm;
        this.files = files;
        MenuItem export = new MenuItem("Export profiles…", Icons.of(Feather.UPLOAD));
        export.setId("exportProfiles");
        export.setOnAction(e -> export());
        MenuItem importItem = new MenuItem("Import profiles…", Icons.of(Feather.DOWNLOAD));
        importItem.setId("importProfiles");
        importItem.setOnAction(e -> importProfiles());
        menu.getItems().addAll(export, importItem);
        menu.setId("transferMenu");
        menu.getStyleClass().addAll(Styles.BUTTON_ICON, Styles.FLAT);
        menu.setTooltip(new Tooltip("Export or import profiles"));
        menu.disableProperty().bind(vm.busyProperty());

        // What an export or import did is a confirmation, like "Copied": a toast that fades, taking no room (a banner
        // stayed until closed and pushed the tabs down). Cleared at once, so the same message next time shows again.
        vm.statusProperty().addListener((o, was, now) -> {
            if (!now.isEmpty()) {
                Toast.show(anchor, now);
                vm.dismissStatus();
            }
        });
    }

    public MenuButton menu() {
        return menu;
    }

    /**
     * Moves Export and Import out of the ⋯ menu into another menu (the app menu), which then stands in for it as
     * the dialogs' owner; the items stay disabled while a transfer runs.
     */
    public List<MenuItem> takeItems(Node newAnchor) {
        List<MenuItem> items = List.copyOf(menu.getItems());
        menu.getItems().clear();
        for (MenuItem i : items) {
            i.disableProperty().bind(vm.busyProperty());
        }
        anchor = newAnchor;
        return items;
    }

    private Window window() {
        return anchor.getScene().getWindow();
    }

    private void export() {
        CheckBox secrets = new CheckBox("Include secrets (tokens)");
        secrets.setId("includeSecrets");
        Label note = new Label("Without them, remote profiles need their token entered again after import."
                + " Include them only for a file you keep safe.");
        note.setWrapText(true);
        note.setMaxWidth(380);
        ButtonType go = new ButtonType("Export…", ButtonBar.ButtonData.OK_DONE);
        Dialog<Boolean> ask = new Dialog<>();
        ask.setTitle("Export profiles");
        ask.setHeaderText("Export every profile to a file");
        ask.getDialogPane().setContent(new VBox(10, secrets, note));
        ask.getDialogPane().getButtonTypes().addAll(go, ButtonType.CANCEL);
        ask.setResultConverter(b -> b == go ? secrets.isSelected() : null);
        ask.initOwner(window());
        ask.showAndWait().ifPresent(include -> files.exportTo(window()).ifPresent(f -> vm.export(f, include, this)));
    }

    private void importProfiles() {
        files.importFrom(window()).ifPresent(f -> vm.importFrom(f, this));
    }

    @Override
    public boolean confirmImport(String fileName, List<ImportReview> reviews, int warnings) {
        VBox list = new VBox(8);
        list.setId("importPreview");
        for (ImportReview r : reviews) {
            VBox one = new VBox(2);
            Label summary = wrapped(r.summary()); // a long name or relay address wraps, not "…" (a 760 px window)
            summary.getStyleClass().add(Styles.TEXT_BOLD);
            one.getChildren().add(summary);
            for (String w : r.warnings()) {
                Label l = wrapped("⚠ " + w);
                l.getStyleClass().addAll("import-warning", Styles.DANGER);
                one.getChildren().add(l);
            }
            for (String n : r.notes()) {
                Label l = wrapped(n);
                l.getStyleClass().addAll("import-note", Styles.TEXT_MUTED);
                one.getChildren().add(l);
            }
            list.getChildren().add(one);
        }
        ScrollPane scroll = new ScrollPane(list);
        scroll.setFitToWidth(true);
        scroll.setId("importPreviewScroll");
        scroll.setPrefViewportHeight(Math.min(360, previewHeight(reviews)));
        scroll.setPrefViewportWidth(480);
        ButtonType go = new ButtonType(warnings > 0 ? "Import anyway" : "Import", ButtonBar.ButtonData.OK_DONE);
        Alert ask = new Alert(warnings > 0 ? Alert.AlertType.WARNING : Alert.AlertType.CONFIRMATION, null, go, ButtonType.CANCEL);
        ask.setTitle("Import profiles");
        ask.setHeaderText("Import " + (reviews.size() == 1 ? "1 profile" : reviews.size() + " profiles") + " from " + fileName + "?"
                + (warnings > 0 ? "\n" + (warnings == 1 ? "1 warning" : warnings + " warnings")
                + " — import only from a file you trust." : ""));
        ask.getDialogPane().setContent(scroll);
        ask.initOwner(window());
        return ask.showAndWait().filter(b -> b == go).isPresent();
    }

    /** About the height the preview's wrapped lines take (460 px wide: some 60 characters a line), so a short file needs no scrolling. */
    private static double previewHeight(List<ImportReview> reviews) {
        java.util.function.ToDoubleFunction<String> lines = t -> 1 + t.length() / 60;
        double h = 20;
        for (ImportReview r : reviews) {
            h += 10 + 21 * lines.applyAsDouble(r.summary());
            for (String t : r.warnings()) {
                h += 19 * lines.applyAsDouble(t);
            }
            for (String t : r.notes()) {
                h += 19 * lines.applyAsDouble(t);
            }
        }
        return h;
    }

    private static Label wrapped(String text) {
        Label l = new Label(text);
        l.setWrapText(true);
        l.setMaxWidth(460);
        return l;
    }

    @Override
    public Optional<Map<Integer, ProfileTransfer.Choice>> resolveClashes(List<ProfileTransfer.Clash> clashes) {
        Map<Integer, ProfileTransfer.Choice> choices = new HashMap<>();
        ButtonType rename = new ButtonType("Keep both", ButtonBar.ButtonData.OK_DONE);
        ButtonType replace = new ButtonType("Replace", ButtonBar.ButtonData.OTHER);
        ButtonType skip = new ButtonType("Skip", ButtonBar.ButtonData.OTHER);
        for (int i = 0; i < clashes.size(); i++) {
            ProfileTransfer.Clash c = clashes.get(i);
            int left = clashes.size() - i - 1;
            CheckBox all = new CheckBox("Do the same for the other " + (left == 1 ? "clash" : left + " clashes"));
            all.setId("applyToAll");
            Label text = new Label("Profile " + c.number() + " in the file is named like one you have. Keep both"
                    + " (the imported one gets a number, like “" + SafeText.escape(c.incoming().name()) + " (2)”), replace yours with it,"
                    + " or skip it?");
            text.setWrapText(true);
            text.setMaxWidth(420);
            VBox content = new VBox(10, text);
            if (left > 0) {
                content.getChildren().add(all);
            }
            Alert ask = new Alert(Alert.AlertType.CONFIRMATION, null, rename, replace, skip, ButtonType.CANCEL);
            ask.setTitle("Import profiles");
            ask.setHeaderText("“" + SafeText.escape(c.existing().name()) + "” already exists");
            ask.getDialogPane().setContent(content);
            ask.initOwner(window());
            Optional<ButtonType> answer = ask.showAndWait();
            if (answer.isEmpty() || answer.get() == ButtonType.CANCEL) {
                return Optional.empty();
            }
            ProfileTransfer.Choice choice = answer.get() == replace ? ProfileTransfer.Choice.REPLACE
                    : answer.get() == skip ? ProfileTransfer.Choice.SKIP : ProfileTransfer.Choice.RENAME;
            if (all.isSelected()) {
                clashes.subList(i, clashes.size()).forEach(rest -> choices.put(rest.number(), choice));
                break;
            }
            choices.put(c.number(), choice);
        }
        return Optional.of(choices);
    }

    @Override
    public void showProblems(String title, List<String> problems) {
        TextArea list = new TextArea(String.join("\n", problems));
        list.setId("problemList");
        list.setEditable(false);
        list.setWrapText(true);
        list.setPrefRowCount(Math.min(12, Math.max(3, problems.size() * 2)));
        list.setPrefColumnCount(50);
        Alert a = new Alert(Alert.AlertType.ERROR);
        a.setTitle("Portway");
        a.setHeaderText(title);
        Label nothing = new Label("Nothing was changed.");
        a.getDialogPane().setContent(new VBox(8, list, nothing));
        a.initOwner(window());
        a.showAndWait();
    }
}
