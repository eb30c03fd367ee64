package dev.portway.shared.protocol;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The rule for tunnel names (PROTOCOL.md §4): a DNS label — 1 to 63 of {@code a-z 0-9 -}, not starting
 * or ending with {@code -} — compared lower-case. Both ends check it: the client to fail fast with a
 * clear message, the relay because it must.
 */
public final class TunnelNames {
    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

    private TunnelNames() {
    }

    /** @return the name lower-cased, or {@code null} when it is not a valid tunnel name */
    public static String normalize(String name) {
        if (name == null) {
            return null;
        }
        String lower = name.toLowerCase(Locale.ROOT);
        return LABEL.matcher(lower).matches() ? lower : null;
    }

    /** The message for a person who gave an invalid name. */
    public static String invalidMessage(String name) {
        return "\"" + name + "\" is not a valid tunnel name — use 1-63 letters, digits and '-', not starting or ending with '-'.";
    }
}
