package dev.portway.relay.store;

import java.util.Locale;

/** What a user may do in the web console: an admin runs the whole relay, a user sees only their own. */
public enum Role {
    USER, ADMIN;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @throws IllegalArgumentException naming the roles when {@code text} is none of them */
    public static Role parse(String text) {
        for (Role r : values()) {
            if (r.wireName().equals(text == null ? "" : text.trim().toLowerCase(Locale.ROOT))) {
                return r;
            }
        }
        throw new IllegalArgumentException("Unknown role \"" + text + "\" — use user or admin.");
    }
}
