package dev.portway.desktop.profiles;

import dev.portway.shared.profile.ProfileEntry;
import dev.portway.shared.profile.ProfileFile;
import dev.portway.shared.profile.ProfileFileException;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

/**
 * Export and import of profiles files (shared/PROFILES.md) against the app's {@link ProfileStore}.
 *
 * <p>Import is two steps: {@link #read} checks the whole file, reviews each profile for a person to confirm
 * ({@link ImportReview}: target, relay, warnings) and finds the profiles whose names are already taken; {@link #apply}
 * then saves everything in one store transaction, asking {@code choices} how to resolve each name clash. Imported
 * profiles are always saved with auto-connect off: a file from elsewhere never connects by itself, the user turns
 * auto-connect on in the editor after looking at the profile. Blocking and not thread-safe on its own: call it from the store's thread
 * ({@link ProfileService} does) or from a command-line main thread.
 */
public final class ProfileTransfer {
    /** What to do with an imported profile whose name an existing profile already has. */
    public enum Choice {
        /**
         * Import it as "name (2)" (the first free number); the existing one stays. The copy asks for no particular
         * public name when an existing profile already asks for the same one.
         */
        RENAME,
        /** Overwrite the existing profile (same id and place in the list) with the imported one. */
        REPLACE,
        /** Keep the existing profile; leave the imported one out. */
        SKIP
    }

    /** Profile {@code number} (1-based, as in the file) of the import has the name of {@code existing}. */
    public record Clash(int number, ProfileEntry incoming, Profile existing) {
    }

    /**
     * A checked file, ready to {@link #apply}; {@code clashes} and {@code reviews} (one per entry, in order) as the
     * store was when it was read.
     */
    public record Plan(List<ProfileEntry> entries, List<Clash> clashes, List<ImportReview> reviews) {
        public Plan {
            entries = List.copyOf(entries);
            clashes = List.copyOf(clashes);
            reviews = List.copyOf(reviews);
        }

        /** How many warnings the reviews hold in all. */
        public int warningCount() {
            return reviews.stream().mapToInt(r -> r.warnings().size()).sum();
        }
    }

    /** What happened to one profile of the file. {@code name} is the name it is stored under (or was skipped as). */
    public record Outcome(Action action, String name, String fileName) {
        public enum Action { ADDED, RENAMED, REPLACED, SKIPPED }

        /** One line for a person: {@code renamed   db → db (2)}. */
        public String line() {
            String verb = action.name().toLowerCase(Locale.ROOT);
            return String.format("%-9s %s", verb, action == Action.RENAMED ? fileName + " → " + name : name);
        }
    }

    private final ProfileStore store;
    private final ProfileFile format;

    public ProfileTransfer(ProfileStore store, ProfileFile format) {
        this.store = store;
        this.format = format;
    }

    /**
     * Writes every profile to {@code file}: first to a temporary file beside it, then moved over it, so a
     * crash or a full disk never leaves a half-written file where the old one was.
     *
     * @return the profiles written, in list order
     * @throws ProfileFileException when the profiles would make a file that import refuses (too many, too big, a bad
     *                              name); nothing is written then
     */
    public List<Profile> export(Path file, boolean includeSecrets) throws IOException, ProfileFileException {
        List<Profile> all = store.loadAll();
        byte[] bytes = format.write(all.stream().map(ProfileTransfer::toEntry).toList(), includeSecrets);
        Path target = file.toAbsolutePath();
        Path tmp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp");
        try {
            Files.write(tmp, bytes);
            try {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
        return all;
    }

    /** Checks the whole file (nothing is saved) and finds its name clashes with the profiles in the store. */
    public Plan read(Path file) throws ProfileFileException, IOException {
        List<ProfileEntry> entries;
        try (InputStream in = Files.newInputStream(file)) {
            entries = ProfileFile.read(in);
        }
        List<Profile> existing = store.loadAll();
        return new Plan(entries, clashes(entries, existing), ImportReview.of(entries, existing));
    }

    /**
     * Saves the plan's profiles in one transaction, every one with auto-connect off. Clashes are found again against
     * the store as it is now and each is resolved by {@code choices}; nothing is saved when {@code choices} or the
     * store fails.
     */
    public List<Outcome> apply(Plan plan, Function<Clash, Choice> choices) {
        return apply(plan, choices, false);
    }

    /**
     * As {@link #apply(Plan, Function)}; with {@code keepAutoConnect} the profiles keep the file's auto-connect. Only
     * for a person who asked for it explicitly ({@code --keep-auto-connect}, e.g. a script that wrote its own file).
     */
    public List<Outcome> apply(Plan plan, Function<Clash, Choice> choices, boolean keepAutoConnect) {
        List<Profile> existing = store.loadAll();
        List<Clash> clashes = clashes(plan.entries(), existing);
        Set<String> taken = new HashSet<>();
        existing.forEach(p -> taken.add(key(p.name())));
        plan.entries().forEach(e -> taken.add(key(e.name())));

        List<Profile> toSave = new ArrayList<>();
        List<Outcome> outcomes = new ArrayList<>();
        for (int i = 0; i < plan.entries().size(); i++) {
            ProfileEntry e = plan.entries().get(i);
            int number = i + 1;
            Function<Profile, Profile> autoConnect = p -> keepAutoConnect && e.autoConnect() ? withAutoConnect(p) : p;
            Optional<Clash> clash = clashes.stream().filter(c -> c.number() == number).findFirst();
            if (clash.isEmpty()) {
                toSave.add(autoConnect.apply(toProfile(UUID.randomUUID().toString(), e, e.name(), null)));
                outcomes.add(new Outcome(Outcome.Action.ADDED, e.name(), e.name()));
                continue;
            }
            Choice choice = Objects.requireNonNull(choices.apply(clash.get()), "no choice for " + e.name());
            switch (choice) {
                case SKIP -> outcomes.add(new Outcome(Outcome.Action.SKIPPED, e.name(), e.name()));
                case REPLACE -> {
                    Profile old = clash.get().existing();
                    toSave.add(autoConnect.apply(toProfile(old.id(), e, e.name(), old)));
                    outcomes.add(new Outcome(Outcome.Action.REPLACED, e.name(), e.name()));
                }
                case RENAME -> {
                    String name = freeName(e.name(), taken);
                    taken.add(key(name));
                    Profile copy = toProfile(UUID.randomUUID().toString(), e, name, null);
                    String wanted = copy.requestedName();
                    if (wanted != null && existing.stream().anyMatch(p -> wanted.equals(p.requestedName()))) {
                        // Like Profile.duplicate(): the copy must not fight the original over its public name.
                        copy = new Profile(copy.id(), copy.name(), copy.kind(), copy.localHost(), copy.localPort(),
                                copy.relayMode(), copy.relayUrl(), copy.token(), null, copy.options(), copy.autoConnect(),
                                copy.relayFingerprint());
                    }
                    toSave.add(autoConnect.apply(copy));
                    outcomes.add(new Outcome(Outcome.Action.RENAMED, name, e.name()));
                }
            }
        }
        store.saveAll(toSave);
        return outcomes;
    }

    private static Profile withAutoConnect(Profile p) {
        return new Profile(p.id(), p.name(), p.kind(), p.localHost(), p.localPort(), p.relayMode(), p.relayUrl(), p.token(),
                p.requestedName(), p.options(), true, p.relayFingerprint());
    }

    /** An I/O failure on {@code file} in words: {@code Could not write /x/p.json: the folder /x does not exist.} */
    public static String describe(IOException e, Path file, boolean writing) {
        String what = e instanceof java.nio.file.NoSuchFileException
                ? (writing ? "the folder " + file.toAbsolutePath().getParent() + " does not exist" : "there is no such file")
                : e instanceof java.nio.file.AccessDeniedException ? "permission denied"
                : String.valueOf(e.getMessage());
        return "Could not " + (writing ? "write " : "read ") + file + ": " + what + ".";
    }

    static List<Clash> clashes(List<ProfileEntry> entries, List<Profile> existing) {
        List<Clash> clashes = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            ProfileEntry e = entries.get(i);
            int number = i + 1;
            existing.stream().filter(p -> key(p.name()).equals(key(e.name()))).findFirst()
                    .ifPresent(p -> clashes.add(new Clash(number, e, p)));
        }
        return clashes;
    }

    /** {@code name (2)}, {@code name (3)}, … — the first not in {@code taken}, within the 100-character limit. */
    static String freeName(String name, Set<String> taken) {
        for (int n = 2; ; n++) {
            String suffix = " (" + n + ")";
            String base = name.length() + suffix.length() > ProfileDraft.MAX_NAME
                    ? name.substring(0, ProfileDraft.MAX_NAME - suffix.length()).strip() : name;
            if (!taken.contains(key(base + suffix))) {
                return base + suffix;
            }
        }
    }

    private static String key(String name) {
        return name.strip().toLowerCase(Locale.ROOT);
    }

    public static ProfileEntry toEntry(Profile p) {
        ProfileEntry.Relay relay = p.relayMode() == Profile.RelayMode.REMOTE && p.relayUrl() != null
                ? ProfileEntry.Relay.remote(p.relayUrl(), p.token(), p.relayFingerprint()) : ProfileEntry.Relay.EMBEDDED;
        return new ProfileEntry(p.name(), ProfileEntry.Kind.valueOf(p.kind().name()), p.localHost(), p.localPort(), relay,
                p.requestedName(), p.options(), p.autoConnect());
    }

    /**
     * The profile to store for an imported entry, with auto-connect off whatever the file says. A remote entry without a token (exported without secrets)
     * keeps the token of the profile it replaces when both point at the same relay; an entry without secret options
     * (visitor basic auth) keeps those of the profile it replaces.
     */
    static Profile toProfile(String id, ProfileEntry e, String name, Profile replaced) {
        boolean remote = e.relay().mode() == ProfileEntry.Relay.Mode.REMOTE;
        String url = null;
        String token = null;
        if (remote) {
            URI uri = ProfileDraft.relayUri(e.relay().url());
            url = uri != null ? uri.toString() : e.relay().url();
            token = e.relay().token();
            if (token == null && replaced != null && url.equals(replaced.relayUrl())) {
                token = replaced.token();
            }
        }
        java.util.Map<String, String> options = new java.util.HashMap<>(e.options());
        if (replaced != null) {
            for (String secret : dev.portway.shared.profile.ProfileFile.SECRET_OPTIONS) {
                String kept = replaced.options().get(secret);
                if (kept != null) {
                    options.putIfAbsent(secret, kept);
                }
            }
        }
        return new Profile(id, name, Profile.Kind.valueOf(e.kind().name()), e.localHost(), e.localPort(),
                remote ? Profile.RelayMode.REMOTE : Profile.RelayMode.EMBEDDED, url, token, e.requestedName(), options,
                false, remote ? e.relay().fingerprint() : null); // never auto-connect: the user looks at it first
    }
}
