package dev.portway.desktop.ui.inspector;

import javafx.beans.property.IntegerProperty;
import javafx.beans.property.SimpleIntegerProperty;

import java.util.List;
import java.util.function.IntConsumer;

/**
 * How much of each HTTP body the inspector keeps (the engine's capture and replays), one setting for the whole
 * app. Changed on the FX thread through {@link #bytesProperty()}; read from any thread with {@link #get()}.
 * A change applies to tunnels connected after it and to the next replay.
 */
public final class CaptureLimit {
    /** The choices offered: off (headers only), 16 KiB, 64 KiB (the default), 256 KiB, 1 MiB. */
    public static final List<Integer> CHOICES = List.of(0, 16 * 1024, 64 * 1024, 256 * 1024, 1024 * 1024);

    private final IntegerProperty bytes;
    private volatile int current;

    /** @param save keeps a new value (the app writes it to its settings); called on the FX thread */
    public CaptureLimit(int initial, IntConsumer save) {
        this.current = initial;
        this.bytes = new SimpleIntegerProperty(initial);
        bytes.addListener((o, was, now) -> {
            current = now.intValue();
            save.accept(current);
        });
    }

    /** The limit now; any thread. */
    public int get() {
        return current;
    }

    public IntegerProperty bytesProperty() {
        return bytes;
    }

    /** "Off", "16 KiB", … for a person. */
    public static String label(int bytes) {
        return bytes == 0 ? "Headers only" : "First " + BodyText.size(bytes);
    }
}
