package dev.portway.desktop.ui.main;

import atlantafx.base.controls.Message;
import atlantafx.base.theme.Styles;
import dev.portway.desktop.ui.common.Icons;
import dev.portway.desktop.ui.profiles.ProfileEditViewModel;
import dev.portway.desktop.ui.profiles.ProfileFormView;
import dev.portway.desktop.ui.profiles.ProfileItemViewModel;
import dev.portway.desktop.ui.profiles.ProfileListView;
import dev.portway.desktop.ui.transfer.TransferView;
import javafx.beans.property.BooleanProperty;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.Alert;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.Label;
import javafx.scene.control.SplitPane;
import javafx.scene.control.ToggleButton;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;
import org.kordamp.ikonli.feather.Feather;

/** The main window's content: title bar, problem banner, profile list on the left, details or the form on the right. */
public final class MainView extends BorderPane {
    private final MainViewModel vm;
    private final StackPane right = new StackPane();
    /** What the right pane shows now (the form, the item, or the empty state's text), so it is not rebuilt needlessly. */
    private Object shown;

    public MainView(MainViewModel vm, BooleanProperty dark, TransferView transfer) {
        this.vm = vm;
        getStyleClass().add("main-view");

        Label brand = new Label("Portway", Icons.large(Feather.SHARE_2));
        brand.getStyleClass().addAll(Styles.TITLE_3, "brand");
        Region grow = new Region();
        HBox.setHgrow(grow, Priority.ALWAYS);
        ToggleButton theme = new ToggleButton(null, Icons.of(Feather.MOON));
        theme.setId("themeToggle");
        theme.getStyleClass().addAll(Styles.BUTTON_ICON, Styles.FLAT);
        theme.setTooltip(new Tooltip("Dark theme"));
        theme.selectedProperty().bindBidirectional(dark);
        theme.graphicProperty().bind(javafx.beans.binding.Bindings.createObjectBinding(
                () -> Icons.of(dark.get() ? Feather.SUN : Feather.MOON), dark));
        HBox bar = new HBox(10, brand, grow, transfer.menu(), theme);
        bar.setAlignment(Pos.CENTER_LEFT);
        bar.getStyleClass().add("title-bar");

        Message problem = new Message("Something went wrong", "", Icons.of(Feather.ALERT_TRIANGLE));
        problem.setId("problemBanner");
        problem.getStyleClass().add(Styles.DANGER);
        problem.descriptionProperty().bind(vm.problemProperty());
        problem.setOnClose(e -> vm.dismissProblem());
        problem.visibleProperty().bind(vm.problemProperty().isNotEmpty());
        problem.managedProperty().bind(vm.problemProperty().isNotEmpty());
        VBox top = new VBox(bar, problem, transfer.banner());
        VBox.setMargin(problem, new Insets(8, 16, 0, 16));
        VBox.setMargin(transfer.banner(), new Insets(8, 16, 0, 16));
        setTop(top);

        ProfileListView list = new ProfileListView(vm.items(), vm.selectedProperty(), vm::newProfile);
        list.setMinWidth(220);
        list.setPrefWidth(280);
        right.getStyleClass().add("right-pane");
        SplitPane split = new SplitPane(list, right);
        split.setDividerPositions(0.26);
        SplitPane.setResizableWithParent(list, false);
        setCenter(split);

        vm.selectedProperty().addListener((o, was, now) -> showRight());
        vm.editorProperty().addListener((o, was, now) -> showRight());
        vm.loadedProperty().addListener((o, was, now) -> showRight());
        showRight();
    }

    private void showRight() {
        ProfileEditViewModel form = vm.editorProperty().get();
        ProfileItemViewModel item = vm.selectedProperty().get();
        Object want = form != null ? form : item != null ? item : vm.loadedProperty().get();
        if (want.equals(shown)) {
            return;
        }
        shown = want;
        Node content;
        if (form != null) {
            content = new ProfileFormView(form, vm::saveEdit, vm::cancelEdit);
        } else if (item != null) {
            content = new ProfileDetailView(item, vm.queue(item), vm::editSelected, vm::duplicateSelected, this::confirmDelete);
        } else {
            content = emptyState(vm.loadedProperty().get() ? "No tunnel selected" : "Loading…",
                    vm.loadedProperty().get() ? "Create a tunnel profile with the + button to put a local service on a public URL." : "");
        }
        right.getChildren().setAll(content);
    }

    private static Node emptyState(String title, String text) {
        Label t = new Label(title, Icons.large(Feather.RADIO));
        t.getStyleClass().add(Styles.TITLE_3);
        Label d = new Label(text);
        d.getStyleClass().add(Styles.TEXT_MUTED);
        d.setWrapText(true);
        d.setMaxWidth(360);
        VBox box = new VBox(8, t, d);
        box.setAlignment(Pos.CENTER);
        return box;
    }

    private void confirmDelete() {
        ProfileItemViewModel item = vm.selectedProperty().get();
        if (item == null) {
            return;
        }
        ButtonType delete = new ButtonType("Delete", ButtonBar.ButtonData.OK_DONE);
        Alert ask = new Alert(Alert.AlertType.CONFIRMATION, "Its public URL stops working and its settings are removed.",
                delete, ButtonType.CANCEL);
        ask.setTitle("Delete profile");
        ask.setHeaderText("Delete “" + item.profile().name() + "”?");
        ask.initOwner(getScene().getWindow());
        ask.showAndWait().filter(delete::equals).ifPresent(b -> vm.deleteSelected());
    }
}
