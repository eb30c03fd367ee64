package dev.portway.relay.tunnel;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * What a tunnel's client asked the relay to check before a visitor reaches its app (PROTOCOL.md §4.1): IP
 * allow/deny lists (deny wins) and HTTP basic auth. Immutable and thread-safe; checks are cheap enough for an
 * event loop.
 *
 * <p>The basic-auth password is not kept: only HMAC-SHA-256 of {@code user:password} under a random per-tunnel
 * key. That is a fast hash on purpose — every request is checked on an event loop — and it is safe here because
 * the key and hash are never stored readable (on a relay cluster they reach the other nodes sealed with the cluster
 * secret, see {@link #encode}) and guessing is slowed by the visitor rate limit.
 */
public final class VisitorProtection {
    public static final VisitorProtection NONE = new VisitorProtection(List.of(), List.of(), null, null);
    /** A tunnel's protection for the moment between its claim and its bind's options being applied: admits no one. */
    public static final VisitorProtection PENDING = new VisitorProtection(List.of(), List.of(), null, null);

    private final List<IpRange> allow;
    private final List<IpRange> deny;
    private final byte[] authKey;
    private final byte[] authHash;

    private VisitorProtection(List<IpRange> allow, List<IpRange> deny, byte[] authKey, byte[] authHash) {
        this.allow = List.copyOf(allow);
        this.deny = List.copyOf(deny);
        this.authKey = authKey;
        this.authHash = authHash;
    }

    /**
     * @param basicAuth {@code user:password}, or null
     * @param allow     comma-separated CIDRs, or null/blank for everyone
     * @param deny      comma-separated CIDRs, or null/blank for no one
     * @throws IllegalArgumentException with a message for the user that names the option
     */
    public static VisitorProtection of(String basicAuth, String allow, String deny, String authOption, String allowOption,
                                       String denyOption) {
        List<IpRange> a = ranges(allowOption, allow);
        List<IpRange> d = ranges(denyOption, deny);
        byte[] key = null;
        byte[] hash = null;
        if (basicAuth != null) {
            int colon = basicAuth.indexOf(':');
            if (colon < 1 || colon == basicAuth.length() - 1) {
                throw new IllegalArgumentException("The option " + authOption + " must be user:password, with both parts set.");
            }
            if (basicAuth.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
                throw new IllegalArgumentException("The option " + authOption + " must not contain control characters.");
            }
            key = new byte[32];
            new SecureRandom().nextBytes(key);
            hash = hmac(key, basicAuth);
        }
        return new VisitorProtection(a, d, key, hash);
    }

    private static List<IpRange> ranges(String option, String list) {
        List<IpRange> out = new ArrayList<>();
        if (list == null || list.isBlank()) {
            return out;
        }
        for (String part : list.split(",")) {
            if (part.isBlank()) {
                continue;
            }
            try {
                out.add(IpRange.parse(part));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("The option " + option + ": " + e.getMessage());
            }
            if (out.size() > 256) {
                throw new IllegalArgumentException("The option " + option + " has more than 256 entries.");
            }
        }
        return out;
    }

    /** The bind is still being applied: treat the tunnel as not there yet. */
    public boolean isPending() {
        return this == PENDING;
    }

    public boolean isNone() {
        return this != PENDING && allow.isEmpty() && deny.isEmpty() && authHash == null;
    }

    public boolean hasBasicAuth() {
        return authHash != null;
    }

    /** Deny wins; with an allow list, only addresses on it get in. */
    public boolean admits(InetAddress visitor) {
        if (this == PENDING) {
            return false;
        }
        for (IpRange r : deny) {
            if (r.contains(visitor)) {
                return false;
            }
        }
        if (allow.isEmpty()) {
            return true;
        }
        for (IpRange r : allow) {
            if (r.contains(visitor)) {
                return true;
            }
        }
        return false;
    }

    /** @param authorization the request's {@code Authorization} header, or null */
    public boolean authorized(String authorization) {
        if (authHash == null) {
            return true;
        }
        if (authorization == null || authorization.length() < 6 || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            return false;
        }
        String credentials;
        try {
            credentials = new String(Base64.getDecoder().decode(authorization.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return false;
        }
        return MessageDigest.isEqual(hmac(authKey, credentials), authHash);
    }

    private static byte[] hmac(byte[] key, String text) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(text.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    /**
     * This protection as text, for another node of a relay cluster that serves the tunnel's visitors
     * ({@link #decode}): the lists and the basic-auth key and HMAC, never the password. Only ever stored sealed
     * with the cluster's secret ({@code dev.portway.relay.cluster.ProtectionSeal}). Not for {@link #PENDING}.
     */
    public String encode() {
        if (this == PENDING) {
            throw new IllegalStateException("a pending protection has nothing to encode");
        }
        Base64.Encoder b64 = Base64.getEncoder();
        return "v1\n" + join(allow) + "\n" + join(deny) + "\n" + (authKey == null ? "" : b64.encodeToString(authKey))
                + "\n" + (authHash == null ? "" : b64.encodeToString(authHash));
    }

    private static String join(List<IpRange> ranges) {
        StringBuilder b = new StringBuilder();
        for (IpRange r : ranges) {
            b.append(b.isEmpty() ? "" : ",").append(r.text());
        }
        return b.toString();
    }

    /**
     * The protection {@link #encode} wrote, checked as the bind's options are.
     *
     * @throws IllegalArgumentException when the text is not one {@link #encode} wrote
     */
    public static VisitorProtection decode(String text) {
        String[] f = text.split("\n", -1);
        if (f.length != 5 || !f[0].equals("v1")) {
            throw new IllegalArgumentException("not an encoded visitor protection");
        }
        List<IpRange> a = ranges("allow", f[1]);
        List<IpRange> d = ranges("deny", f[2]);
        if (f[3].isEmpty() != f[4].isEmpty()) {
            throw new IllegalArgumentException("an encoded visitor protection with half a basic-auth check");
        }
        Base64.Decoder b64 = Base64.getDecoder();
        byte[] key = f[3].isEmpty() ? null : b64.decode(f[3]);
        byte[] hash = f[4].isEmpty() ? null : b64.decode(f[4]);
        if (key != null && (key.length != 32 || hash.length != 32)) {
            throw new IllegalArgumentException("an encoded visitor protection with a malformed basic-auth check");
        }
        return a.isEmpty() && d.isEmpty() && key == null ? NONE : new VisitorProtection(a, d, key, hash);
    }

    @Override
    public String toString() {
        return "allow=" + allow + " deny=" + deny + (authHash != null ? " basic_auth" : "");
    }
}
