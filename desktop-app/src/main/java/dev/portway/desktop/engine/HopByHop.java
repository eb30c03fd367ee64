package dev.portway.desktop.engine;

import dev.portway.shared.protocol.Header;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * Removes hop-by-hop header fields (RFC 9110 §7.6.1): they describe one connection, not the
 * message, so a proxy must not pass them on. An upgrade keeps {@code Connection: upgrade} (in its place, with
 * only its upgrade token) and {@code Upgrade} (PROTOCOL.md §6.2). Order, case and repeats of the rest are kept.
 */
final class HopByHop {
    private static final Set<String> ALWAYS = Set.of("connection", "keep-alive", "proxy-connection", "te", "trailer",
            "transfer-encoding", "upgrade", "proxy-authenticate", "proxy-authorization");

    private HopByHop() {
    }

    /** @return the end-to-end fields of {@code headers}, in order. */
    static List<Header> strip(List<Header> headers) {
        return strip(headers, false);
    }

    /**
     * @param keepUpgrade keep {@code Upgrade}, and {@code Connection: upgrade} when it was asked for
     * @return the fields to forward, in order
     */
    static List<Header> strip(List<Header> headers, boolean keepUpgrade) {
        Set<String> named = new TreeSet<>();
        boolean upgrade = false;
        for (Header h : headers) {
            if (h.name().equalsIgnoreCase("Connection")) {
                for (String token : h.value().split(",")) {
                    String t = token.trim().toLowerCase(Locale.ROOT);
                    if (t.equals("upgrade")) {
                        upgrade = true;
                    } else if (!t.isEmpty()) {
                        named.add(t);
                    }
                }
            }
        }
        List<Header> out = new ArrayList<>(headers.size());
        boolean keep = keepUpgrade && upgrade;
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

    /** The {@code upgrade} token of a Connection value as written, or null. */
    private static String upgradeToken(String value) {
        for (String token : value.split(",")) {
            if (token.trim().equalsIgnoreCase("upgrade")) {
                return token.trim();
            }
        }
        return null;
    }

    /** @return whether a request asks to switch protocols: {@code Connection: upgrade} and an {@code Upgrade} field. */
    static boolean isUpgrade(List<Header> headers) {
        boolean connection = false;
        boolean upgrade = false;
        for (Header h : headers) {
            if (h.name().equalsIgnoreCase("Upgrade") && !h.value().isBlank()) {
                upgrade = true;
            } else if (h.name().equalsIgnoreCase("Connection")) {
                for (String token : h.value().split(",")) {
                    connection |= token.trim().equalsIgnoreCase("upgrade");
                }
            }
        }
        return connection && upgrade;
    }
}
