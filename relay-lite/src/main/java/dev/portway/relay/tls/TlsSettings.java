package dev.portway.relay.tls;

import dev.portway.relay.acme.AcmeSettings;

import java.nio.file.Path;

/**
 * How the relay serves TLS. Immutable.
 *
 * @param enabled          serve HTTPS/WSS on the relay's port
 * @param certFile         PEM certificate chain, or null to use (and on first start generate) a self-signed one
 * @param keyFile          PEM private key (PKCS#8) of {@code certFile}; null exactly when certFile is null
 * @param httpRedirectPort a plain-HTTP port that answers 308 to the https URL; -1 for none, 0 picks a free one
 * @param acme             certificates per tunnel host from an ACME server (HTTP-01 answered on the redirect port),
 *                         with the PEM or self-signed certificate as the fallback; null for none
 */
public record TlsSettings(boolean enabled, Path certFile, Path keyFile, int httpRedirectPort, AcmeSettings acme) {
    public static final TlsSettings OFF = new TlsSettings(false, null, null, -1);

    public TlsSettings(boolean enabled, Path certFile, Path keyFile, int httpRedirectPort) {
        this(enabled, certFile, keyFile, httpRedirectPort, null);
    }

    public TlsSettings {
        if ((certFile == null) != (keyFile == null)) {
            throw new IllegalArgumentException("--tls-cert and --tls-key go together: give both, or neither for a "
                    + "self-signed certificate.");
        }
        if (certFile != null || acme != null) {
            enabled = true;
        }
        if (httpRedirectPort >= 0 && !enabled) {
            throw new IllegalArgumentException("--http-redirect-port needs TLS: add --tls (or --tls-cert and --tls-key).");
        }
        if (httpRedirectPort > 65535) {
            throw new IllegalArgumentException("--http-redirect-port " + httpRedirectPort + " is not a valid port.");
        }
        if (acme != null && httpRedirectPort < 0) {
            throw new IllegalArgumentException("--acme-email needs --http-redirect-port: the CA checks each name over plain "
                    + "HTTP (port 80 on the internet), where the relay answers its challenge. Add --http-redirect-port 80.");
        }
    }
}
