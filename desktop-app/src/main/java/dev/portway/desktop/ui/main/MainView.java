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
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.MenuButton;
import javafx.scene.control.MenuItem;
import javafx.scene.control.SeparatorMenuItem;
import javafx.scene.control.TabPane;
import javafx.scene.control.TextInputControl;
import javafx.scene.control.SplitPane;
import javafx.scene.control.ToggleButton;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyCombination;
import org.kordamp.ikonli.feather.Feather;

import java.util.ArrayList;
import java.util.List;

/** The main window's content: title bar, problem banner, profile list on the left, details or the form on the right. */
public final class MainView extends BorderPane {
    private final MainViewModel vm;
    private final StackPane right = new StackPane();
    /** What the right pane shows now (the form, the item, or the empty state's text), so it is not rebuilt needlessly. */
    private Object shown;

    public MainView(MainViewModel vm, BooleanProperty dark, TransferView transfer) {
        this(vm, dark, transfer, null);
    }

    /** @param actions the app menu's windows and Quit; null for a window without the app menu and shortcuts (tests) */
    public MainView(MainViewModel vm, BooleanProperty dark, TransferView transfer, AppActions actions) {
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
        ToggleButton sidebar = new ToggleButton(null, Icons.of(Feather.SIDEBAR));
        sidebar.setId("sidebarToggle");
        sidebar.getStyleClass().addAll(Styles.BUTTON_ICON, Styles.FLAT);
        sidebar.setTooltip(new Tooltip("Show or hide the list of profiles"));
        sidebar.setSelected(true);
        HBox bar = new HBox(10, sidebar, brand, grow);
        if (actions != null) {
            List<Shortcuts.Shortcut> keys = shortcuts(actions);
            bar.getChildren().addAll(theme, appMenu(transfer, actions, keys));
            sceneProperty().addListener((o, was, now) -> {
                if (now != null) {
                    Shortcuts.install(now, keys);
                }
            });
        } else {
            bar.getChildren().addAll(transfer.menu(), theme);
        }
        bar.setAlignment(Pos.CENTER_LEFT);
        bar.getStyleClass().add("title-bar");

        Message problem = new Message("Something went wrong", "", Icons.of(Feather.ALERT_TRIANGLE));
        problem.setId("problemBanner");
        problem.getStyleClass().add(Styles.DANGER);
        problem.descriptionProperty().bind(vm.problemProperty());
        problem.setOnClose(e -> vm.dismissProblem());
        problem.visibleProperty().bind(vm.problemProperty().isNotEmpty());
        problem.managedProperty().bind(vm.problemProperty().isNotEmpty());
        VBox top = new VBox(bar, problem);
        VBox.setMargin(problem, new Insets(8, 16, 0, 16));
        setTop(top);

        ProfileListView list = new ProfileListView(vm.items(), vm.selectedProperty(), vm::newProfile, vm::shareFolder);
        vm.folderFormProperty().addListener((o, was, now) -> showFolderForm(now));
        list.setMinWidth(220);
        list.setPrefWidth(280);
        right.getStyleClass().add("right-pane");
        SplitPane split = new SplitPane(list, right);
        SplitPane.setResizableWithParent(list, false);
        keepSidebarWidth(split, list, sidebar);
        setCenter(split);

        vm.selectedProperty().addListener((o, was, now) -> showRight());
        vm.editorProperty().addListener((o, was, now) -> showRight());
        vm.loadedProperty().addListener((o, was, now) -> showRight());
        showRight();
    }

    /**
     * The sidebar has a width of its own (280 px, or what the person dragged it to), not a share of the window: a
     * share made it grow with the window, and the window grew on each restart. It folds away with {@code toggle}.
     */
    static final double FOLD_BELOW = 900;

    private static void keepSidebarWidth(SplitPane split, Region list, ToggleButton toggle) {
        double[] width = {list.getPrefWidth()};
        Runnable place = () -> {
            if (split.getWidth() > 0 && split.getItems().contains(list)) {
                split.setDividerPositions(Math.min(0.6, width[0] / split.getWidth()));
            }
        };
        split.widthProperty().addListener(new javafx.beans.value.ChangeListener<>() {
            @Override
            public void changed(javafx.beans.value.ObservableValue<? extends Number> o, Number was, Number now) {
                if (now.doubleValue() > 0) {
                    split.widthProperty().removeListener(this); // once, at the first layout; later the list keeps its width
                    place.run();
                }
            }
        });
        list.widthProperty().addListener((o, was, now) -> {
            if (now.doubleValue() > 0 && split.getItems().contains(list)) {
                width[0] = now.doubleValue();
            }
        });
        // Below FOLD_BELOW px the list folds away by itself (and comes back when the window is wide again), so a
        // small window gives the profile's views its whole width; the toggle still opens it on demand.
        boolean[] autoFolded = {false};
        split.widthProperty().addListener((o, was, now) -> {
            boolean narrow = now.doubleValue() > 0 && now.doubleValue() < FOLD_BELOW;
            if (narrow && toggle.isSelected() && (was.doubleValue() == 0 || was.doubleValue() >= FOLD_BELOW)) {
                autoFolded[0] = true;
                toggle.setSelected(false);
            } else if (!narrow && autoFolded[0] && now.doubleValue() > 0) {
                autoFolded[0] = false;
                toggle.setSelected(true);
            }
        });
        toggle.selectedProperty().addListener((o, was, open) -> {
            if (open) {
                split.getItems().addFirst(list);
                place.run();
            } else {
                split.getItems().remove(list);
            }
        });
    }

    private List<Shortcuts.Shortcut> shortcuts(AppActions actions) {
        KeyCombination.Modifier ctrl = KeyCombination.SHORTCUT_DOWN;
        KeyCombination.Modifier shift = KeyCombination.SHIFT_DOWN;
        List<Shortcuts.Shortcut> all = new ArrayList<>(List.of(
                Shortcuts.Shortcut.of(KeyCode.N, "New profile", vm::newProfile, ctrl),
                Shortcuts.Shortcut.of(KeyCode.E, "Edit the selected profile", vm::editSelected, ctrl),
                Shortcuts.Shortcut.of(KeyCode.D, "Duplicate the selected profile", vm::duplicateSelected, ctrl),
                Shortcuts.Shortcut.of(KeyCode.DELETE, "Delete the selected profile (asks first)", this::deleteUnlessTyping),
                Shortcuts.Shortcut.of(KeyCode.ENTER, "Connect or disconnect the selected profile", vm::toggleSelected, ctrl),
                Shortcuts.Shortcut.of(KeyCode.C, "Copy the public URL", vm::copySelectedUrl, ctrl, shift),
                Shortcuts.Shortcut.of(KeyCode.F, "Filter the requests", () -> showTab("requestsTab", "#requestFilter"), ctrl),
                Shortcuts.Shortcut.of(KeyCode.R, "Run diagnostics", this::runDiagnostics, ctrl),
                Shortcuts.Shortcut.of(KeyCode.L, "Show the log", actions.showLog(), ctrl),
                Shortcuts.Shortcut.of(KeyCode.SLASH, "Keyboard shortcuts", null, ctrl),
                Shortcuts.Shortcut.of(KeyCode.F1, "About Portway", actions.showAbout()),
                Shortcuts.Shortcut.of(KeyCode.Q, "Quit", actions.quit(), ctrl),
                Shortcuts.Shortcut.of(KeyCode.ENTER, "Save the open form", null),
                Shortcuts.Shortcut.of(KeyCode.ESCAPE, "Cancel the open form", null)));
        // the help lists itself: replace the placeholder now that the list exists
        all.set(9, Shortcuts.Shortcut.of(KeyCode.SLASH, "Keyboard shortcuts", () -> showShortcuts(all), ctrl));
        all.add(Shortcuts.Shortcut.of(KeyCode.O, "Share a folder…", vm::shareFolder, ctrl, shift));
        return all;
    }

    private MenuButton appMenu(TransferView transfer, AppActions actions, List<Shortcuts.Shortcut> keys) {
        MenuButton menu = new MenuButton(null, Icons.of(Feather.MENU));
        menu.setId("appMenu");
        menu.getStyleClass().addAll(Styles.BUTTON_ICON, Styles.FLAT);
        menu.setTooltip(new Tooltip("Menu"));
        MenuItem newProfile = item("menuNewProfile", "New profile", Feather.PLUS, keys.get(0));
        MenuItem log = item("menuLog", "Log", Feather.FILE_TEXT, keys.get(8));
        MenuItem help = item("menuShortcuts", "Keyboard shortcuts", Feather.COMMAND, keys.get(9));
        MenuItem about = item("menuAbout", "About Portway", Feather.INFO, keys.get(10));
        MenuItem quit = item("menuQuit", "Quit", Feather.LOG_OUT, keys.get(11));
        menu.getItems().addAll(newProfile, item("menuShareFolder", "Share a folder…", Feather.FOLDER, keys.getLast()));
        menu.getItems().add(new SeparatorMenuItem());
        menu.getItems().addAll(transfer.takeItems(menu));
        if (actions.setUpRelay() != null) {
            menu.getItems().add(relaySetupItem(actions));
        }
        menu.getItems().addAll(new SeparatorMenuItem(), log, help, about, new SeparatorMenuItem());
        if (actions.startAtLogin() != null) {
            javafx.scene.control.CheckMenuItem login = new javafx.scene.control.CheckMenuItem("Start at login");
            login.setId("menuStartAtLogin");
            login.selectedProperty().bindBidirectional(actions.startAtLogin());
            menu.getItems().add(login);
        }
        menu.getItems().add(quit);
        return menu;
    }

    private static MenuItem relaySetupItem(AppActions actions) {
        MenuItem i = new MenuItem("Set up my own relay…", Icons.of(Feather.SERVER));
        i.setId("menuRelaySetup");
        i.setOnAction(e -> actions.setUpRelay().run());
        return i;
    }

    private static MenuItem item(String id, String text, Feather icon, Shortcuts.Shortcut key) {
        MenuItem i = new MenuItem(text, Icons.of(icon));
        i.setId(id);
        i.setAccelerator(key.keys()); // shown in the menu; the same action as the scene's accelerator
        i.setOnAction(e -> key.action().run());
        return i;
    }

    /** "Share a folder…" as a dialog over the window while the view model has the form open. */
    private dev.portway.desktop.ui.folder.FolderShareDialog folderDialog;

    private void showFolderForm(dev.portway.desktop.ui.folder.FolderShareViewModel form) {
        if (folderDialog != null) {
            folderDialog.close();
            folderDialog = null;
        }
        if (form != null && getScene() != null) {
            folderDialog = new dev.portway.desktop.ui.folder.FolderShareDialog(getScene().getWindow(), form,
                    dev.portway.desktop.ui.folder.FolderShareDialog.systemChooser(form), vm::saveFolderShare, vm::cancelFolderShare);
            folderDialog.show();
        }
    }

    private void deleteUnlessTyping() {
        if (vm.editorProperty().get() == null && !(getScene().getFocusOwner() instanceof TextInputControl)) {
            confirmDelete();
        }
    }

    /** Selects a tab of the detail pane and focuses a node in it, if a profile is shown. */
    private void showTab(String tabId, String focus) {
        if (lookup("#detailTabs") instanceof TabPane tabs) {
            tabs.getTabs().stream().filter(t -> tabId.equals(t.getId())).findFirst().ifPresent(t -> {
                tabs.getSelectionModel().select(t);
                if (focus != null) {
                    Node n = t.getContent().lookup(focus);
                    if (n != null) {
                        n.requestFocus();
                    }
                }
            });
        }
    }

    private void runDiagnostics() {
        ProfileItemViewModel item = vm.selectedProperty().get();
        if (item != null && vm.editorProperty().get() == null && vm.diagnostics(item) != null) {
            showTab("diagnosticsTab", null);
            vm.diagnostics(item).run();
        }
    }

    private void showShortcuts(List<Shortcuts.Shortcut> all) {
        Dialog<Void> d = new Dialog<>();
        d.setTitle("Keyboard shortcuts");
        d.initOwner(getScene().getWindow());
        d.getDialogPane().setContent(Shortcuts.helpList(all));
        d.getDialogPane().getButtonTypes().add(ButtonType.CLOSE);
        d.show();
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
            content = new ProfileDetailView(item, vm.queue(item), vm.diagnostics(item), vm::editSelected, vm::duplicateSelected, this::confirmDelete);
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
        // The destructive button is not the default: Enter (or a stray click on the default) keeps everything.
        ((javafx.scene.control.Button) ask.getDialogPane().lookupButton(delete)).setDefaultButton(false);
        ((javafx.scene.control.Button) ask.getDialogPane().lookupButton(ButtonType.CANCEL)).setDefaultButton(true);
        ask.showAndWait().filter(delete::equals).ifPresent(b -> vm.deleteSelected());
    }
}
