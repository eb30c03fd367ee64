package dev.portway.relay.rewrite;

import java.net.URI;

/**
 * Where a visitor reached a tunnel: the public scheme and authority ({@code http://localhost:8080}) and, for the
 * path form {@code /t/NAME/…}, the prefix the visitor typed ({@code /t/NAME}); empty for host routing. Immutable.
 */
public record PublicBase(String scheme, String authority, String prefix) {
    /**
     * @param scheme    the relay's public scheme (what it sends as {@code X-Forwarded-Proto})
     * @param authority the visitor's Host header (null when it sent none)
     * @param uri       the visitor's request target in origin-form
     * @param target    the target the app got: equal to {@code uri} for host routing, without the prefix for the
     *                  path form
     */
    public static PublicBase of(String scheme, String authority, String uri, String target) {
        String prefix = "";
        if (!uri.equals(target) && uri.startsWith("/t/")) {
            int end = 3;
            while (end < uri.length() && uri.charAt(end) != '/' && uri.charAt(end) != '?') {
                end++;
            }
            prefix = uri.substring(0, end);
        }
        return new PublicBase(scheme, authority == null ? "" : authority.trim(), prefix);
    }

    /** {@code scheme://authority}: where absolute URLs the visitor gets point. */
    String origin() {
        return scheme + "://" + authority;
    }

    /** The relay's public origin as the visitor reached it, or null when the Host was unusable. */
    RewriteOptions.Origin publicOrigin() {
        try {
            return RewriteOptions.Origin.of(new URI(origin() + "/"));
        } catch (java.net.URISyntaxException e) {
            return null;
        }
    }

    /** True when {@code path} is already below the prefix (an app that knows it sits there). */
    boolean underPrefix(String path) {
        int n = prefix.length();
        return path.length() >= n && path.regionMatches(true, 0, prefix, 0, n)
                && (path.length() == n || "/?#".indexOf(path.charAt(n)) >= 0);
    }

    /** An absolute path (or empty, or starting with ? or #) as the visitor must see it. */
    String publicPath(String rest) {
        if (rest.isEmpty()) {
            rest = "/";
        } else if (rest.charAt(0) != '/') {
            rest = "/" + rest;
        }
        if (prefix.isEmpty() || underPrefix(rest)) {
            return rest;
        }
        return prefix + rest;
    }

    boolean pathForm() {
        return !prefix.isEmpty();
    }
}
