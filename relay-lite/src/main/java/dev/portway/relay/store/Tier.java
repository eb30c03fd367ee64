package dev.portway.relay.store;

import java.util.Locale;

/** A user's tier: it chooses the user's request rate limit. */
public enum Tier {
    FREE, PREMIUM, ENTERPRISE;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @throws IllegalArgumentException naming the tiers when {@code text} is none of them */
    public static Tier parse(String text) {
        for (Tier t : values()) {
            if (t.wireName().equals(text == null ? "" : text.trim().toLowerCase(Locale.ROOT))) {
                return t;
            }
        }
        throw new IllegalArgumentException("Unknown tier \"" + text + "\" — use free, premium or enterprise.");
    }
}
