package dev.portway.relay.cluster;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LinkAuthTest {
    private final LinkAuth ours = new LinkAuth("the-cluster-secret-0123456789");

    @Test
    void bothSidesWithTheSameSecretProveItToEachOther() {
        String dial = LinkAuth.nonce();
        String accept = LinkAuth.nonce();
        LinkAuth theirs = new LinkAuth("the-cluster-secret-0123456789");
        assertThat(LinkAuth.same(ours.acceptProof(dial, accept), theirs.acceptProof(dial, accept))).isTrue();
        assertThat(LinkAuth.same(ours.dialProof(dial, accept), theirs.dialProof(dial, accept))).isTrue();
    }

    @Test
    void anotherSecretAReplayedProofOrTheOtherDirectionsProofIsRefused() {
        String dial = LinkAuth.nonce();
        String accept = LinkAuth.nonce();
        LinkAuth other = new LinkAuth("another-secret-entirely-0123");
        assertThat(LinkAuth.same(ours.acceptProof(dial, accept), other.acceptProof(dial, accept))).isFalse();
        // A proof recorded for other nonces is worthless against fresh ones.
        assertThat(LinkAuth.same(ours.acceptProof(dial, accept), ours.acceptProof(dial, LinkAuth.nonce()))).isFalse();
        // The dialling node's proof cannot be reflected back as the accepting node's.
        assertThat(LinkAuth.same(ours.acceptProof(dial, accept), ours.dialProof(dial, accept))).isFalse();
        assertThat(LinkAuth.same(ours.acceptProof(dial, accept), null)).isFalse();
        assertThat(LinkAuth.nonce()).isNotEqualTo(LinkAuth.nonce());
    }
}
