package dev.portway.desktop.ui.main;

import java.util.Locale;
import java.util.Optional;

/** Where the main window was, stored as the setting {@value #SETTING}: {@code x,y,width,height,maximized}. */
public record WindowBounds(double x, double y, double width, double height, boolean maximized) {
    public static final String SETTING = "window.main";
    public static final WindowBounds DEFAULT = new WindowBounds(Double.NaN, Double.NaN, 1100, 720, false);
    private static final double MIN_WIDTH = 760;
    private static final double MIN_HEIGHT = 520;

    /**
     * The bounds to save for a window: its position, and its content's size (the scene's), which is what the next
     * start gives the new scene. The window's own size includes the window manager's frame; saving that made the
     * window (and the sidebar with it) grow by the frame on every restart.
     */
    public static WindowBounds of(double x, double y, javafx.scene.Scene content, boolean maximized) {
        return new WindowBounds(x, y, content.getWidth(), content.getHeight(), maximized);
    }

    public String format() {
        return String.format(Locale.ROOT, "%.0f,%.0f,%.0f,%.0f,%b", x, y, width, height, maximized);
    }

    /** The stored bounds, or empty when the text is not what {@link #format()} writes. */
    public static Optional<WindowBounds> parse(String text) {
        String[] p = text == null ? new String[0] : text.split(",");
        if (p.length != 5) {
            return Optional.empty();
        }
        try {
            return Optional.of(new WindowBounds(Double.parseDouble(p[0]), Double.parseDouble(p[1]),
                    Math.max(MIN_WIDTH, Double.parseDouble(p[2])), Math.max(MIN_HEIGHT, Double.parseDouble(p[3])),
                    Boolean.parseBoolean(p[4])));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** Whether the top-left corner lies within a screen of the given bounds (else the window is centred). */
    public boolean placeable(double screenX, double screenY, double screenW, double screenH) {
        return !Double.isNaN(x) && x >= screenX - 50 && y >= screenY - 10 && x < screenX + screenW - 100 && y < screenY + screenH - 50;
    }
}
