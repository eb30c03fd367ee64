package dev.portway.desktop.diagnostics;

import dev.portway.shared.protocol.Protocol;

import java.net.URI;
import java.util.Locale;
import java.util.Objects;

/**
 * What a diagnostics run checks: the relay (the embedded one or a remote one) and the local service.
 *
 * @param relayUrl  the relay's {@code ws://} or {@code wss://} address, with or without the connect path
 * @param token     the relay token, sent in the hello; never written to a report
 * @param kind      {@code http} or {@code tcp}: an http target is also asked a GET; {@link #FOLDER} for a shared folder,
 *                  whose path is then {@code localHost} (there is no port)
 * @param embedded  the relay inside this app (for the report and the hints)
 */
public record DiagnosticTarget(URI relayUrl, String token, String kind, String localHost, int localPort, boolean embedded) {
    public static final String FOLDER = "folder";

    /** {@code localhost:3000}, or a shared folder's path. */
    public String localTarget() {
        return FOLDER.equals(kind) ? localHost : localHost + ":" + localPort;
    }

    public DiagnosticTarget {
        Objects.requireNonNull(relayUrl, "relayUrl");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(localHost, "localHost");
    }

    public boolean secure() {
        return "wss".equals(relayUrl.getScheme().toLowerCase(Locale.ROOT));
    }

    public String relayHost() {
        String h = relayUrl.getHost();
        return h.startsWith("[") && h.endsWith("]") ? h.substring(1, h.length() - 1) : h;
    }

    public int relayPort() {
        return relayUrl.getPort() > 0 ? relayUrl.getPort() : secure() ? 443 : 80;
    }

    /** The URL the WebSocket upgrade asks for: the relay address with the protocol's connect path when it has none. */
    public URI connectUri() {
        String path = relayUrl.getPath();
        return path == null || path.isEmpty() || path.equals("/") ? relayUrl.resolve(Protocol.CONNECT_PATH) : relayUrl;
    }

    /** The relay without any secret, for reports. */
    public String relayForReport() {
        return (embedded ? "embedded, " : "") + connectUri();
    }
}
