package dev.portway.desktop.ui.folder;

import dev.portway.desktop.engine.share.FolderShare;
import dev.portway.desktop.profiles.Profile;
import dev.portway.desktop.profiles.ProfileDraft;
import dev.portway.shared.profile.ProfileFile;
import javafx.beans.Observable;
import javafx.beans.binding.Bindings;
import javafx.beans.binding.BooleanBinding;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.Executor;

/**
 * "Share a folder…": the folder, directory listing on or off, SPA fallback on or off with its file, the profile's
 * name, the public name and the relay (the embedded one or one a saved profile uses). The result is a profile of kind
 * {@link Profile.Kind#FOLDER}. Name and public name are checked as for every profile ({@link ProfileDraft}); the folder
 * is checked as the engine will serve it ({@link FolderShare#of}) on {@code io}, never on the FX thread (a folder may
 * be on a slow or hung network mount), and the answer comes back on {@code fx}. FX thread only; no toolkit needed.
 */
public final class FolderShareViewModel {
    public enum Field { FOLDER, FALLBACK, NAME, REQUESTED_NAME, RELAY }

    /**
     * One relay a share can go through: the embedded one, or a remote relay a saved profile already uses (with its
     * token and pinned certificate), shown by its address.
     */
    public record RelayChoice(Profile.RelayMode mode, String url, String token, String fingerprint) {
        public static final RelayChoice EMBEDDED = new RelayChoice(Profile.RelayMode.EMBEDDED, null, null, null);

        /** {@code Built into Portway} or the relay's address. */
        public String label() {
            return mode == Profile.RelayMode.EMBEDDED ? "Built into Portway (reachable from this computer)" : url;
        }

        @Override
        public String toString() {
            return label(); // never the token
        }
    }

    private final Profile original;
    private final Executor io;
    private final Executor fx;
    private final StringProperty folder = new SimpleStringProperty("");
    private final BooleanProperty listing = new SimpleBooleanProperty(true);
    private final BooleanProperty spa = new SimpleBooleanProperty(false);
    private final StringProperty fallback = new SimpleStringProperty(FolderShare.DEFAULT_FALLBACK);
    private final StringProperty name = new SimpleStringProperty("");
    private final StringProperty requestedName = new SimpleStringProperty("");
    private final ObservableList<RelayChoice> relays = FXCollections.observableArrayList();
    private final ObjectProperty<RelayChoice> relay = new SimpleObjectProperty<>(RelayChoice.EMBEDDED);
    private final BooleanProperty checking = new SimpleBooleanProperty();
    private final Map<Field, StringProperty> problems = new EnumMap<>(Field.class);
    private final BooleanBinding valid;
    /** The folder's real path as the last check found it; null until a check passed. */
    private Path checkedRoot;
    private long checks;
    /** The name follows the folder's own name until the person types one. */
    private boolean nameTouched;
    private boolean settingName;

    /**
     * @param original the folder profile to edit, or null for a new share
     * @param saved    the saved profiles: their remote relays are offered
     */
    public FolderShareViewModel(Profile original, List<Profile> saved, Executor io, Executor fx) {
        this.original = original;
        this.io = io;
        this.fx = fx;
        for (Field f : Field.values()) {
            problems.put(f, new SimpleStringProperty(""));
        }
        relays.add(RelayChoice.EMBEDDED);
        for (Profile p : saved) {
            if (p.relayMode() == Profile.RelayMode.REMOTE && p.relayUrl() != null
                    && relays.stream().noneMatch(r -> p.relayUrl().equals(r.url()))) {
                relays.add(new RelayChoice(Profile.RelayMode.REMOTE, p.relayUrl(), p.token(), p.relayFingerprint()));
            }
        }
        if (original != null) {
            Map<String, String> o = original.options();
            folder.set(o.getOrDefault(FolderShare.OPTION_FOLDER, ""));
            listing.set(!"off".equals(o.get(FolderShare.OPTION_LISTING)));
            spa.set("on".equals(o.get(FolderShare.OPTION_SPA)));
            fallback.set(o.getOrDefault(FolderShare.OPTION_FALLBACK, FolderShare.DEFAULT_FALLBACK));
            name.set(original.name());
            requestedName.set(original.requestedName() == null ? "" : original.requestedName());
            nameTouched = true;
            if (original.relayMode() == Profile.RelayMode.REMOTE) {
                RelayChoice own = relays.stream().filter(r -> Objects.equals(r.url(), original.relayUrl())).findFirst()
                        .orElse(null);
                if (own == null || !Objects.equals(own.token(), original.token())) {
                    own = new RelayChoice(Profile.RelayMode.REMOTE, original.relayUrl(), original.token(),
                            original.relayFingerprint());
                    relays.removeIf(r -> Objects.equals(r.url(), original.relayUrl()));
                    relays.add(own);
                }
                relay.set(own);
            }
        }
        name.addListener((o, was, now) -> {
            if (!settingName) {
                nameTouched = true;
            }
        });
        folder.addListener((o, was, now) -> followFolderName());
        for (Observable in : new Observable[]{name, requestedName, relay}) {
            in.addListener(x -> checkFields());
        }
        for (Observable in : new Observable[]{folder, spa, fallback}) {
            in.addListener(x -> checkFolder());
        }
        List<Observable> deps = new ArrayList<>(problems.values());
        deps.add(checking);
        valid = Bindings.createBooleanBinding(() -> !checking.get() && problems.values().stream().allMatch(p -> p.get().isEmpty()),
                deps.toArray(Observable[]::new));
        checkFields();
        checkFolder();
    }

    private void followFolderName() {
        if (nameTouched) {
            return;
        }
        String f = folder.get().strip().replaceAll("[/\\\\]+$", "");
        int cut = Math.max(f.lastIndexOf('/'), f.lastIndexOf('\\'));
        String last = cut >= 0 ? f.substring(cut + 1) : f;
        settingName = true;
        try {
            name.set(last.isEmpty() ? "" : last.length() > ProfileDraft.MAX_NAME ? last.substring(0, ProfileDraft.MAX_NAME) : last);
        } finally {
            settingName = false;
        }
    }

    private ProfileDraft draft() {
        RelayChoice r = relay.get() == null ? RelayChoice.EMBEDDED : relay.get();
        return new ProfileDraft(name.get(), Profile.Kind.FOLDER, "localhost", "0", r.mode(), nz(r.url()), nz(r.token()),
                requestedName.get(), original != null && original.autoConnect(), nz(r.fingerprint()));
    }

    private void checkFields() {
        Map<ProfileDraft.Field, String> found = draft().problems();
        problems.get(Field.NAME).set(found.getOrDefault(ProfileDraft.Field.NAME, ""));
        problems.get(Field.REQUESTED_NAME).set(found.getOrDefault(ProfileDraft.Field.REQUESTED_NAME, ""));
        String relayProblem = found.containsKey(ProfileDraft.Field.TOKEN)
                ? "This relay has no token saved — edit a profile that uses it and enter the token, or use the built-in relay."
                : found.getOrDefault(ProfileDraft.Field.RELAY_URL, found.getOrDefault(ProfileDraft.Field.RELAY_FINGERPRINT, ""));
        problems.get(Field.RELAY).set(relayProblem);
    }

    /** Checks the folder and the fallback file on {@code io}; only the newest check's answer is shown. */
    private void checkFolder() {
        long mine = ++checks;
        String dir = folder.get().strip();
        boolean wantSpa = spa.get();
        String file = fallback.get();
        checkedRoot = null;
        if (dir.isEmpty()) {
            checking.set(false);
            problems.get(Field.FOLDER).set("Choose the folder to share.");
            problems.get(Field.FALLBACK).set("");
            return;
        }
        checking.set(true);
        io.execute(() -> {
            String[] found = check(dir, wantSpa, file);
            Path root = found[2] == null ? null : Path.of(found[2]);
            fx.execute(() -> {
                if (mine != checks) {
                    return; // the person changed something meanwhile; a newer check answers
                }
                checkedRoot = root;
                problems.get(Field.FOLDER).set(found[0]);
                problems.get(Field.FALLBACK).set(found[1]);
                checking.set(false);
            });
        });
    }

    /** {folder problem, fallback problem, real path}: empty problems when fine. Blocking (file system). */
    private static String[] check(String dir, boolean wantSpa, String file) {
        if (!isAbsolute(dir)) {
            return new String[]{"Enter the folder's full path, e.g. " + System.getProperty("user.home") + "/site, or choose it.", "", null};
        }
        Map<String, String> options = new LinkedHashMap<>();
        options.put(FolderShare.OPTION_FOLDER, dir);
        FolderShare share;
        try {
            share = FolderShare.of(options);
        } catch (IllegalArgumentException e) {
            return new String[]{e.getMessage(), "", null};
        }
        String root = share.root().toString();
        if (root.length() > ProfileFile.MAX_OPTION_VALUE) {
            return new String[]{"The folder's path is longer than " + ProfileFile.MAX_OPTION_VALUE
                    + " characters — share a folder with a shorter path.", "", null};
        }
        String fallbackProblem = "";
        if (wantSpa) {
            options.put(FolderShare.OPTION_FALLBACK, file);
            try {
                FolderShare withFallback = FolderShare.of(options);
                if (!Files.isRegularFile(withFallback.root().resolve(withFallback.fallback()))) {
                    fallbackProblem = "The folder has no " + withFallback.fallback() + " — add it, or name the page your app starts from.";
                }
            } catch (IllegalArgumentException e) {
                fallbackProblem = e.getMessage();
            }
        }
        return new String[]{"", fallbackProblem, root};
    }

    private static boolean isAbsolute(String dir) {
        try {
            return Path.of(dir).isAbsolute();
        } catch (java.nio.file.InvalidPathException e) {
            return false;
        }
    }

    /** The folder profile to save; only while {@link #validBinding()} is true. */
    public Profile result() {
        if (!valid.get() || checkedRoot == null) {
            throw new IllegalStateException("the share has problems: " + problems);
        }
        Map<String, String> options = new LinkedHashMap<>(original != null ? original.options() : Map.of());
        options.put(FolderShare.OPTION_FOLDER, checkedRoot.toString());
        options.put(FolderShare.OPTION_LISTING, listing.get() ? "on" : "off");
        options.put(FolderShare.OPTION_SPA, spa.get() ? "on" : "off");
        if (spa.get()) {
            options.put(FolderShare.OPTION_FALLBACK, fallback.get().strip());
        } else {
            options.remove(FolderShare.OPTION_FALLBACK);
        }
        return draft().toProfile(original != null ? original.id() : UUID.randomUUID().toString(), options);
    }

    public boolean isNew() {
        return original == null;
    }

    public String title() {
        return original == null ? "Share a folder" : "Edit “" + original.name() + "”";
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }

    // ---- properties

    /** The folder's path as typed or chosen. */
    public StringProperty folderProperty() {
        return folder;
    }

    /** List a folder's files when it has no index.html. */
    public BooleanProperty listingProperty() {
        return listing;
    }

    /** Single-page app: unknown paths without an extension get {@link #fallbackProperty()}. */
    public BooleanProperty spaProperty() {
        return spa;
    }

    public StringProperty fallbackProperty() {
        return fallback;
    }

    public StringProperty nameProperty() {
        return name;
    }

    public StringProperty requestedNameProperty() {
        return requestedName;
    }

    public ObservableList<RelayChoice> relays() {
        return relays;
    }

    public ObjectProperty<RelayChoice> relayProperty() {
        return relay;
    }

    /** The folder is being checked (the answer comes from {@code io}). */
    public ReadOnlyBooleanProperty checkingProperty() {
        return checking;
    }

    /** The message for {@code f}, empty when it is fine. */
    public ReadOnlyStringProperty problemProperty(Field f) {
        return problems.get(f);
    }

    public BooleanBinding validBinding() {
        return valid;
    }
}
