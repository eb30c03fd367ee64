package dev.portway.relay.acme;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * How the relay obtains certificates for tunnel hosts from an ACME (RFC 8555) server. Immutable.
 *
 * @param email          the account's contact address (the CA mails expiry warnings there)
 * @param directory      the ACME directory URL ({@link #LETS_ENCRYPT} by default, {@link #LETS_ENCRYPT_STAGING} for trials)
 * @param trustedCa      a PEM file of CA certificates to trust for the ACME server's own HTTPS (a private CA such as
 *                       a test server's), or null for the JDK's trust store
 * @param renewBefore    renew a certificate when less than this is left of its validity
 * @param ordersPerHour  orders the relay starts per hour at most, over all names
 * @param retryAfter     after a refused order, wait this long before ordering the same name again
 */
public record AcmeSettings(String email, URI directory, Path trustedCa, Duration renewBefore, int ordersPerHour,
                           Duration retryAfter) {
    public static final URI LETS_ENCRYPT = URI.create("https://acme-v02.api.letsencrypt.org/directory");
    public static final URI LETS_ENCRYPT_STAGING = URI.create("https://acme-staging-v02.api.letsencrypt.org/directory");
    public static final Duration DEFAULT_RENEW_BEFORE = Duration.ofDays(30);
    public static final int DEFAULT_ORDERS_PER_HOUR = 20;
    public static final Duration DEFAULT_RETRY_AFTER = Duration.ofHours(1);

    public AcmeSettings {
        if (email == null || !email.matches("[^@\\s]+@[^@\\s]+\\.[^@\\s]+")) {
            throw new IllegalArgumentException("--acme-email needs an e-mail address (the CA writes there about expiring "
                    + "certificates), not \"" + email + "\".");
        }
        if (directory == null) {
            directory = LETS_ENCRYPT;
        }
        String scheme = directory.getScheme() == null ? "" : directory.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("acme")) {
            throw new IllegalArgumentException("--acme-directory must be an https:// URL of an ACME directory (e.g. "
                    + LETS_ENCRYPT_STAGING + " for trials), not \"" + directory + "\".");
        }
        if (renewBefore == null || renewBefore.isNegative() || renewBefore.isZero()) {
            renewBefore = DEFAULT_RENEW_BEFORE;
        }
        if (ordersPerHour < 1) {
            throw new IllegalArgumentException("ACME orders per hour must be at least 1, not " + ordersPerHour + ".");
        }
        if (retryAfter == null || retryAfter.isNegative()) {
            retryAfter = DEFAULT_RETRY_AFTER;
        }
    }

    /** The defaults: Let's Encrypt (or {@code directory}), renew 30 days ahead, 20 orders an hour, one retry per name an hour. */
    public static AcmeSettings of(String email, URI directory, Path trustedCa) {
        return new AcmeSettings(email, directory, trustedCa, DEFAULT_RENEW_BEFORE, DEFAULT_ORDERS_PER_HOUR, DEFAULT_RETRY_AFTER);
    }
}
