package dev.portway.desktop.ui.share;

import atlantafx.base.theme.Styles;
import javafx.geometry.Pos;
import javafx.scene.control.ButtonType;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.TextField;
import javafx.scene.layout.VBox;
import javafx.stage.Window;

import java.net.URI;
import java.util.Locale;

/** "QR code": the public URL as a code to open on a phone, with the URL as text and a word on whether a phone can reach it. */
public final class ShareDialog {
    private ShareDialog() {
    }

    /**
     * Shows the dialog without blocking. For a tunnel of the embedded relay ({@code *.localhost}) it offers "Share on
     * this network": a port of the tunnel's own on this machine's LAN address, open while the dialog is.
     */
    public static void show(Window owner, String url) {
        Dialog<Void> d = new Dialog<>();
        d.initOwner(owner);
        d.setTitle("Open on a phone");
        d.setHeaderText("Scan with the phone's camera");
        VBox box = new VBox(10, content(url));
        box.setAlignment(Pos.CENTER);
        LanShare[] shared = new LanShare[1];
        embeddedTarget(url).ifPresent(target -> {
            javafx.scene.control.Button share = new javafx.scene.control.Button("Share on this network");
            share.setId("shareOnLanButton");
            share.setTooltip(new javafx.scene.control.Tooltip("Open a port for this tunnel on this computer's network address,"
                    + " so a phone on the same Wi-Fi can open it. It closes with this window."));
            share.setOnAction(e -> {
                share.setDisable(true);
                Thread.ofVirtual().name("portway-lan-share-start").start(() -> {
                    javafx.scene.Node shown;
                    try {
                        java.net.InetAddress lan = LanAddress.find().orElseThrow(() -> new java.io.IOException(
                                "This computer has no network address other than loopback — join the Wi-Fi the phone is on."));
                        LanShare s = LanShare.start(lan, 0, target.relay(), target.host());
                        shared[0] = s;
                        VBox lanBox = content(s.url());
                        if (!s.reachable(2000)) {
                            Label hint = new Label(s.firewallHint());
                            hint.setId("firewallHint");
                            hint.setWrapText(true);
                            hint.setMaxWidth(320);
                            hint.getStyleClass().addAll(Styles.TEXT_SMALL, Styles.WARNING);
                            lanBox.getChildren().add(hint);
                        }
                        shown = lanBox;
                    } catch (java.io.IOException ex) {
                        Label why = new Label(ex.getMessage());
                        why.setId("shareProblem");
                        why.setWrapText(true);
                        why.setMaxWidth(320);
                        shown = why;
                    }
                    javafx.scene.Node result = shown;
                    javafx.application.Platform.runLater(() -> {
                        box.getChildren().setAll(result);
                        d.getDialogPane().getScene().getWindow().sizeToScene();
                    });
                });
            });
            box.getChildren().add(share);
        });
        d.setOnHidden(e -> {
            if (shared[0] != null) {
                shared[0].close();
            }
        });
        d.getDialogPane().setContent(box);
        d.getDialogPane().getButtonTypes().add(ButtonType.CLOSE);
        d.show();
    }

    /** Where a {@code http://name.localhost:port/} URL of the embedded relay is served here, and the Host it routes by. */
    record EmbeddedTarget(java.net.InetSocketAddress relay, String host) {
    }

    static java.util.Optional<EmbeddedTarget> embeddedTarget(String url) {
        try {
            URI u = URI.create(url == null ? "" : url.strip());
            if (u.getHost() == null || !u.getHost().toLowerCase(Locale.ROOT).endsWith(".localhost") || !"http".equals(u.getScheme())) {
                return java.util.Optional.empty();
            }
            int port = u.getPort() < 0 ? 80 : u.getPort();
            return java.util.Optional.of(new EmbeddedTarget(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), port),
                    u.getHost() + ":" + port));
        } catch (IllegalArgumentException e) {
            return java.util.Optional.empty();
        }
    }

    /** The dialog's content: the code (or why there is none), the URL, and the reachability note. */
    public static VBox content(String url) {
        VBox box = new VBox(10);
        box.setId("shareContent");
        box.setAlignment(Pos.CENTER);
        try {
            QrView qr = new QrView(QrCode.of(url), 240);
            qr.setId("qrCode");
            box.getChildren().add(qr);
        } catch (IllegalArgumentException e) {
            Label why = new Label(e.getMessage());
            why.setId("qrProblem");
            why.setWrapText(true);
            box.getChildren().add(why);
        }
        TextField text = new TextField(url);
        text.setId("shareUrl");
        text.setEditable(false);
        text.setPrefColumnCount(30);
        box.getChildren().add(text);
        String note = reachNote(url);
        if (!note.isEmpty()) {
            Label n = new Label(note);
            n.setId("shareNote");
            n.setWrapText(true);
            n.setMaxWidth(320);
            n.getStyleClass().addAll(Styles.TEXT_SMALL, Styles.WARNING);
            box.getChildren().add(n);
        }
        return box;
    }

    /**
     * Empty when a phone may reach the URL; otherwise why not. A loopback or {@code *.localhost} host names this
     * computer only: on a phone it is the phone itself.
     */
    public static String reachNote(String url) {
        String host;
        try {
            host = URI.create(url == null ? "" : url.strip()).getHost();
        } catch (IllegalArgumentException e) {
            return "";
        }
        if (host == null) {
            return "";
        }
        String h = host.toLowerCase(Locale.ROOT);
        if (h.equals("localhost") || h.endsWith(".localhost") || h.startsWith("127.") || h.equals("[::1]") || h.equals("::1")) {
            return "This URL names this computer only: a phone opens itself, not this computer. Use Share on this"
                    + " network (same Wi-Fi), or connect the profile through a relay on the internet.";
        }
        return "";
    }
}
