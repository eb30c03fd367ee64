package dev.portway.shared.protocol;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A relay certificate's SHA-256 fingerprint as people see and pin it: {@code sha256:} and 64 lower-case hex digits
 * (the relay prints it at start). Accepts upper case and colon-separated bytes.
 */
public final class CertificateFingerprint {
    private static final Pattern HEX = Pattern.compile("[0-9a-f]{64}");

    private CertificateFingerprint() {
    }

    /** @throws IllegalArgumentException with a message for the user when {@code text} is not a SHA-256 fingerprint */
    public static String normalize(String text) {
        String s = text == null ? "" : text.strip().toLowerCase(Locale.ROOT);
        if (s.startsWith("sha256:") || s.startsWith("sha256/")) {
            s = s.substring(7);
        }
        s = s.replace(":", "");
        if (!HEX.matcher(s).matches()) {
            throw new IllegalArgumentException("\"" + text + "\" is not a certificate fingerprint — it must look like "
                    + "sha256: and 64 hex digits, as the relay prints at start.");
        }
        return "sha256:" + s;
    }
}
