package dev.portway.relay.auth;

import org.bouncycastle.crypto.generators.OpenBSDBCrypt;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;

/**
 * Console passwords, hashed with bcrypt (BouncyCastle's {@link OpenBSDBCrypt}; no home-made crypto). A hash
 * takes about a quarter of a second at the default cost, by design: call {@link #hash} and {@link #matches}
 * on a blocking executor, never on an event loop. Thread-safe.
 */
public final class Passwords {
    /** bcrypt's cost (2^cost rounds). The system property exists for tests, which sign in many times. */
    public static final int DEFAULT_COST = Integer.getInteger("portway.console.bcrypt-cost", 12);
    public static final int MIN_LENGTH = 10;
    /** bcrypt reads at most 72 bytes: a longer password would silently lose its end. */
    public static final int MAX_BYTES = 72;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final int cost;
    /** Checked against when the user is unknown, so that a wrong name takes as long as a wrong password. */
    private final String dummy;

    public Passwords() {
        this(DEFAULT_COST);
    }

    public Passwords(int cost) {
        if (cost < 4 || cost > 31) {
            throw new IllegalArgumentException("The bcrypt cost must be 4-31, not " + cost + ".");
        }
        this.cost = cost;
        this.dummy = hashUnchecked("not a password of anyone".toCharArray());
    }

    /** @throws IllegalArgumentException saying what a password needs, when this one is too short or too long */
    public static void check(String password) {
        if (password == null || password.codePointCount(0, password.length()) < MIN_LENGTH) {
            throw new IllegalArgumentException("A password needs at least " + MIN_LENGTH + " characters.");
        }
        if (password.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
            throw new IllegalArgumentException("A password may have at most " + MAX_BYTES + " bytes (bcrypt ignores the rest).");
        }
    }

    /** The bcrypt string ({@code $2y$12$...}) of an acceptable password. */
    public String hash(String password) {
        check(password);
        return hashUnchecked(password.toCharArray());
    }

    private String hashUnchecked(char[] password) {
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        return OpenBSDBCrypt.generate("2y", password, salt, cost);
    }

    /** @param hash the stored hash, or null when the user is unknown or has no password (then false, in the same time) */
    public boolean matches(String hash, String password) {
        if (password == null || password.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
            OpenBSDBCrypt.checkPassword(dummy, "x".toCharArray());
            return false;
        }
        if (hash == null) {
            OpenBSDBCrypt.checkPassword(dummy, password.toCharArray());
            return false;
        }
        try {
            return OpenBSDBCrypt.checkPassword(hash, password.toCharArray());
        } catch (IllegalArgumentException e) {
            return false; // not a bcrypt string: no password that matches it
        }
    }
}
