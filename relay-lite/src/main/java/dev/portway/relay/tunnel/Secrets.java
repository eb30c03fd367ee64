package dev.portway.relay.tunnel;

import java.security.SecureRandom;
import java.util.Base64;

/** Random identifiers and keys: SecureRandom, base64url without padding. */
final class Secrets {
    private static final SecureRandom RANDOM = new SecureRandom();

    private Secrets() {
    }

    static String random(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
