package dev.portway.relay.rewrite;

import io.netty.handler.codec.http.HttpHeaders;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Rewrites a response head for the visitor (PROTOCOL.md §4.1 "Response rewriting"), like nginx's
 * {@code proxy_redirect} and {@code proxy_cookie_path}/{@code proxy_cookie_domain}: URLs in {@code Location},
 * {@code Content-Location} and {@code Refresh} that point at the local target, or at the root of the relay when the
 * visitor came through {@code /t/NAME/}, are made to point where the visitor reached the app; {@code Set-Cookie}
 * Path gets the prefix and a Domain naming the local target goes (the cookie is for the public host only). Bodies
 * are never touched. Stateless; runs on the visitor's event loop.
 */
public final class ResponseRewrite {
    private ResponseRewrite() {
    }

    /** Rewrites {@code headers} in place, keeping their order. */
    public static void apply(HttpHeaders headers, RewriteOptions o, PublicBase base) {
        for (String name : o.strip()) {
            headers.remove(name);
        }
        if (o.redirects()) {
            for (String name : List.of("Location", "Content-Location")) {
                replaceAll(headers, name, v -> url(v, o, base));
            }
            replaceAll(headers, "Refresh", v -> refresh(v, o, base));
        }
        if (o.cookies()) {
            replaceAll(headers, "Set-Cookie", v -> cookie(v, o, base));
        }
    }

    private static void replaceAll(HttpHeaders headers, String name, java.util.function.UnaryOperator<String> f) {
        List<String> values = headers.getAll(name);
        if (values.isEmpty()) {
            return;
        }
        List<String> out = new ArrayList<>(values.size());
        boolean changed = false;
        for (String v : values) {
            String w = f.apply(v);
            changed |= !w.equals(v);
            out.add(w);
        }
        if (changed) {
            headers.set(name, out);
        }
    }

    /** One URL as the visitor must see it; anything it does not recognise is returned unchanged. */
    static String url(String value, RewriteOptions o, PublicBase base) {
        String v = value.trim();
        if (v.startsWith("/") && !v.startsWith("//")) {
            return base.pathForm() ? base.publicPath(v) : value; // root-relative: relative to the relay's root
        }
        URI u;
        try {
            u = new URI(v.startsWith("//") ? "http:" + v : v);
        } catch (URISyntaxException e) {
            return value;
        }
        RewriteOptions.Origin origin = u.isAbsolute() ? RewriteOptions.Origin.of(u) : null;
        if (origin == null) {
            return value; // relative (resolved against the public URL already), or not http
        }
        boolean local = o.localOrigin() != null && o.localOrigin().sameServer(origin);
        RewriteOptions.Origin pub = base.publicOrigin();
        boolean relayRoot = base.pathForm() && pub != null && pub.host().equals(origin.host()) && pub.port() == origin.port();
        if (!local && !relayRoot) {
            return value;
        }
        int start = v.indexOf("//") + 2;
        int end = start;
        while (end < v.length() && "/?#".indexOf(v.charAt(end)) < 0) {
            end++;
        }
        return base.origin() + base.publicPath(v.substring(end));
    }

    /** {@code Refresh: 5; url=/next}: the URL part, like a Location. */
    static String refresh(String value, RewriteOptions o, PublicBase base) {
        int i = value.toLowerCase(Locale.ROOT).indexOf("url=");
        if (i < 0) {
            return value;
        }
        String u = value.substring(i + 4);
        String quote = u.startsWith("'") || u.startsWith("\"") ? u.substring(0, 1) : "";
        String inner = quote.isEmpty() ? u : u.substring(1, u.endsWith(quote) && u.length() > 1 ? u.length() - 1 : u.length());
        String closing = !quote.isEmpty() && u.length() > 1 && u.endsWith(quote) ? quote : "";
        return value.substring(0, i + 4) + quote + url(inner, o, base) + closing;
    }

    /** One {@code Set-Cookie} value: Path below the prefix, no Domain naming the local target; the rest as it was. */
    static String cookie(String value, RewriteOptions o, PublicBase base) {
        String[] parts = value.split(";", -1);
        StringBuilder out = new StringBuilder(parts[0]);
        for (int i = 1; i < parts.length; i++) {
            String attr = parts[i];
            int eq = attr.indexOf('=');
            String key = (eq < 0 ? attr : attr.substring(0, eq)).trim();
            String val = eq < 0 ? "" : attr.substring(eq + 1).trim();
            if (key.equalsIgnoreCase("Path") && base.pathForm() && val.startsWith("/")) {
                String p = val.equals("/") ? base.prefix() : base.publicPath(val);
                out.append("; ").append(key).append('=').append(p);
                continue;
            }
            if (key.equalsIgnoreCase("Domain") && localDomain(val, o)) {
                continue; // a cookie for the local target's name would be refused by the browser: host-only instead
            }
            out.append(';').append(attr);
        }
        return out.toString();
    }

    private static boolean localDomain(String domain, RewriteOptions o) {
        if (o.localOrigin() == null || domain.isEmpty()) {
            return false;
        }
        String d = domain.startsWith(".") ? domain.substring(1) : domain;
        d = d.toLowerCase(Locale.ROOT);
        RewriteOptions.Origin local = o.localOrigin();
        return d.equals(local.host()) || local.isLoopback()
                && new RewriteOptions.Origin(local.scheme(), d, local.port()).isLoopback();
    }
}
