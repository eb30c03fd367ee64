package dev.portway.desktop.ui.profiles;

import dev.portway.desktop.profiles.OptionsDraft;
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

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
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
    // Options section
    private final BooleanProperty queue = new SimpleBooleanProperty();
    private final StringProperty queuePriority = new SimpleStringProperty();
    private final StringProperty authUser = new SimpleStringProperty();
    private final StringProperty authPassword = new SimpleStringProperty();
    private final StringProperty ipAllow = new SimpleStringProperty();
    private final BooleanProperty rewriteHost = new SimpleBooleanProperty();
    /** The local app speaks only HTTP/2 (h2c, e.g. gRPC): the choice box "HTTP/1.1 | HTTP/2 (h2c, for gRPC)". */
    private final BooleanProperty localH2c = new SimpleBooleanProperty();
    private final BooleanProperty privateTcp = new SimpleBooleanProperty();
    /** Response rewriting by the relay (its own small section of the form). */
    private final RewriteFields rewrite;
    private final StringProperty shareWith = new SimpleStringProperty();
    private final Map<OptionsDraft.Field, StringProperty> optionProblems = new EnumMap<>(OptionsDraft.Field.class);
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
        OptionsDraft o = OptionsDraft.of(start.options());
        rewrite = new RewriteFields(start.options());
        queue.set(o.queue());
        queuePriority.set(o.queuePriority());
        authUser.set(o.authUser());
        authPassword.set(o.authPassword());
        ipAllow.set(o.ipAllow());
        rewriteHost.set(o.rewriteHost());
        localH2c.set(o.localH2c());
        privateTcp.set(o.privateTcp());
        shareWith.set(o.shareWith());
        for (OptionsDraft.Field f : OptionsDraft.Field.values()) {
            optionProblems.put(f, new SimpleStringProperty(""));
        }
        Observable[] inputs = {name, kind, localHost, localPort, relayMode, relayUrl, token, requestedName, relayFingerprint,
                queue, authUser, authPassword, ipAllow, privateTcp, shareWith};
        for (Observable in : inputs) {
            in.addListener(x -> check());
        }
        List<Observable> all = new ArrayList<>(problems.values());
        all.addAll(optionProblems.values());
        valid = Bindings.createBooleanBinding(() -> problems.values().stream().allMatch(p -> p.get().isEmpty())
                && optionProblems.values().stream().allMatch(p -> p.get().isEmpty()), all.toArray(Observable[]::new));
        check();
    }

    private void check() {
        Map<Field, String> found = draft().problems();
        problems.forEach((f, p) -> p.set(found.getOrDefault(f, "")));
        Map<OptionsDraft.Field, String> optionsFound = options().problems(kind.get());
        optionProblems.forEach((f, p) -> p.set(optionsFound.getOrDefault(f, "")));
    }

    public OptionsDraft options() {
        return new OptionsDraft(queue.get(), queuePriority.get(), authUser.get(), authPassword.get(), ipAllow.get(), rewriteHost.get(),
                privateTcp.get(), shareWith.get(), localH2c.get());
    }

    public ProfileDraft draft() {
        return new ProfileDraft(name.get(), kind.get(), localHost.get(), localPort.get(), relayMode.get(), relayUrl.get(),
                token.get(), requestedName.get(), autoConnect.get(), relayFingerprint.get());
    }

    /** The profile to save; only while {@link #validBinding()} is true. */
    public Profile result() {
        return draft().toProfile(original != null ? original.id() : UUID.randomUUID().toString(),
                rewrite.applyTo(options().applyTo(original != null ? original.options() : Map.of(), kind.get()), kind.get()));
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

    /** The message for an option field, empty when it is fine. */
    public ReadOnlyStringProperty problemProperty(OptionsDraft.Field f) {
        return optionProblems.get(f);
    }

    /** Queue, basic auth and host rewriting apply to HTTP tunnels only. */
    public BooleanBinding httpBinding() {
        return kind.isEqualTo(Profile.Kind.HTTP);
    }

    /** TCP only: no public port, reachable through the relay's SSH gateway by the owner and {@link #shareWithProperty}. */
    public BooleanProperty privateTcpProperty() {
        return privateTcp;
    }

    public StringProperty shareWithProperty() {
        return shareWith;
    }

    public BooleanProperty queueProperty() {
        return queue;
    }

    /** {@code high}, {@code normal} or {@code low}. */
    public StringProperty queuePriorityProperty() {
        return queuePriority;
    }

    public StringProperty authUserProperty() {
        return authUser;
    }

    public StringProperty authPasswordProperty() {
        return authPassword;
    }

    public StringProperty ipAllowProperty() {
        return ipAllow;
    }

    public RewriteFields rewrite() {
        return rewrite;
    }

    public BooleanProperty localH2cProperty() {
        return localH2c;
    }

    public BooleanProperty rewriteHostProperty() {
        return rewriteHost;
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
