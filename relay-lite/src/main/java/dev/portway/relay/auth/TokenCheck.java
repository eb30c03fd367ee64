package dev.portway.relay.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Compares secrets in constant time: both sides are hashed with SHA-256 first, so neither the
 * content nor the length of the expected secret leaks through timing. Thread-safe.
 */
public final class TokenCheck {
    private final byte[] expected;

    public TokenCheck(String token) {
        this.expected = sha256(token);
    }

    public boolean matches(String presented) {
        return presented != null && MessageDigest.isEqual(expected, sha256(presented));
    }

    /** Constant-time equality of two secrets (e.g. resume keys); false when either is null. */
    public static boolean same(String a, String b) {
        return a != null && b != null && MessageDigest.isEqual(sha256(a), sha256(b));
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }
}
