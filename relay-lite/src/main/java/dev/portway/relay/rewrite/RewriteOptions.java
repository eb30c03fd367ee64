package dev.portway.relay.rewrite;

import dev.portway.shared.protocol.Protocol;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A tunnel's response rewriting (PROTOCOL.md §4.1 "Response rewriting"), checked from its bind options. Immutable.
 *
 * @param redirects   rewrite {@code Location} and {@code Content-Location}
 * @param cookies     rewrite {@code Set-Cookie} Domain and Path
 * @param localOrigin the local target as the app knows itself ({@code http://localhost:3000}), or null when the
 *                    client did not say; only URLs pointing at it (or at the relay's own root) are rewritten
 * @param strip       lower-case names of response headers the visitor does not get
 */
public record RewriteOptions(boolean redirects, boolean cookies, Origin localOrigin, Set<String> strip) {
    /** On, without a local origin and stripping nothing: what a bind without these options gets. */
    public static final RewriteOptions DEFAULT = new RewriteOptions(true, true, null, Set.of());
    /** The bind options this class reads. */
    public static final List<String> KNOWN = List.of(Protocol.OPTION_REWRITE_REDIRECTS, Protocol.OPTION_REWRITE_COOKIES,
            Protocol.OPTION_LOCAL_ORIGIN, Protocol.OPTION_STRIP_HEADERS);
    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}");
    private static final int MAX_STRIP = 16;

    /** A scheme, host (lower-case, IPv6 in brackets) and port (explicit or the scheme's default). */
    public record Origin(String scheme, String host, int port) {
        /** @return the origin of an absolute http(s) URL, or null when it is none */
        static Origin of(URI u) {
            String scheme = u.getScheme() == null ? null : u.getScheme().toLowerCase(Locale.ROOT);
            if (!"http".equals(scheme) && !"https".equals(scheme) || u.getHost() == null) {
                return null;
            }
            int port = u.getPort() >= 0 ? u.getPort() : scheme.equals("https") ? 443 : 80;
            return new Origin(scheme, u.getHost().toLowerCase(Locale.ROOT), port);
        }

        boolean isLoopback() {
            return LOOPBACK.contains(host);
        }

        /** Same port and host, where every loopback name counts as one host (the app may call itself 127.0.0.1). */
        boolean sameServer(Origin o) {
            return o != null && port == o.port && (host.equals(o.host) || isLoopback() && o.isLoopback());
        }

        private static final Set<String> LOOPBACK = Set.of("localhost", "127.0.0.1", "[::1]", "0.0.0.0");
    }

    /**
     * @param options a bind's options (others than this class's are ignored)
     * @throws IllegalArgumentException with a message naming the option and what is allowed
     */
    public static RewriteOptions parse(Map<String, String> options, String kind) {
        boolean any = KNOWN.stream().anyMatch(options::containsKey);
        if (any && !Protocol.KIND_HTTP.equals(kind)) {
            throw new IllegalArgumentException("The options " + String.join(", ", KNOWN) + " are for http tunnels only, not "
                    + kind + ".");
        }
        boolean redirects = onOff(options, Protocol.OPTION_REWRITE_REDIRECTS);
        boolean cookies = onOff(options, Protocol.OPTION_REWRITE_COOKIES);
        Origin origin = null;
        String local = options.get(Protocol.OPTION_LOCAL_ORIGIN);
        if (local != null) {
            origin = origin(local);
        }
        Set<String> strip = new LinkedHashSet<>();
        String list = options.get(Protocol.OPTION_STRIP_HEADERS);
        if (list != null && !list.isBlank()) {
            for (String n : list.split(",", -1)) {
                String name = n.trim();
                if (!TOKEN.matcher(name).matches()) {
                    throw new IllegalArgumentException("The option " + Protocol.OPTION_STRIP_HEADERS
                            + " must be header names separated by commas, e.g. Server,X-Powered-By, not \"" + list + "\".");
                }
                strip.add(name.toLowerCase(Locale.ROOT));
            }
            if (strip.size() > MAX_STRIP) {
                throw new IllegalArgumentException("The option " + Protocol.OPTION_STRIP_HEADERS + " names more than "
                        + MAX_STRIP + " headers.");
            }
        }
        return new RewriteOptions(redirects, cookies, origin, Set.copyOf(strip));
    }

    private static boolean onOff(Map<String, String> options, String key) {
        String v = options.getOrDefault(key, "on");
        if (!v.equals("on") && !v.equals("off")) {
            throw new IllegalArgumentException("The option " + key + " must be on or off, not \"" + v + "\".");
        }
        return v.equals("on");
    }

    private static Origin origin(String value) {
        Origin o = null;
        try {
            URI u = new URI(value);
            String path = u.getRawPath();
            if (u.getRawQuery() == null && u.getRawFragment() == null && u.getRawUserInfo() == null
                    && (path == null || path.isEmpty() || path.equals("/"))) {
                o = Origin.of(u);
            }
        } catch (URISyntaxException e) {
            o = null;
        }
        if (o == null) {
            throw new IllegalArgumentException("The option " + Protocol.OPTION_LOCAL_ORIGIN
                    + " must be the local target's origin, e.g. http://localhost:3000, not \"" + value + "\".");
        }
        return o;
    }
}
