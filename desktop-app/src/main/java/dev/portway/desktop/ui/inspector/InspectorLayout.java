package dev.portway.desktop.ui.inspector;

import javafx.beans.property.DoubleProperty;
import javafx.beans.property.SimpleDoubleProperty;

import java.util.Locale;
import java.util.function.Consumer;

/**
 * Where the inspector's divider between the request list and the detail sits, one setting for the whole app
 * ({@value #SETTING}, the list's share of the width, or of the height when the two are stacked). The view sets it
 * when the person lets go of the divider, not on every pixel of a drag. FX thread.
 */
public final class InspectorLayout {
    public static final String SETTING = "inspector.divider";
    public static final double DEFAULT = 0.55;
    private static final double MIN = 0.2;
    private static final double MAX = 0.8;

    private final DoubleProperty divider;

    /** @param save keeps a new value (the app writes it to its settings as {@link #format(double)}) */
    public InspectorLayout(double initial, Consumer<String> save) {
        divider = new SimpleDoubleProperty(clamp(initial));
        divider.addListener((o, was, now) -> save.accept(format(now.doubleValue())));
    }

    /** An in-memory layout (tests, snapshot mode). */
    public static InspectorLayout inMemory() {
        return new InspectorLayout(DEFAULT, s -> {
        });
    }

    public DoubleProperty dividerProperty() {
        return divider;
    }

    public static String format(double position) {
        return String.format(Locale.ROOT, "%.3f", clamp(position));
    }

    /** The stored position, or {@link #DEFAULT} when the text is not one; kept between 0.2 and 0.8 so neither side vanishes. */
    public static double parse(String text) {
        try {
            double d = Double.parseDouble(text == null ? "" : text.strip());
            return Double.isFinite(d) ? clamp(d) : DEFAULT;
        } catch (NumberFormatException e) {
            return DEFAULT;
        }
    }

    static double clamp(double d) {
        return Math.max(MIN, Math.min(MAX, d));
    }
}
