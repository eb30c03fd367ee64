package dev.portway.desktop.profiles;

import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * One saved tunnel: what to expose and through which relay. Immutable; a change is a new record saved
 * whole (see {@link ProfileStore#save}). Build one from what a person typed with {@link ProfileDraft}.
 *
 * @param id            stable identity, a UUID string
 * @param localPort     1..65535; 0 for a {@link Kind#FOLDER}, which has no local service
 * @param relayUrl      REMOTE only: the relay's {@code ws://} / {@code wss://} address; null for EMBEDDED
 * @param token         REMOTE only: the relay token; null for EMBEDDED
 * @param requestedName the public name to ask for; null or empty for one the relay generates
 * @param options       tunnel options sent with the bind (e.g. {@code port} for TCP)
 * @param autoConnect   connect when the app starts
 * @param relayFingerprint REMOTE only: the relay's pinned TLS certificate ({@code sha256:hex}), trusted instead of the
 *                      system's CAs (a self-signed relay); null to verify normally
 */
public record Profile(String id, String name, Kind kind, String localHost, int localPort, RelayMode relayMode,
                      String relayUrl, String token, String requestedName, Map<String, String> options,
                      boolean autoConnect, String relayFingerprint) {

    /** A profile that pins no relay certificate. */
    public Profile(String id, String name, Kind kind, String localHost, int localPort, RelayMode relayMode,
                   String relayUrl, String token, String requestedName, Map<String, String> options, boolean autoConnect) {
        this(id, name, kind, localHost, localPort, relayMode, relayUrl, token, requestedName, options, autoConnect, null);
    }

    /** This profile trusting exactly the relay certificate with {@code fingerprint} (null: the system's CAs). */
    public Profile withRelayFingerprint(String fingerprint) {
        return new Profile(id, name, kind, localHost, localPort, relayMode, relayUrl, token, requestedName, options,
                autoConnect, fingerprint);
    }

    public enum Kind {
        HTTP, TCP,
        /**
         * A shared folder: the engine answers from the folder in option {@code folder} itself (see
         * {@code engine.share.FolderShare}); there is no local host or port. An http tunnel on the wire.
         */
        FOLDER;

        /** As the protocol writes it: {@code http} or {@code tcp} (a folder is served over http). */
        public String wire() {
            return this == FOLDER ? "http" : name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public enum RelayMode {
        /** A relay inside this app, on this machine. */
        EMBEDDED,
        /** A relay elsewhere, reached by URL and token. */
        REMOTE
    }

    public Profile {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(localHost, "localHost");
        Objects.requireNonNull(relayMode, "relayMode");
        options = options == null ? Map.of() : Map.copyOf(options);
        if (relayFingerprint != null) {
            relayFingerprint = dev.portway.shared.protocol.CertificateFingerprint.normalize(relayFingerprint);
        }
    }

    /** The profile a first run starts with: {@code http://localhost:3000} through the embedded relay. */
    public static Profile firstRun() {
        return new Profile(UUID.randomUUID().toString(), "My app", Kind.HTTP, "localhost", 3000, RelayMode.EMBEDDED,
                null, null, "my-app", Map.of(), false);
    }

    /** The local service as people write it: {@code localhost:3000}; for a shared folder, its path. */
    public String localTarget() {
        return kind == Kind.FOLDER ? options.getOrDefault(dev.portway.shared.profile.ProfileFile.FOLDER_OPTION, "")
                : localHost + ":" + localPort;
    }

    /** A copy under a new id, named "… copy", asking for no particular public name (the original holds it). */
    public Profile duplicate() {
        return new Profile(UUID.randomUUID().toString(), name + " copy", kind, localHost, localPort, relayMode, relayUrl,
                token, null, options, false, relayFingerprint);
    }

    @Override
    public String toString() {
        // Never the token: records end up in logs.
        return "Profile[" + id + ", " + name + ", " + kind.name().toLowerCase(java.util.Locale.ROOT) + " " + localTarget() + ", " + relayMode + "]";
    }
}
