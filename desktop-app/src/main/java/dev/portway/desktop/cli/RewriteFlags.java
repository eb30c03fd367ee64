package dev.portway.desktop.cli;

import dev.portway.shared.protocol.Protocol;
import picocli.CommandLine.Option;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The response-rewriting flags of an http tunnel (PROTOCOL.md §4.1), as bind options. The relay rewrites by default;
 * only what differs from the default is sent.
 */
final class RewriteFlags {
    @Option(names = "--rewrite-redirects", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "http: make Location/Content-Location/Refresh that point at the local app or at / point at the"
                    + " public address (default: on; --no-rewrite-redirects to pass them as the app sent them)")
    boolean redirects = true;

    @Option(names = "--rewrite-cookies", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "http: put Set-Cookie Path under /t/NAME/ and drop a Domain naming the local app (default: on)")
    boolean cookies = true;

    @Option(names = "--strip-headers", paramLabel = "NAMES", split = ",",
            description = "http: response headers visitors do not get, e.g. Server,X-Powered-By")
    List<String> strip;

    /**
     * @return the bind options for a tunnel of {@code kind}
     * @throws IllegalArgumentException with a message for the user when a flag does not fit
     */
    Map<String, String> options(String kind) {
        Map<String, String> o = new LinkedHashMap<>();
        boolean any = !redirects || !cookies || strip != null && !strip.isEmpty();
        if (any && !Protocol.KIND_HTTP.equals(kind)) {
            throw new IllegalArgumentException("--no-rewrite-redirects, --no-rewrite-cookies and --strip-headers work for"
                    + " http tunnels only — a tcp tunnel's bytes are passed as they are.");
        }
        if (!redirects) {
            o.put(Protocol.OPTION_REWRITE_REDIRECTS, "off");
        }
        if (!cookies) {
            o.put(Protocol.OPTION_REWRITE_COOKIES, "off");
        }
        if (strip != null && !strip.isEmpty()) {
            for (String name : strip) {
                if (!name.trim().matches("[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}")) {
                    throw new IllegalArgumentException("--strip-headers '" + name + "' is not a header name — e.g."
                            + " --strip-headers Server,X-Powered-By.");
                }
            }
            o.put(Protocol.OPTION_STRIP_HEADERS, String.join(",", strip.stream().map(String::trim).toList()));
        }
        return o;
    }
}
