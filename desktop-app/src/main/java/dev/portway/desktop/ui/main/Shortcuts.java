package dev.portway.desktop.ui.main;

import atlantafx.base.theme.Styles;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.control.Label;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyCodeCombination;
import javafx.scene.input.KeyCombination;
import javafx.scene.layout.GridPane;

import java.util.List;

/** The window's keyboard shortcuts: installed as scene accelerators, listed in the help, shown in the menu. */
final class Shortcuts {
    /**
     * @param keys   e.g. Ctrl+N ({@code Shortcut} is Cmd on macOS)
     * @param action null for keys handled elsewhere (listed in the help only, like Esc in the form)
     */
    record Shortcut(KeyCombination keys, String what, Runnable action) {
        static Shortcut of(KeyCode key, String what, Runnable action, KeyCombination.Modifier... modifiers) {
            return new Shortcut(new KeyCodeCombination(key, modifiers), what, action);
        }
    }

    private Shortcuts() {
    }

    static void install(Scene scene, List<Shortcut> all) {
        for (Shortcut s : all) {
            if (s.action() != null) {
                scene.getAccelerators().put(s.keys(), s.action());
            }
        }
    }

    /** The help list: keys on the left, what they do on the right. */
    static Node helpList(List<Shortcut> all) {
        GridPane grid = new GridPane();
        grid.setId("shortcutList");
        grid.setHgap(18);
        grid.setVgap(6);
        int row = 0;
        for (Shortcut s : all) {
            Label keys = new Label(s.keys().getDisplayText());
            keys.getStyleClass().addAll(Styles.TEXT_BOLD, "shortcut-keys");
            grid.addRow(row++, keys, new Label(s.what()));
        }
        return grid;
    }
}
