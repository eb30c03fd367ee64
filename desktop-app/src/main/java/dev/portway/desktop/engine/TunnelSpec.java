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
    /**
     * HTTP only, handled by this engine and never sent to the relay: {@code rewrite} sets the Host header of each
     * request to the local target ({@code localhost:3000}) for apps that answer only to their own name (Vite, Rails
     * host authorization, name-based virtual hosts); {@code preserve} (the default) passes the visitor's Host on.
     * The visitor's host stays in {@code X-Forwarded-Host} either way.
     */
    public static final String OPTION_HOST_HEADER = "host_header";
    public static final String HOST_HEADER_REWRITE = "rewrite";
    public static final String HOST_HEADER_PRESERVE = "preserve";

    /**
     * HTTP only, handled by this engine and never sent to the relay: how the engine speaks to the local app.
     * {@code http1} (the default) is HTTP/1.1; {@code h2c} is HTTP/2 with prior knowledge, for apps that speak only
     * HTTP/2, such as gRPC servers (one connection, a stream per request, trailers both ways).
     */
    public static final String OPTION_LOCAL_PROTOCOL = "local_protocol";
    public static final String LOCAL_PROTOCOL_HTTP1 = "http1";
    public static final String LOCAL_PROTOCOL_H2C = "h2c";

    public TunnelSpec {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(localHost, "localHost");
        if (!Protocol.KIND_HTTP.equals(kind) && !Protocol.KIND_TCP.equals(kind)) {
            throw new IllegalArgumentException("Unknown tunnel kind '" + kind + "' — use http or tcp.");
        }
        boolean folder = options != null && options.containsKey(dev.portway.desktop.engine.share.FolderShare.OPTION_FOLDER);
        if (folder && !Protocol.KIND_HTTP.equals(kind)) {
            throw new IllegalArgumentException("A shared folder is served over http, not " + kind + ".");
        }
        if (!folder && (localPort < 1 || localPort > 65_535)) {
            throw new IllegalArgumentException("Port " + localPort + " is out of range — use 1..65535.");
        }
        if (name != null && !name.isEmpty() && TunnelNames.normalize(name) == null) {
            throw new IllegalArgumentException(TunnelNames.invalidMessage(name));
        }
        options = options == null ? Map.of() : Map.copyOf(options);
        String local = options.get(OPTION_LOCAL_PROTOCOL);
        if (local != null && !local.equals(LOCAL_PROTOCOL_HTTP1) && !local.equals(LOCAL_PROTOCOL_H2C)) {
            throw new IllegalArgumentException("Unknown local protocol '" + local + "' — use http1 or h2c (HTTP/2, for gRPC).");
        }
        if (LOCAL_PROTOCOL_H2C.equals(local) && !Protocol.KIND_HTTP.equals(kind)) {
            throw new IllegalArgumentException("The local protocol h2c is for http tunnels, not " + kind + ".");
        }
    }

    /** Whether the engine speaks HTTP/2 with prior knowledge to the local app ({@link #OPTION_LOCAL_PROTOCOL}). */
    public boolean localH2c() {
        return LOCAL_PROTOCOL_H2C.equals(options.get(OPTION_LOCAL_PROTOCOL));
    }

    public static TunnelSpec http(String name, int localPort) {
        return new TunnelSpec(Protocol.KIND_HTTP, name, "localhost", localPort, Map.of());
    }

    public static TunnelSpec tcp(String name, int localPort) {
        return new TunnelSpec(Protocol.KIND_TCP, name, "localhost", localPort, Map.of());
    }

    /** True when requests should reach the local app with its own host name (see {@link #OPTION_HOST_HEADER}). */
    public boolean rewritesHost() {
        return HOST_HEADER_REWRITE.equals(options.get(OPTION_HOST_HEADER));
    }

    /** The local service as people write it: {@code localhost:3000}, or the shared folder's path. */
    public String localTarget() {
        return folder() != null ? folder() : localHost + ":" + localPort;
    }

    /** The folder this tunnel shares (the engine answers from it; there is no local app), or null. */
    public String folder() {
        return options.get(dev.portway.desktop.engine.share.FolderShare.OPTION_FOLDER);
    }

    /** A tunnel that shares {@code folder} ({@link dev.portway.desktop.engine.share.FolderShare} options). */
    public static TunnelSpec folder(String name, Map<String, String> options) {
        return new TunnelSpec(Protocol.KIND_HTTP, name, "localhost", 0, options);
    }
}
