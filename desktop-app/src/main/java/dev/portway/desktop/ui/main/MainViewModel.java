package dev.portway.desktop.ui.main;

import dev.portway.desktop.engine.BoundTunnel;
import dev.portway.desktop.engine.EngineState;
import dev.portway.desktop.engine.EngineStatus;
import dev.portway.desktop.engine.RelayQueueStatus;
import dev.portway.desktop.profiles.Profile;
import dev.portway.desktop.profiles.ProfileService;
import dev.portway.desktop.ui.connect.ConnectionViewModel;
import dev.portway.desktop.ui.connect.TunnelService;
import dev.portway.desktop.ui.live.HistorySource;
import dev.portway.desktop.ui.diagnostics.DiagnosticsService;
import dev.portway.desktop.ui.diagnostics.DiagnosticsViewModel;
import dev.portway.desktop.history.RequestHistory;
import dev.portway.desktop.engine.EngineConfig;
import dev.portway.desktop.ui.inspector.InspectorViewModel;
import dev.portway.desktop.ui.inspector.Replayer;
import dev.portway.desktop.ui.live.LiveViewModel;
import dev.portway.desktop.ui.live.MetricsSampler;
import dev.portway.desktop.ui.profiles.ProfileEditViewModel;
import dev.portway.desktop.ui.profiles.ProfileItemViewModel;
import dev.portway.desktop.ui.queue.QueueViewModel;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

import java.time.Clock;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The main window: the profile list, the selection, the profile form when open, and a message line for
 * what went wrong. Commands return at once; the store and the tunnels work in the background and their
 * results come back on {@code fx}. FX thread only; no toolkit needed.
 */
public final class MainViewModel implements TunnelService.Listener {
    private final ProfileService profiles;
    private final TunnelService tunnels;
    private final Executor fx;
    private final Clock clock;
    private final Consumer<String> clipboard;
    private final Consumer<String> browser;
    private final HistorySource history;
    private final Function<Supplier<Profile>, InspectorViewModel> inspectors;

    private final ObservableList<ProfileItemViewModel> items = FXCollections.observableArrayList();
    private final Map<String, ProfileItemViewModel> byId = new HashMap<>();
    private final Map<String, QueueViewModel> queues = new HashMap<>();
    private final Map<String, DiagnosticsViewModel> diagnostics = new HashMap<>();
    private final DiagnosticsService diagnosticsService;
    private final ObjectProperty<ProfileItemViewModel> selected = new SimpleObjectProperty<>();
    private final ObjectProperty<ProfileEditViewModel> editor = new SimpleObjectProperty<>();
    /** The open "Share a folder…" form (a dialog), or null. */
    private final ObjectProperty<dev.portway.desktop.ui.folder.FolderShareViewModel> folderForm = new SimpleObjectProperty<>();
    private final StringProperty problem = new SimpleStringProperty("");
    private final BooleanProperty loaded = new SimpleBooleanProperty();
    private final BooleanProperty busy = new SimpleBooleanProperty();

    /** With an inspector per profile that keeps no history and replays on a replayer of its own (tests). */
    public MainViewModel(ProfileService profiles, TunnelService tunnels, Executor fx, Clock clock,
                         Consumer<String> clipboard, Consumer<String> browser) {
        this(profiles, tunnels, fx, clock, clipboard, browser, HistorySource.NONE, null, inMemoryInspectors(fx, clipboard));
    }

    /**
     * @param history     each profile's persisted traffic, shown on its Overview charts
     * @param diagnostics runs each profile's diagnostics; null for none (no Diagnostics tab)
     * @param inspectors  makes the request inspector of a profile, given the profile as it is now
     */
    public MainViewModel(ProfileService profiles, TunnelService tunnels, Executor fx, Clock clock,
                         Consumer<String> clipboard, Consumer<String> browser, HistorySource history,
                         DiagnosticsService diagnostics, Function<Supplier<Profile>, InspectorViewModel> inspectors) {
        this.history = history;
        this.diagnosticsService = diagnostics;
        this.inspectors = inspectors;
        this.profiles = profiles;
        this.tunnels = tunnels;
        this.fx = fx;
        this.clock = clock;
        this.clipboard = clipboard;
        this.browser = browser;
        tunnels.addListener(this);
    }

    /** Loads the profiles, selects the first and connects those marked auto-connect. */
    public void load() {
        profiles.loadAll().whenCompleteAsync((all, error) -> {
            if (error != null) {
                problem.set(messageOf(error));
                return;
            }
            all.forEach(this::add);
            if (!items.isEmpty()) {
                selected.set(items.getFirst());
            }
            loaded.set(true);
            for (ProfileItemViewModel item : items) {
                if (item.profile().autoConnect()) {
                    tunnels.connect(item.profile());
                }
            }
        }, fx);
    }

    /**
     * Reads the profiles again after something outside this view model changed them (an import): new ones are
     * added at the end, changed ones updated in place (a connected one reconnects with its new settings).
     * Nothing is removed: an import only adds and replaces.
     */
    public void refresh() {
        profiles.loadAll().whenCompleteAsync((all, error) -> {
            if (error != null) {
                problem.set(messageOf(error));
                return;
            }
            ProfileItemViewModel last = null;
            for (Profile p : all) {
                ProfileItemViewModel item = byId.get(p.id());
                if (item == null) {
                    last = add(p);
                } else if (!item.profile().equals(p)) {
                    item.replace(p);
                    tunnels.watchRelayQueue(p);
                    if (tunnels.isActive(p.id())) {
                        tunnels.disconnect(p.id());
                        tunnels.connect(p);
                    }
                }
            }
            if (last != null && editor.get() == null) {
                selected.set(last);
            }
        }, fx);
    }

    public void newProfile() {
        editor.set(new ProfileEditViewModel(null));
    }

    public void editSelected() {
        if (selected.get() != null && selected.get().profile().kind() == Profile.Kind.FOLDER) {
            folderForm.set(folderForm(selected.get().profile()));
        } else if (selected.get() != null) {
            editor.set(new ProfileEditViewModel(selected.get().profile()));
        }
    }

    /** Opens "Share a folder…" for a new folder share. */
    public void shareFolder() {
        folderForm.set(folderForm(null));
    }

    private dev.portway.desktop.ui.folder.FolderShareViewModel folderForm(Profile original) {
        // The folder is checked off the FX thread: it may sit on a slow network mount.
        return new dev.portway.desktop.ui.folder.FolderShareViewModel(original, items.stream().map(ProfileItemViewModel::profile).toList(),
                r -> Thread.ofVirtual().name("portway-folder-check").start(r), fx);
    }

    /** Saves the open folder share; a new one connects at once (sharing is what the person asked for). */
    public void saveFolderShare() {
        var form = folderForm.get();
        if (form == null || !form.validBinding().get() || busy.get()) {
            return;
        }
        Profile p = form.result();
        save(p, () -> {
            folderForm.set(null);
            if (form.isNew()) {
                tunnels.connect(p);
            }
        });
    }

    public void cancelFolderShare() {
        folderForm.set(null);
    }

    /** The open "Share a folder…" form, or null. */
    public ReadOnlyObjectProperty<dev.portway.desktop.ui.folder.FolderShareViewModel> folderFormProperty() {
        return folderForm;
    }

    public void cancelEdit() {
        editor.set(null);
        folderForm.set(null); // editSelected opens the folder dialog for a folder share
    }

    /** Saves the open form. A connected profile reconnects with its new settings. */
    public void saveEdit() {
        ProfileEditViewModel form = editor.get();
        if (form == null || !form.validBinding().get() || busy.get()) {
            return;
        }
        save(form.result(), () -> editor.set(null));
    }

    /** Connects the selected profile, or disconnects it when it is connected or on its way (Ctrl+Enter). */
    public void toggleSelected() {
        ProfileItemViewModel item = selected.get();
        if (item != null && editor.get() == null) {
            item.connection().toggle();
        }
    }

    /** Copies the selected profile's public URL, when it has one (Ctrl+Shift+C). */
    public void copySelectedUrl() {
        ProfileItemViewModel item = selected.get();
        if (item != null && !item.connection().publicUrlProperty().get().isEmpty()) {
            item.connection().copyUrl();
        }
    }

    public void duplicateSelected() {
        ProfileItemViewModel item = selected.get();
        if (item != null) {
            save(item.profile().duplicate(), () -> { });
        }
    }

    /** Deletes the selected profile (the view has asked the person first), disconnecting it if needed. */
    public void deleteSelected() {
        ProfileItemViewModel item = selected.get();
        if (item == null || busy.get()) {
            return;
        }
        busy.set(true);
        tunnels.disconnect(item.id());
        profiles.delete(item.id()).whenCompleteAsync((ok, error) -> {
            busy.set(false);
            if (error != null) {
                problem.set(messageOf(error));
                return;
            }
            int index = items.indexOf(item);
            items.remove(item);
            byId.remove(item.id());
            tunnels.forget(item.id());
            queues.remove(item.id());
            diagnostics.remove(item.id());
            selected.set(items.isEmpty() ? null : items.get(Math.min(index, items.size() - 1)));
            editor.set(null);
        }, fx);
    }

    public void dismissProblem() {
        problem.set("");
    }

    private void save(Profile p, Runnable then) {
        busy.set(true);
        profiles.save(p).whenCompleteAsync((saved, error) -> {
            busy.set(false);
            if (error != null) {
                problem.set(messageOf(error));
                return;
            }
            problem.set("");
            ProfileItemViewModel item = byId.get(saved.id());
            if (item == null) {
                item = add(saved);
            } else {
                item.replace(saved);
                tunnels.watchRelayQueue(saved);
                if (tunnels.isActive(saved.id())) {
                    tunnels.disconnect(saved.id());
                    tunnels.connect(saved);
                }
            }
            selected.set(item);
            then.run();
        }, fx);
    }

    private ProfileItemViewModel add(Profile p) {
        ProfileItemViewModel item = new ProfileItemViewModel(p,
                it -> new ConnectionViewModel(it::profile, tunnels, clipboard, browser, clock,
                        trusted -> save(trusted, () -> tunnels.connect(trusted))),
                new LiveViewModel(clock), it -> inspectors.apply(it::profile));
        history.minutes(p.id()).thenAccept(item.live().dashboard()::loadHistory);
        items.add(item);
        byId.put(p.id(), item);
        tunnels.watchRelayQueue(p);
        queues.put(p.id(), new QueueViewModel(tunnels.queue(p.id()), clock, ZoneId.systemDefault()));
        if (diagnosticsService != null) {
            diagnostics.put(p.id(), new DiagnosticsViewModel(item::profile, diagnosticsService, clipboard, clock));
        }
        return item;
    }

    static Function<Supplier<Profile>, InspectorViewModel> inMemoryInspectors(Executor fx, Consumer<String> clipboard) {
        Replayer replayer = new Replayer(EngineConfig.DEFAULT_CAPTURE_LIMIT); // its thread starts with the first replay, as a daemon
        RequestHistory none = RequestHistory.inMemory(fx);
        return p -> new InspectorViewModel(p, none, replayer, fx, clipboard, ZoneId.systemDefault());
    }

    private static String messageOf(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        return cause.getMessage() != null ? cause.getMessage() : cause.toString();
    }

    // ---- TunnelService events (FX thread)

    @Override
    public void onStatus(String profileId, EngineStatus status) {
        ProfileItemViewModel item = byId.get(profileId);
        if (item != null) {
            item.connection().onStatus(status);
            item.live().dashboard().onStatus(status.state(), clock.instant());
        }
        QueueViewModel queue = queues.get(profileId);
        if (queue != null && status.state() == EngineState.DISCONNECTED) {
            queue.reset();
        }
    }

    @Override
    public void onQueueChanged(String profileId, int size) {
        QueueViewModel queue = queues.get(profileId);
        if (queue != null) {
            queue.onQueueChanged(size);
        }
    }

    @Override
    public void onRelayQueue(String profileId, RelayQueueStatus status) {
        QueueViewModel queue = queues.get(profileId);
        if (queue != null) {
            queue.onRelayQueue(status);
        }
    }

    @Override
    public void onBreaker(String profileId, String tunnel, String state) {
        QueueViewModel queue = queues.get(profileId);
        if (queue != null) {
            queue.onBreaker(tunnel, state);
        }
    }

    @Override
    public void onRelayWaiting(String profileId, int count) {
        ProfileItemViewModel item = byId.get(profileId);
        if (item != null) {
            item.connection().onRelayWaiting(count);
        }
        QueueViewModel queue = queues.get(profileId);
        if (queue != null) {
            queue.onRelayWaiting(count);
        }
    }

    @Override
    public void onTargetHealth(String profileId, dev.portway.desktop.ui.connect.TargetHealth health) {
        ProfileItemViewModel item = byId.get(profileId);
        if (item != null) {
            item.connection().onTargetHealth(health);
        }
    }

    @Override
    public void onBound(String profileId, BoundTunnel tunnel) {
        ProfileItemViewModel item = byId.get(profileId);
        if (item != null) {
            item.connection().onBound(tunnel);
        }
    }

    @Override
    public void onRefused(String profileId, String message) {
        ProfileItemViewModel item = byId.get(profileId);
        if (item != null) {
            item.connection().onRefused(message);
        }
    }

    @Override
    public void onSample(String profileId, MetricsSampler.Sample sample) {
        ProfileItemViewModel item = byId.get(profileId);
        if (item != null) {
            item.live().onSample(sample);
            item.inspector().onSample(sample);
            item.connection().refresh(sample.at());
        }
    }

    /** True once loaded and no auto-connect profile is still on its way up (for --snapshot). */
    public boolean settled() {
        return loaded.get() && items.stream().noneMatch(i -> i.profile().autoConnect()
                && List.of(EngineState.DISCONNECTED, EngineState.CONNECTING, EngineState.RECONNECTING)
                .contains(i.connection().stateProperty().get())
                || i.connection().stateProperty().get() == EngineState.CONNECTED && i.connection().publicUrlProperty().get().isEmpty());
    }

    // ---- properties

    /** The client queue of one of {@link #items()}. */
    public QueueViewModel queue(ProfileItemViewModel item) {
        return queues.get(item.id());
    }

    /** The diagnostics of one of {@link #items()}; null when this app runs without diagnostics. */
    public DiagnosticsViewModel diagnostics(ProfileItemViewModel item) {
        return diagnostics.get(item.id());
    }

    public ObservableList<ProfileItemViewModel> items() {
        return items;
    }

    public ObjectProperty<ProfileItemViewModel> selectedProperty() {
        return selected;
    }

    /** The open profile form, or null. */
    public ReadOnlyObjectProperty<ProfileEditViewModel> editorProperty() {
        return editor;
    }

    /** What went wrong last, in words; empty when nothing. */
    public ReadOnlyStringProperty problemProperty() {
        return problem;
    }

    public ReadOnlyBooleanProperty loadedProperty() {
        return loaded;
    }

    /** A save or delete is under way. */
    public ReadOnlyBooleanProperty busyProperty() {
        return busy;
    }
}
