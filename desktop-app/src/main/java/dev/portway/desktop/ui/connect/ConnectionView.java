package dev.portway.desktop.ui.connect;

import atlantafx.base.theme.Styles;
import dev.portway.desktop.engine.EngineState;
import dev.portway.desktop.ui.common.Icons;
import dev.portway.desktop.ui.common.StatusDot;
import javafx.beans.binding.Bindings;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.Hyperlink;
import javafx.scene.control.Label;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import org.kordamp.ikonli.feather.Feather;

/** The connection card: the big Connect / Disconnect button, the status in words, the public URL with Copy and Open. */
public final class ConnectionView extends VBox {
    public ConnectionView(ConnectionViewModel vm) {
        this(vm, null);
    }

    /** @param diagnose opens the profile's diagnostics and runs them, offered while the connection fails; null for none */
    public ConnectionView(ConnectionViewModel vm, Runnable diagnose) {
        getStyleClass().add("card-pane");
        setSpacing(14);

        Button toggle = new Button();
        toggle.setId("connectButton");
        toggle.textProperty().bind(vm.buttonTextBinding());
        toggle.graphicProperty().bind(Bindings.createObjectBinding(() -> Icons.large(switch (vm.stateProperty().get()) {
            case DISCONNECTED, FAILED -> Feather.PLAY;
            case CONNECTING, RECONNECTING -> Feather.X;
            case CONNECTED -> Feather.POWER;
        }), vm.stateProperty()));
        toggle.getStyleClass().addAll(Styles.LARGE, "connect-button");
        vm.stateProperty().addListener((o, was, now) -> style(toggle, now));
        style(toggle, vm.stateProperty().get());
        toggle.setOnAction(e -> vm.toggle());

        StatusDot dot = new StatusDot(vm.stateProperty(), vm.targetDownProperty());
        Label status = new Label();
        status.setId("statusText");
        status.textProperty().bind(vm.statusTextProperty());
        status.getStyleClass().addAll(Styles.TITLE_4, "status-text");
        // "Connected to" and every cluster node a profile holds a session to can be longer than a small window: cut
        // at the end, the tooltip has it whole, and it never pushes the button or the URL row's buttons out.
        status.setMinWidth(0);
        status.setTextOverrun(javafx.scene.control.OverrunStyle.ELLIPSIS);
        Tooltip wholeStatus = new Tooltip();
        wholeStatus.textProperty().bind(vm.statusTextProperty());
        status.setTooltip(wholeStatus);
        dot.setMinWidth(Region.USE_PREF_SIZE);
        HBox statusLine = new HBox(8, dot, status);
        statusLine.setMinWidth(0);
        statusLine.setAlignment(Pos.CENTER_LEFT);
        Label detail = new Label();
        detail.setId("statusDetail");
        detail.textProperty().bind(vm.detailTextProperty());
        detail.getStyleClass().add(Styles.TEXT_MUTED);
        detail.setWrapText(true);
        hideWhenEmpty(detail);
        // Connected but the local app is not answering, or its breaker pauses requests: amber, where the person looks.
        Label health = new Label();
        health.setId("targetHealth");
        health.textProperty().bind(vm.healthTextProperty());
        health.getStyleClass().addAll(Styles.TEXT_SMALL, "target-health");
        health.setWrapText(true);
        health.setGraphic(Icons.of(Feather.ALERT_TRIANGLE));
        HBox healthLine = new HBox(4, health);
        healthLine.setAlignment(Pos.CENTER_LEFT);
        healthLine.visibleProperty().bind(vm.targetDownProperty());
        healthLine.managedProperty().bind(vm.targetDownProperty());
        VBox words = new VBox(4, statusLine, detail, healthLine);
        words.setAlignment(Pos.CENTER_LEFT);
        words.setMinWidth(0);
        toggle.setMinWidth(Region.USE_PREF_SIZE);
        HBox.setHgrow(words, Priority.ALWAYS);
        HBox top = new HBox(20, toggle, words);
        top.setAlignment(Pos.CENTER_LEFT);

        Label url = new Label();
        url.setId("publicUrl");
        url.textProperty().bind(vm.publicUrlProperty());
        url.getStyleClass().addAll("public-url");
        url.setMaxWidth(Double.MAX_VALUE);
        // Cut in the middle, never at the end: the port and path stay readable; the tooltip and Copy have it whole.
        url.setMinWidth(0);
        url.setTextOverrun(javafx.scene.control.OverrunStyle.CENTER_ELLIPSIS);
        Tooltip whole = new Tooltip();
        whole.textProperty().bind(vm.publicUrlProperty());
        url.setTooltip(whole);
        HBox.setHgrow(url, Priority.ALWAYS);
        Button copy = new Button("Copy", Icons.of(Feather.COPY));
        copy.setId("copyButton");
        copy.setTooltip(new Tooltip("Copy the public URL"));
        copy.setOnAction(e -> vm.copyUrl());
        Button open = new Button("Open in browser", Icons.of(Feather.EXTERNAL_LINK));
        open.setId("openButton");
        open.setOnAction(e -> vm.openUrl());
        open.setTooltip(new Tooltip("Open the public URL in your web browser"));
        // A TCP tunnel is not a web page: no Open button; the card shows the command to use instead.
        open.visibleProperty().bind(vm.canOpenBinding());
        open.managedProperty().bind(vm.canOpenBinding());
        copy.getStyleClass().add(Styles.BUTTON_OUTLINED);
        open.getStyleClass().add(Styles.BUTTON_OUTLINED);
        Button qr = new Button(null, Icons.of(Feather.SMARTPHONE));
        qr.setId("qrButton");
        qr.setTooltip(new Tooltip("Show a QR code of the public URL, to open it on a phone"));
        qr.getStyleClass().addAll(Styles.BUTTON_OUTLINED, Styles.BUTTON_ICON);
        qr.setOnAction(e -> dev.portway.desktop.ui.share.ShareDialog.show(getScene().getWindow(), vm.publicUrlProperty().get()));
        for (Button b : new Button[]{copy, open, qr}) {
            b.setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE);
        }
        HBox urlRow = new HBox(8, Icons.of(Feather.GLOBE), url, copy, open, qr);
        urlRow.setAlignment(Pos.CENTER_LEFT);
        urlRow.getStyleClass().add("url-row");
        urlRow.visibleProperty().bind(vm.hasUrlBinding());
        urlRow.managedProperty().bind(vm.hasUrlBinding());

        // Confirmations are toasts over the window: they go away on their own and push nothing down.
        vm.feedbackProperty().addListener((o, was, now) -> dev.portway.desktop.ui.common.Toast.show(this, now));
        Label notice = new Label();
        notice.setId("tunnelNotice");
        notice.textProperty().bind(vm.noticeProperty());
        notice.getStyleClass().addAll(Styles.WARNING);
        notice.setWrapText(true);
        hideWhenEmpty(notice);

        Label fingerprint = new Label();
        fingerprint.setId("untrustedFingerprint");
        fingerprint.textProperty().bind(Bindings.createStringBinding(() -> vm.untrustedFingerprintProperty().get().isEmpty()
                ? "" : "Relay certificate: " + vm.untrustedFingerprintProperty().get(), vm.untrustedFingerprintProperty()));
        fingerprint.getStyleClass().add(Styles.TEXT_SMALL);
        fingerprint.setWrapText(true);
        Button trust = new Button("Trust this relay", Icons.of(Feather.SHIELD));
        trust.setId("trustRelayButton");
        trust.setTooltip(new Tooltip("Pin this certificate in the profile and connect; only if you know the relay is yours"));
        trust.setOnAction(e -> vm.trustRelay());
        VBox trustBox = new VBox(6, fingerprint, trust);
        trustBox.visibleProperty().bind(vm.untrustedFingerprintProperty().isNotEmpty());
        trustBox.managedProperty().bind(vm.untrustedFingerprintProperty().isNotEmpty());

        Label teammate = new Label();
        teammate.setId("teammateCommand");
        teammate.textProperty().bind(vm.teammateCommandProperty());
        teammate.getStyleClass().add(Styles.TEXT_SMALL);
        teammate.setWrapText(true);
        hideWhenEmpty(teammate);

        Label waiting = new Label();
        waiting.setId("cardRelayWaiting");
        waiting.textProperty().bind(vm.relayWaitingProperty());
        waiting.setGraphic(Icons.of(Feather.INBOX));
        waiting.setWrapText(true);
        hideWhenEmpty(waiting);

        getChildren().addAll(top, urlRow, teammate, notice, waiting, trustBox);
        if (diagnose != null) {
            Hyperlink link = new Hyperlink("Run diagnostics", Icons.of(Feather.TOOL));
            link.setId("diagnoseLink");
            link.setOnAction(e -> diagnose.run());
            var failing = vm.stateProperty().isEqualTo(EngineState.FAILED).or(vm.stateProperty().isEqualTo(EngineState.RECONNECTING));
            link.visibleProperty().bind(failing);
            link.managedProperty().bind(failing);
            words.getChildren().add(link);
            Hyperlink healthLink = new Hyperlink("Diagnostics");
            healthLink.setId("healthDiagnoseLink");
            healthLink.setOnAction(e -> diagnose.run());
            healthLine.getChildren().addAll(new Label("·"), healthLink);
        }
    }

    private static void hideWhenEmpty(Label l) {
        l.visibleProperty().bind(l.textProperty().isNotEmpty());
        l.managedProperty().bind(l.textProperty().isNotEmpty());
    }

    private static void style(Button b, EngineState s) {
        b.getStyleClass().removeAll(Styles.ACCENT, Styles.DANGER);
        b.getStyleClass().add(s == EngineState.DISCONNECTED || s == EngineState.FAILED ? Styles.ACCENT : Styles.DANGER);
    }
}
