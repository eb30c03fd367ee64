package dev.portway.desktop.ui.main;

import atlantafx.base.theme.Styles;
import dev.portway.desktop.ui.common.Icons;
import dev.portway.desktop.ui.connect.ConnectionView;
import dev.portway.desktop.ui.live.DashboardView;
import dev.portway.desktop.ui.diagnostics.DiagnosticsView;
import dev.portway.desktop.ui.diagnostics.DiagnosticsViewModel;
import dev.portway.desktop.ui.inspector.InspectorView;
import dev.portway.desktop.ui.profiles.ProfileItemViewModel;
import dev.portway.desktop.ui.queue.QueueView;
import dev.portway.desktop.ui.queue.QueueViewModel;
import dev.portway.shared.protocol.Protocol;
import javafx.beans.binding.Bindings;
import javafx.beans.binding.BooleanBinding;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import org.kordamp.ikonli.feather.Feather;

/**
 * The right pane for one profile: header with Edit / Duplicate / Delete, the connection card, and tabs below it:
 * Overview (live charts), Requests (the inspector), Queue (for profiles with {@code queue=on}), Diagnostics.
 */
final class ProfileDetailView extends VBox {
    ProfileDetailView(ProfileItemViewModel item, QueueViewModel queueVm, DiagnosticsViewModel diagnosticsVm,
                      Runnable edit, Runnable duplicate, Runnable delete) {
        getStyleClass().add("detail-pane");
        setSpacing(12);
        setPadding(new Insets(16, 24, 16, 24));

        Label name = new Label();
        name.setId("profileTitle");
        name.textProperty().bind(item.nameBinding());
        name.getStyleClass().add(Styles.TITLE_2);
        Label summary = new Label();
        summary.textProperty().bind(item.summaryBinding());
        summary.getStyleClass().add(Styles.TEXT_MUTED);
        VBox titles = new VBox(2, name, summary);
        Region grow = new Region();
        HBox.setHgrow(grow, Priority.ALWAYS);
        Button editButton = new Button("Edit", Icons.of(Feather.EDIT_2));
        editButton.setId("editButton");
        editButton.setOnAction(e -> edit.run());
        Button duplicateButton = new Button(null, Icons.of(Feather.COPY));
        duplicateButton.setId("duplicateButton");
        duplicateButton.setTooltip(new Tooltip("Duplicate this profile"));
        duplicateButton.setOnAction(e -> duplicate.run());
        Button deleteButton = new Button(null, Icons.of(Feather.TRASH_2));
        deleteButton.setId("deleteButton");
        deleteButton.setTooltip(new Tooltip("Delete this profile"));
        deleteButton.getStyleClass().add(Styles.DANGER);
        deleteButton.setOnAction(e -> delete.run());
        for (Button b : new Button[]{editButton, duplicateButton, deleteButton}) {
            b.getStyleClass().add(Styles.BUTTON_OUTLINED);
            b.setMinWidth(Region.USE_PREF_SIZE); // the title gives way in a small window, not the buttons ("E...")
        }
        titles.setMinWidth(0);
        HBox header = new HBox(8, titles, grow, editButton, duplicateButton, deleteButton);
        header.setAlignment(Pos.CENTER_LEFT);

        InspectorView requests = new InspectorView(item.inspector());
        QueueView queue = new QueueView(queueVm);
        Tab overview = tab("overviewTab", "Overview", Feather.ACTIVITY, DashboardView.scrolling(item.live()));
        Tab requestsTab = tab("requestsTab", "Requests", Feather.LIST, requests);
        Tab queueTab = tab("queueTab", "Queue", Feather.INBOX, queue);
        TabPane tabs = new TabPane(overview, requestsTab);
        tabs.setId("detailTabs");
        tabs.setTabClosingPolicy(TabPane.TabClosingPolicy.UNAVAILABLE);
        tabs.getStyleClass().add(Styles.TABS_FLOATING);
        VBox.setVgrow(tabs, Priority.ALWAYS);
        BooleanBinding queued = Bindings.createBooleanBinding(
                () -> "on".equals(item.profile().options().get(Protocol.OPTION_QUEUE)), item.profileProperty());
        showWhen(tabs, queueTab, queued, 2);
        Runnable diagnose = null;
        if (diagnosticsVm != null) {
            Tab diagnosticsTab = tab("diagnosticsTab", "Diagnostics", Feather.TOOL, new DiagnosticsView(diagnosticsVm));
            tabs.getTabs().add(diagnosticsTab);
            diagnose = () -> {
                tabs.getSelectionModel().select(diagnosticsTab);
                diagnosticsVm.run();
            };
        }
        ConnectionView card = new ConnectionView(item.connection(), diagnose);
        getChildren().addAll(header, card, tabs);
        // A short window: tighter margins and no summary line (the title's tooltip has it), so the tabs below (the
        // request list above all) keep rows to show.
        Tooltip summaryTip = new Tooltip();
        summaryTip.textProperty().bind(item.summaryBinding());
        heightProperty().addListener((o, was, now) -> {
            boolean compact = now.doubleValue() > 0 && now.doubleValue() < COMPACT_BELOW;
            if (compact == summary.isManaged()) {
                summary.setManaged(!compact);
                summary.setVisible(!compact);
                name.setTooltip(compact ? summaryTip : null);
                setSpacing(compact ? 6 : 12);
                setPadding(compact ? new Insets(8, 24, 8, 24) : new Insets(16, 24, 16, 24));
                card.setSpacing(compact ? 8 : 14);
                card.setStyle(compact ? "-fx-padding: 10 18 10 18;" : "");
                requests.setSpacing(compact ? 4 : 8);
                requests.setStyle(compact ? "-fx-padding: 8 18 8 18;" : "");
            }
        });
    }

    /** Shorter than this (the pane, i.e. a window of about 660 px), the pane is compact. */
    static final double COMPACT_BELOW = 600;

    /** A tab with an id (for tests and shortcuts), a label and an icon; its content fills the tab. */
    static Tab tab(String id, String title, Feather icon, Node content) {
        Tab t = new Tab(title, content);
        t.setId(id);
        t.setGraphic(Icons.of(icon));
        return t;
    }

    /** Keeps {@code tab} in {@code tabs} at {@code index} (or at the end) exactly while {@code shown} is true. */
    static void showWhen(TabPane tabs, Tab tab, BooleanBinding shown, int index) {
        Runnable sync = () -> {
            if (shown.get() && !tabs.getTabs().contains(tab)) {
                tabs.getTabs().add(Math.min(index, tabs.getTabs().size()), tab);
            } else if (!shown.get()) {
                tabs.getTabs().remove(tab);
            }
        };
        shown.addListener((o, was, now) -> sync.run());
        sync.run();
    }
}
