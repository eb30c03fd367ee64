package dev.portway.shared.text;

/**
 * Text from elsewhere — a profiles file, a relay, a visitor, a peer's hello — made safe to show on a terminal,
 * in a log line or in a window. Every character that could end a line, move the cursor, ring, recolour or clear a
 * terminal, or reorder what follows it is written as an escape instead: {@code \n}, {@code \r}, {@code \t},
 * {@code \e} for ESC, and {@code \}{@code uXXXX} (lower-case hex) for the other C0 controls, DEL, the C1 controls
 * (U+0080..U+009F), the Unicode line and paragraph separators and the text-direction controls (bidi overrides,
 * embeddings, isolates and marks). Everything else stays as it is, backslashes included: the result is for people
 * to read, not to be unescaped. Stateless and thread-safe.
 */
public final class SafeText {
    private SafeText() {
    }

    /** C0 controls, DEL, C1 controls, and U+2028/U+2029 (which some viewers treat as line ends). */
    public static boolean isControl(int c) {
        return c < 0x20 || c >= 0x7f && c <= 0x9f || c == 0x2028 || c == 0x2029;
    }

    /** The characters that change the display order of the text around them: overrides, embeddings, isolates, marks. */
    public static boolean isDirectionControl(int c) {
        return c == 0x061c || c == 0x200e || c == 0x200f || c >= 0x202a && c <= 0x202e || c >= 0x2066 && c <= 0x2069;
    }

    /** A character {@link #escape(String)} rewrites. */
    public static boolean isUnsafe(int c) {
        return isControl(c) || isDirectionControl(c);
    }

    /** The index of the first unsafe character of {@code text}, or -1 when there is none (or {@code text} is null). */
    public static int firstUnsafe(String text) {
        if (text == null) {
            return -1;
        }
        for (int i = 0; i < text.length(); i++) {
            if (isUnsafe(text.charAt(i))) {
                return i;
            }
        }
        return -1;
    }

    /** {@code text} with every unsafe character escaped; the same instance when it has none; null stays null. */
    public static String escape(String text) {
        int first = firstUnsafe(text);
        if (first < 0) {
            return text;
        }
        StringBuilder b = new StringBuilder(text.length() + 16).append(text, 0, first);
        for (int i = first; i < text.length(); i++) {
            char c = text.charAt(i);
            if (isUnsafe(c)) {
                b.append(escape(c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    /** How {@link #escape(String)} writes one unsafe character: {@code \n}, {@code \e}, {@code \}{@code u0007}… */
    public static String escape(char c) {
        return switch (c) {
            case '\n' -> "\\n";
            case '\r' -> "\\r";
            case '\t' -> "\\t";
            case 0x1b -> "\\e";
            default -> String.format("\\u%04x", (int) c);
        };
    }
}
