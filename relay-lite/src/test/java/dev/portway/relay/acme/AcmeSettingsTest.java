package dev.portway.relay.acme;

import dev.portway.relay.tls.TlsSettings;
import org.junit.jupiter.api.Test;

import java.net.URI;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AcmeSettingsTest {
    @Test
    void defaultsToLetsEncryptAndImpliesTls() {
        AcmeSettings a = AcmeSettings.of("ops@example.com", null, null);
        assertThat(a.directory()).isEqualTo(AcmeSettings.LETS_ENCRYPT);
        assertThat(a.renewBefore()).isEqualTo(AcmeSettings.DEFAULT_RENEW_BEFORE);
        assertThat(new TlsSettings(false, null, null, 80, a).enabled()).isTrue();
    }

    @Test
    void badEmailOrDirectoryIsRefusedInWords() {
        assertThatThrownBy(() -> AcmeSettings.of("ops", null, null)).hasMessageContaining("--acme-email needs an e-mail address");
        assertThatThrownBy(() -> AcmeSettings.of("ops@example.com", URI.create("http://ca.example/dir"), null))
                .hasMessageContaining("--acme-directory must be an https:// URL");
    }

    @Test
    void acmeWithoutTheRedirectPortIsRefusedBecauseHttp01NeedsIt() {
        assertThatThrownBy(() -> new TlsSettings(true, null, null, -1, AcmeSettings.of("ops@example.com", null, null)))
                .hasMessageContaining("--acme-email needs --http-redirect-port");
    }
}
