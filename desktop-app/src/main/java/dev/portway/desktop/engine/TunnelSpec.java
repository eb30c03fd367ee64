package dev.portway.desktop.engine;

import dev.portway.shared.protocol.Protocol;
import dev.portway.shared.protocol.TunnelNames;

import java.util.Map;
import java.util.Objects;

/**
 * One tunnel the engine should put up: what kind, which public name to ask for, and the local
 * service it forwards to.
 *
 * @param kind      {@code http} or {@code tcp}
 * @param name      the public name to ask for; null or empty for one the relay generates
 * @param localHost host of the local service, usually {@code localhost}
 * @param localPort port of the local service, 1..65535
 * @param options   tunnel options sent with the bind ({@code port} asks for a public TCP port)
 */
public record TunnelSpec(String kind, String name, String localHost, int localPort, Map<String, String> options) {

    public TunnelSpec {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(localHost, "localHost");
        if (!Protocol.KIND_HTTP.equals(kind) && !Protocol.KIND_TCP.equals(kind)) {
            throw new IllegalArgumentException("Unknown tunnel kind '" + kind + "' — use http or tcp.");
        }
        if (localPort < 1 || localPort > 65_535) {
            throw new IllegalArgumentException("Port " + localPort + " is out of range — use 1..65535.");
        }
        if (name != null && !name.isEmpty() && TunnelNames.normalize(name) == null) {
            throw new IllegalArgumentException(TunnelNames.invalidMessage(name));
        }
        options = options == null ? Map.of() : Map.copyOf(options);
    }

    public static TunnelSpec http(String name, int localPort) {
        return new TunnelSpec(Protocol.KIND_HTTP, name, "localhost", localPort, Map.of());
    }

    public static TunnelSpec tcp(String name, int localPort) {
        return new TunnelSpec(Protocol.KIND_TCP, name, "localhost", localPort, Map.of());
    }

    /** The local service as people write it: {@code localhost:3000}. */
    public String localTarget() {
        return localHost + ":" + localPort;
    }
}
