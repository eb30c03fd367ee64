package dev.portway.shared.profile;

import dev.portway.shared.text.SafeText;

/**
 * The characters a profile name may not hold, one rule for the profiles file and the app's editor: no path
 * separators ({@code /}, {@code \}; names become file names and menu paths) and nothing a terminal or a window
 * would act on instead of showing ({@link SafeText#isUnsafe}: control characters, escape sequences, text-direction
 * controls). Length and uniqueness are checked where names are read.
 */
public final class ProfileNames {
    /** The rule in words, for the end of a message. */
    public static final String RULE = "/, \\, control characters or text-direction controls";

    private ProfileNames() {
    }

    /**
     * What is wrong with the characters of {@code name}, as the rest of a sentence that starts with the name:
     * {@code contains "/"}, {@code contains a control character (\e)}; null when nothing is.
     */
    public static String characterProblem(String name) {
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '/' || c == '\\') {
                return "contains \"" + c + "\"";
            }
            if (SafeText.isControl(c)) {
                return "contains a control character (" + SafeText.escape(c) + ")";
            }
            if (SafeText.isDirectionControl(c)) {
                return "contains a text-direction control (" + SafeText.escape(c) + ")";
            }
        }
        return null;
    }
}
