package dev.portway.relay.console;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Signed-in console sessions, in memory (a restart signs everyone out). A session is a random id in an
 * HttpOnly, SameSite=Strict cookie (Secure under TLS) and a CSRF token the page sends in
 * {@code X-CSRF-Token} with every change. Sessions end after {@link #IDLE} without a request, after
 * {@link #ABSOLUTE} in any case, or on sign-out. Thread-safe; at most {@link #MAX_SESSIONS} at once.
 */
final class ConsoleSessions {
    static final String COOKIE = "portway_console";
    static final Duration IDLE = Duration.ofMinutes(30);
    static final Duration ABSOLUTE = Duration.ofHours(12);
    static final int MAX_SESSIONS = 10_000;
    private static final SecureRandom RANDOM = new SecureRandom();

    /** One signed-in browser. The user's role is read from the store on every request, not kept here. */
    record Session(String id, String user, String csrf, long createdAt, long[] lastSeen) {
        boolean csrfMatches(String token) {
            return token != null && MessageDigest.isEqual(csrf.getBytes(StandardCharsets.US_ASCII), token.getBytes(StandardCharsets.US_ASCII));
        }
    }

    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final boolean secure;
    private final LongSupplier clock;

    ConsoleSessions(boolean secure) {
        this(secure, System::currentTimeMillis);
    }

    ConsoleSessions(boolean secure, LongSupplier clock) {
        this.secure = secure;
        this.clock = clock;
    }

    /** @return the new session, or null when {@link #MAX_SESSIONS} are signed in */
    Session create(String user) {
        sweep();
        if (sessions.size() >= MAX_SESSIONS) {
            return null;
        }
        long now = clock.getAsLong();
        Session s = new Session(random(), user, random(), now, new long[]{now});
        sessions.put(s.id(), s);
        return s;
    }

    /** The live session of a cookie header, or null; touches it. */
    Session find(String cookieHeader) {
        String id = cookieValue(cookieHeader);
        if (id == null) {
            return null;
        }
        Session s = sessions.get(id);
        if (s == null) {
            return null;
        }
        long now = clock.getAsLong();
        synchronized (s) {
            if (expired(s, now)) {
                sessions.remove(id);
                return null;
            }
            s.lastSeen()[0] = now;
        }
        return s;
    }

    void end(Session s) {
        sessions.remove(s.id());
    }

    /** Ends every session of a user (deleted, disabled, password reset). */
    int endAllOf(String user) {
        int[] n = {0};
        sessions.values().removeIf(s -> {
            boolean mine = s.user().equals(user);
            if (mine) {
                n[0]++;
            }
            return mine;
        });
        return n[0];
    }

    void sweep() {
        long now = clock.getAsLong();
        sessions.values().removeIf(s -> {
            synchronized (s) {
                return expired(s, now);
            }
        });
    }

    int size() {
        return sessions.size();
    }

    private static boolean expired(Session s, long now) {
        return now - s.lastSeen()[0] > IDLE.toMillis() || now - s.createdAt() > ABSOLUTE.toMillis();
    }

    String setCookie(Session s) {
        return COOKIE + "=" + s.id() + "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" + ABSOLUTE.toSeconds() + (secure ? "; Secure" : "");
    }

    String clearCookie() {
        return COOKIE + "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0" + (secure ? "; Secure" : "");
    }

    static String cookieValue(String header) {
        if (header == null) {
            return null;
        }
        for (String part : header.split(";")) {
            String p = part.strip();
            if (p.startsWith(COOKIE + "=")) {
                String v = p.substring(COOKIE.length() + 1);
                return v.isEmpty() || v.length() > 64 ? null : v;
            }
        }
        return null;
    }

    private static String random() {
        byte[] b = new byte[24];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
