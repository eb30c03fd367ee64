package dev.portway.desktop.ui.profiles;

import dev.portway.desktop.profiles.Profile;
import dev.portway.desktop.ui.connect.ConnectionViewModel;
import dev.portway.desktop.ui.inspector.InspectorViewModel;
import dev.portway.desktop.ui.live.LiveViewModel;
import javafx.beans.binding.Bindings;
import javafx.beans.binding.StringBinding;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.SimpleObjectProperty;

import java.util.function.Function;

/** One profile in the list and in the details pane: the saved profile, its connection and its live numbers. */
public final class ProfileItemViewModel {
    private final ObjectProperty<Profile> profile;
    private final ConnectionViewModel connection;
    private final LiveViewModel live;
    private final InspectorViewModel inspector;

    public ProfileItemViewModel(Profile p, Function<ProfileItemViewModel, ConnectionViewModel> connection, LiveViewModel live,
                                Function<ProfileItemViewModel, InspectorViewModel> inspector) {
        this.profile = new SimpleObjectProperty<>(p);
        this.connection = connection.apply(this);
        this.live = live;
        this.inspector = inspector.apply(this);
    }

    public Profile profile() {
        return profile.get();
    }

    public String id() {
        return profile.get().id();
    }

    public void replace(Profile p) {
        profile.set(p);
    }

    public ReadOnlyObjectProperty<Profile> profileProperty() {
        return profile;
    }

    public StringBinding nameBinding() {
        // Escaped: a name saved before names were checked may hold control or text-direction characters.
        return Bindings.createStringBinding(() -> dev.portway.shared.text.SafeText.escape(profile.get().name()), profile);
    }

    /** "HTTP · localhost:3000 · embedded relay" */
    public StringBinding summaryBinding() {
        return Bindings.createStringBinding(() -> {
            Profile p = profile.get();
            return (p.kind() == Profile.Kind.FOLDER ? "Folder" : p.kind().name()) + " · " + dev.portway.shared.text.SafeText.escape(p.localTarget()) + " · "
                    + (p.relayMode() == Profile.RelayMode.EMBEDDED ? "embedded relay" : hostOf(p.relayUrl()));
        }, profile);
    }

    private static String hostOf(String url) {
        try {
            return java.net.URI.create(url).getHost();
        } catch (RuntimeException e) {
            return "remote relay";
        }
    }

    public ConnectionViewModel connection() {
        return connection;
    }

    public LiveViewModel live() {
        return live;
    }

    /** The request inspector: requests with their captured headers and bodies, Replay, Copy as curl, history. */
    public InspectorViewModel inspector() {
        return inspector;
    }
}
