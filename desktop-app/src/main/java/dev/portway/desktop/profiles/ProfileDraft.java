package dev.portway.desktop.profiles;

import dev.portway.shared.profile.ProfileNames;
import dev.portway.shared.protocol.RelayAddress;
import dev.portway.shared.protocol.TunnelNames;
import dev.portway.shared.text.SafeText;

import java.net.URI;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

/**
 * A profile as a person typed it, every field still text. {@link #problems()} says what is wrong, per field,
 * in words; {@link #toProfile} builds the {@link Profile} once there is nothing wrong.
 */
public record ProfileDraft(String name, Profile.Kind kind, String localHost, String localPort, Profile.RelayMode relayMode,
                           String relayUrl, String token, String requestedName, boolean autoConnect,
                           String relayFingerprint) {

    public enum Field { NAME, LOCAL_HOST, LOCAL_PORT, RELAY_URL, TOKEN, REQUESTED_NAME, RELAY_FINGERPRINT }

    /** A draft without a pinned relay certificate. */
    public ProfileDraft(String name, Profile.Kind kind, String localHost, String localPort, Profile.RelayMode relayMode,
                        String relayUrl, String token, String requestedName, boolean autoConnect) {
        this(name, kind, localHost, localPort, relayMode, relayUrl, token, requestedName, autoConnect, "");
    }

    public static final int MAX_NAME = 100;

    public static ProfileDraft of(Profile p) {
        return new ProfileDraft(p.name(), p.kind(), p.localHost(), String.valueOf(p.localPort()), p.relayMode(),
                nz(p.relayUrl()), nz(p.token()), nz(p.requestedName()), p.autoConnect(), nz(p.relayFingerprint()));
    }

    /** What is wrong, by field; empty when the draft can be saved. */
    public Map<Field, String> problems() {
        Map<Field, String> p = new EnumMap<>(Field.class);
        String n = nz(name).strip();
        if (n.isEmpty()) {
            p.put(Field.NAME, "Give the profile a name.");
        } else if (n.length() > MAX_NAME) {
            p.put(Field.NAME, "Keep the name under " + MAX_NAME + " characters.");
        } else if (ProfileNames.characterProblem(n) != null) {
            p.put(Field.NAME, "The name " + ProfileNames.characterProblem(n)
                    + " — leave out /, \\, control characters and text-direction controls.");
        }
        String host = nz(localHost).strip();
        if (kind == Profile.Kind.FOLDER) {
            // no local service: the folder is checked by whoever builds its options (FolderShareViewModel)
        } else if (host.isEmpty()) {
            p.put(Field.LOCAL_HOST, "Enter the host of your service, usually localhost.");
        } else if (host.contains(" ") || host.contains("/") || host.contains("\\") || SafeText.firstUnsafe(host) >= 0
                || host.contains(":") && !host.startsWith("[")) {
            p.put(Field.LOCAL_HOST, "Enter just a host name or address, like localhost or 127.0.0.1.");
        }
        String port = nz(localPort).strip();
        if (kind == Profile.Kind.FOLDER) {
            // no local port either
        } else if (port.isEmpty()) {
            p.put(Field.LOCAL_PORT, "Enter the port your service listens on, e.g. 3000.");
        } else {
            Integer value = parsePort(port);
            if (value == null) {
                p.put(Field.LOCAL_PORT, "Port must be a number from 1 to 65535.");
            }
        }
        String wanted = nz(requestedName).strip();
        if (!wanted.isEmpty() && TunnelNames.normalize(wanted) == null) {
            p.put(Field.REQUESTED_NAME, "Use 1-63 letters, digits and '-', not starting or ending with '-'.");
        }
        if (relayMode == Profile.RelayMode.REMOTE) {
            String url = nz(relayUrl).strip();
            if (url.isEmpty()) {
                p.put(Field.RELAY_URL, "Enter the relay's address, e.g. wss://relay.example.com.");
            } else if (relayUri(url) == null || SafeText.firstUnsafe(url) >= 0) {
                p.put(Field.RELAY_URL, "Write the address as ws://host:port or wss://host.");
            }
            if (nz(token).isBlank()) {
                p.put(Field.TOKEN, "A remote relay needs a token — ask whoever runs it.");
            }
            String pin = nz(relayFingerprint).strip();
            if (!pin.isEmpty()) {
                URI uri = relayUri(url);
                if (fingerprint(pin) == null) {
                    p.put(Field.RELAY_FINGERPRINT, "Paste the fingerprint the relay prints at start: sha256: and 64 hex digits.");
                } else if (uri != null && !"wss".equals(uri.getScheme())) {
                    p.put(Field.RELAY_FINGERPRINT, "A fingerprint pins a TLS relay: use a wss:// address, or clear the fingerprint.");
                }
            }
        }
        return p;
    }

    /** The profile this draft describes, under {@code id}. */
    public Profile toProfile(String id, Map<String, String> options) {
        Map<Field, String> problems = problems();
        if (!problems.isEmpty()) {
            throw new IllegalStateException("draft has problems: " + problems.keySet());
        }
        boolean remote = relayMode == Profile.RelayMode.REMOTE;
        String wanted = nz(requestedName).strip();
        boolean folder = kind == Profile.Kind.FOLDER;
        return new Profile(id, name.strip(), kind, folder ? "localhost" : localHost.strip(), folder ? 0 : parsePort(localPort.strip()), relayMode,
                remote ? relayUri(relayUrl.strip()).toString() : null, remote ? token.strip() : null,
                wanted.isEmpty() ? null : wanted.toLowerCase(Locale.ROOT), options, autoConnect,
                remote ? fingerprint(nz(relayFingerprint).strip()) : null);
    }

    /** The normalized fingerprint, or null when {@code text} is empty or not one. */
    private static String fingerprint(String text) {
        if (text.isEmpty()) {
            return null;
        }
        try {
            return dev.portway.shared.protocol.CertificateFingerprint.normalize(text);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static Integer parsePort(String text) {
        if (text.length() > 5 || !text.chars().allMatch(Character::isDigit)) {
            return null;
        }
        int v = Integer.parseInt(text);
        return v >= 1 && v <= 65_535 ? v : null;
    }

    /** The relay address as the engine dials it ({@code http} → {@code ws}), or null when it is not one. */
    static URI relayUri(String text) {
        return RelayAddress.parse(text).orElse(null);
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }
}
