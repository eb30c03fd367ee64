package dev.portway.relay.tunnel;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class VisitorProtectionTest {
    static String basic(String s) {
        return "Basic " + Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void basicAuthChecksUserAndPasswordAndKeepsNoPlainText() {
        VisitorProtection p = VisitorProtection.of("bob:p:ss wörd", null, null, "basic_auth", "ip_allow", "ip_deny");
        assertThat(p.authorized(basic("bob:p:ss wörd"))).isTrue();
        assertThat(p.authorized("basic " + Base64.getEncoder().encodeToString("bob:p:ss wörd".getBytes(StandardCharsets.UTF_8)))).isTrue();
        assertThat(p.authorized(basic("bob:p:ss"))).isFalse();
        assertThat(p.authorized(basic("Bob:p:ss wörd"))).isFalse();
        assertThat(p.authorized(null)).isFalse();
        assertThat(p.authorized("Bearer x")).isFalse();
        assertThat(p.toString()).doesNotContain("wörd");
        // two tunnels with the same password keep different hashes (random key per tunnel)
        VisitorProtection q = VisitorProtection.of("bob:p:ss wörd", null, null, "basic_auth", "ip_allow", "ip_deny");
        assertThat(q.authorized(basic("bob:p:ss wörd"))).isTrue();
    }

    @Test
    void denyWinsOverAllow() throws Exception {
        VisitorProtection p = VisitorProtection.of(null, "10.0.0.0/8", "10.0.0.5", "a", "ip_allow", "ip_deny");
        assertThat(p.admits(InetAddress.getByName("10.0.0.4"))).isTrue();
        assertThat(p.admits(InetAddress.getByName("10.0.0.5"))).isFalse();
        assertThat(p.admits(InetAddress.getByName("11.0.0.1"))).isFalse();
        assertThat(VisitorProtection.NONE.admits(InetAddress.getByName("11.0.0.1"))).isTrue();
        assertThat(VisitorProtection.PENDING.admits(InetAddress.getByName("11.0.0.1"))).isFalse();
    }

    @Test
    void badOptionsNameTheOption() {
        assertThatThrownBy(() -> VisitorProtection.of(":pw", null, null, "basic_auth", "ip_allow", "ip_deny"))
                .hasMessage("The option basic_auth must be user:password, with both parts set.");
        assertThatThrownBy(() -> VisitorProtection.of("u:", null, null, "basic_auth", "ip_allow", "ip_deny"))
                .hasMessageContaining("basic_auth must be user:password");
        assertThatThrownBy(() -> VisitorProtection.of(null, "10.0.0.0/8,nope", null, "basic_auth", "ip_allow", "ip_deny"))
                .hasMessageContaining("The option ip_allow: \"nope\"");
    }
}
