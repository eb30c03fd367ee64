package dev.portway.relay.cluster;

import dev.portway.relay.tunnel.VisitorProtection;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ProtectionSealTest {
    private static final String SECRET = "cluster-secret-of-the-tests-0123456789";

    private static VisitorProtection guarded() {
        return VisitorProtection.of("alice:correct horse", "10.0.0.0/8, 2001:db8::/32", "10.9.9.9", "--basic-auth",
                "--ip-allow", "--ip-deny");
    }

    private static String basic(String credentials) {
        return "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void anotherNodeWithTheSecretMakesTheSameChecks() throws Exception {
        String sealed = new ProtectionSeal(SECRET).seal("shop", guarded());
        VisitorProtection p = new ProtectionSeal(SECRET).open("shop", sealed);
        assertThat(p.authorized(basic("alice:correct horse"))).isTrue();
        assertThat(p.authorized(basic("alice:wrong"))).isFalse();
        assertThat(p.authorized(null)).isFalse();
        assertThat(p.admits(InetAddress.getByName("10.1.2.3"))).isTrue();
        assertThat(p.admits(InetAddress.getByName("10.9.9.9"))).as("deny wins").isFalse();
        assertThat(p.admits(InetAddress.getByName("192.0.2.1"))).as("not on the allow list").isFalse();
        assertThat(p.admits(InetAddress.getByName("2001:db8::1"))).isTrue();
        assertThat(p.isNone()).isFalse();
        assertThat(p.isPending()).isFalse();
    }

    @Test
    void theDatabaseNeverSeesTheChecksAndAChangedRowDoesNotOpen() {
        ProtectionSeal seal = new ProtectionSeal(SECRET);
        String sealed = seal.seal("shop", guarded());
        assertThat(sealed).doesNotContain("10.0.0.0").doesNotContain("alice");
        assertThat(seal.seal("shop", guarded())).as("a fresh nonce each time").isNotEqualTo(sealed);

        assertThatThrownBy(() -> new ProtectionSeal("another-secret-entirely-0123456789").open("shop", sealed))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("another cluster secret");
        assertThatThrownBy(() -> seal.open("other", sealed)).as("moved to another name's row")
                .isInstanceOf(IllegalArgumentException.class);
        byte[] raw = Base64.getDecoder().decode(sealed.substring(3));
        raw[raw.length / 2] ^= 1;
        String flipped = "v1." + Base64.getEncoder().encodeToString(raw);
        assertThatThrownBy(() -> seal.open("shop", flipped)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> seal.open("shop", "v1.AAAA")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> seal.open("shop", "not base64 at all")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> seal.open("shop", null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aTunnelWithoutChecksHasNothingSealedAndListsAloneSurviveTheTrip() throws Exception {
        ProtectionSeal seal = new ProtectionSeal(SECRET);
        assertThat(seal.seal("plain", VisitorProtection.NONE)).isNull();
        VisitorProtection lists = VisitorProtection.of(null, null, "203.0.113.0/24", "a", "b", "c");
        VisitorProtection back = seal.open("l", seal.seal("l", lists));
        assertThat(back.hasBasicAuth()).isFalse();
        assertThat(back.authorized(null)).isTrue();
        assertThat(back.admits(InetAddress.getByName("203.0.113.7"))).isFalse();
        assertThat(back.admits(InetAddress.getByName("198.51.100.7"))).isTrue();
    }

    @Test
    void encodedTextThatIsNotOneIsRefused() {
        assertThatThrownBy(() -> VisitorProtection.decode("v2\n\n\n\n")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> VisitorProtection.decode("v1\nnot-an-ip\n\n\n")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> VisitorProtection.decode("v1\n\n\nAAAA\n")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> VisitorProtection.decode("v1\n\n\nAAAA\nAAAA")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> VisitorProtection.PENDING.encode()).isInstanceOf(IllegalStateException.class);
    }
}
