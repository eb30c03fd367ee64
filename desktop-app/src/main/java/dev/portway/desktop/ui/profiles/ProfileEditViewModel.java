package dev.portway.desktop.ui.profiles;

import dev.portway.desktop.profiles.Profile;
import dev.portway.desktop.profiles.ProfileDraft;
import dev.portway.desktop.profiles.ProfileDraft.Field;
import javafx.beans.Observable;
import javafx.beans.binding.Bindings;
import javafx.beans.binding.BooleanBinding;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;

import java.util.EnumMap;
import java.util.Map;
import java.util.UUID;

/**
 * The profile form: one property per field, a message per field that updates as the person types, and
 * {@link #validBinding()} for the Save button. FX thread only; no toolkit needed.
 */
public final class ProfileEditViewModel {
    private final Profile original;
    private final StringProperty name = new SimpleStringProperty();
    private final ObjectProperty<Profile.Kind> kind = new SimpleObjectProperty<>();
    private final StringProperty localHost = new SimpleStringProperty();
    private final StringProperty localPort = new SimpleStringProperty();
    private final ObjectProperty<Profile.RelayMode> relayMode = new SimpleObjectProperty<>();
    private final StringProperty relayUrl = new SimpleStringProperty();
    private final StringProperty token = new SimpleStringProperty();
    private final StringProperty requestedName = new SimpleStringProperty();
    private final BooleanProperty autoConnect = new SimpleBooleanProperty();
    private final StringProperty relayFingerprint = new SimpleStringProperty();
    private final Map<Field, StringProperty> problems = new EnumMap<>(Field.class);
    private final BooleanBinding valid;

    /** @param original the profile to edit, or null for a new one */
    public ProfileEditViewModel(Profile original) {
        this.original = original;
        Profile start = original != null ? original
                : new Profile("new", "New tunnel", Profile.Kind.HTTP, "localhost", 8080, Profile.RelayMode.EMBEDDED,
                null, null, null, Map.of(), false);
        ProfileDraft d = ProfileDraft.of(start);
        name.set(d.name());
        kind.set(d.kind());
        localHost.set(d.localHost());
        localPort.set(d.localPort());
        relayMode.set(d.relayMode());
        relayUrl.set(d.relayUrl());
        token.set(d.token());
        requestedName.set(d.requestedName());
        autoConnect.set(d.autoConnect());
        relayFingerprint.set(d.relayFingerprint());
        for (Field f : Field.values()) {
            problems.put(f, new SimpleStringProperty(""));
        }
        Observable[] inputs = {name, kind, localHost, localPort, relayMode, relayUrl, token, requestedName, relayFingerprint};
        for (Observable o : inputs) {
            o.addListener(x -> check());
        }
        valid = Bindings.createBooleanBinding(() -> problems.values().stream().allMatch(p -> p.get().isEmpty()),
                problems.values().toArray(Observable[]::new));
        check();
    }

    private void check() {
        Map<Field, String> found = draft().problems();
        problems.forEach((f, p) -> p.set(found.getOrDefault(f, "")));
    }

    public ProfileDraft draft() {
        return new ProfileDraft(name.get(), kind.get(), localHost.get(), localPort.get(), relayMode.get(), relayUrl.get(),
                token.get(), requestedName.get(), autoConnect.get(), relayFingerprint.get());
    }

    /** The profile to save; only while {@link #validBinding()} is true. */
    public Profile result() {
        return draft().toProfile(original != null ? original.id() : UUID.randomUUID().toString(),
                original != null ? original.options() : Map.of());
    }

    public boolean isNew() {
        return original == null;
    }

    public String title() {
        return original == null ? "New profile" : "Edit “" + original.name() + "”";
    }

    /** The message for {@code f}, empty when the field is fine. */
    public ReadOnlyStringProperty problemProperty(Field f) {
        return problems.get(f);
    }

    public BooleanBinding validBinding() {
        return valid;
    }

    public BooleanBinding remoteBinding() {
        return relayMode.isEqualTo(Profile.RelayMode.REMOTE);
    }

    public StringProperty nameProperty() {
        return name;
    }

    public ObjectProperty<Profile.Kind> kindProperty() {
        return kind;
    }

    public StringProperty localHostProperty() {
        return localHost;
    }

    public StringProperty localPortProperty() {
        return localPort;
    }

    public ObjectProperty<Profile.RelayMode> relayModeProperty() {
        return relayMode;
    }

    public StringProperty relayUrlProperty() {
        return relayUrl;
    }

    public StringProperty tokenProperty() {
        return token;
    }

    public StringProperty requestedNameProperty() {
        return requestedName;
    }

    /** A remote relay's pinned certificate fingerprint ({@code sha256:…}); empty to verify it normally. */
    public StringProperty relayFingerprintProperty() {
        return relayFingerprint;
    }

    public BooleanProperty autoConnectProperty() {
        return autoConnect;
    }
}
