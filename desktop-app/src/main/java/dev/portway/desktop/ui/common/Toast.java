package dev.portway.desktop.ui.common;

import javafx.animation.FadeTransition;
import javafx.animation.PauseTransition;
import javafx.animation.SequentialTransition;
import javafx.geometry.Bounds;
import javafx.scene.Node;
import javafx.scene.control.Label;
import javafx.stage.Popup;
import javafx.stage.Window;
import javafx.util.Duration;

/**
 * A short confirmation ("Copied to the clipboard.") that floats over the bottom of the window for a few seconds and
 * fades: it takes no room in the layout, so nothing below it moves, and it never stays. FX thread only.
 */
public final class Toast {
    /** How long a toast stays before it fades; long messages (a sentence and a half) get more. */
    static Duration shownFor(String text) {
        return Duration.seconds(text.length() > 60 ? 6 : 2.5);
    }

    private Toast() {
    }

    /** Shows {@code text} over the bottom centre of {@code anchor}'s window; does nothing while it is not shown. */
    public static Popup show(Node anchor, String text) {
        if (text == null || text.isEmpty() || anchor.getScene() == null || anchor.getScene().getWindow() == null) {
            return null;
        }
        Window w = anchor.getScene().getWindow();
        if (!w.isShowing()) {
            return null;
        }
        Label label = new Label(text);
        label.setId("toast");
        // A popup does not get the window's style sheets: styled here, the same dark chip in light and dark themes.
        label.setStyle("-fx-background-color: rgba(40, 44, 52, 0.94); -fx-text-fill: white; -fx-background-radius: 6;"
                + " -fx-padding: 8 14 8 14; -fx-font-size: 13px;");
        label.setWrapText(true);
        label.setMaxWidth(Math.max(240, w.getWidth() * 0.6));
        Popup popup = new Popup();
        popup.getContent().add(label);
        popup.setAutoHide(false);
        popup.setHideOnEscape(true);
        popup.show(w);
        label.applyCss();
        Bounds b = label.getLayoutBounds();
        popup.setX(w.getX() + (w.getWidth() - b.getWidth()) / 2);
        popup.setY(w.getY() + w.getHeight() - b.getHeight() - 48);
        FadeTransition fade = new FadeTransition(Duration.millis(400), label);
        fade.setToValue(0);
        SequentialTransition life = new SequentialTransition(new PauseTransition(shownFor(text)), fade);
        life.setOnFinished(e -> popup.hide());
        life.play();
        return popup;
    }
}
