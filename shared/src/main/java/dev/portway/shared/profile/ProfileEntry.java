package dev.portway.shared.profile;

import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * One tunnel profile as a profiles file carries it (PROFILES.md §2): what to expose and through which
 * relay, without the app's local identity (ids and list positions stay on the machine that made them).
 *
 * @param localPort     1..65535; 0 for a {@link Kind#FOLDER} (no local service: the folder is in {@code options})
 * @param requestedName the public name to ask for, lower case; null for one the relay generates
 * @param options       tunnel options sent with the bind (e.g. {@code port} for TCP); never null
 */
public record ProfileEntry(String name, Kind kind, String localHost, int localPort, Relay relay, String requestedName,
                           Map<String, String> options, boolean autoConnect) {

    public enum Kind {
        HTTP, TCP,
        /** A shared folder (version 2): the app serves the folder in option {@code folder} itself, over http. */
        FOLDER;

        /** As the file writes it: {@code http}, {@code tcp} or {@code folder}. */
        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * Which relay a profile goes through.
     *
     * @param url   REMOTE only: {@code ws}, {@code wss}, {@code http} or {@code https} address; null for EMBEDDED
     * @param token       REMOTE only, a secret: null when the file was exported without secrets
     * @param fingerprint REMOTE only: the pinned certificate ({@code sha256:hex}) of a self-signed relay, or null
     */
    public record Relay(Mode mode, String url, String token, String fingerprint) {
        public enum Mode { EMBEDDED, REMOTE }

        public static final Relay EMBEDDED = new Relay(Mode.EMBEDDED, null, null, null);

        public Relay(Mode mode, String url, String token) {
            this(mode, url, token, null);
        }

        public Relay {
            Objects.requireNonNull(mode, "mode");
        }

        public static Relay remote(String url, String token) {
            return new Relay(Mode.REMOTE, Objects.requireNonNull(url, "url"), token, null);
        }

        public static Relay remote(String url, String token, String fingerprint) {
            return new Relay(Mode.REMOTE, Objects.requireNonNull(url, "url"), token, fingerprint);
        }

        @Override
        public String toString() {
            return mode == Mode.EMBEDDED ? "Relay[embedded]" : "Relay[" + url + (token != null ? ", token" : "") + "]";
        }
    }

    public ProfileEntry {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(localHost, "localHost");
        Objects.requireNonNull(relay, "relay");
        options = options == null ? Map.of() : Map.copyOf(options);
    }
}
