package dev.portway.relay.ssh;

import org.apache.sshd.common.config.keys.AuthorizedKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.junit.jupiter.api.Test;

import java.security.PublicKey;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KeyFileDirectoryTest {
    // Real ed25519 public keys (ssh-keygen -t ed25519), as users paste them.
    private static final String ALICE = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAcmhH85EhEgtkZ8bt3Ki2fY3e9EkpSkSun1AUrluUV+ alice@laptop";
    private static final String BOB = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIP5rNq+UyD4stVBva/ofFgaWkBT6p/0TSFOkPhBQTlJK bob";

    private static PublicKey key(String line) throws Exception {
        return AuthorizedKeyEntry.parseAuthorizedKeyEntry(line).resolvePublicKey(null, PublicKeyEntryResolver.FAILING);
    }

    @Test
    void mapsEachKeyToItsUserAndTheTokenToLocal() throws Exception {
        KeyFileDirectory d = KeyFileDirectory.parse(List.of("# team", "", "alice " + ALICE, "bob\t" + BOB), "ssh-keys", "tok");
        assertThat(d.size()).isEqualTo(2);
        assertThat(d.userForKey(key(ALICE))).contains("alice");
        assertThat(d.userForKey(key(BOB))).contains("bob");
        assertThat(d.tokenLogin("tok").user()).isEqualTo("local");
        assertThat(d.tokenLogin("nope").ok()).isFalse();
    }

    @Test
    void anUnknownKeyHasNoUser() throws Exception {
        KeyFileDirectory d = KeyFileDirectory.parse(List.of("alice " + ALICE), "ssh-keys", "tok");
        assertThat(d.userForKey(key(BOB))).isEmpty();
    }

    @Test
    void aBadLineIsRefusedWithItsLineNumber() {
        assertThatThrownBy(() -> KeyFileDirectory.parse(List.of("alice " + ALICE, ALICE), "ssh-keys", "tok"))
                .hasMessageStartingWith("ssh-keys line 2 must be \"<user> <ssh-ed25519");
        assertThatThrownBy(() -> KeyFileDirectory.parse(List.of("alice ssh-ed25519 notbase64!"), "ssh-keys", "tok"))
                .hasMessageStartingWith("ssh-keys line 1 has no valid public key");
        assertThatThrownBy(() -> KeyFileDirectory.parse(List.of("Alice " + ALICE), "ssh-keys", "tok"))
                .hasMessageContaining("line 1");
    }
}
