package dev.portway.shared.stream;

import dev.portway.shared.protocol.Header;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The hop-by-hop header fields (RFC 9110 §7.6.1) a proxy drops: they describe one connection, not the message. The
 * relay applies it to a visitor's request before it crosses the tunnel, the engine to what its local leg sends and
 * receives. Dropped: {@code Connection}, every field {@code Connection} names, {@code Keep-Alive},
 * {@code Proxy-Connection}, {@code TE}, {@code Trailer}, {@code Transfer-Encoding}, {@code Upgrade} and the
 * {@code Proxy-Authenticate}/{@code Proxy-Authorization} pair meant for a proxy. Names match case-insensitively;
 * the order, case and repeats of everything kept stay as they came. An upgrade (PROTOCOL.md §6.2) keeps
 * {@code Upgrade} and {@code Connection} in its place, with only its {@code upgrade} token as written. Stateless.
 */
public final class HopByHop {
    private static final Set<String> ALWAYS = Set.of("connection", "keep-alive", "proxy-connection", "te", "trailer",
            "transfer-encoding", "upgrade", "proxy-authenticate", "proxy-authorization");

    /**
     * Fields a trailer section may not carry (RFC 9110 §6.5.1): framing, routing, request modifiers, authentication,
     * response control data and how to process the content. Dropped from trailers, with the hop-by-hop ones.
     */
    private static final Set<String> NOT_IN_TRAILERS = Set.of("content-length", "content-encoding", "content-type",
            "content-range", "host", "authorization", "www-authenticate", "authentication-info",
            "proxy-authentication-info", "cookie", "set-cookie", "cache-control", "expect", "max-forwards", "pragma",
            "range", "if-match", "if-none-match", "if-modified-since", "if-unmodified-since", "if-range", "age",
            "expires", "date", "location", "retry-after", "vary", "warning", "content-location");

    private HopByHop() {
    }

    /**
     * The trailer fields a proxy passes on (RFC 9110 §6.5.1): neither hop-by-hop (including the ones a
     * {@code Connection} field in {@code head} names) nor one of the framing, routing, authentication and
     * content-processing fields a trailer may not carry. Order, case and repeats of the rest are kept.
     */
    public static List<Header> trailers(List<Header> trailers, List<Header> head) {
        Set<String> named = connectionTokens(head);
        List<Header> out = new ArrayList<>(trailers.size());
        for (Header h : trailers) {
            String n = h.name().toLowerCase(Locale.ROOT);
            if (!ALWAYS.contains(n) && !named.contains(n) && !NOT_IN_TRAILERS.contains(n)) {
                out.add(h);
            }
        }
        return out;
    }

    /**
     * Whether the fields say the sender accepts trailers: a {@code TE} field with the {@code trailers} token (gRPC
     * needs it to reach the server, though {@code TE} itself is hop-by-hop).
     */
    public static boolean acceptsTrailers(List<Header> headers) {
        for (Header h : headers) {
            if (h.name().equalsIgnoreCase("TE")) {
                for (String token : h.value().split(",")) {
                    String t = token.trim();
                    int semi = t.indexOf(';');
                    if ((semi < 0 ? t : t.substring(0, semi).trim()).equalsIgnoreCase("trailers")) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /**
     * As {@link #strip(List, boolean)}; with {@code keepTeTrailers} a {@code TE} field that has the {@code trailers}
     * token stays, in its place, as {@code TE: trailers} (its other codings were this hop's business).
     */
    public static List<Header> strip(List<Header> headers, boolean keepUpgrade, boolean keepTeTrailers) {
        List<Header> out = strip(headers, keepUpgrade);
        if (!keepTeTrailers || !acceptsTrailers(headers)) {
            return out;
        }
        // in place: after the fields that came before the first TE naming trailers
        int kept = 0;
        for (Header h : headers) {
            if (h.name().equalsIgnoreCase("TE") && acceptsTrailers(List.of(h))) {
                out.add(kept, new Header(h.name(), "trailers"));
                return out;
            }
            if (kept < out.size() && out.get(kept) == h) {
                kept++;
            }
        }
        return out;
    }

    /** Whether {@code name} is always hop-by-hop, whatever {@code Connection} says. */
    public static boolean isAlwaysHopByHop(String name) {
        return ALWAYS.contains(name.toLowerCase(Locale.ROOT));
    }

    /** @return the end-to-end fields of {@code headers}, in order. */
    public static List<Header> strip(List<Header> headers) {
        return strip(headers, false);
    }

    /**
     * @param keepUpgrade keep {@code Upgrade}, and {@code Connection: upgrade}, when the fields ask to switch protocols
     * @return the fields to forward, in order
     */
    public static List<Header> strip(List<Header> headers, boolean keepUpgrade) {
        Set<String> named = connectionTokens(headers);
        boolean keep = keepUpgrade && named.contains("upgrade");
        List<Header> out = new ArrayList<>(headers.size());
        boolean connectionKept = false;
        for (Header h : headers) {
            String n = h.name().toLowerCase(Locale.ROOT);
            if (keep && n.equals("connection")) {
                String token = upgradeToken(h.value());
                if (token != null && !connectionKept) {
                    out.add(new Header(h.name(), token)); // in its place, as sent: only its upgrade token goes on
                    connectionKept = true;
                }
            } else if (keep && n.equals("upgrade")) {
                out.add(h);
            } else if (!ALWAYS.contains(n) && !named.contains(n)) {
                out.add(h);
            }
        }
        return out;
    }

    /**
     * Whether the fields ask to switch protocols: a {@code Connection} with the {@code upgrade} token and an
     * {@code Upgrade} that names a protocol (an empty {@code Upgrade} names none, RFC 9110 §7.8).
     */
    public static boolean isUpgrade(List<Header> headers) {
        boolean upgrade = false;
        for (Header h : headers) {
            upgrade |= h.name().equalsIgnoreCase("Upgrade") && !h.value().isBlank();
        }
        return upgrade && connectionTokens(headers).contains("upgrade");
    }

    /** The tokens of every {@code Connection} field, lower-case. */
    private static Set<String> connectionTokens(List<Header> headers) {
        Set<String> tokens = new HashSet<>();
        for (Header h : headers) {
            if (h.name().equalsIgnoreCase("Connection")) {
                for (String token : h.value().split(",")) {
                    String t = token.trim().toLowerCase(Locale.ROOT);
                    if (!t.isEmpty()) {
                        tokens.add(t);
                    }
                }
            }
        }
        return tokens;
    }

    /** The {@code upgrade} token of a Connection value as written, or null. */
    private static String upgradeToken(String value) {
        for (String token : value.split(",")) {
            if (token.trim().equalsIgnoreCase("upgrade")) {
                return token.trim();
            }
        }
        return null;
    }
}
