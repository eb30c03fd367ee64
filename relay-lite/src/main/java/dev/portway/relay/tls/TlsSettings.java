package dev.portway.relay.tls;

import java.nio.file.Path;

/**
 * How the relay serves TLS. Immutable.
 *
 * @param enabled          serve HTTPS/WSS on the relay's port
 * @param certFile         PEM certificate chain, or null to use (and on first start generate) a self-signed one
 * @param keyFile          PEM private key (PKCS#8) of {@code certFile}; null exactly when certFile is null
 * @param httpRedirectPort a plain-HTTP port that answers 308 to the https URL; -1 for none, 0 picks a free one
 */
public record TlsSettings(boolean enabled, Path certFile, Path keyFile, int httpRedirectPort) {
    public static final TlsSettings OFF = new TlsSettings(false, null, null, -1);

    public TlsSettings {
        if ((certFile == null) != (keyFile == null)) {
            throw new IllegalArgumentException("--tls-cert and --tls-key go together: give both, or neither for a "
                    + "self-signed certificate.");
        }
        if (certFile != null) {
            enabled = true;
        }
        if (httpRedirectPort >= 0 && !enabled) {
            throw new IllegalArgumentException("--http-redirect-port needs TLS: add --tls (or --tls-cert and --tls-key).");
        }
        if (httpRedirectPort > 65535) {
            throw new IllegalArgumentException("--http-redirect-port " + httpRedirectPort + " is not a valid port.");
        }
    }
}
