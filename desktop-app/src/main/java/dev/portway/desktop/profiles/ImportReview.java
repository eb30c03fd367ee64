package dev.portway.desktop.profiles;

import dev.portway.shared.profile.ProfileEntry;
import dev.portway.shared.text.SafeText;

import java.net.URI;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What one profile of an import will add, for a person to check before anything is saved — an import is often a
 * file from someone else: its name, local target and relay ({@link #summary}), {@link #warnings} about what it
 * would publish or where it would send traffic, and {@link #notes} about what the import changes (auto-connect is
 * always imported off). Every text is escaped for any screen.
 *
 * @param number 1-based, as in the file
 */
public record ImportReview(int number, ProfileEntry entry, List<String> warnings, List<String> notes) {
    public ImportReview {
        warnings = List.copyOf(warnings);
        notes = List.copyOf(notes);
    }

    /** {@code 1. Staging DB — tcp 127.0.0.1:5432 via relay wss://relay.example.com}. */
    public String summary() {
        String target = entry.kind() == ProfileEntry.Kind.FOLDER
                ? "folder " + entry.options().getOrDefault(dev.portway.shared.profile.ProfileFile.FOLDER_OPTION, "")
                : entry.kind().wire() + " " + entry.localHost() + ":" + entry.localPort();
        return SafeText.escape(number + ". " + entry.name() + " — " + target + " via " + (remote(entry) ? "relay " + relayText(entry) : "the embedded relay"));
    }

    /** One review per entry, in file order; relays count as known when a profile in {@code existing} uses them. */
    static List<ImportReview> of(List<ProfileEntry> entries, List<Profile> existing) {
        Set<String> knownRelays = new HashSet<>();
        for (Profile p : existing) {
            if (p.relayMode() == Profile.RelayMode.REMOTE && p.relayUrl() != null) {
                knownRelays.add(relayKey(p.relayUrl()));
            }
        }
        List<ImportReview> reviews = new ArrayList<>(entries.size());
        for (int i = 0; i < entries.size(); i++) {
            ProfileEntry e = entries.get(i);
            List<String> warnings = new ArrayList<>();
            String host = e.localHost();
            if (e.kind() == ProfileEntry.Kind.FOLDER) {
                warnings.add("it shares the folder " + e.options().get(dev.portway.shared.profile.ProfileFile.FOLDER_OPTION)
                        + " of this machine with anyone who has the public address — check what is in it first.");
            }
            switch (e.kind() == ProfileEntry.Kind.FOLDER ? LocalTargets.Reach.THIS_MACHINE : LocalTargets.of(host)) {
                case METADATA -> warnings.add(host + " is a link-local or cloud metadata address — a tunnel to it can"
                        + " publish this machine's cloud credentials to anyone with the public address.");
                case ELSEWHERE -> warnings.add(host + " is not this machine — the tunnel would publish a service of"
                        + " another computer on your network.");
                case THIS_MACHINE -> { }
            }
            if (remote(e) && !knownRelays.contains(relayKey(e.relay().url()))) {
                warnings.add("relay " + relayText(e) + " is not one you use yet — whoever runs it sees all traffic"
                        + " of this tunnel.");
            }
            List<String> notes = new ArrayList<>();
            if (e.autoConnect()) {
                notes.add("auto-connect is on in the file; it is imported off — turn it on in the editor once you have"
                        + " checked the profile.");
            }
            reviews.add(new ImportReview(i + 1, e, warnings.stream().map(SafeText::escape).toList(),
                    notes.stream().map(SafeText::escape).toList()));
        }
        return reviews;
    }

    private static boolean remote(ProfileEntry e) {
        return e.relay().mode() == ProfileEntry.Relay.Mode.REMOTE;
    }

    /** The relay as it will be stored and dialled ({@code https://x} becomes {@code wss://x}). */
    private static String relayText(ProfileEntry e) {
        URI uri = ProfileDraft.relayUri(e.relay().url());
        return uri != null ? uri.toString() : e.relay().url();
    }

    /** Scheme, host and port (defaults filled in) and path: two spellings of one relay compare equal. */
    private static String relayKey(String url) {
        URI u = ProfileDraft.relayUri(url);
        if (u == null) {
            return url;
        }
        int port = u.getPort() != -1 ? u.getPort() : "wss".equals(u.getScheme()) ? 443 : 80;
        String path = u.getPath() == null ? "" : u.getPath().replaceAll("/+$", "");
        return u.getScheme() + "://" + u.getHost().toLowerCase(Locale.ROOT) + ":" + port + path;
    }
}
