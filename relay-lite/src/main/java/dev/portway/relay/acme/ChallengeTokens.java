package dev.portway.relay.acme;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * HTTP-01 challenges in progress: token → key authorization. Written by the ACME thread while a challenge is open,
 * read by the redirect port's event loops. Thread-safe; holds only the few challenges of orders in flight.
 */
public final class ChallengeTokens {
    /** RFC 8555 §8.3: a token is base64url. */
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9_-]{1,256}");
    private final Map<String, String> open = new ConcurrentHashMap<>();

    void put(String token, String keyAuthorization) {
        open.put(token, keyAuthorization);
    }

    void remove(String token) {
        open.remove(token);
    }

    /** The key authorization for {@code token}, or null when no challenge with that token is open. */
    public String answer(String token) {
        return token != null && TOKEN.matcher(token).matches() ? open.get(token) : null;
    }

    int size() {
        return open.size();
    }
}
