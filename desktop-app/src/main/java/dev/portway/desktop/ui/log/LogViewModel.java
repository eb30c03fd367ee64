package dev.portway.desktop.ui.log;

import dev.portway.desktop.logging.LogBuffer;
import dev.portway.desktop.logging.LogBuffer.Entry;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.collections.transformation.FilteredList;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * The log window: the app's recent log, filtered by level and text. {@link #refresh()} takes what is new from the
 * {@link LogBuffer} (the view calls it a few times a second while open — never once per event); the list never
 * holds more than the buffer's capacity. FX thread only, except that {@link #save} writes on {@code io}; no toolkit.
 */
public final class LogViewModel {
    /** The lowest level shown. */
    public enum Level {
        ERROR, WARN, INFO, DEBUG, TRACE;

        boolean shows(String level) {
            try {
                return Level.valueOf(level).ordinal() <= ordinal();
            } catch (IllegalArgumentException e) {
                return true;
            }
        }
    }

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");

    private final LogBuffer source;
    private final Executor io;
    private final Executor fx;
    private final Consumer<String> clipboard;
    private final ZoneId zone;
    private final ObservableList<Entry> all = FXCollections.observableArrayList();
    private final FilteredList<Entry> shown = new FilteredList<>(all);
    private final ObjectProperty<Level> level = new SimpleObjectProperty<>(Level.INFO);
    private final StringProperty search = new SimpleStringProperty("");
    private final StringProperty status = new SimpleStringProperty("");
    private long nextSeq;

    public LogViewModel(LogBuffer source, Executor io, Executor fx, Consumer<String> clipboard, ZoneId zone) {
        this.source = source;
        this.io = io;
        this.fx = fx;
        this.clipboard = clipboard;
        this.zone = zone;
        level.addListener(o -> refilter());
        search.addListener(o -> refilter());
        refilter();
    }

    /** Takes the events logged since the last call; drops the oldest beyond the buffer's capacity. */
    public void refresh() {
        List<Entry> fresh = source.since(nextSeq);
        if (fresh.isEmpty()) {
            return;
        }
        nextSeq = fresh.getLast().seq() + 1;
        all.addAll(fresh);
        int over = all.size() - source.capacity();
        if (over > 0) {
            all.remove(0, over);
        }
        status.set("");
    }

    private void refilter() {
        Level l = level.get() == null ? Level.TRACE : level.get();
        String q = search.get() == null ? "" : search.get().strip().toLowerCase(Locale.ROOT);
        shown.setPredicate(e -> l.shows(e.level()) && (q.isEmpty() || e.message().toLowerCase(Locale.ROOT).contains(q)
                || e.logger().toLowerCase(Locale.ROOT).contains(q)));
    }

    /** One event as a line of text, as the window shows it and Copy/Save write it. */
    public String format(Entry e) {
        return TIME.format(e.time().atZone(zone)) + " " + String.format("%-5s", e.level()) + " " + e.shortLogger() + " " + e.message();
    }

    /** The shown lines (filter applied) as text. */
    public String text() {
        return shown.stream().map(this::format).collect(Collectors.joining("\n", "", shown.isEmpty() ? "" : "\n"));
    }

    public void copy() {
        clipboard.accept(text());
        status.set(shown.size() + " line" + (shown.size() == 1 ? "" : "s") + " copied.");
    }

    /** Writes the shown lines to {@code file} on {@code io}; the status line says how it went. */
    public CompletionStage<Void> save(Path file) {
        String text = text();
        int lines = shown.size();
        CompletableFuture<Void> done = new CompletableFuture<>();
        io.execute(() -> {
            try {
                Files.writeString(file, text, StandardCharsets.UTF_8);
                fx.execute(() -> {
                    status.set(lines + " line" + (lines == 1 ? "" : "s") + " saved to " + file + ".");
                    done.complete(null);
                });
            } catch (IOException e) {
                fx.execute(() -> {
                    status.set("Could not save to " + file + ": " + e.getMessage() + " — choose another folder.");
                    done.completeExceptionally(e);
                });
            }
        });
        return done;
    }

    public ObservableList<Entry> shown() {
        return shown;
    }

    /** Every event held, before the filter. */
    public int total() {
        return all.size();
    }

    public ObjectProperty<Level> levelProperty() {
        return level;
    }

    public StringProperty searchProperty() {
        return search;
    }

    public ReadOnlyStringProperty statusProperty() {
        return status;
    }
}
