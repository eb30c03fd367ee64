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
        assertThat(LinkAuth.same(ours.acceptProof(dial, accept, null), theirs.acceptProof(dial, accept, null))).isTrue();
        assertThat(LinkAuth.same(ours.dialProof(dial, accept, null), theirs.dialProof(dial, accept, null))).isTrue();
    }

    @Test
    void anotherSecretAReplayedProofOrTheOtherDirectionsProofIsRefused() {
        String dial = LinkAuth.nonce();
        String accept = LinkAuth.nonce();
        LinkAuth other = new LinkAuth("another-secret-entirely-0123");
        assertThat(LinkAuth.same(ours.acceptProof(dial, accept, null), other.acceptProof(dial, accept, null))).isFalse();
        // A proof recorded for other nonces is worthless against fresh ones.
        assertThat(LinkAuth.same(ours.acceptProof(dial, accept, null), ours.acceptProof(dial, LinkAuth.nonce(), null))).isFalse();
        // The dialling node's proof cannot be reflected back as the accepting node's.
        assertThat(LinkAuth.same(ours.acceptProof(dial, accept, null), ours.dialProof(dial, accept, null))).isFalse();
        assertThat(LinkAuth.same(ours.acceptProof(dial, accept, null), null)).isFalse();
        assertThat(LinkAuth.nonce()).isNotEqualTo(LinkAuth.nonce());
    }

    @Test
    void onATlsLinkAProofHoldsOnlyForTheConnectionItWasMadeOn() {
        String dial = LinkAuth.nonce();
        String accept = LinkAuth.nonce();
        byte[] ours1 = new byte[32];
        byte[] theirs1 = new byte[32];
        theirs1[0] = 1; // what a machine in the middle has: another TLS connection, another exporter value
        LinkAuth theirs = new LinkAuth("the-cluster-secret-0123456789");
        assertThat(LinkAuth.same(ours.acceptProof(dial, accept, ours1), theirs.acceptProof(dial, accept, ours1.clone()))).isTrue();
        assertThat(LinkAuth.same(ours.acceptProof(dial, accept, ours1), theirs.acceptProof(dial, accept, theirs1))).isFalse();
        assertThat(LinkAuth.same(ours.dialProof(dial, accept, ours1), theirs.dialProof(dial, accept, theirs1))).isFalse();
        // A plain link's proof is no TLS link's proof (and the other way round).
        assertThat(LinkAuth.same(ours.acceptProof(dial, accept, ours1), ours.acceptProof(dial, accept, null))).isFalse();
    }
}
