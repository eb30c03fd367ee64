package dev.portway.shared.protocol;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Optional;

/**
 * A relay address as people write it — {@code wss://relay.example.com}, {@code ws://host:8080},
 * or the {@code http}/{@code https} forms — turned into the WebSocket URI a client dials. One rule for
 * the CLI, the profile form and the profile file.
 */
public final class RelayAddress {
    private RelayAddress() {
    }

    /** @return the {@code ws}/{@code wss} URI for {@code text}, or empty when it is not a relay address */
    public static Optional<URI> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        try {
            URI u = new URI(text.trim());
            String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
            String ws = switch (scheme) {
                case "ws", "http" -> "ws";
                case "wss", "https" -> "wss";
                default -> null;
            };
            if (ws == null || u.getHost() == null) {
                return Optional.empty();
            }
            return Optional.of(new URI(ws, u.getUserInfo(), u.getHost(), u.getPort(), u.getPath(), u.getQuery(), null));
        } catch (URISyntaxException e) {
            return Optional.empty();
        }
    }
}
